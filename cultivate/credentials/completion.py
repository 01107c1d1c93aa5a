"""The programmes app's completion hook, answered here: each participant who completes a programme receives a
certificate (an Open Badges 3.0 credential, shared so its verification page and QR code work at once) from the
programme's owner, the organisation or alliance. Issuing again for the same participant gives the same one."""

from __future__ import annotations

from collections.abc import Sequence

from cultivate.core.audit import AuditContext
from cultivate.frameworks.models import Competence, VersionStatus
from cultivate.organisations.models import Alliance, Organisation, Person
from cultivate.programmes.completion import ProgrammeCompletion, register_completion_listener

from . import documents, services
from .models import CredentialKind


def register() -> None:
    register_completion_listener(issue_certificates)


def _alignments(identifiers: Sequence[str]) -> tuple[documents.Alignment, ...]:
    if not identifiers:
        return ()
    rows = (
        Competence.objects.filter(identifier__in=list(identifiers), version__status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("framework__title", "sequence", "pk")
    )
    return tuple(services._alignment(row) for row in rows)


def programme_award(completion: ProgrammeCompletion, *, holder_name: str) -> documents.Award:
    hours = f" ({completion.hours:g} hours)" if completion.hours else ""
    return documents.Award(
        name=completion.title,
        description=completion.description or completion.title,
        criteria=completion.criteria or f"Completed {completion.title}{hours}.",
        achievement_id=f"urn:cultivate:programme:{completion.programme_id}",
        achievement_type="Certificate",
        holder_name=holder_name,
        valid_from=documents.day_start(completion.completed_on),
        alignments=_alignments(completion.competence_identifiers),
        extra_subject={"activityEndDate": documents.day_start(completion.completed_on)},
    )


def issue_certificates(ctx: AuditContext, completions: Sequence[ProgrammeCompletion]) -> None:
    people = Person.objects.in_bulk([c.person_id for c in completions])
    for completion in completions:
        person = people[completion.person_id]
        services.credential_issue(
            ctx=ctx,
            kind=CredentialKind.PROGRAMME,
            person=person,
            award=programme_award(completion, holder_name=person.display_name),
            source_key=f"programme:{completion.participant_id}",
            organisation=Organisation.objects.get(pk=completion.issuer_organisation_id)
            if completion.issuer_organisation_id
            else None,
            alliance=Alliance.objects.get(pk=completion.issuer_alliance_id)
            if completion.issuer_alliance_id
            else None,
            shared=True,
        )
