"""Who may see and do what with support at work: requests for flexible working and post-incident support.

These are among the most personal records a manager keeps, so they reach only the people who need them:

- the worker sees their own, and makes (or withdraws) their own requests for flexible working;
- their line manager (a line manager role whose teams, or whose own staff record as named line manager, take
  in the worker) sees and decides their requests, and records the support offered after an incident;
- the organisation's admins (HR) see requests for flexible working, to hear an appeal; they do not see
  post-incident support, which stays between the worker and their manager;
- analysts and admins read the organisation's rates only (small numbers suppressed), as do its alliance's admins.

Assessors and educators, who may see a worker's portfolio or training, see none of this. Kept beside the app's
`access.py` (one rule set per topic, both tested by the access matrix)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Organisation, Person

from .support_models import FlexibleDecision, FlexibleWorkingRequest, IncidentSupport

NOTHING = Q(pk__in=[])
# Roles that read an organisation's support figures (aggregates only).
FIGURE_ROLES = frozenset({Role.ANALYST, Role.ORG_ADMIN})


def _own(membership: Membership) -> Q:
    person_id = membership.user.person_id
    return Q(person_id=person_id) if person_id else NOTHING


def _managed(membership: Membership) -> Q:
    """The people a line manager role reaches (its teams' people today, and those it manages by name)."""
    if membership.role != Role.LINE_MANAGER:
        return NOTHING
    people = Person.objects.filter(org_access.person_scope(membership)).values("pk")
    return Q(person__in=people) & ~_own(membership)


@scope(FlexibleWorkingRequest)
def flexible_scope(membership: Membership | None) -> Q:
    if membership is None:
        return NOTHING
    visible = _own(membership) | _managed(membership)
    if membership.role == Role.ORG_ADMIN and membership.organisation_id is not None:
        visible |= Q(person__organisation_id=membership.organisation_id)
    return visible


@scope(IncidentSupport)
def incident_scope(membership: Membership | None) -> Q:
    if membership is None:
        return NOTHING
    return _own(membership) | _managed(membership)


def _manages(membership: Membership | None, person: Person | None) -> bool:
    """A line manager role that reaches the person, never for themselves."""
    return (
        membership is not None
        and person is not None
        and membership.role == Role.LINE_MANAGER
        and membership.user.person_id != person.pk
        and bool(org_access.can_see_person(membership, person))
    )


def _is_self(membership: Membership | None, person: Person | None) -> bool:
    return membership is not None and person is not None and membership.user.person_id == person.pk


@predicate
def can_ask_flexible(membership: Membership | None) -> bool:
    """Making a request: anyone with a staff record of their own, from their first day."""
    return membership is not None and membership.user.person_id is not None


@predicate
def can_view_flexible(membership: Membership | None, request: FlexibleWorkingRequest | None) -> bool:
    if membership is None or request is None:
        return False
    if _is_self(membership, request.person) or _manages(membership, request.person):
        return True
    return membership.role == Role.ORG_ADMIN and membership.organisation_id == request.person.organisation_id


@predicate
def can_decide_flexible(membership: Membership | None, request: FlexibleWorkingRequest | None) -> bool:
    """Deciding a request: the worker's line manager."""
    return request is not None and _manages(membership, request.person)


@predicate
def can_withdraw_flexible(membership: Membership | None, request: FlexibleWorkingRequest | None) -> bool:
    return (
        request is not None
        and request.decision == FlexibleDecision.PENDING
        and _is_self(membership, request.person)
    )


@predicate
def can_note_appeal(membership: Membership | None, request: FlexibleWorkingRequest | None) -> bool:
    """Recording an appeal and its outcome: the line manager, or the organisation's admins (HR)."""
    if membership is None or request is None:
        return False
    if _manages(membership, request.person):
        return True
    return membership.role == Role.ORG_ADMIN and membership.organisation_id == request.person.organisation_id


@predicate
def can_record_support(membership: Membership | None, person: Person | None) -> bool:
    """Recording the support offered after an incident: the worker's line manager."""
    return _manages(membership, person)


@predicate
def can_view_support(membership: Membership | None, record: IncidentSupport | None) -> bool:
    if membership is None or record is None:
        return False
    return _is_self(membership, record.person) or _manages(membership, record.person)


@predicate
def can_change_support(membership: Membership | None, record: IncidentSupport | None) -> bool:
    """The answer and the follow-up: the line manager."""
    return record is not None and _manages(membership, record.person)


@predicate
def can_view_support_figures(membership: Membership | None, organisation: Organisation | None) -> bool:
    if membership is None or organisation is None:
        return False
    if membership.role == Role.ALLIANCE_ADMIN:
        return organisation.alliance_id is not None and organisation.alliance_id == membership.alliance_id
    return membership.role in FIGURE_ROLES and membership.organisation_id == organisation.pk


@predicate
def has_support_pages(membership: Membership | None) -> bool:
    """The *Support at work* page: a worker with their own record, line managers, and the organisation's admins
    (HR: decided requests for flexible working, to note appeals)."""
    return membership is not None and (
        membership.user.person_id is not None or membership.role in {Role.LINE_MANAGER, Role.ORG_ADMIN}
    )


@predicate
def is_line_manager(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.LINE_MANAGER


RULES = RuleSet()
RULES.add("ask_flexible", can_ask_flexible)
RULES.add("view_flexible", can_view_flexible)
RULES.add("decide_flexible", can_decide_flexible)
RULES.add("withdraw_flexible", can_withdraw_flexible)
RULES.add("note_appeal", can_note_appeal)
RULES.add("record_support", can_record_support)
RULES.add("view_support", can_view_support)
RULES.add("change_support", can_change_support)
RULES.add("view_support_figures", can_view_support_figures)
RULES.add("support_pages", has_support_pages)
RULES.add("manage_support", is_line_manager)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
