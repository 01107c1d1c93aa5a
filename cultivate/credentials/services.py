"""Writes: issuer keys, issuing, revoking and sharing credentials, competence records, and bringing a record in
from another employer for a local assessor to recognise."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.models import EvidenceKind
from cultivate.organisations.models import Alliance, Organisation, Person
from cultivate.portfolio import selectors as portfolio_selectors
from cultivate.portfolio import services as portfolio_services
from cultivate.portfolio.models import Assessment

from . import access, documents, keystore, multibase, proofs, selectors, verification
from .audit_actions import CredentialsAction
from .models import (
    STATUS_LIST_LENGTH,
    CompetenceRecord,
    CredentialKind,
    ImportedRecord,
    IssuedCredential,
    IssuerKey,
    RecognisedAssessment,
    RecognitionState,
)

MAX_RECORD_CREDENTIALS = 500


def _require(membership: Membership | None, action: str, obj: Any) -> Membership:
    if membership is None or not access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


# --- Issuer keys ----------------------------------------------------------------------------------------


def _issuer_filter(organisation: Organisation | None, alliance: Alliance | None) -> dict[str, Any]:
    if (organisation is None) == (alliance is None):
        raise ValueError("An issuer is one organisation or one alliance.")
    return {"organisation": organisation} if organisation is not None else {"alliance": alliance}


def _new_key(
    ctx: AuditContext, owner: dict[str, Any], *, private: Ed25519PrivateKey | None = None
) -> IssuerKey:
    private = private or Ed25519PrivateKey.generate()
    public = multibase.public_key_multibase(private.public_key().public_bytes_raw())
    key = IssuerKey(public_key=public, private_key_encrypted=keystore.seal(private, public), **owner)
    key.full_clean(exclude=["private_key_encrypted"])
    key.save()
    _publish_status_list(key, private)
    audit(
        CredentialsAction.KEY_CREATED,
        ctx=ctx,
        obj=key,
        organisation=key.organisation,
        issuer=key.did,
    )
    return key


def issuer_key_current(
    *, ctx: AuditContext, organisation: Organisation | None = None, alliance: Alliance | None = None
) -> IssuerKey:
    """The issuer's current key, made on first use."""
    owner = _issuer_filter(organisation, alliance)
    with transaction.atomic():
        key = IssuerKey.objects.select_for_update().filter(retired_at__isnull=True, **owner).first()
        return key if key is not None else _new_key(ctx, owner)


def issuer_key_rotate(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    private: Ed25519PrivateKey | None = None,
) -> IssuerKey:
    """Retire the issuer's key and make a new one. Credentials signed with the old key keep verifying (did:key
    resolves from the key itself; the old key still signs its status list)."""
    owner = _issuer_filter(organisation, alliance)
    with transaction.atomic():
        old = IssuerKey.objects.select_for_update().filter(retired_at__isnull=True, **owner).first()
        if old is not None:
            _require(membership, "manage_issuer", old)
            old.retired_at = timezone.now()
            old.save(update_fields=["retired_at"])
        elif not access.may(membership, "manage_issuer", IssuerKey(**owner)):
            raise PermissionDenied("May not manage this issuer's keys.")
        key = _new_key(ctx, owner, private=private)
        audit(
            CredentialsAction.KEY_ROTATED,
            ctx=ctx,
            obj=key,
            organisation=key.organisation,
            retired=old.did if old is not None else "",
            current=key.did,
        )
    return key


def _private(key: IssuerKey) -> Ed25519PrivateKey:
    return keystore.open_sealed(bytes(key.private_key_encrypted), key.public_key)


def _publish_status_list(key: IssuerKey, private: Ed25519PrivateKey | None = None) -> None:
    now = timezone.now()
    revoked = list(selectors.revoked_indexes(key))
    unsigned = documents.status_list(
        url=documents.status_list_url(key.public_key),
        issuer_did=key.did,
        revoked=revoked,
        length=STATUS_LIST_LENGTH,
        now=now,
    )
    key.status_list = proofs.sign(unsigned, private_key=private or _private(key), created=now)
    key.save(update_fields=["status_list"])


# --- Issuing ----------------------------------------------------------------------------------------------


