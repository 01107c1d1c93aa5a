"""Reads. The holder's, the issuer admins' and the assessor's reads take the acting membership and read through
`for_membership`; the public verification pages read one credential or record by its unguessable identifier,
and only while its holder shares it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.frameworks.models import Competence, VersionStatus
from cultivate.organisations.models import Person
from cultivate.portfolio.models import Assessment, AssessmentKind

from .models import (
    CompetenceRecord,
    CredentialKind,
    ImportedRecord,
    IssuedCredential,
    IssuerKey,
    RecognisedAssessment,
    RecognitionState,
)


def credentials_visible_to(membership: Membership | None) -> QuerySet[IssuedCredential]:
    return IssuedCredential.objects.for_membership(membership).select_related("key", "person__organisation")


def own_credentials(membership: Membership | None) -> QuerySet[IssuedCredential]:
    person_id = membership.user.person_id if membership is not None else None
    if person_id is None:
        return IssuedCredential.objects.none()
    return (
        credentials_visible_to(membership).filter(person_id=person_id).exclude(kind=CredentialKind.SIGN_OFF)
    )


def issued_by_admin(membership: Membership | None) -> QuerySet[IssuedCredential]:
    """The credentials the admin's issuer issued (not their own as a holder)."""
    if membership is None:
        return IssuedCredential.objects.none()
    found = credentials_visible_to(membership)
    if membership.organisation_id is not None:
        return found.filter(key__organisation_id=membership.organisation_id)
    if membership.alliance_id is not None:
        return found.filter(key__alliance_id=membership.alliance_id)
    return IssuedCredential.objects.none()


def issuer_keys_of(membership: Membership | None) -> QuerySet[IssuerKey]:
    if membership is None:
        return IssuerKey.objects.none()
    if membership.organisation_id is not None:
        return IssuerKey.objects.filter(organisation_id=membership.organisation_id)
    if membership.alliance_id is not None:
        return IssuerKey.objects.filter(alliance_id=membership.alliance_id)
    return IssuerKey.objects.none()


def shared_credential(identifier: uuid.UUID) -> IssuedCredential | None:  # unscoped: public, holder-shared
    """A credential for its public verification page: only while the holder shares it."""
    return IssuedCredential.objects.filter(identifier=identifier, shared=True).select_related("key").first()


def shared_record(token: uuid.UUID) -> CompetenceRecord | None:  # unscoped: public, holder-shared
    return CompetenceRecord.objects.filter(token=token, shared=True).select_related("person").first()


def record_credentials(record: CompetenceRecord) -> list[IssuedCredential]:
    return list(record.credentials.select_related("key").order_by("title", "pk"))


def records_visible_to(membership: Membership | None) -> QuerySet[CompetenceRecord]:
    return CompetenceRecord.objects.for_membership(membership).select_related("person")


def imported_visible_to(membership: Membership | None) -> QuerySet[ImportedRecord]:
    return ImportedRecord.objects.for_membership(membership)


def recognitions_visible_to(membership: Membership | None) -> QuerySet[RecognisedAssessment]:
    return RecognisedAssessment.objects.for_membership(membership).select_related(
        "person", "competence", "record", "signoff_request"
    )


def recognitions_waiting(membership: Membership | None) -> QuerySet[RecognisedAssessment]:
    waiting = recognitions_visible_to(membership).filter(state=RecognitionState.WAITING)
    own = membership.user.person_id if membership is not None else None
    return waiting.exclude(person_id=own) if own is not None else waiting


def items_of(record: ImportedRecord) -> QuerySet[RecognisedAssessment]:
    return record.items.select_related("competence", "assessment")


def revoked_indexes(key: IssuerKey) -> Sequence[int]:
    return list(
        IssuedCredential.objects.filter(key=key, revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )


def current_sign_offs(person: Person) -> list[Assessment]:
    """The worker's sign-offs in force today: not withdrawn, corrected or expired."""
    today = timezone.localdate()
    return list(
        Assessment.objects.filter(person=person, superseded_by__isnull=True)
        .exclude(kind=AssessmentKind.WITHDRAWAL)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("competence__version", "framework")
        .order_by("framework__title", "competence__sequence", "pk")
    )


def stale_sign_off_credentials(person: Person, current_ids: Sequence[int]) -> list[IssuedCredential]:
    return list(
        IssuedCredential.objects.filter(person=person, kind=CredentialKind.SIGN_OFF, revoked_at__isnull=True)
        .exclude(assessment_id__in=current_ids)
        .select_related("person__organisation")
    )


def local_competence(person: Person, identifier: uuid.UUID) -> Competence | None:
    """The competence with this CASE identifier in a published framework the worker's organisation uses: a
    reference framework, its alliance's or its own."""
    organisation = person.organisation
    owners = Q(framework__owner_alliance__isnull=True, framework__owner_organisation__isnull=True)
    owners |= Q(framework__owner_organisation=organisation)
    if organisation.alliance_id is not None:
        owners |= Q(framework__owner_alliance_id=organisation.alliance_id)
    return (
        Competence.objects.filter(owners, identifier=identifier, version__status=VersionStatus.PUBLISHED)
        .select_related("framework", "version")
        .first()
    )


def status_list_of(public_key: str) -> dict[str, object]:
    key = IssuerKey.objects.filter(public_key=public_key).only("status_list").first()
    return key.status_list if key is not None else {}


def care_certificate_standards() -> list[Competence]:
    """The Care Certificate's standards as published (the reference framework every organisation can use)."""
    from cultivate.frameworks.models import NodeType
    from cultivate.frameworks.reference import CARE_CERTIFICATE

    return list(
        Competence.objects.filter(
            framework__identifier=CARE_CERTIFICATE,
            version__status=VersionStatus.PUBLISHED,
            node_type=NodeType.COMPETENCE,
        )
        .select_related("framework", "version")
        .order_by("sequence", "pk")
    )


def care_certificate_missing(person: Person) -> list[Competence] | None:
    """The standards the worker does not hold today; None when the Care Certificate is not installed."""
    from cultivate.portfolio import status

    standards = care_certificate_standards()
    if not standards:
        return None
    held = status.statuses([person.pk], standards, published=True)
    return [s for s in standards if not held[(person.pk, s.pk)].is_held]


def care_certificate_due(organisation_id: int | None = None) -> list[Person]:
    """People who hold every Care Certificate standard today and have no Care Certificate credential yet (of
    one organisation, or of all): whom `cultivate credentials care-certificates` issues to. People with a
    sign-off of each standard are found in one query, then their statuses read in one batch."""
    from cultivate.portfolio import status

    standards = care_certificate_standards()
    if not standards:
        return []
    identifiers = {s.identifier for s in standards}
    signed = Assessment.objects.filter(
        framework_id=standards[0].framework_id, competence_identifier__in=identifiers
    )
    if organisation_id is not None:
        signed = signed.filter(person__organisation_id=organisation_id)
    enough = (
        signed.values("person_id")
        .annotate(n=Count("competence_identifier", distinct=True))
        .filter(n__gte=len(identifiers))
        .values("person_id")
    )
    issued = IssuedCredential.objects.filter(kind=CredentialKind.CARE_CERTIFICATE).values("person_id")
    people = list(
        Person.objects.filter(pk__in=enough)
        .exclude(pk__in=issued)
        .select_related("organisation")
        .order_by("pk")
    )
    held = status.statuses([p.pk for p in people], standards, published=True)
    return [p for p in people if all(held[(p.pk, s.pk)].is_held for s in standards)]
