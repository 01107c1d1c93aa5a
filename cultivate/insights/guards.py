"""Insights objects fetched for the acting role, or refused: each is one call of `core.access.object_or_deny`
(or `deny`, for a role with no such pages at all) with this app's scopes and rules (`access`).

Another organisation's code, team or report answers 404, the same as one that does not exist; the role's own
organisation answers 403 when the role may not use the page."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.accounts.access import acting_membership
from cultivate.accounts.models import Membership
from cultivate.core.access import Source, deny, object_or_deny
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
    return _organisation_or_deny(
        request, org_selectors.organisations_visible_to, ods_code, "view_organisation_insights"
    )


def dashboard_team_or_deny(request: HttpRequest, team_id: int) -> Team:
    source = selectors.teams_for_insights
    action = "view_team_insights"
    return object_or_deny(request, source, {"pk": team_id}, what="team", may=access.may, action=action)


def dashboard_alliance_or_deny(request: HttpRequest) -> Alliance:
    membership = acting_membership(request)
    alliance = membership.alliance if membership is not None and membership.alliance_id else None
    if alliance is None or not access.may(membership, "view_alliance_insights", alliance):
        deny(request, reason="Only alliance admins see workforce insights across an alliance.")
    return alliance


def member_totals_or_deny(request: HttpRequest) -> Alliance:
    """Competence and training totals across an alliance's member trusts: its alliance admins only."""
    membership = acting_membership(request)
    alliance = membership.alliance if membership is not None and membership.alliance_id else None
    if alliance is None or not access.may(membership, "view_member_totals", alliance):
        deny(request, reason="Only alliance admins see competence and training across member trusts.")
    return alliance


def workforce_organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """Importing and reviewing workforce data: only ever the role's own organisation."""
    return _organisation_or_deny(request, selectors.own_organisation, ods_code, action)


def board_report_or_deny(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not access.may(membership, "download_board_report"):
        deny(request, reason="This role has no board report.")
    return membership


def board_report_organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    return _organisation_or_deny(
        request, org_selectors.organisations_visible_to, ods_code, "download_board_report"
    )


def board_report_record_or_deny(request: HttpRequest, pk: int) -> BoardReport:
    source = selectors.board_reports_visible_to
    action = "view_board_report"
    return object_or_deny(request, source, {"pk": pk}, what="board report", may=access.may, action=action)


def _organisation_or_deny(
    request: HttpRequest, source: Source[Organisation], ods_code: str, action: str
) -> Organisation:
    code = {"ods_code": ods_code.upper()}
    return object_or_deny(request, source, code, what="organisation", may=access.may, action=action)
