"""Reads of the audit log (a page of events the caller has scoped) and of a user's notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from .audit import PERSON_MODEL
from .models import AuditEvent, Notification


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    # The people whose records the events are about (None: anyone's; empty: nobody matched).
    person_ids: tuple[int, ...] | None = None
    oldest_first: bool = False


AUDIT_PAGE_SIZE = 50


def audit_events_filtered(events: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    """These events (already scoped to what the reader may see), filtered, newest first (or oldest)."""
    qs = events.select_related("organisation")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = qs.filter(actor_email__icontains=filters.actor)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    if filters.person_ids is not None:
        qs = qs.filter(about_people(filters.person_ids))
    return qs.order_by("at", "id") if filters.oldest_first else qs.order_by("-at", "-id")


def about_people(person_ids: Iterable[int]) -> Q:
    """Events about any of these people: their record itself, or one of theirs (see `audit.PERSON_KEY`)."""
    ids = list(person_ids)
    return Q(object_type=PERSON_MODEL, object_id__in=[str(pk) for pk in ids]) | Q(detail__person_id__in=ids)


def audit_log(events: QuerySet[AuditEvent], filters: AuditFilters, page: int = 1) -> Page[AuditEvent]:
    """A page of these events (already scoped to what the reader may see), filtered, newest first."""
    return Paginator(audit_events_filtered(events, filters), AUDIT_PAGE_SIZE).get_page(page)


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
