"""Telling a user something: a notification in the service, and the same by email where they have one."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification

logger = logging.getLogger(__name__)


class Recipient(Protocol):
    """What telling someone needs of a user (the project's user model, `settings.AUTH_USER_MODEL`)."""

    @property
    def pk(self) -> Any: ...
    @property
    def email(self) -> str: ...
    @property
    def is_active(self) -> bool: ...


def notify(*, user: Recipient, title: str, body: str = "", url: str = "", email: bool = True) -> Notification:
    notification = Notification.objects.create(user_id=user.pk, title=title, body=body, url=url)
    if email and user.email and user.is_active:
        link = f"\n\n{settings.SITE_URL.rstrip('/')}{url}" if url else ""
        try:
            send_mail(title, f"{body}{link}", None, [user.email])
        except OSError:
            # The notification in the service stands; a mail server that is down must not undo the action.
            logger.exception("Could not email notification %s to user %s", notification.pk, user.pk)
    return notification


def notifications_mark_read(*, user: Recipient, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (those with these ids, or all); returns how many changed."""
    from django.utils import timezone

    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
