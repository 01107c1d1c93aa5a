"""Home-page actions of development plans and supervision (ADR 0028): a worker's plan to agree, changes asked
for, or a review due; a supervisor's plans waiting and people overdue for supervision. A fixed number of queries
whatever the size of the team."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.core.navigation import HomeAction

from . import access, selectors
from .models import PlanStatus


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _own(membership: Membership) -> list[HomeAction]:
    person_id = membership.user.person_id
    if person_id is None:
        return []
    person = membership.user.person
    plan = selectors.plan_of(person) if person is not None else None
    href = reverse("learning:plan")
    today = timezone.localdate()
    if plan is None:
        if membership.role != Role.SUPPORT_WORKER:
            return []
        return [
            HomeAction(
                text="Agree your development plan",
                detail="Write your goals for the year and send them to your supervisor.",
                href=href,
                count=1,
                order=16,
            )
        ]
    if plan.status == PlanStatus.CHANGES_ASKED:
        return [
            HomeAction(
                text="Your supervisor asked for changes to your development plan",
                detail=plan.changes_reason[:140],
                href=href,
                count=1,
                order=16,
            )
        ]
    if plan.status == PlanStatus.DRAFT:
        return [
            HomeAction(
                text="Agree your development plan",
                detail="Send it to your supervisor when your goals are ready.",
                href=href,
                count=1,
                order=16,
            )
        ]
    if plan.status == PlanStatus.AGREED and plan.review_on <= today:
        return [
            HomeAction(
                text="Your development plan review is due",
                detail="Check your goals, then send the plan to your supervisor to review.",
                href=href,
                count=1,
                order=16,
            )
        ]
    return []


def _supervisor(membership: Membership) -> list[HomeAction]:
    waiting = selectors.waiting_for(membership).count()
    overdue = selectors.overdue_count(membership)
    href = reverse("learning:supervision")
    months = selectors.interval_months(membership.organisation)
    return [
        HomeAction(
            text=f"{_plural(waiting, 'development plan waits', 'development plans wait')} for you to agree",
            detail="Agree each plan or ask for changes.",
            href=href,
            count=waiting,
            order=41,
        ),
        HomeAction(
            text=f"{_plural(overdue, 'person is', 'people are')} overdue for supervision",
            detail=f"No supervision or plan review in the last {months} months.",
            href=href,
            count=overdue,
            order=42,
        ),
    ]


def actions(membership: Membership) -> list[HomeAction]:
    found = _own(membership) if access.may(membership, "view_own_plan") else []
    if access.may(membership, "supervise"):
        found += _supervisor(membership)
    return found
