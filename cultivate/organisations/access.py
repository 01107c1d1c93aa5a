"""The one place that decides who may see or do what with organisations, teams, people and spells.

Every rule takes the acting Membership (a user in one role, in one organisation or alliance). Scopes are
expressed twice, on purpose, in the same module: as predicates for one object and as a `Q` for querysets,
and the tests check that both agree."""

from __future__ import annotations

from typing import Any

import rules
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone

from cultivate.accounts.models import TEAM_ROLES, Membership, Role
from cultivate.core import rows
from cultivate.core.access import acting_membership, deny
from cultivate.core.periods import active_on_sql

from .models import EmploymentSpell, Organisation, Person, Team


def _team_ids(membership: Membership) -> list[int]:
    # Prefetched by the middleware; a list keeps this free of extra queries.
    return [team.pk for team in membership.teams.all()]


def person_scope(membership: Membership | None) -> Q:
    """A filter on Person for the people this membership may see as individuals."""
    if membership is None:
        return Q(pk__in=[])
    own = Q(pk=membership.user.person_id) if membership.user.person_id else Q(pk__in=[])
    role = membership.role
    if role == Role.ORG_ADMIN:
        return Q(organisation_id=membership.organisation_id)
    if role in TEAM_ROLES:
        today = timezone.localdate()
        in_teams = EmploymentSpell.objects.active_on(today).filter(
            person=OuterRef("pk"), team_id__in=_team_ids(membership)
        )
        scope = Q(organisation_id=membership.organisation_id) & Q(Exists(in_teams))
        if role == Role.LINE_MANAGER and membership.user.person_id:
            managed = EmploymentSpell.objects.active_on(today).filter(
                person=OuterRef("pk"), line_manager_id=membership.user.person_id
            )
            scope |= Q(organisation_id=membership.organisation_id) & Q(Exists(managed))
        return scope | own
    # Support workers, educators, analysts and alliance admins see only their own staff record.
    return own


def organisation_scope(membership: Membership | None) -> Q:
    if membership is None:
        return Q(pk__in=[])
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(alliance_id=membership.alliance_id)
    return Q(pk=membership.organisation_id)


def team_scope(membership: Membership | None) -> Q:
    if membership is None:
        return Q(pk__in=[])
    if membership.role in TEAM_ROLES:
        return Q(pk__in=_team_ids(membership))
    if membership.role in {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR}:
        return Q(organisation_id=membership.organisation_id)
    if membership.role == Role.ALLIANCE_ADMIN:
        return Q(organisation__alliance_id=membership.alliance_id)
    return Q(pk__in=[])


@rules.predicate
def can_see_person(membership: Membership | None, person: Person | None) -> bool:
    if membership is None or person is None:
        return False
    if membership.user.person_id == person.pk:
        return True
    if person.organisation_id != membership.organisation_id:
        return False
    if membership.role == Role.ORG_ADMIN:
        return True
    if membership.role in TEAM_ROLES:
        # `person_scope` for one person already known to be in the organisation: a post today in one of the
        # membership's teams, or (line managers) one they manage; read from the spells alone.
        team_ids = _team_ids(membership)
        manages = membership.user.person_id if membership.role == Role.LINE_MANAGER else None
        return _holds_post_in_reach(person.pk, team_ids, manages)
    return False


