"""Who may manage accounts and roles. Each rule is a `rules` predicate over the acting Membership."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest

from cultivate.core.access import RuleSet, predicate

from .models import Membership, Role, User

ADMIN_ROLES = frozenset({Role.ORG_ADMIN, Role.ALLIANCE_ADMIN})


def acting_membership(request: HttpRequest) -> Membership | None:
    """The role the request acts in: chosen in the header for pages, bound to the token for the API."""
    return cast("Membership | None", getattr(request, "membership", None))


@predicate
def is_org_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ORG_ADMIN


@predicate
def is_alliance_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ALLIANCE_ADMIN


@predicate
def is_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ADMIN_ROLES


@predicate
def grants_within_scope(membership: Membership | None, target: Membership | None) -> bool:
    """An org admin grants roles in their own organisation; an alliance admin grants alliance admin for their
    alliance and organisation admin in member organisations (they do not reach into teams)."""
    if membership is None or target is None:
        return False
    if membership.role == Role.ORG_ADMIN:
        return target.organisation_id == membership.organisation_id and target.role != Role.ALLIANCE_ADMIN
    if membership.role == Role.ALLIANCE_ADMIN:
        if target.role == Role.ALLIANCE_ADMIN:
            return target.alliance_id == membership.alliance_id
        return (
            target.role == Role.ORG_ADMIN
            and target.organisation is not None
            and target.organisation.alliance_id == membership.alliance_id
        )
    return False


@predicate
def is_admin_of_user(membership: Membership | None, user: User | None) -> bool:
    if membership is None or user is None:
        return False
    from .selectors import users_visible_to

    return users_visible_to(membership).filter(pk=user.pk).exists()


RULES = RuleSet()
RULES.add("manage_users", is_admin)
RULES.add("manage_user", is_admin_of_user)
RULES.add("grant_membership", grants_within_scope)
RULES.add("read_audit", is_admin)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
