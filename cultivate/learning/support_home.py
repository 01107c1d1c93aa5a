"""Support at work's actions on the home page (ADR 0028), gathered by `learning/home.py`: a line manager's
requests for flexible working not decided by their due date (urgent: the law gives two months), and
post-incident follow-ups due. Two queries."""

from __future__ import annotations

from django.urls import reverse

from cultivate.accounts.models import Membership
from cultivate.core.formatting import uk_date
from cultivate.core.navigation import HomeAction

from . import support_access, support_selectors


def actions(membership: Membership | None) -> list[HomeAction]:
    if membership is None or not support_access.may(membership, "manage_support"):
        return []
    found: list[HomeAction] = []
    overdue, earliest = support_selectors.flexible_overdue_count(membership)
    if overdue:
        found.append(
            HomeAction(
                text=(
                    "1 request for flexible working is past its decision date"
                    if overdue == 1
                    else f"{overdue} requests for flexible working are past their decision date"
                ),
                href=reverse("learning:support"),
                count=overdue,
                order=36,
                detail=f"The earliest was due on {uk_date(earliest)}." if earliest else "",
                urgent=True,
            )
        )
    due = support_selectors.follow_ups_due_count(membership)
    if due:
        found.append(
            HomeAction(
                text=(
                    "1 follow-up after an incident is due"
                    if due == 1
                    else f"{due} follow-ups after incidents are due"
                ),
                href=reverse("learning:support"),
                count=due,
                order=37,
            )
        )
    return found