def credential_issue(
    *,
    ctx: AuditContext,
    kind: CredentialKind,
    person: Person,
    award: documents.Award,
    source_key: str,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    assessment: Assessment | None = None,
    shared: bool = False,
) -> IssuedCredential:
    """Sign and record a credential; issuing again for the same `source_key` gives the one already issued."""
    existing = IssuedCredential.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        key = issuer_key_current(ctx=ctx, organisation=organisation, alliance=alliance)
        key = IssuerKey.objects.select_for_update().get(pk=key.pk)
        if key.next_status_index >= STATUS_LIST_LENGTH:
            raise ValidationError("This issuer's status list is full: rotate its key to issue more")
        index = key.next_status_index
        key.next_status_index = index + 1
        key.save(update_fields=["next_status_index"])
        identifier = uuid.uuid4()
        now = timezone.now()
        unsigned = documents.credential(
            identifier=identifier,
            issuer_did=key.did,
            issuer_name=key.issuer_name,
            status_list=documents.status_list_url(key.public_key),
            index=index,
            award=award,
        )
        signed = proofs.sign(unsigned, private_key=_private(key), created=now)
        valid_until = verification._when(signed.get("validUntil"))
        credential = IssuedCredential(
            identifier=identifier,
            kind=kind,
            key=key,
            status_index=index,
            person=person,
            title=award.name[:300],
            document=signed,
            issued_at=now,
            valid_until=valid_until,
            source_key=source_key,
            assessment=assessment,
            shared=shared,
        )
        # Uniqueness and the constraints are the database's to enforce (source_key was looked up above); checking
        # them here too cost a quarter of issuing a certificate.
        credential.full_clean(validate_unique=False, validate_constraints=False)
        credential.save()
        audit(
            CredentialsAction.ISSUED,
            ctx=ctx,
            obj=credential,
            organisation=person.organisation,
            kind=str(kind),
            issuer=key.did,
            source=source_key,
        )
    return credential


def credential_revoke(
    *, ctx: AuditContext, membership: Membership | None, credential: IssuedCredential, reason: str
) -> IssuedCredential:
    """Set the credential's bit in its key's status list (signed again) with the reason, audited."""
    _require(membership, "revoke_credential", credential)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the credential is revoked"})
    if credential.revoked_at is not None:
        raise ValidationError("This credential has already been revoked")
    return _revoke(ctx, credential, reason.strip(), by=membership.user if membership else None)


def _revoke(ctx: AuditContext, credential: IssuedCredential, reason: str, *, by: Any) -> IssuedCredential:
    with transaction.atomic():
        key = IssuerKey.objects.select_for_update().get(pk=credential.key_id)
        credential.revoked_at = timezone.now()
        credential.revoked_reason = reason
        credential.revoked_by = by
        credential.full_clean()
        credential.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        _publish_status_list(key)
        audit(
            CredentialsAction.REVOKED,
            ctx=ctx,
            obj=credential,
            organisation=credential.person.organisation,
            reason=reason,
            issuer=key.did,
        )
    return credential


def credential_share(
    *, ctx: AuditContext, membership: Membership | None, credential: IssuedCredential, shared: bool
) -> IssuedCredential:
    """Only the holder decides whether the verification page and JSON are open to anyone with the link."""
    _require(membership, "share_credential", credential)
    credential.shared = shared
    credential.save(update_fields=["shared"])
    audit(
        CredentialsAction.SHARED,
        ctx=ctx,
        obj=credential,
        organisation=credential.person.organisation,
        shared=shared,
    )
    return credential


def credential_download_record(
    *, ctx: AuditContext, membership: Membership | None, credential: IssuedCredential, what: str
) -> None:
    """A download of someone else's credential (personal data) by an admin is audited; the holder's own is not."""
    if not access.may(membership, "share_credential", credential):
        audit(
            CredentialsAction.DOWNLOADED,
            ctx=ctx,
            obj=credential,
            organisation=credential.person.organisation,
            what=what,
        )


# --- What is issued ---------------------------------------------------------------------------------------


def _alignment(competence: Any) -> documents.Alignment:
    return documents.Alignment(
        identifier=str(competence.identifier),
        name=competence.label,
        framework=competence.framework.title,
        url=documents.site_url(f"/api/frameworks/case/v1p1/CFItems/{competence.identifier}"),
    )


