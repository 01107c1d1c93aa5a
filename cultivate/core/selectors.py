"""Reads of the audit log, scoped to what the acting admin may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from cultivate.accounts.models import Membership, Role

from .models import AuditEvent, Notification


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events_visible_to(membership: Membership | None) -> QuerySet[AuditEvent]:
    if membership is None:
        return AuditEvent.objects.none()
    if membership.role == Role.ORG_ADMIN:
        from cultivate.accounts.models import User

        # The organisation's events, and events by its own users that carry no organisation (sign-ins).
        org_users = User.objects.filter(memberships__organisation=membership.organisation).values("pk")
        return AuditEvent.objects.filter(
            Q(organisation_id=membership.organisation_id)
            | Q(organisation__isnull=True, actor_id__in=org_users)
        )
    if membership.role == Role.ALLIANCE_ADMIN:
        return AuditEvent.objects.filter(organisation__alliance=membership.alliance)
    return AuditEvent.objects.none()


def audit_log(membership: Membership | None, filters: AuditFilters, page: int = 1) -> Page[AuditEvent]:
    qs = audit_events_visible_to(membership).select_related("organisation")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = qs.filter(actor_email__icontains=filters.actor)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    return Paginator(qs.order_by("-at", "-id"), 50).get_page(page)


# Notifications (the header's count and the notifications page).


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody reads another's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread (0 for anonymous users): one indexed count query, for
    a context processor."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
