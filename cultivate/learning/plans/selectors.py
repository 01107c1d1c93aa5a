"""Reads for development plans and supervision, scoped to the acting role (`access.py`): a person's plan and
meetings, the plans waiting for a supervisor, who is overdue for supervision, an organisation's counts, and what
a goal may link to. Each reads a fixed number of queries whatever the size of the team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership
from cultivate.frameworks.models import Competence
from cultivate.organisations.models import EmploymentSpell, Organisation, Person
from cultivate.pathways import selectors as pathways_selectors
from cultivate.pathways.models import Step
from cultivate.portfolio import status
from cultivate.portfolio.services import add_months

from .. import selectors as learning_selectors
from ..models import Offer
from .models import (
    DEFAULT_INTERVAL_MONTHS,
    DevelopmentPlan,
    PlanGoal,
    PlanStatus,
    SupervisionMeeting,
    SupervisionPolicy,
)


def people_for_plans(membership: Membership | None) -> QuerySet[Person]:
    """The people whose plans this membership may open (the rule then says whether it may)."""
    return Person.objects.for_membership(membership).select_related("organisation")


def plan_of(person: Person) -> DevelopmentPlan | None:
    return DevelopmentPlan.objects.filter(person=person).select_related("decided_by").first()


def goals_of(plan: DevelopmentPlan) -> list[PlanGoal]:
    return list(
        plan.goals.select_related("offer", "competence", "competence__framework", "step", "step__pathway")
    )


def meetings_of(person: Person) -> QuerySet[SupervisionMeeting]:
    return SupervisionMeeting.objects.filter(person=person).select_related("supervisor")


def plans_visible_to(membership: Membership | None) -> QuerySet[DevelopmentPlan]:
    return DevelopmentPlan.objects.for_membership(membership).select_related("person")


def meetings_visible_to(membership: Membership | None) -> QuerySet[SupervisionMeeting]:
    return SupervisionMeeting.objects.for_membership(membership).select_related("person", "supervisor")


def _supervised_ids(membership: Membership) -> list[int]:
    return list(
        Person.objects.for_membership(membership)
        .exclude(pk=membership.user.person_id or 0)
        .order_by()
        .values_list("pk", flat=True)
    )


def waiting_for(membership: Membership) -> QuerySet[DevelopmentPlan]:
    """Plans sent to this supervisor and not yet decided, the longest waiting first."""
    return (
        DevelopmentPlan.objects.for_membership(membership)
        .filter(status=PlanStatus.PROPOSED)
        .exclude(person_id=membership.user.person_id or 0)
        .select_related("person")
        .order_by("proposed_at", "pk")
    )


def interval_months(organisation: Organisation | None) -> int:
    """How often the organisation expects supervision, in months (its setting, or the default)."""
    if organisation is None:
        return DEFAULT_INTERVAL_MONTHS
    found = (
        SupervisionPolicy.objects.filter(organisation=organisation)
        .values_list("interval_months", flat=True)
        .first()
    )
    return found or DEFAULT_INTERVAL_MONTHS


@dataclass(frozen=True)
class Overdue:
    person: Person
    last_supervision: dt.date | None
    last_review: dt.date | None
    since: dt.date  # the later of the two, or when they started in post

    @property
    def days(self) -> int:
        return (timezone.localdate() - self.since).days


def _last_contact(
    person_ids: list[int], on: dt.date
) -> dict[int, tuple[dt.date | None, dt.date | None, dt.date]]:
    """Per person: the last supervision, the last plan review, and the later of them (or the start of their
    current post when they have had neither). Three queries."""
    meetings = dict(
        SupervisionMeeting.objects.filter(person_id__in=person_ids, held_on__lte=on)
        .values("person_id")
        .annotate(last=Max("held_on"))
        .values_list("person_id", "last")
    )
    reviews = dict(
        DevelopmentPlan.objects.filter(person_id__in=person_ids, agreed_on__isnull=False).values_list(
            "person_id", "agreed_on"
        )
    )
    started = dict(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(first=Min("start_date"))
        .values_list("person_id", "first")
    )
    found = {}
    for person_id in person_ids:
        met, reviewed = meetings.get(person_id), reviews.get(person_id)
        contacts = [d for d in (met, reviewed) if d is not None]
        since = max(contacts) if contacts else started.get(person_id, on)
        found[person_id] = (met, reviewed, since)
    return found


def overdue_people(membership: Membership, on: dt.date | None = None) -> list[Overdue]:
    """The people this supervisor supervises who have had no supervision or plan review within their
    organisation's interval, the longest overdue first (five queries)."""
    on = on or timezone.localdate()
    cutoff = add_months(on, -interval_months(membership.organisation))
    ids = _supervised_ids(membership)
    contact = _last_contact(ids, on)
    late = [pid for pid, (_m, _r, since) in contact.items() if since < cutoff]
    people = {p.pk: p for p in Person.objects.filter(pk__in=late)}
    rows = [
        Overdue(people[pid], contact[pid][0], contact[pid][1], contact[pid][2])
        for pid in late
        if pid in people
    ]
    return sorted(rows, key=lambda row: (row.since, row.person.display_name))


def overdue_count(membership: Membership, on: dt.date | None = None) -> int:
    on = on or timezone.localdate()
    cutoff = add_months(on, -interval_months(membership.organisation))
    contact = _last_contact(_supervised_ids(membership), on)
    return sum(1 for _m, _r, since in contact.values() if since < cutoff)


@dataclass(frozen=True)
class Figures:
    """An organisation's plans and supervision in counts (no names)."""

    people: int
    agreed: int
    waiting: int
    changes_asked: int
    overdue: int
    interval_months: int


def organisation_figures(organisation: Organisation, on: dt.date | None = None) -> Figures:
    on = on or timezone.localdate()
    months = interval_months(organisation)
    ids = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person__organisation=organisation)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )
    statuses = dict(
        DevelopmentPlan.objects.filter(person__organisation=organisation, person_id__in=ids)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    cutoff = add_months(on, -months)
    contact = _last_contact(ids, on)
    return Figures(
        people=len(ids),
        agreed=statuses.get(PlanStatus.AGREED, 0),
        waiting=statuses.get(PlanStatus.PROPOSED, 0),
        changes_asked=statuses.get(PlanStatus.CHANGES_ASKED, 0),
        overdue=sum(1 for _m, _r, since in contact.values() if since < cutoff),
        interval_months=months,
    )


# --- What a goal may link to ---------------------------------------------------------------------------


def offers_for_person(person: Person) -> QuerySet[Offer]:
    """Active offers open to the person's organisation: its own and its alliance's."""
    return Offer.objects.filter(learning_selectors.offers_for(person.organisation), is_active=True).order_by(
        "title", "pk"
    )


def competences_for_person(person: Person, on: dt.date | None = None) -> list[Competence]:
    """The competences the person's role requires (the portfolio's requirements)."""
    found = status.requirements_for([person.pk], on=on or timezone.localdate()).get(person.pk, [])
    seen: dict[int, Competence] = {}
    for requirement in found:
        seen.setdefault(requirement.competence.pk, requirement.competence)
    return sorted(seen.values(), key=lambda c: (str(c.code), c.title))


def steps_for_person(person: Person) -> QuerySet[Step]:
    """Career steps on the pathways open to the person's organisation."""
    return (
        pathways_selectors.steps_for_person(person)
        .select_related("pathway")
        .order_by("pathway__title", "sequence", "pk")
    )
