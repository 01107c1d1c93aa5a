"""Insights objects fetched for the acting role, or refused: each is one call of `core.access.object_or_deny`
(or `deny`, for a role with no such pages at all) with this app's scopes and rules (`access`).

Another organisation's code, team or report answers 404, the same as one that does not exist; the role's own
organisation answers 403 when the role may not use the page."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.accounts.models import Membership
from cultivate.core.access import acting_membership, deny, object_or_deny
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Alliance, Organisation, Team

from . import access, selectors
from .models import BoardReport


def dashboards_or_deny(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not access.may(membership, "view_dashboards"):
        deny(request, reason="This role has no workforce insights dashboards.")
    return membership


def dashboard_organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        org_selectors.organisations_visible_to(membership),
        {"ods_code": ods_code.upper()},
        what="organisation",
        allowed=lambda found: access.may(membership, "view_organisation_insights", found),
        action="view_organisation_insights",
    )


def dashboard_team_or_deny(request: HttpRequest, team_id: int) -> Team:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.teams_for_insights(membership),
        {"pk": team_id},
        what="team",
        allowed=lambda found: access.may(membership, "view_team_insights", found),
        action="view_team_insights",
    )


def dashboard_alliance_or_deny(request: HttpRequest) -> Alliance:
    membership = acting_membership(request)
    alliance = membership.alliance if membership is not None and membership.alliance_id else None
    if alliance is None or not access.may(membership, "view_alliance_insights", alliance):
        deny(request, reason="Only alliance admins see workforce insights across an alliance.")
    return alliance


def workforce_organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """Importing and reviewing workforce data: only ever the role's own organisation."""
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.own_organisation(membership),
        {"ods_code": ods_code.upper()},
        what="organisation",
        allowed=lambda found: access.may(membership, action, found),
        action=action,
    )


def board_report_or_deny(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not access.may(membership, "download_board_report"):
        deny(request, reason="This role has no board report.")
    return membership


def board_report_organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        org_selectors.organisations_visible_to(membership),
        {"ods_code": ods_code.upper()},
        what="organisation",
        allowed=lambda found: access.may(membership, "download_board_report", found),
        action="download_board_report",
    )


def board_report_record_or_deny(request: HttpRequest, pk: int) -> BoardReport:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.board_reports_visible_to(membership),
        {"pk": pk},
        what="board report",
        allowed=lambda found: access.may(membership, "view_board_report", found),
        action="view_board_report",
    )