def sign_off_award(assessment: Assessment, *, holder_name: str) -> documents.Award:
    competence = assessment.competence
    framework = assessment.framework
    return documents.Award(
        name=competence.label,
        description=competence.title,
        criteria=(
            "Assessed in practice and signed off by a registered professional against this competence of "
            f"{framework.title}, version {competence.version.number}."
        ),
        achievement_id=f"urn:uuid:{assessment.competence_identifier}",
        achievement_type="Competency",
        holder_name=holder_name,
        valid_from=documents.day_start(assessment.assessed_on),
        valid_until=documents.day_end(assessment.expires_on) if assessment.expires_on else None,
        alignments=(_alignment(competence),),
        version=str(competence.version.number),
        human_code=competence.code,
        level=framework.level_label(assessment.level),
        assessor=documents.Assessor(
            name=assessment.assessor_name,
            registration_body=assessment.registration_body,
            registration_pin=assessment.registration_pin,
        ),
        extra_subject={"activityEndDate": documents.day_start(assessment.assessed_on)},
    )


def care_certificate_issue(
    *, ctx: AuditContext, membership: Membership | None, person: Person
) -> IssuedCredential:
    """The worker's Care Certificate, on their request, once every standard is signed off and held: one
    credential from their organisation, aligned to each standard. Asking again gives the same one."""
    _require(membership, "bring_record", person)
    missing = selectors.care_certificate_missing(person)
    if missing is None:
        raise ValidationError("The Care Certificate is not set up in this service")
    if missing:
        raise ValidationError(
            f"{len(missing)} Care Certificate standards are not signed off yet, for example {missing[0].label}"
        )
    return _care_certificate(ctx, person)


def _care_certificate(ctx: AuditContext, person: Person) -> IssuedCredential:
    standards = selectors.care_certificate_standards()
    today = timezone.localdate()
    award = documents.Award(
        name="The Care Certificate",
        description="The standards health and social care support workers meet, assessed in practice.",
        criteria="Every standard of the Care Certificate signed off in practice by a registered professional.",
        achievement_id=f"urn:uuid:{standards[0].framework.identifier}",
        achievement_type="Certificate",
        holder_name=person.display_name,
        valid_from=documents.day_start(today),
        alignments=tuple(_alignment(standard) for standard in standards),
        version=str(standards[0].version.number),
    )
    return credential_issue(
        ctx=ctx,
        kind=CredentialKind.CARE_CERTIFICATE,
        person=person,
        award=award,
        source_key=f"care_certificate:{person.pk}",
        organisation=person.organisation,
    )


def care_certificates_issue_due(*, ctx: AuditContext, organisation: Organisation | None = None) -> int:
    """Issue the Care Certificate to everyone who now holds every standard and has none yet (a system job:
    `cultivate credentials care-certificates`, run nightly), and tell each of them. Each is issued in its own
    transaction, so one failure leaves the others issued. Returns how many were issued."""
    if not ctx.system_job:
        raise PermissionDenied("Issuing Care Certificates in bulk is a system job.")
    from django.urls import reverse

    from cultivate.accounts.models import User
    from cultivate.core.notify import notify

    issued = 0
    for person in selectors.care_certificate_due(organisation.pk if organisation is not None else None):
        credential = _care_certificate(ctx, person)
        issued += 1
        user = User.objects.filter(person_id=person.pk, is_active=True).first()
        if user is not None:
            notify(
                user=user,
                title="Your Care Certificate has been issued",
                body="Every standard is signed off. Share it from your certificates to let anyone check it.",
                url=reverse("credentials:credential", args=[credential.identifier]),
            )
    return issued


def competence_record_create(
    *, ctx: AuditContext, membership: Membership | None, person: Person
) -> CompetenceRecord:
    """A record of the worker's current sign-offs: one credential per sign-off (issued once, kept), and any
    credential for a sign-off that is no longer current (withdrawn or corrected since) revoked."""
    membership = _require(membership, "bring_record", person)
    current = selectors.current_sign_offs(person)
    if not current:
        raise ValidationError("You have no current sign-offs to put in a record yet")
    if len(current) > MAX_RECORD_CREDENTIALS:
        raise ValidationError(f"A record holds at most {MAX_RECORD_CREDENTIALS} sign-offs")
    with transaction.atomic():
        issued = [
            credential_issue(
                ctx=ctx,
                kind=CredentialKind.SIGN_OFF,
                person=person,
                award=sign_off_award(assessment, holder_name=person.display_name),
                source_key=f"assessment:{assessment.pk}",
                organisation=person.organisation,
                assessment=assessment,
            )
            for assessment in current
        ]
        for stale in selectors.stale_sign_off_credentials(person, [a.pk for a in current]):
            _revoke(ctx, stale, "The sign-off was withdrawn or corrected", by=membership.user)
        record = CompetenceRecord(person=person)
        record.full_clean()
        record.save()
        record.credentials.set(issued)
        audit(
            CredentialsAction.RECORD_CREATED,
            ctx=ctx,
            obj=record,
            organisation=person.organisation,
            credentials=len(issued),
        )
    return record


