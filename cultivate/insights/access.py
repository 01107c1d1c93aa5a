"""Who may do what with workforce insights: rules and scopes. Every insights view checks a rule here, through
the guards in `guards.py` (which fetch through these scopes and refuse with `core.access.object_or_deny`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import TEAM_ROLES, Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations.models import Alliance, Organisation, Team

from .models import BoardReport
from .scoping import Scope

RULES = RuleSet()


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)


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


@predicate
def can_view_dashboards(membership: Membership | None, _obj: Any = None) -> bool:
    return membership is not None and membership.role in DASHBOARD_ROLES


@predicate
def can_view_organisation_insights(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    if membership.role not in DASHBOARD_ROLES:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return organisation.pk == membership.organisation_id


@predicate
def can_view_team_insights(membership: Membership | None, team: Team | None) -> bool:
    if membership is None or team is None:
        return False
    if not can_view_organisation_insights(membership, team.organisation):
        return False
    if membership.role in TEAM_ROLES:
        return team.pk in _team_ids(membership)
    return True


@predicate
def can_view_alliance_insights(membership: Membership | None, alliance: Alliance | None) -> bool:
    if membership is None or alliance is None:
        return False
    return membership.role == Role.ALLIANCE_ADMIN and membership.alliance_id == alliance.pk


@predicate
def has_individual_level_insights(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Figures without small-number suppression: the organisation's own admins only."""
    if membership is None or organisation is None:
        return False
    return membership.role == Role.ORG_ADMIN and membership.organisation_id == organisation.pk


RULES.add("view_dashboards", can_view_dashboards)
RULES.add("view_organisation_insights", can_view_organisation_insights)
RULES.add("view_team_insights", can_view_team_insights)
RULES.add("view_alliance_insights", can_view_alliance_insights)


# Competence and mandatory training totals per member trust (`member_totals`): the alliance's admins, as for the
# alliance's dashboards; always with small numbers hidden, and never a person's record.
@predicate
def can_view_member_totals(membership: Membership | None, alliance: Alliance | None = None) -> bool:
    if membership is None or membership.role != Role.ALLIANCE_ADMIN or not membership.alliance_id:
        return False
    if alliance is None:  # the link, before the alliance is fetched
        return True
    return bool(can_view_alliance_insights(membership, alliance))


RULES.add("view_member_totals", can_view_member_totals)
RULES.add("individual_level_insights", has_individual_level_insights)


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


# Import, snapshot and job-title review


@predicate
def can_manage_workforce_data(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Importing extracts, refreshing the snapshot and reviewing job titles: the organisation's own admins and
    workforce analysts. Nobody acts on another organisation's data, alliance admins included."""
    if membership is None or organisation is None:
        return False
    if membership.role not in {Role.ORG_ADMIN, Role.ANALYST}:
        return False
    return membership.organisation_id == organisation.pk


RULES.add("import_workforce_data", can_manage_workforce_data)
RULES.add("review_job_titles", can_manage_workforce_data)


# Board report
#
# The board report covers whole organisations, so it is for the roles that see an organisation's aggregates:
# organisation admins and workforce analysts for their own organisation, alliance admins for the alliance's
# member organisations (one, or all together). Team roles, whose dashboards are cut to their teams, do not get
# it. Figures are shown without suppression only under `has_individual_level_insights` (one organisation, its
# own admins), and only when the admin asks for it: the default is a board audience.

BOARD_REPORT_ROLES = frozenset({Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN})


@predicate
def can_download_board_report(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or membership.role not in BOARD_REPORT_ROLES:
        return False
    if organisation is None:  # the page itself, before an organisation is chosen
        return True
    return bool(can_view_organisation_insights(membership, organisation))


RULES.add("download_board_report", can_download_board_report)


@predicate
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


RULES.add("view_board_report", can_view_board_report)


# Scopes: what a role may know exists. Outside them a fetch answers 404 (nothing said of existence); inside them
# a refused rule answers 403.


def own_organisation_scope(membership: Membership | None) -> Q:
    """A filter on Organisation: the membership's own organisation (workforce data is never another's)."""
    if membership is None or membership.organisation_id is None:
        return Q(pk__in=[])
    return Q(pk=membership.organisation_id)


def team_insights_scope(membership: Membership | None) -> Q:
    """A filter on Team: teams of the organisations the role may see (a refused team rule then answers 403)."""
    return Q(organisation__in=Organisation.objects.for_membership(membership).values("pk"))


@scope(BoardReport)
def board_report_scope(membership: Membership | None) -> Q:
    """A filter on BoardReport: the reports of the role's own organisation, and for an alliance admin those of
    the alliance they may open (`view_board_report`; never one with every figure)."""
    if membership is None:
        return Q(pk__in=[])
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(individual_level=False) & (
            Q(organisation__isnull=True, alliance_id=membership.alliance_id)
            | Q(organisation__alliance_id=membership.alliance_id)
        )
    if membership.organisation_id is None:
        return Q(pk__in=[])
    return Q(organisation_id=membership.organisation_id)
