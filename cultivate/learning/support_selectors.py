"""Reads for support at work, each scoped to what the acting membership may see (`support_access`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership, Role
from cultivate.organisations.models import EmploymentSpell, Person

from .support_models import FlexibleDecision, FlexibleWorkingRequest, IncidentSupport


def flexible_visible_to(membership: Membership | None) -> QuerySet[FlexibleWorkingRequest]:
    return FlexibleWorkingRequest.objects.for_membership(membership).select_related(
        "person", "person__organisation", "decided_by"
    )


def support_visible_to(membership: Membership | None) -> QuerySet[IncidentSupport]:
    return IncidentSupport.objects.for_membership(membership).select_related(
        "person", "person__organisation", "recorded_by"
    )


def own_flexible(membership: Membership) -> list[FlexibleWorkingRequest]:
    person_id = membership.user.person_id
    return list(flexible_visible_to(membership).filter(person_id=person_id or 0))


def own_support(membership: Membership) -> list[IncidentSupport]:
    person_id = membership.user.person_id
    return list(support_visible_to(membership).filter(person_id=person_id or 0))


def _others(membership: Membership) -> int:
    return membership.user.person_id or 0


def flexible_to_decide(membership: Membership) -> list[FlexibleWorkingRequest]:
    """Requests of the people a line manager reaches that wait for a decision, the soonest due first."""
    if membership.role != Role.LINE_MANAGER:
        return []
    return list(
        flexible_visible_to(membership)
        .filter(decision=FlexibleDecision.PENDING)
        .exclude(person_id=_others(membership))
        .order_by("decision_due_on", "pk")
    )


def flexible_decided_for_team(membership: Membership, limit: int = 50) -> list[FlexibleWorkingRequest]:
    if membership.role not in {Role.LINE_MANAGER, Role.ORG_ADMIN}:
        return []
    return list(
        flexible_visible_to(membership)
        .exclude(decision=FlexibleDecision.PENDING)
        .exclude(person_id=_others(membership))
        .order_by("-made_on", "-pk")[:limit]
    )


def flexible_overdue_count(membership: Membership, on: dt.date | None = None) -> tuple[int, dt.date | None]:
    """How many requests a line manager has not decided by their due date, and the earliest due date."""
    on = on or timezone.localdate()
    if membership.role != Role.LINE_MANAGER:
        return 0, None
    overdue = (
        FlexibleWorkingRequest.objects.for_membership(membership)
        .filter(decision=FlexibleDecision.PENDING, decision_due_on__lt=on)
        .exclude(person_id=_others(membership))
        .order_by("decision_due_on")
        .values_list("decision_due_on", flat=True)
    )
    dates = list(overdue)
    return len(dates), (dates[0] if dates else None)


def support_for_team(membership: Membership, limit: int = 100) -> list[IncidentSupport]:
    if membership.role != Role.LINE_MANAGER:
        return []
    return list(
        support_visible_to(membership)
        .exclude(person_id=_others(membership))
        .order_by("follow_up_done_on", "follow_up_on", "pk")[:limit]
    )


def follow_ups_due_count(membership: Membership, on: dt.date | None = None) -> int:
    on = on or timezone.localdate()
    if membership.role != Role.LINE_MANAGER:
        return 0
    return (
        IncidentSupport.objects.for_membership(membership)
        .filter(follow_up_done_on__isnull=True, follow_up_on__lte=on)
        .exclude(person_id=_others(membership))
        .count()
    )


def people_to_support(membership: Membership | None) -> QuerySet[Person]:
    """Whom a line manager may record support for: the people they reach who are in post today, not themselves."""
    if membership is None or membership.role != Role.LINE_MANAGER:
        return Person.objects.none()
    in_post = EmploymentSpell.objects.active_on(timezone.localdate()).values("person_id")
    return (
        Person.objects.for_membership(membership)
        .filter(pk__in=in_post)
        .exclude(pk=_others(membership))
        .order_by("family_name", "given_name", "pk")
    )