def competence_record_share(
    *, ctx: AuditContext, membership: Membership | None, record: CompetenceRecord, shared: bool
) -> CompetenceRecord:
    _require(membership, "share_record", record)
    record.shared = shared
    record.save(update_fields=["shared"])
    audit(
        CredentialsAction.RECORD_SHARED,
        ctx=ctx,
        obj=record,
        organisation=record.person.organisation,
        shared=shared,
    )
    return record


# --- Bringing a record in ------------------------------------------------------------------------------------


def _credentials_of(document: Any) -> list[Any]:
    if isinstance(document, dict) and "VerifiablePresentation" in (document.get("type") or []):
        found = document.get("verifiableCredential")
        return found if isinstance(found, list) else [found]
    return [document]


def _sign_off_facts(credential: dict[str, Any]) -> dict[str, Any] | None:
    """What an imported sign-off credential says, or None if it is not one."""
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return None
    achievement = subject.get("achievement") or {}
    alignments = achievement.get("alignment") or []
    source = subject.get("source") or {}
    results = subject.get("result") or []
    if not alignments or not isinstance(alignments[0], dict) or not isinstance(source, dict) or not results:
        return None
    alignment = alignments[0]
    try:
        identifier = uuid.UUID(str(alignment.get("targetCode")))
    except ValueError:
        return None
    registration = ""
    for entry in source.get("otherIdentifier") or []:
        if isinstance(entry, dict):
            registration = (
                f"{str(entry.get('identifierType', '')).removeprefix('ext:')} {entry.get('identifier', '')}"
            )
    valid_from = verification._when(credential.get("validFrom"))
    valid_until = verification._when(credential.get("validUntil"))
    return {
        "credential_id": str(credential.get("id", ""))[:200],
        "framework_title": str(alignment.get("targetFramework", ""))[:300],
        "competence_identifier": identifier,
        "competence_name": str(alignment.get("targetName", "") or achievement.get("name", ""))[:500],
        "level_label": str(results[0].get("value", "") if isinstance(results[0], dict) else "")[:100],
        "assessed_on": valid_from.date() if valid_from else None,
        "expires_on": valid_until.date() if valid_until else None,
        "assessor_name": str(source.get("name", ""))[:150],
        "registration": registration.strip()[:60],
    }


class RecordRefused(ValidationError):
    """A record that is unreadable, forged or tampered with: nothing of it is kept."""


