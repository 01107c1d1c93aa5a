"""The learning app's actions on the home page (see `cultivate.core.navigation.HomeAction`): a worker's mandatory
training to renew and events to evaluate; the requests for a place waiting for a line manager; for an educator,
the competences the organisation's roles require that no training on offer develops (the gap Leeds and York
found by hand). Development plans and supervision declare theirs in `plans/home.py`, support at work in
`support_home.py`. Each count is read in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.core.formatting import uk_date
from cultivate.core.navigation import HomeAction

from . import access, gaps, selectors, support_home
from .compliance import ComplianceState, mandatory_status_for_people
from .models import Completion
from .plans import home as plan_home

# Events completed within this many days and not yet evaluated are asked about on the home page.
EVALUATE_WITHIN_DAYS = 60


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _own_actions(person_id: int, today: dt.date) -> list[HomeAction]:
    statuses = mandatory_status_for_people([person_id], today).get(person_id, [])
    lapsed = [s for s in statuses if s.state in (ComplianceState.EXPIRED, ComplianceState.MISSING)]
    expiring = [s for s in statuses if s.state == ComplianceState.EXPIRING]
    to_evaluate = (
        Completion.objects.filter(
            person_id=person_id,
            session__isnull=False,
            evaluation__isnull=True,
            completed_on__gte=today - dt.timedelta(days=EVALUATE_WITHIN_DAYS),
        )
        .select_related("offer")
        .order_by("-completed_on", "-pk")
    )
    evaluate_count = to_evaluate.count()
    first = to_evaluate.first()
    mine = reverse("learning:mine")
    first_lapsed = lapsed[0] if lapsed else None
    return [
        HomeAction(
            text=f"{_plural(len(lapsed), 'mandatory training subject is', 'mandatory training subjects are')} "
            "out of date",
            detail=(
                f"{first_lapsed.subject.name}"
                + (
                    f" expired on {uk_date(first_lapsed.expires_on)}."
                    if first_lapsed.expires_on
                    else ": not done yet."
                )
                + " Book a session."
                if first_lapsed
                else ""
            ),
            href=mine,
            count=len(lapsed),
            order=12,
            urgent=True,
        ),
        HomeAction(
            text=_plural(
                len(expiring), "mandatory training subject expires", "mandatory training subjects expire"
            )
            + " in the next 30 days",
            detail=(
                f"{expiring[0].subject.name} on {uk_date(expiring[0].expires_on)}."
                if expiring and expiring[0].expires_on
                else ""
            ),
            href=mine,
            count=len(expiring),
            order=13,
        ),
        HomeAction(
            text=_plural(evaluate_count, "course to evaluate", "courses to evaluate"),
            detail=(
                f"How was {first.offer.title if first.offer else 'it'}? It takes a minute, and shapes the next "
                "course."
                if first
                else ""
            ),
            href=reverse("learning:evaluate", args=[first.pk]) if first else mine,
            count=evaluate_count,
            order=14,
        ),
    ]


def _request_actions(membership: Membership) -> list[HomeAction]:
    waiting = selectors.pending_requests(membership)
    detail = ""
    if waiting:
        soonest = timezone.localdate(waiting[0].session.starts_at)
        detail = f"The soonest session is on {uk_date(soonest)}: decide before then."
    return [
        HomeAction(
            text=f"{_plural(len(waiting), 'request for a training place is', 'requests for a training place are')}"
            " waiting for you",
            detail=detail,
            href=reverse("learning:requests"),
            count=len(waiting),
            order=22,
        )
    ]


def _gap_actions(membership: Membership, today: dt.date) -> list[HomeAction]:
    organisation = membership.organisation
    if organisation is None or not access.may(membership, "view_learning_figures", organisation):
        return []
    missing = [c for c in gaps.organisation_gaps(organisation, on=today) if c.finding == gaps.Finding.GAP]
    return [
        HomeAction(
            text=f"{_plural(len(missing), 'required competence has', 'required competences have')} no training "
            "on offer",
            detail=(
                f"The first: {missing[0].competence.label}, needed by "
                f"{_plural(missing[0].people, 'person', 'people')}."
                if missing
                else ""
            ),
            href=reverse("learning:gaps", args=[organisation.ods_code]),
            count=len(missing),
            order=41,
        )
    ]


def actions(membership: Membership) -> list[HomeAction]:
    today = timezone.localdate()
    found: list[HomeAction] = []
    person_id = membership.user.person_id
    if person_id and access.may(membership, "view_own_learning"):
        found += _own_actions(person_id, today)
    if membership.role == Role.LINE_MANAGER and access.may(membership, "book_places"):
        # Educators may decide too, but the line manager, who agrees the protected time, is the one asked.
        found += _request_actions(membership)
    if membership.role == Role.EDUCATOR:
        found += _gap_actions(membership, today)
    return found + plan_home.actions(membership) + support_home.actions(membership)
