"""Who may see and do what with development plans and supervision records.

The supervisor of a worker is a line manager who may see them: the line manager named on their current post, or
a line manager of the team they work in (the reach `organisations.access.person_scope` already gives a line
manager; see the ADR on development plans and supervision). A plan and the supervision records are seen by the
worker and those supervisors only, never by assessors, educators, analysts or admins, who read counts
(`can_view_supervision_figures`). A meeting's private note is read by the two people in the meeting alone: the
worker and the supervisor who recorded it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import RuleSet, predicate
from cultivate.core.scopes import scope
from cultivate.organisations import access as org_access
from cultivate.organisations.models import Organisation, Person

from .. import access as learning_access
from .models import DevelopmentPlan, SupervisionMeeting

NOTHING = Q(pk__in=[])


def _people_q(membership: Membership | None, prefix: str) -> Q:
    """One's own records, and for a line manager those of the people they supervise."""
    if membership is None:
        return NOTHING
    own_id = membership.user.person_id
    own = Q(**{f"{prefix}_id": own_id}) if own_id else NOTHING
    if membership.role != Role.LINE_MANAGER:
        return own
    supervised = Person.objects.filter(org_access.person_scope(membership)).exclude(pk=own_id or 0)
    return own | Q(**{f"{prefix}__in": supervised.values("pk")})


@scope(DevelopmentPlan)
def plan_scope(membership: Membership | None) -> Q:
    return _people_q(membership, "person")


@scope(SupervisionMeeting)
def meeting_scope(membership: Membership | None) -> Q:
    return _people_q(membership, "person")


def _is_self(membership: Membership | None, person: Person | None) -> bool:
    return membership is not None and person is not None and membership.user.person_id == person.pk


@predicate
def supervises(membership: Membership | None, person: Person | None) -> bool:
    """A line manager who may see the person (named on their post, or managing their team), never oneself."""
    if membership is None or person is None or _is_self(membership, person):
        return False
    if membership.role != Role.LINE_MANAGER:
        return False
    return bool(org_access.can_see_person(membership, person))


@predicate
def can_view_plan(membership: Membership | None, person: Person | None) -> bool:
    """A person's plan and supervision records: the person and their supervisors."""
    return _is_self(membership, person) or bool(supervises(membership, person))


@predicate
def can_write_own_plan(membership: Membership | None, person: Person | None) -> bool:
    """Writing and sending a plan: the worker, for themselves."""
    return _is_self(membership, person)


@predicate
def can_view_meeting(membership: Membership | None, meeting: SupervisionMeeting | None) -> bool:
    return meeting is not None and bool(can_view_plan(membership, meeting.person))


@predicate
def can_read_private_note(membership: Membership | None, meeting: SupervisionMeeting | None) -> bool:
    """The two people in the meeting: the worker and the supervisor who recorded it."""
    if membership is None or meeting is None:
        return False
    user = membership.user
    return user.pk == meeting.supervisor_id or (
        user.person_id is not None and user.person_id == meeting.person_id
    )


@predicate
def has_own_record(membership: Membership | None) -> bool:
    return membership is not None and membership.user.person_id is not None


@predicate
def is_supervisor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.LINE_MANAGER


@predicate
def can_view_supervision_figures(membership: Membership | None, organisation: Organisation | None) -> bool:
    """Counts of plans and supervision for an organisation (never names): as the other learning figures."""
    return bool(learning_access.can_view_learning_figures(membership, organisation))


@predicate
def can_set_interval(membership: Membership | None, organisation: Organisation | None) -> bool:
    """The organisation's supervision interval: its admins."""
    return bool(org_access.is_org_admin_of(membership, organisation))


RULES = RuleSet()
RULES.add("view_plan", can_view_plan)
RULES.add("write_own_plan", can_write_own_plan)
RULES.add("decide_plan", supervises)
RULES.add("record_supervision", supervises)
RULES.add("view_meeting", can_view_meeting)
RULES.add("read_private_note", can_read_private_note)
RULES.add("view_own_plan", has_own_record)
RULES.add("supervise", is_supervisor)
RULES.add("view_supervision_figures", can_view_supervision_figures)
RULES.add("set_supervision_interval", can_set_interval)


NAMES = frozenset(
    {
        "view_plan",
        "write_own_plan",
        "decide_plan",
        "record_supervision",
        "view_meeting",
        "read_private_note",
        "view_own_plan",
        "supervise",
        "view_supervision_figures",
        "set_supervision_interval",
    }
)


def may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    return RULES.test(action, membership, obj)
