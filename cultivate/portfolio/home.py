"""The portfolio's actions on the home page (see `cultivate.core.navigation.HomeAction`), and the counts behind
them: a worker's overdue, lapsing and returned items; an assessor's queue; a line manager's team gaps, lapses in
the next 30 days and people with nothing signed off.

Every count is read in a fixed number of queries whatever the number of people and competences: the
requirements and statuses in batches (`status.requirements_for`, `status.statuses`), the rest as aggregates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.core.formatting import uk_date
from cultivate.core.navigation import HomeAction

from . import access, selectors, status
from .models import RequestStatus, SignOffRequest
from .status import State

# A sign-off request waiting longer than this is shown as urgent to its assessor.
QUEUE_URGENT_DAYS = 14
NEEDS_RENEWING = frozenset({State.EXPIRED, State.REASSESS})


@dataclass(frozen=True)
class PeopleCounts:
    """What a set of people's required competences add up to on a day."""

    people: int = 0  # people with at least one requirement
    overdue: int = 0  # required, not met, past its due date
    not_met: int = 0  # required and not met (held at the level needed), whatever the due date
    people_with_gaps: int = 0
    lapsing: int = 0  # held, and expiring within the next 30 days
    needs_renewing: int = 0  # expired, or needing reassessment because the competence changed
    people_with_nothing_held: int = 0


def people_counts(person_ids: list[int], on: dt.date | None = None) -> PeopleCounts:
    """Counts over the competences each person's role requires: eight queries for any number of people."""
    on = on or timezone.localdate()
    requirements = status.requirements_for(person_ids, on=on)
    competences = {r.competence.pk: r.competence for reqs in requirements.values() for r in reqs}
    states = status.statuses(person_ids, list(competences.values()), on=on)
    people = overdue = not_met = with_gaps = lapsing = renewing = nothing_held = 0
    for person_id, required in requirements.items():
        if not required:
            continue
        people += 1
        gaps = held = 0
        for requirement in required:
            current = states[(person_id, requirement.competence.pk)]
            met = current.is_held and current.level_rank >= requirement.min_rank
            held += current.is_held
            if current.state == State.EXPIRING:
                lapsing += 1
            if current.state in NEEDS_RENEWING:
                renewing += 1
            if not met:
                gaps += 1
                if requirement.due_on is not None and requirement.due_on < on:
                    overdue += 1
        not_met += gaps
        with_gaps += gaps > 0
        nothing_held += held == 0
    return PeopleCounts(people, overdue, not_met, with_gaps, lapsing, renewing, nothing_held)


def returned_requests(person_id: int) -> int:
    """Sign-off requests returned with feedback and not asked for again since (one query)."""
    latest: dict[tuple[int, object], str] = {}
    for framework_id, identifier, state in (
        SignOffRequest.objects.filter(person_id=person_id)
        .order_by("created_at", "pk")
        .values_list("competence__framework_id", "competence__identifier", "status")
    ):
        latest[(framework_id, identifier)] = state
    return sum(1 for state in latest.values() if state == RequestStatus.RETURNED)


@dataclass(frozen=True)
class Queue:
    waiting: int
    oldest: dt.datetime | None


def queue_summary(membership: Membership) -> Queue:
    """How many sign-off requests wait for this assessor, and since when the oldest has (one query)."""
    found = selectors.assessor_queue(membership).order_by().aggregate(n=Count("pk"), oldest=Min("created_at"))
    return Queue(found["n"] or 0, found["oldest"])


def team_person_ids(membership: Membership) -> list[int]:
    """The people in a line manager's teams (and those they manage), not themself (one query)."""
    return list(
        selectors.portfolios_visible_to(membership)
        .exclude(pk=membership.user.person_id or 0)
        .order_by()
        .values_list("pk", flat=True)
    )


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _own_actions(membership: Membership, today: dt.date) -> list[HomeAction]:
    person_id = membership.user.person_id
    if not person_id:
        return []
    counts = people_counts([person_id], on=today)
    returned = returned_requests(person_id)
    mine = reverse("portfolio:mine")
    return [
        HomeAction(
            text=f"{_plural(counts.overdue, 'competence is', 'competences are')} overdue",
            detail="Your role needed them by now. Add evidence and ask for sign-off.",
            href=mine,
            count=counts.overdue,
            order=10,
            urgent=True,
        ),
        HomeAction(
            text=f"{_plural(counts.needs_renewing, 'sign-off needs', 'sign-offs need')} renewing",
            detail="Expired, or the competence has changed since you were signed off.",
            href=mine,
            count=counts.needs_renewing,
            order=11,
            urgent=True,
        ),
        HomeAction(
            text=f"{_plural(counts.lapsing, 'sign-off expires', 'sign-offs expire')} in the next 30 days",
            detail="Ask for reassessment before they lapse.",
            href=mine,
            count=counts.lapsing,
            order=12,
        ),
        HomeAction(
            text=f"{_plural(returned, 'sign-off request was', 'sign-off requests were')} returned to you",
            detail="Read the assessor's feedback, then ask again.",
            href=mine,
            count=returned,
            order=13,
        ),
    ]


def _queue_actions(membership: Membership, today: dt.date) -> list[HomeAction]:
    queue = queue_summary(membership)
    detail = ""
    urgent = False
    if queue.oldest is not None:
        since = timezone.localtime(queue.oldest).date()
        waited = (today - since).days
        urgent = waited > QUEUE_URGENT_DAYS
        detail = f"The oldest has waited since {uk_date(since)} ({_plural(waited, 'day', 'days')})."
    return [
        HomeAction(
            text=f"{_plural(queue.waiting, 'sign-off request is', 'sign-off requests are')} waiting for you",
            detail=detail,
            href=reverse("portfolio:queue"),
            count=queue.waiting,
            order=20,
            urgent=urgent,
        )
    ]


def _team_actions(membership: Membership, today: dt.date) -> list[HomeAction]:
    counts = people_counts(team_person_ids(membership), on=today)
    teams = reverse("portfolio:team_list")
    return [
        HomeAction(
            text=f"{_plural(counts.people_with_gaps, 'person has', 'people have')} required competences not met",
            detail=(
                f"{_plural(counts.not_met, 'competence', 'competences')} in all, "
                f"{counts.overdue:,} of them overdue."
            ),
            href=teams,
            count=counts.people_with_gaps,
            order=30,
            urgent=counts.overdue > 0,
        ),
        HomeAction(
            text=f"{_plural(counts.lapsing, 'sign-off lapses', 'sign-offs lapse')} in the next 30 days",
            detail="Arrange reassessment so that nobody loses a delegated activity.",
            href=teams,
            count=counts.lapsing,
            order=31,
        ),
        HomeAction(
            text=f"{_plural(counts.people_with_nothing_held, 'person has', 'people have')} nothing signed off",
            detail="None of the competences their role requires is signed off.",
            href=teams,
            count=counts.people_with_nothing_held,
            order=32,
        ),
    ]


def actions(membership: Membership) -> list[HomeAction]:
    today = timezone.localdate()
    found: list[HomeAction] = []
    if access.may(membership, "view_own_portfolio"):
        found += _own_actions(membership, today)
    if access.may(membership, "review_sign_offs"):
        found += _queue_actions(membership, today)
    if membership.role == Role.LINE_MANAGER:
        found += _team_actions(membership, today)
    return found
