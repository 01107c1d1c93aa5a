"""Reads of board reports, scoped by the acting membership."""

from __future__ import annotations

from cultivate.accounts.models import Membership, User

from .. import access
from ..models import BoardReport

RECENT = 10


def recent_board_reports(membership: Membership | None, user: User) -> list[BoardReport]:
    """The user's own latest reports that their acting role may still open."""
    if membership is None:
        return []
    reports = BoardReport.objects.filter(requested_by=user).select_related("organisation", "alliance")
    return [r for r in reports[: RECENT * 3] if access.may(membership, "view_board_report", r)][:RECENT]