def record_import(
    *, ctx: AuditContext, membership: Membership | None, person: Person, document: Any
) -> ImportedRecord:
    """Verify every credential of a record from another employer; keep it only if all are genuine. Each current
    sign-off whose competence this organisation uses becomes a request for sign-off with the original sign-off
    as witness testimony, for a local assessor to confirm in one step."""
    membership = _require(membership, "bring_record", person)
    now = timezone.now()
    credentials = _credentials_of(document)
    problems: list[str] = []
    items: list[tuple[dict[str, Any], verification.Verification]] = []
    if not credentials:
        problems.append("The file holds no credentials")
    if len(credentials) > MAX_RECORD_CREDENTIALS:
        problems.append(f"The file holds more than {MAX_RECORD_CREDENTIALS} credentials")
        credentials = []
    for number, credential in enumerate(credentials, start=1):
        checked = verification.verify(credential, now=now)
        facts = _sign_off_facts(credential) if isinstance(credential, dict) else None
        if checked.outcome == verification.Outcome.NOT_GENUINE:
            problems.append(f"Credential {number} is not genuine: {checked.reason}")
        elif facts is None or facts["assessed_on"] is None:
            problems.append(f"Credential {number} is not a signed-off competence")
        else:
            items.append((facts, checked))
    if problems:
        audit(
            CredentialsAction.RECORD_REFUSED,
            ctx=ctx,
            obj=person,
            organisation=person.organisation,
            problems=problems[:10],
        )
        raise RecordRefused(problems)
    with transaction.atomic():
        record = ImportedRecord(person=person, document=document, imported_by=membership.user)
        record.full_clean()
        record.save()
        for facts, checked in items:
            if checked.outcome != verification.Outcome.VALID:
                continue  # revoked, expired or unchecked: shown to the worker, never offered for recognition
            competence = selectors.local_competence(person, facts["competence_identifier"])
            item = RecognisedAssessment(
                record=record,
                person=person,
                issuer_name=checked.issuer_name[:300],
                issuer_id=checked.issuer_id[:200],
                issuer_known=checked.issuer_known,
                competence=competence,
                state=RecognitionState.WAITING if competence is not None else RecognitionState.NOT_MATCHED,
                **facts,
            )
            if competence is not None:
                item.level = _level_code(competence, facts["level_label"])
            if item.level:
                item.signoff_request = _request_recognition(ctx, membership, person, competence, item)
            else:
                item.state = RecognitionState.NOT_MATCHED
            item.full_clean()
            item.save()
        audit(
            CredentialsAction.RECORD_IMPORTED,
            ctx=ctx,
            obj=record,
            organisation=person.organisation,
            credentials=len(credentials),
            offered=sum(1 for _, checked in items if checked.is_valid),
        )
    return record


def _level_code(competence: Any, label: str) -> str:
    for code, level_label in portfolio_services.level_choices(competence):
        if level_label == label:
            return code
    return ""


def _request_recognition(
    ctx: AuditContext, membership: Membership, person: Person, competence: Any, item: RecognisedAssessment
) -> Any:
    """Through the portfolio's own services: the original sign-off as witness testimony from the registered
    professional who gave it, and a request for sign-off that carries it."""
    if portfolio_selectors.open_request(person, competence) is not None:
        return None
    evidence = portfolio_services.evidence_create(
        membership=membership,
        person=person,
        kind=EvidenceKind.WITNESS,
        title=f"Signed off at {item.issuer_name}: {item.competence_name}"[:200],
        occurred_on=item.assessed_on,
        text=(
            f"Recognised prior assessment. Verified credential {item.credential_id} from {item.issuer_name} "
            f"({item.issuer_id}): signed off at {item.level_label} on {item.assessed_on.isoformat()} by "
            f"{item.assessor_name} ({item.registration})."
        ),
        witness_name=item.assessor_name,
        witness_role=f"Registered professional {item.registration}, {item.issuer_name}"[:150],
        competences=[competence],
        ctx=ctx,
    )
    try:
        return portfolio_services.signoff_request_create(
            membership=membership,
            person=person,
            competence=competence,
            level_sought=item.level,
            evidence=[evidence],
            message=f"Recognised prior assessment from {item.issuer_name} (verified credential).",
            ctx=ctx,
        )
    except ValidationError:
        return None  # no assessor covers them yet: the item still shows on their record


def recognition_confirm(
    *, ctx: AuditContext, membership: Membership | None, item: RecognisedAssessment
) -> RecognisedAssessment:
    """The local assessor confirms the prior assessment in one step: a sign-off through the portfolio's service,
    dated as the original, with where it came from in its comments."""
    membership = _require(membership, "confirm_recognition", item)
    if item.state != RecognitionState.WAITING or item.signoff_request is None:
        raise ValidationError("This prior assessment is not waiting for confirmation")
    with transaction.atomic():
        assessment = portfolio_services.signoff_sign_off(
            membership=membership,
            signoff_request=item.signoff_request,
            level=item.level,
            assessed_on=item.assessed_on,
            comments=(
                f"Recognised prior assessment: signed off by {item.assessor_name} ({item.registration}) at "
                f"{item.issuer_name} on {item.assessed_on.isoformat()}; verified credential {item.credential_id}."
            ),
            ctx=ctx,
        )
        item.assessment = assessment
        item.state = RecognitionState.CONFIRMED
        item.full_clean()
        item.save(update_fields=["assessment", "state"])
        audit(
            CredentialsAction.RECOGNITION_CONFIRMED,
            ctx=ctx,
            obj=assessment,
            organisation=item.person.organisation,
            credential=item.credential_id,
            issuer=item.issuer_id,
        )
    return item
