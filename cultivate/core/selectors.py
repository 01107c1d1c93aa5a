"""Reads of the audit log (a page of events the caller has scoped) and of a user's notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .models import AuditEvent, Notification


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_log(events: QuerySet[AuditEvent], filters: AuditFilters, page: int = 1) -> Page[AuditEvent]:
    """A page of these events (already scoped to what the reader may see), filtered, newest first."""
    qs = events.select_related("organisation")
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
