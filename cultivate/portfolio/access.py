"""Who may see and do what with portfolios, sign-offs, the team matrix and the delegation register.

Built on the organisations module's scopes: whoever may see a person as an individual may see their portfolio.
Only the person adds evidence and asks for sign-off; only an assessor who is a registered professional and
whose teams cover the person signs off, and never for themselves."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from cultivate.accounts.models import TEAM_ROLES, Membership, Role
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Organisation, Person, Team


def is_self(membership: Membership | None, person: Person | None) -> bool:
    return (
        membership is not None
        and person is not None
        and membership.user.person_id is not None
        and membership.user.person_id == person.pk
    )


def portfolio_scope(membership: Membership | None) -> Q:
    """A filter on Person: whose portfolios this membership may read."""
    return org_access.person_scope(membership)


@rules.predicate
def can_view_portfolio(membership: Membership | None, person: Person | None) -> bool:
    return bool(org_access.can_see_person(membership, person))


@rules.predicate
def can_edit_portfolio(membership: Membership | None, person: Person | None) -> bool:
    """Adding evidence and asking for sign-off: the worker themselves, whatever role they are acting in."""
    return is_self(membership, person)


@rules.predicate
def can_sign_off(membership: Membership | None, person: Person | None) -> bool:
    if membership is None or person is None or membership.role != Role.ASSESSOR:
        return False
    if is_self(membership, person) or not membership.user.is_registered_professional:
        return False
    if person.organisation_id != membership.organisation_id:
        return False
    # The assessor's teams must cover the person today (the same scope as seeing them).
    return (
        Person.objects.filter(org_access.person_scope(membership), pk=person.pk)
        .exclude(pk=membership.user.person_id or 0)
        .exists()
    )


# The roles whose work is a team's competence: its line managers and assessors, and the organisation's admins.
TEAM_PAGE_ROLES = TEAM_ROLES | {Role.ORG_ADMIN}
# The roles who write delegation protocols for their organisation.
PROTOCOL_ROLES = frozenset({Role.ORG_ADMIN, Role.EDUCATOR})


@rules.predicate
def has_team_pages(membership: Membership | None) -> bool:
    return membership is not None and membership.role in TEAM_PAGE_ROLES


@rules.predicate
def writes_protocols(membership: Membership | None) -> bool:
    return membership is not None and membership.role in PROTOCOL_ROLES


@rules.predicate
def can_view_team_competence(membership: Membership | None, team: Team | None) -> bool:
    """The team matrix and the team's delegation view: its line managers and assessors, and org admins."""
    if membership is None or team is None:
        return False
    if membership.role in TEAM_ROLES:
        return team.pk in org_access._team_ids(membership)
    return membership.role == Role.ORG_ADMIN and team.organisation_id == membership.organisation_id


@rules.predicate
def can_check_delegation(membership: Membership | None, person: Person | None) -> bool:
    """Asking whether a person may carry out an activity: anyone who may see their portfolio."""
    return bool(can_view_portfolio(membership, person))


@rules.predicate
def can_view_protocols(membership: Membership | None, organisation: Organisation | None) -> bool:
    return (
        membership is not None
        and organisation is not None
        and membership.role != Role.ALLIANCE_ADMIN
        and membership.organisation_id == organisation.pk
    )


@rules.predicate
def can_manage_protocols(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Writing delegation protocols: the organisation's admins and educators."""
    return (
        membership is not None
        and organisation is not None
        and membership.role in PROTOCOL_ROLES
        and membership.organisation_id == organisation.pk
    )


RULES = rules.RuleSet()
RULES.add_rule("view_portfolio", can_view_portfolio)
RULES.add_rule("edit_portfolio", can_edit_portfolio)
RULES.add_rule("sign_off", can_sign_off)
RULES.add_rule("view_team_competence", can_view_team_competence)
RULES.add_rule("check_delegation", can_check_delegation)
RULES.add_rule("view_protocols", can_view_protocols)
RULES.add_rule("manage_protocols", can_manage_protocols)
# A portfolio of one's own: the user is linked to a staff record, whatever role they act in.
RULES.add_rule("view_own_portfolio", org_access.has_own_record)
# The sign-off queue: assessors (whether a request is theirs to sign is `sign_off`).
RULES.add_rule("review_sign_offs", org_access.is_assessor)
RULES.add_rule("view_team_list", has_team_pages)
# Every member of an organisation may read its protocols; delegation is part of the work of those who check it
# for their teams and of those who write the protocols.
RULES.add_rule("work_with_delegation", has_team_pages | writes_protocols)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test_rule(action, membership, obj)
