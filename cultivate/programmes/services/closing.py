"""Closing a cohort: who completed against the programme's criteria, recorded and announced to listeners
(the credentials app issues certificates) in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cultivate.core.audit import AuditContext, audit

from ..audit_actions import ProgrammeAction
from ..completion import ProgrammeCompletion, announce_completions
from ..models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    Programme,
    SelfAssessment,
    Session,
    Stage,
)
from ._common import owner_organisation, require, tell


@dataclass(frozen=True)
class Outcome:
    participant_id: int
    attended: int
    sessions: int
    assessments: int
    completed: bool
    note: str


def criteria_text(programme: Programme) -> str:
    text = f"Attended at least {programme.min_attendance_pct}% of the sessions"
    if programme.require_self_assessments:
        text += " and completed the self-assessment at the start and at the end"
    return text + "."


def cohort_sessions(cohort: Cohort, until: dt.datetime | None = None) -> list[Session]:
    qs = Session.objects.filter(Q(cohort=cohort) | Q(cohort__isnull=True), programme_id=cohort.programme_id)
    if until is not None:
        qs = qs.filter(starts_at__lte=until)
    return list(qs)


def cohort_outcomes(cohort: Cohort, *, until: dt.datetime | None = None) -> list[Outcome]:
    """Each participant against the criteria, counting the sessions held so far (all of them once closed)."""
    programme = cohort.programme
    sessions = cohort_sessions(cohort, until)
    session_ids = [s.pk for s in sessions]
    participants = list(cohort.participants.all())
    present: dict[int, int] = {}
    for participant_id in Attendance.objects.filter(
        session_id__in=session_ids, participant__cohort=cohort, status=AttendanceStatus.PRESENT
    ).values_list("participant_id", flat=True):
        present[participant_id] = present.get(participant_id, 0) + 1
    stages: dict[int, set[str]] = {}
    for participant_id, stage in SelfAssessment.objects.filter(participant__cohort=cohort).values_list(
        "participant_id", "stage"
    ):
        stages.setdefault(participant_id, set()).add(stage)
    outcomes = []
    for p in participants:
        attended = present.get(p.pk, 0)
        pct = 100.0 * attended / len(sessions) if sessions else 0.0
        enough = pct >= programme.min_attendance_pct
        both = stages.get(p.pk, set()) >= {Stage.BEFORE, Stage.AFTER}
        completed = enough and (both or not programme.require_self_assessments)
        reasons = []
        if not enough:
            reasons.append(f"attended {attended} of {len(sessions)} sessions")
        if programme.require_self_assessments and not both:
            reasons.append("a self-assessment is missing")
        outcomes.append(
            Outcome(
                p.pk, attended, len(sessions), len(stages.get(p.pk, set())), completed, "; ".join(reasons)
            )
        )
    return outcomes


def _hours(sessions: list[Session]) -> float | None:
    if not sessions:
        return None
    return round(sum((s.ends_at - s.starts_at).total_seconds() for s in sessions) / 3600, 1)


@transaction.atomic
def cohort_close(*, ctx: AuditContext, cohort: Cohort, closed_on: dt.date | None = None) -> list[Outcome]:
    """Close the cohort: record who completed and announce them (listeners run inside this transaction, so a
    certificate that cannot be issued leaves the cohort open)."""
    require(ctx, "manage_cohort", cohort)
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError("This cohort is already closed.")
    closed_on = closed_on or timezone.localdate()
    programme = cohort.programme
    outcomes = cohort_outcomes(cohort)
    by_id = {p.pk: p for p in cohort.participants.select_related("person")}
    for outcome in outcomes:
        participant = by_id[outcome.participant_id]
        participant.completed = outcome.completed
        participant.completed_on = closed_on if outcome.completed else None
        participant.completion_note = outcome.note[:300]
        participant.save(update_fields=["completed", "completed_on", "completion_note", "updated_at"])
    cohort.status, cohort.closed_on = CohortStatus.CLOSED, closed_on
    cohort.full_clean()
    cohort.save()
    hours = _hours(cohort_sessions(cohort))
    identifiers = tuple(str(i) for i in programme.competences.values_list("identifier", flat=True).distinct())
    completions = [
        ProgrammeCompletion(
            participant_id=o.participant_id,
            person_id=by_id[o.participant_id].person_id,
            programme_id=programme.pk,
            cohort_id=cohort.pk,
            issuer_organisation_id=programme.organisation_id,
            issuer_alliance_id=programme.alliance_id,
            title=programme.title,
            description=programme.aims or programme.title,
            criteria=criteria_text(programme),
            completed_on=closed_on,
            hours=hours,
            competence_identifiers=identifiers,
        )
        for o in outcomes
        if o.completed
    ]
    audit(
        ProgrammeAction.COHORT_CLOSED,
        ctx=ctx,
        obj=cohort,
        organisation=owner_organisation(programme),
        completed=len(completions),
        participants=len(outcomes),
    )
    announce_completions(ctx, completions)
    for o in outcomes:
        if o.completed:
            tell(
                by_id[o.participant_id].person,
                title=f"You completed {programme.title}",
                url_name="programmes:mine",
            )
    return outcomes
