"""Demo support at work: requests for flexible working (most decided, a few waiting, one overdue) and records of
the support offered after incidents, for the alliance's trusts. Written after the learning demo
(`learning_demo_load` calls it) from the same people; deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cultivate.accounts.models import Membership, Role
from cultivate.learning.support_models import (
    FlexibleDecision,
    FlexibleWorkingRequest,
    IncidentKind,
    IncidentSource,
    IncidentSupport,
    RefusalReason,
    SupportAnswer,
)
from cultivate.learning.support_services import decision_due
from cultivate.organisations.models import EmploymentSpell, Organisation

PATTERNS = (
    ("Compressed hours: four long days instead of five", None),
    ("Term-time only", Decimal("30")),
    ("A later start on school days (10:00)", None),
    ("Part time, three days a week", Decimal("22.5")),
    ("No night shifts for six months", None),
    ("Annualised hours", None),
)
DECIDED_NOTES = {
    FlexibleDecision.APPROVED_CHANGED: "Agreed for a six-month trial, then reviewed.",
    FlexibleDecision.REFUSED: "Talked through at a meeting; nights on the ward cannot be covered this year.",
}


def support_demo_delete(organisations: list[Organisation]) -> None:
    FlexibleWorkingRequest.objects.filter(person__organisation__in=organisations).delete()
    IncidentSupport.objects.filter(person__organisation__in=organisations).delete()


def support_demo_load(
    organisations: list[Organisation], rng: random.Random, today: dt.date
) -> tuple[int, int]:
    """About 4% of the people in post asked for flexible working in the last year, and 2% were offered support
    after an incident; the first trust's first line manager has a request overdue and a follow-up due."""
    people: dict[int, list[int]] = {}
    for person_id, org_id in (
        EmploymentSpell.objects.active_on(today)
        .filter(person__organisation__in=organisations)
        .values_list("person_id", "person__organisation_id")
        .distinct()
        .order_by("person_id")
    ):
        people.setdefault(org_id, []).append(person_id)
    requests: list[FlexibleWorkingRequest] = []
    records: list[IncidentSupport] = []
    for org in organisations:
        pool = people.get(org.pk, [])
        for person_id in rng.sample(pool, len(pool) * 4 // 100):
            requests.append(_request(person_id, rng, today))
        for person_id in rng.sample(pool, len(pool) * 2 // 100):
            records.append(_record(person_id, rng, today))
    manager = (
        Membership.objects.filter(role=Role.LINE_MANAGER, organisation__in=organisations[:1])
        .prefetch_related("teams")
        .order_by("pk")
        .first()
    )
    if manager is not None:
        team_ids = [team.pk for team in manager.teams.all()]
        team = list(
            EmploymentSpell.objects.active_on(today)
            .filter(team_id__in=team_ids)
            .exclude(person_id=manager.user.person_id or 0)
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")[:3]
        )
        if len(team) >= 2:
            requests = [r for r in requests if r.person_id not in team]
            for person_id, days in ((team[0], 70), (team[1], 12)):
                made_on = today - dt.timedelta(days=days)
                requests.append(
                    FlexibleWorkingRequest(
                        person_id=person_id,
                        pattern=PATTERNS[days % len(PATTERNS)][0],
                        start_on=made_on + dt.timedelta(days=90),
                        made_on=made_on,
                        decision_due_on=decision_due(made_on),
                    )
                )
            records.append(_record(team[-1], rng, today, follow_up_due=True))
    FlexibleWorkingRequest.objects.bulk_create(requests)
    IncidentSupport.objects.bulk_create(records)
    return len(requests), len(records)


def _request(person_id: int, rng: random.Random, today: dt.date) -> FlexibleWorkingRequest:
    made_on = today - dt.timedelta(days=rng.randrange(20, 360))
    pattern, hours = rng.choice(PATTERNS)
    decision = rng.choices(
        (
            FlexibleDecision.APPROVED,
            FlexibleDecision.APPROVED_CHANGED,
            FlexibleDecision.REFUSED,
            FlexibleDecision.WITHDRAWN,
        ),
        weights=(65, 17, 13, 5),
    )[0]
    due = decision_due(made_on)
    decided_on = min(made_on + dt.timedelta(days=rng.randrange(7, 75)), today)
    return FlexibleWorkingRequest(
        person_id=person_id,
        pattern=pattern,
        hours_per_week=hours,
        start_on=made_on + dt.timedelta(days=rng.randrange(30, 120)),
        made_on=made_on,
        decision_due_on=due,
        decision=decision,
        refusal_reason=rng.choice(RefusalReason.values) if decision == FlexibleDecision.REFUSED else "",
        decided_on=decided_on,
        decision_note=DECIDED_NOTES.get(decision, ""),
    )


def _record(
    person_id: int, rng: random.Random, today: dt.date, *, follow_up_due: bool = False
) -> IncidentSupport:
    incident_on = today - dt.timedelta(days=rng.randrange(10, 340) if not follow_up_due else 16)
    follow_up_on = incident_on + dt.timedelta(days=14)
    done = not follow_up_due and follow_up_on <= today and rng.random() < 0.8
    return IncidentSupport(
        person_id=person_id,
        incident_on=incident_on,
        kind=rng.choices(IncidentKind.values, weights=(30, 45, 15, 10))[0],
        source=rng.choices(IncidentSource.values, weights=(60, 25, 15))[0],
        debrief_on=incident_on + dt.timedelta(days=rng.randrange(0, 3)),
        occupational_health=rng.random() < 0.4,
        counselling=rng.random() < 0.6,
        peer_support=rng.random() < 0.5,
        time_off=rng.random() < 0.2,
        answer=rng.choices(SupportAnswer.values, weights=(10, 70, 20))[0],
        follow_up_on=follow_up_on,
        follow_up_done_on=min(follow_up_on + dt.timedelta(days=rng.randrange(0, 4)), today) if done else None,
    )
