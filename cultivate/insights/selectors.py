"""Reads for the insights pages: the store the dashboards read, and the organisations and teams a role's
dashboards may link to. Figures themselves come from `dashboards` over a scope built in `access`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from cultivate.accounts.models import TEAM_ROLES, Membership
from cultivate.organisations.models import Organisation, Team

from . import access
from .models import BoardReport


def insights_store() -> Path:
    return Path(settings.INSIGHTS_STORE)


def alliance_organisations(membership: Membership) -> list[Organisation]:
    """The member organisations of the alliance an alliance admin acts for."""
    if not membership.alliance_id:
        return []
    return list(Organisation.objects.filter(alliance_id=membership.alliance_id).order_by("name"))


def organisations_by_code(codes: list[str]) -> dict[str, Organisation]:
    return {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}


def drill_teams(membership: Membership, organisation: Organisation) -> dict[str, Team]:
    """Team name → Team, for the teams of an organisation this role may open a team dashboard for (the store
    names teams; a name without a team record in Cultivate gets no link)."""
    teams = Team.objects.filter(organisation=organisation)
    if membership.role in TEAM_ROLES:
        teams = teams.filter(pk__in=[t.pk for t in membership.teams.all()])
    return {team.name: team for team in teams}


def own_organisation(membership: Membership | None) -> QuerySet[Organisation]:
    """The membership's own organisation, whose workforce data it may import and review."""
    return Organisation.objects.filter(access.own_organisation_scope(membership)).select_related("alliance")


def teams_for_insights(membership: Membership | None) -> QuerySet[Team]:
    return Team.objects.filter(access.team_insights_scope(membership)).select_related("organisation")


def board_reports_visible_to(membership: Membership | None) -> QuerySet[BoardReport]:
    return BoardReport.objects.for_membership(membership).select_related(
        "organisation", "alliance", "requested_by"
    )