def _holds_post_in_reach(person_id: int, team_ids: list[int], line_manager_id: int | None) -> bool:
    """Whether the person has a post today in one of these teams or managed by this person: the
    `active_on(today)` spells filtered by team or line manager, as one hand-written EXISTS (the API's
    delegation check asks on every call, and building it through the ORM cost more than running it)."""
    reach, params = [], []
    if team_ids:
        reach.append(f"{rows.column(EmploymentSpell, 'team')} IN ({', '.join(['%s'] * len(team_ids))})")
        params.extend(team_ids)
    if line_manager_id:
        reach.append(f"{rows.column(EmploymentSpell, 'line_manager')} = %s")
        params.append(line_manager_id)
    if not reach:
        return False
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    sql = rows.statement(
        f"person_in_reach_{len(team_ids)}_{bool(line_manager_id)}",
        lambda: (
            f"SELECT 1 FROM {rows.table(EmploymentSpell)} "  # noqa: S608
            f"WHERE {rows.column(EmploymentSpell, 'person')} = %s AND "
            f"{active_on_sql(rows.column(EmploymentSpell, 'start_date'), rows.column(EmploymentSpell, 'end_date'))} "
            f"AND ({' OR '.join(reach)}) LIMIT 1"
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [person_id, today, today, *params])
        return cursor.fetchone() is not None


@rules.predicate
def can_see_characteristics(membership: Membership | None, person: Person | None) -> bool:
    """Protected characteristics: the person themselves and their organisation's admins, nobody else."""
    if membership is None or person is None:
        return False
    if membership.user.person_id == person.pk:
        return True
    return membership.role == Role.ORG_ADMIN and person.organisation_id == membership.organisation_id


@rules.predicate
def can_see_organisation(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return organisation.pk == membership.organisation_id


SUMMARY_ROLES = frozenset({Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.ALLIANCE_ADMIN})


@rules.predicate
def can_see_summary(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Aggregate figures for an organisation: its admins, analysts and educators, and its alliance's admins."""
    if membership is None or membership.role not in SUMMARY_ROLES:
        return False
    return bool(can_see_organisation(membership, organisation))


@rules.predicate
def can_list_staff(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    return membership.role == Role.ORG_ADMIN and organisation.pk == membership.organisation_id


@rules.predicate
def can_see_team(membership: Membership | None, team: Team | None) -> bool:
    if membership is None or team is None:
        return False
    if membership.role in TEAM_ROLES:
        return team.pk in _team_ids(membership)
    if membership.role in {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR}:
        return team.organisation_id == membership.organisation_id
    if membership.role == Role.ALLIANCE_ADMIN:
        return team.organisation.alliance_id == membership.alliance_id
    return False


@rules.predicate
def can_list_teams(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Listing an organisation's teams (team roles then see only their own). A support worker's scope is their
    own record, which already names their team, so they have no list of teams."""
    if membership is None or membership.role not in TEAM_ROLES | SUMMARY_ROLES:
        return False
    return bool(can_see_organisation(membership, organisation))


@rules.predicate
def is_team_role(membership: Membership | None) -> bool:
    return membership is not None and membership.role in TEAM_ROLES


@rules.predicate
def is_org_admin_of(membership: Membership | None, organisation: Organisation | None) -> bool:
    return (
        membership is not None
        and organisation is not None
        and membership.role == Role.ORG_ADMIN
        and membership.organisation_id == organisation.pk
    )


@rules.predicate
def has_own_record(membership: Membership | None) -> bool:
    """The user is linked to a staff record of their own (whatever role they act in)."""
    return membership is not None and membership.user.person_id is not None


@rules.predicate
def is_line_manager(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.LINE_MANAGER


@rules.predicate
def is_assessor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ASSESSOR


@rules.predicate
def is_alliance_role(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ALLIANCE_ADMIN


RULES = rules.RuleSet()
RULES.add_rule("view_person", can_see_person)
RULES.add_rule("view_characteristics", can_see_characteristics)
RULES.add_rule("view_organisation", can_see_organisation)
RULES.add_rule("view_summary", can_see_summary)
RULES.add_rule("list_staff", can_list_staff)
RULES.add_rule("view_team", can_see_team)
RULES.add_rule("list_teams", can_list_teams)
RULES.add_rule("view_my_team", is_team_role)
RULES.add_rule("import_staff", is_org_admin_of)
RULES.add_rule("view_own_record", has_own_record)
# The team page is one page; the navigation names it for what each team role does there.
RULES.add_rule("manage_my_team", is_team_role & is_line_manager)
RULES.add_rule("assess_my_team", is_team_role & is_assessor)
# An organisation's summary as a role's way in to it: those who see the summary but have no staff list (an
# organisation's admins go to the staff list, which links to the summary).
RULES.add_rule("enter_by_summary", can_see_summary & ~can_list_staff)
# Every organisation has a page, but only a role that sees several of them needs the list.
RULES.add_rule("list_organisations", is_alliance_role)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test_rule(action, membership, obj)


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """The organisation with this ODS code if the request's role may do `action` with it; otherwise the refusal
    is audited and answered 403, or 404 when the role may not even know the organisation exists."""
    membership = acting_membership(request)
    organisation = Organisation.objects.select_related("alliance").filter(ods_code=ods_code.upper()).first()
    if organisation is None:
        deny(request, reason=f"No organisation {ods_code}.", hide_existence=True)
    if not may(membership, action, organisation):
        deny(
            request,
            reason=f"May not {action.replace('_', ' ')} of {organisation.ods_code}.",
            obj=organisation,
            hide_existence=not may(membership, "view_organisation", organisation),
        )
    return organisation
