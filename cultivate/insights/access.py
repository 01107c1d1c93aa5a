"""Who may do what with workforce insights. Every insights view checks a rule here."""

from __future__ import annotations

from typing import Any

import rules
from django.http import HttpRequest

from cultivate.accounts.models import TEAM_ROLES, Membership, Role
from cultivate.core.access import acting_membership, deny
from cultivate.organisations.models import Alliance, Organisation, Team

from .dashboards import Scope
from .models import BoardReport

RULES = rules.RuleSet()


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test_rule(action, membership, obj)


# Dashboards: whose aggregates a role may see, and in how much detail
#
# Analysts and organisation admins see their organisation; alliance admins the alliance's member
# organisations; line managers and assessors their organisation's dashboards cut to their own teams. Support
# workers and educators see no dashboards. Only an organisation's own admins see figures without small-number
# suppression. The scope returned here is what the dashboards filter on in SQL (dashboards.scoped_connection).

DASHBOARD_ROLES = frozenset(
    {Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}
)


def _team_ids(membership: Membership) -> list[int]:
    return [team.pk for team in membership.teams.all()]


@rules.predicate
def can_view_dashboards(membership: Membership | None, _obj: Any = None) -> bool:
    return membership is not None and membership.role in DASHBOARD_ROLES


@rules.predicate
def can_view_organisation_insights(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    if membership.role not in DASHBOARD_ROLES:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return organisation.pk == membership.organisation_id


@rules.predicate
def can_view_team_insights(membership: Membership | None, team: Team | None) -> bool:
    if membership is None or team is None:
        return False
    if not can_view_organisation_insights(membership, team.organisation):
        return False
    if membership.role in TEAM_ROLES:
        return team.pk in _team_ids(membership)
    return True


@rules.predicate
def can_view_alliance_insights(membership: Membership | None, alliance: Alliance | None) -> bool:
    if membership is None or alliance is None:
        return False
    return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == alliance.pk


@rules.predicate
def has_individual_level_insights(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Figures without small-number suppression: the organisation's own admins only."""
    if membership is None or organisation is None:
        return False
    return membership.role == Role.ORG_ADMIN and membership.organisation_id == organisation.pk


RULES.add_rule("view_dashboards", can_view_dashboards)
RULES.add_rule("view_organisation_insights", can_view_organisation_insights)
RULES.add_rule("view_team_insights", can_view_team_insights)
RULES.add_rule("view_alliance_insights", can_view_alliance_insights)
RULES.add_rule("individual_level_insights", has_individual_level_insights)


def organisation_dashboard_scope(membership: Membership, organisation: Organisation) -> Scope:
    """An organisation's dashboards for a role that may see them: team roles see only their own teams."""
    teams = None
    if membership.role in TEAM_ROLES:
        teams = tuple(sorted(t.name for t in membership.teams.all() if t.organisation_id == organisation.pk))
    return Scope(
        organisations=(organisation.ods_code,),
        teams=teams,
        individual_level=has_individual_level_insights(membership, organisation),
    )


def team_dashboard_scope(membership: Membership, team: Team) -> Scope:
    return Scope(
        organisations=(team.organisation.ods_code,),
        teams=(team.name,),
        individual_level=has_individual_level_insights(membership, team.organisation),
    )


def alliance_dashboard_scope(organisations: list[Organisation]) -> Scope:
    """Across an alliance's members: always suppressed (no one has individual-level access across trusts)."""
    return Scope(organisations=tuple(sorted(o.ods_code for o in organisations)), individual_level=False)


def dashboards_or_deny(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not may(membership, "view_dashboards"):
        deny(request, reason="This role has no workforce insights dashboards.")
    return membership


def dashboard_organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    """The organisation if the acting role may see its dashboards; otherwise an audited 404 (another
    organisation's code is not confirmed) or 403 (own organisation, a role without dashboards)."""
    membership = acting_membership(request)
    organisation = Organisation.objects.select_related("alliance").filter(ods_code=ods_code.upper()).first()
    if organisation is None:
        deny(request, reason=f"No organisation {ods_code}.", hide_existence=True)
    if not may(membership, "view_organisation_insights", organisation):
        own = membership is not None and membership.organisation_id == organisation.pk
        deny(
            request,
            reason=f"May not see the workforce insights of {organisation.ods_code}.",
            obj=organisation,
            hide_existence=not own,
        )
    return organisation


def dashboard_team_or_deny(request: HttpRequest, team_id: int) -> Team:
    membership = acting_membership(request)
    team = Team.objects.select_related("organisation").filter(pk=team_id).first()
    if team is None:
        deny(request, reason=f"No team {team_id}.", hide_existence=True)
    if not may(membership, "view_team_insights", team):
        own = membership is not None and membership.organisation_id == team.organisation_id
        deny(
            request,
            reason=f"May not see the workforce insights of team {team.pk}.",
            obj=team,
            hide_existence=not own,
        )
    return team


def dashboard_alliance_or_deny(request: HttpRequest) -> Alliance:
    membership = acting_membership(request)
    alliance = membership.alliance if membership is not None and membership.alliance_id else None
    if alliance is None or not may(membership, "view_alliance_insights", alliance):
        deny(request, reason="Only alliance admins see workforce insights across an alliance.")
    return alliance


# Import, snapshot and job-title review


@rules.predicate
def can_manage_workforce_data(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Importing extracts, refreshing the snapshot and reviewing job titles: the organisation's own admins and
    workforce analysts. Nobody acts on another organisation's data, alliance admins included."""
    if membership is None or organisation is None:
        return False
    if membership.role not in {Role.ORG_ADMIN, Role.ANALYST}:
        return False
    return membership.organisation_id == organisation.pk


RULES.add_rule("import_workforce_data", can_manage_workforce_data)
RULES.add_rule("review_job_titles", can_manage_workforce_data)


def workforce_organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """The organisation if the acting role may do `action` with it. Refusals are audited and answered 404, so
    that other organisations' codes cannot be confirmed by probing."""
    organisation = Organisation.objects.select_related("alliance").filter(ods_code=ods_code.upper()).first()
    if organisation is None:
        deny(request, reason=f"No organisation {ods_code}.", hide_existence=True)
    if not may(acting_membership(request), action, organisation):
        membership = acting_membership(request)
        same = membership is not None and membership.organisation_id == organisation.pk
        deny(
            request,
            reason=f"May not {action.replace('_', ' ')} of {organisation.ods_code}.",
            obj=organisation,
            hide_existence=not same,
        )
    return organisation


# Board report
#
# The board report covers whole organisations, so it is for the roles that see an organisation's aggregates:
# organisation admins and workforce analysts for their own organisation, alliance admins for the alliance's
# member organisations (one, or all together). Team roles, whose dashboards are cut to their teams, do not get
# it. Figures are shown without suppression only under `has_individual_level_insights` (one organisation, its
# own admins), and only when the admin asks for it: the default is a board audience.

BOARD_REPORT_ROLES = frozenset({Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN})


@rules.predicate
def can_download_board_report(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or membership.role not in BOARD_REPORT_ROLES:
        return False
    if organisation is None:  # the page itself, before an organisation is chosen
        return True
    return bool(can_view_organisation_insights(membership, organisation))


RULES.add_rule("download_board_report", can_download_board_report)


@rules.predicate
def can_view_board_report(membership: Membership | None, report: BoardReport | None) -> bool:
    """A report made in the background (its status page and file): for whoever may take the same report now,
    the person who asked included, in a role that still may. Another organisation's never."""
    if membership is None or report is None:
        return False
    if report.organisation_id is None:  # all members of an alliance together, never with every figure
        if report.individual_level:
            return False
        return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == report.alliance_id
    if not can_download_board_report(membership, report.organisation):
        return False
    # Every figure shown (counts below 5 included): only for those who could have asked for it themselves.
    return not report.individual_level or bool(has_individual_level_insights(membership, report.organisation))


RULES.add_rule("view_board_report", can_view_board_report)


def board_report_or_deny(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not may(membership, "download_board_report"):
        deny(request, reason="This role has no board report.")
    return membership


def board_report_organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    """The organisation if the acting role may take its board report; otherwise an audited 404 (another
    organisation's code is not confirmed) or 403 (its own organisation)."""
    membership = acting_membership(request)
    organisation = Organisation.objects.select_related("alliance").filter(ods_code=ods_code.upper()).first()
    if organisation is None:
        deny(request, reason=f"No organisation {ods_code}.", hide_existence=True)
    if not may(membership, "download_board_report", organisation):
        own = membership is not None and membership.organisation_id == organisation.pk
        deny(
            request,
            reason=f"May not take the board report of {organisation.ods_code}.",
            obj=organisation,
            hide_existence=not own,
        )
    return organisation


def board_report_record_or_deny(request: HttpRequest, pk: int) -> BoardReport:
    """The board report record if the acting role may see it; otherwise an audited 404 (another organisation's
    or alliance's report is not confirmed to exist) or 403 (a report of the role's own organisation)."""
    membership = acting_membership(request)
    report = (
        BoardReport.objects.select_related("organisation", "alliance", "requested_by").filter(pk=pk).first()
    )
    if report is None:
        deny(request, reason=f"No board report {pk}.", hide_existence=True)
    if not may(membership, "view_board_report", report):
        own = (
            membership is not None
            and report.organisation_id is not None
            and membership.organisation_id == report.organisation_id
        )
        deny(
            request,
            reason=f"May not see board report {report.pk}.",
            obj=report,
            hide_existence=not own,
        )
    return report
