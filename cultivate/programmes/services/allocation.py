"""Allocation wiring: the optimiser's inputs from the records, its answer stored, and the lead's pins, moves
and re-runs. The optimiser itself is pure (`cultivate.programmes.allocation`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core import periods
from cultivate.core.audit import AuditContext, audit
from cultivate.organisations.models import EmploymentSpell

from .. import allocation as optimiser
from ..audit_actions import ProgrammeAction
from ..models import (
    AllocationKind,
    AllocationRun,
    Application,
    ApplicationStatus,
    Cohort,
    CohortStatus,
    Participant,
    PartnerGroup,
    Programme,
)
from ._common import owner_organisation, require, tell


def _months(start: dt.date, today: dt.date) -> int:
    return max(0, (today.year - start.year) * 12 + today.month - start.month)


def candidates(applications: Sequence[Application], *, today: dt.date) -> list[optimiser.Candidate]:
    """One candidate per application: team and setting from the post held on the day they applied (the one
    held today if they had none that day), experience from the earliest post with that employer to that day.
    A move after applying does not reshuffle the mix the lead saw when offering places."""
    person_ids = [a.person_id for a in applications]
    spells: dict[int, list[EmploymentSpell]] = {}
    for spell in (
        EmploymentSpell.objects.filter(person_id__in=person_ids).select_related("team").order_by("start_date")
    ):
        spells.setdefault(spell.person_id, []).append(spell)
    result = []
    for application in applications:
        applied_on = min(timezone.localdate(application.created_at), today)
        mine = spells.get(application.person_id, [])
        held = next(
            (s for s in reversed(mine) if periods.is_active_on(s.start_date, s.end_date, applied_on)),
            next((s for s in reversed(mine) if periods.is_active_on(s.start_date, s.end_date, today)), None),
        )
        team = held.team if held is not None else None
        available = frozenset(str(c.pk) for c in application.available_cohorts.all())
        result.append(
            optimiser.Candidate(
                key=application.pk,
                organisation=application.person.organisation.ods_code,
                team=str(team.pk) if team is not None else "",
                setting=team.setting if team is not None else "",
                experience_months=_months(mine[0].start_date if mine else applied_on, applied_on),
                available=available or None,
            )
        )
    return result


def _open_cohorts(programme: Programme) -> list[Cohort]:
    return list(programme.cohorts.exclude(status=CohortStatus.CLOSED))


@transaction.atomic
def cohorts_allocate(*, ctx: AuditContext, programme: Programme, time_limit_s: float = 10.0) -> AllocationRun:
    """Place every accepted applicant into the open cohorts. Placements the lead pinned or moved by hand are
    kept; everyone else is placed afresh; partners of anyone who moved are undone."""
    require(ctx, "manage_programme", programme)
    cohorts = _open_cohorts(programme)
    if not cohorts:
        raise ValidationError("Add a cohort before allocating places.")
    accepted = list(
        Application.objects.filter(programme=programme, status=ApplicationStatus.ACCEPTED)
        .select_related("person__organisation")
        .prefetch_related("available_cohorts")
    )
    existing = {p.application_id: p for p in Participant.objects.filter(cohort__programme=programme)}
    closed_ids = {c.pk for c in programme.cohorts.filter(status=CohortStatus.CLOSED)}
    # People already in a closed cohort stay where they are and are not allocated again.
    to_place = [
        a for a in accepted if existing.get(a.pk) is None or existing[a.pk].cohort_id not in closed_ids
    ]
    pinned = {
        a.pk: str(existing[a.pk].cohort_id)
        for a in to_place
        if a.pk in existing and (existing[a.pk].pinned or existing[a.pk].manual)
    }
    today = timezone.localdate()
    plan = optimiser.allocate_cohorts(
        candidates(to_place, today=today),
        [optimiser.CohortSlot(key=str(c.pk), capacity=c.capacity, label=c.name) for c in cohorts],
        pinned=pinned,
        time_limit_s=time_limit_s,
    )
    by_id = {str(c.pk): c for c in cohorts}
    moved: set[int] = set()
    for application in to_place:
        cohort_key = plan.placements.get(application.pk)
        participant = existing.get(application.pk)
        if cohort_key is None:
            if participant is not None:
                moved.add(participant.cohort_id)
                participant.delete()
            continue
        cohort = by_id[cohort_key]
        explanation = plan.explanations.get(application.pk, "")[:300]
        if participant is None:
            Participant.objects.create(
                cohort=cohort, application=application, person=application.person, explanation=explanation
            )
            moved.add(cohort.pk)
            tell(
                application.person,
                title=f"You have a place in {cohort.name} of {programme.title}",
                url_name="programmes:mine",
            )
        else:
            if participant.cohort_id != cohort.pk:
                moved.update({participant.cohort_id, cohort.pk})
                participant.partner_group = None
            participant.cohort, participant.explanation = cohort, explanation
            participant.save()
    for cohort in cohorts:
        cohort.summary = plan.summaries.get(str(cohort.pk), "")[:300]
        cohort.save(update_fields=["summary", "updated_at"])
    # A cohort whose members changed is paired again from scratch (except groups the lead fixed whose members
    # are all still there).
    _drop_broken_groups(moved)
    run = AllocationRun.objects.create(
        programme=programme,
        kind=AllocationKind.COHORTS,
        by=ctx.actor if isinstance(ctx.actor, User) else None,
        objective=plan.objective,
        bound=plan.bound,
        gap_pct=plan.gap_pct,
        optimal=plan.optimal,
        placed=len(plan.placements),
        unplaced={str(k): v for k, v in plan.unplaced.items()},
    )
    audit(
        ProgrammeAction.COHORTS_ALLOCATED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        placed=len(plan.placements),
        unplaced=len(plan.unplaced),
        kept=len(pinned),
        gap_pct=plan.gap_pct,
    )
    return run


def _drop_broken_groups(cohort_ids: set[int]) -> None:
    for group in PartnerGroup.objects.filter(cohort_id__in=cohort_ids).prefetch_related("members"):
        if not group.fixed or any(m.cohort_id != group.cohort_id for m in group.members.all()):
            Participant.objects.filter(partner_group=group).update(partner_group=None, partner_explanation="")
            group.delete()


@transaction.atomic
def placement_pin(*, ctx: AuditContext, participant: Participant, pinned: bool) -> Participant:
    """Keep (or release) a placement across re-runs."""
    require(ctx, "manage_cohort", participant.cohort)
    participant.pinned = pinned
    if not pinned:
        participant.manual = False
    participant.save(update_fields=["pinned", "manual", "updated_at"])
    audit(
        ProgrammeAction.PLACEMENT_CHANGED,
        ctx=ctx,
        obj=participant,
        organisation=participant.person.organisation,
        pinned=pinned,
    )
    return participant


@transaction.atomic
def placement_move(*, ctx: AuditContext, participant: Participant, cohort: Cohort) -> Participant:
    """Move someone to another cohort by hand; the move is kept across re-runs."""
    require(ctx, "manage_cohort", participant.cohort)
    if cohort.programme_id != participant.cohort.programme_id:
        raise ValidationError({"cohort": "Choose a cohort of this programme."})
    if cohort.status == CohortStatus.CLOSED or participant.cohort.status == CohortStatus.CLOSED:
        raise ValidationError({"cohort": "A closed cohort cannot change."})
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.pk != participant.cohort_id and cohort.participants.count() >= cohort.capacity:
        raise ValidationError({"cohort": f"{cohort.name} is full ({cohort.capacity} places)."})
    available = set(participant.application.available_cohorts.values_list("pk", flat=True))
    if available and cohort.pk not in available:
        raise ValidationError({"cohort": f"{participant.person.given_name} cannot attend {cohort.name}."})
    old = participant.cohort_id
    participant.cohort, participant.manual = cohort, True
    participant.explanation = "moved here by the lead"
    participant.save()
    _drop_broken_groups({old, cohort.pk})
    audit(
        ProgrammeAction.PLACEMENT_CHANGED,
        ctx=ctx,
        obj=participant,
        organisation=participant.person.organisation,
        moved_from=old,
        moved_to=cohort.pk,
    )
    return participant


@transaction.atomic
def partners_pair(*, ctx: AuditContext, cohort: Cohort, time_limit_s: float = 5.0) -> AllocationRun:
    """Pair the cohort's participants with practice partners; groups the lead fixed are kept."""
    require(ctx, "manage_cohort", cohort)
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError("A closed cohort cannot change.")
    participants = list(
        cohort.participants.select_related(
            "application__person__organisation", "partner_group"
        ).prefetch_related("application__available_cohorts")
    )
    if len(participants) < 2:
        raise ValidationError("A cohort needs at least two people to pair practice partners.")
    fixed_groups = [g for g in cohort.partner_groups.filter(fixed=True).prefetch_related("members")]
    fixed = [tuple(m.application_id for m in g.members.all()) for g in fixed_groups]
    fixed = [g for g in fixed if len(g) >= 2]
    cohort.partner_groups.filter(fixed=False).delete()
    plan = optimiser.pair_partners(
        candidates([p.application for p in participants], today=timezone.localdate()),
        fixed=fixed,
        time_limit_s=time_limit_s,
    )
    by_application = {p.application_id: p for p in participants}
    kept = {frozenset(g) for g in fixed}
    for group_keys in plan.groups:
        if frozenset(group_keys) in kept:
            group = next(
                g for g in fixed_groups if {m.application_id for m in g.members.all()} == set(group_keys)
            )
        else:
            group = PartnerGroup.objects.create(cohort=cohort)
        for key in group_keys:
            member = by_application[key]
            member.partner_group = group
            member.partner_explanation = plan.explanations.get(key, "")[:300]
            member.save(update_fields=["partner_group", "partner_explanation", "updated_at"])
    run = AllocationRun.objects.create(
        programme=cohort.programme,
        cohort=cohort,
        kind=AllocationKind.PARTNERS,
        by=ctx.actor if isinstance(ctx.actor, User) else None,
        objective=plan.objective,
        bound=plan.bound,
        gap_pct=plan.gap_pct,
        optimal=plan.optimal,
        placed=len(participants),
    )
    audit(
        ProgrammeAction.PARTNERS_PAIRED,
        ctx=ctx,
        obj=cohort,
        organisation=owner_organisation(cohort.programme),
        groups=len(plan.groups),
        kept=len(fixed),
    )
    return run


def partner_group_fix(*, ctx: AuditContext, group: PartnerGroup, fixed: bool) -> PartnerGroup:
    require(ctx, "manage_cohort", group.cohort)
    group.fixed = fixed
    group.save(update_fields=["fixed"])
    return group
