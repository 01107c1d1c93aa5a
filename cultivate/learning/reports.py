"""Aggregate reports of an organisation's learning: evaluations per offer, session and provider, and spend on
development by setting, role and band, per head. Aggregates only: evaluation answers never leave the worker
except as counts and averages, and figures for fewer than 5 people are suppressed by the presenters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cultivate.organisations.models import AfcBand, EmploymentSpell, Organisation, TeamSetting

from .models import Completion, Enrolment, EnrolmentStatus, Evaluation

YEAR = 365


@dataclass
class EvaluationLine:
    name: str
    responses: int = 0
    rating_total: int = 0
    good: int = 0  # rated 4 or 5

    @property
    def mean(self) -> float:
        return self.rating_total / self.responses if self.responses else 0.0


def evaluations(organisation: Organisation, *, by: str, since: dt.date | None = None) -> list[EvaluationLine]:
    """Evaluations of the organisation's people's completions, grouped `by` offer, session or provider; one
    query. Most responses first."""
    since = since or timezone.localdate() - dt.timedelta(days=YEAR)
    rows = Evaluation.objects.filter(
        completion__person__organisation=organisation, completion__completed_on__gt=since
    ).values_list(
        "rating",
        "completion__offer__title",
        "completion__offer__provider",
        "completion__session__starts_at",
        "completion__subject__name",
    )
    lines: dict[str, EvaluationLine] = {}
    for rating, title, provider, starts_at, subject in rows:
        if by == "provider":
            key = provider or "Not named"
        elif by == "session":
            if starts_at is None:
                continue
            key = f"{title}, {timezone.localtime(starts_at):%d %b %Y}"
        else:
            key = title or subject or "Not named"
        line = lines.get(key)
        if line is None:
            line = lines[key] = EvaluationLine(key)
        line.responses += 1
        line.rating_total += rating
        line.good += rating >= 4
    return sorted(lines.values(), key=lambda line: (-line.responses, line.name))


@dataclass
class SpendLine:
    group: str
    people: int = 0
    completions: int = 0
    cost: Decimal = Decimal("0")
    hours: Decimal = Decimal("0")
    backfill_hours: Decimal = Decimal("0")
    members: set[int] = field(default_factory=set)

    @property
    def cost_per_head(self) -> Decimal:
        return self.cost / self.people if self.people else Decimal("0")

    @property
    def hours_per_head(self) -> Decimal:
        return self.hours / self.people if self.people else Decimal("0")


def spend(organisation: Organisation, *, by: str, on: dt.date | None = None) -> list[SpendLine]:
    """Spend on development in the year to `on`, by setting, role or band of each person's post on `on`: the
    cost of what they completed (offer cost × completions, as recorded) and the hours, with the hours learnt in
    protected time (which the service backfills), per head of the people in post. Three queries."""
    on = on or timezone.localdate()
    since = on - dt.timedelta(days=YEAR)
    posts: dict[int, str] = {}
    settings = dict(TeamSetting.choices)
    bands = dict(AfcBand.choices)
    for person_id, setting, role, band in (
        EmploymentSpell.objects.active_on(on)
        .filter(person__organisation=organisation)
        .order_by("person_id", "-start_date")
        .values_list("person_id", "team__setting", "role__name", "afc_band")
    ):
        if person_id in posts:
            continue  # one post per person: the most recent
        if by == "setting":
            posts[person_id] = str(settings.get(setting, "No team"))
        elif by == "role":
            posts[person_id] = role or "Registered and other staff"
        else:
            posts[person_id] = str(bands.get(band, band))
    protected = set(
        Enrolment.objects.filter(
            person__organisation=organisation, protected_time=True, status=EnrolmentStatus.ATTENDED
        ).values_list("person_id", "session_id")
    )
    lines: dict[str, SpendLine] = {}
    for name in set(posts.values()):
        lines[name] = SpendLine(name)
    for person_id, post in posts.items():
        lines[post].members.add(person_id)
    for person_id, session_id, cost, hours in Completion.objects.filter(
        person__organisation=organisation, completed_on__gt=since, completed_on__lte=on
    ).values_list("person_id", "session_id", "cost", "hours"):
        group = posts.get(person_id)
        if group is None:
            continue  # left since: not in a group today
        line = lines[group]
        line.completions += 1
        line.cost += cost
        line.hours += hours
        if session_id is not None and (person_id, session_id) in protected:
            line.backfill_hours += hours
    for line in lines.values():
        line.people = len(line.members)
    return sorted(lines.values(), key=lambda line: line.group)
