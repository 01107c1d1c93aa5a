"""Telling a user something: a notification in the service, always, and by email as the user chose (each one at
once, a daily digest, or none; `NotificationSettings`).

The API other apps use (see docs/notifications.md):

- `notify(user=..., title=..., subject=Subject.of(obj))`: tell one user; `subject` names what it is about.
- `notifications_mark_read_about(subjects=[...])`: the subject was acted on (a sign-off decided, a returned request
  asked for again), so whoever was told of it need not be any more. Call it from the service that acts.
- `notifications_mark_read(user=..., ids=...)`: the user read them (the notifications page).
- `notification_email_choice(user)`, `notification_settings_update(user=..., email=...)`: the user's settings.
- `digests_send()`: the daily digest, one email per person per day (`cultivate notifications_digest`, by cron or
  the worker's `send_notification_digests` task)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .audit import AuditContext, audit
from .audit_actions import CoreAction
from .models import EmailChoice, Notification, NotificationSettings

logger = logging.getLogger(__name__)


class Recipient(Protocol):
    """What telling someone needs of a user (the project's user model, `settings.AUTH_USER_MODEL`)."""

    @property
    def pk(self) -> Any: ...
    @property
    def email(self) -> str: ...
    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True)
class Subject:
    """What a notification is about: a kind ("portfolio.signoffrequest") and a key within it ("42")."""

    kind: str
    key: str

    @classmethod
    def of(cls, obj: models.Model) -> Subject:
        """A saved record as a subject: its model's label and its primary key."""
        return cls(obj._meta.label_lower, str(obj.pk))


def _link(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""


# What a user who never chose gets: each notification by email, unless an app says otherwise for the user (the
# accounts app registers the roles whose holders get a daily summary; core knows no roles).
DefaultChoice = Callable[[Any], EmailChoice]
_default_choice: list[DefaultChoice] = []


def register_default_choice(choose: DefaultChoice) -> None:
    """Set how a user who never chose is emailed (the last registration wins; tests reload apps)."""
    _default_choice[:] = [choose]


def notification_default_choice(user: Recipient) -> EmailChoice:
    return _default_choice[0](user) if _default_choice else EmailChoice.EACH


def notification_email_choice(user: Recipient) -> EmailChoice:
    """How the user wants to be emailed: as they chose, else the default for them."""
    found = NotificationSettings.objects.filter(user_id=user.pk).values_list("email", flat=True).first()
    return EmailChoice(found) if found else notification_default_choice(user)


def notification_settings_update(
    *, user: Recipient, email: str, ctx: AuditContext | None = None
) -> NotificationSettings:
    """Save how the user wants to be emailed, and audit the change (it decides what reaches them outside the
    service). Choosing no emails, or each at once, drops nothing already told: notifications waiting for a
    digest still go in the next one, unless the user chose none."""
    before = notification_email_choice(user)
    record, _ = NotificationSettings.objects.get_or_create(user_id=user.pk)
    record.email = email
    record.full_clean(exclude=["user"])
    with transaction.atomic():
        record.save()
        if email == EmailChoice.NONE:
            Notification.objects.filter(user_id=user.pk, digest_due=True).update(digest_due=False)
        if before != email:
            audit(
                CoreAction.NOTIFICATION_SETTINGS_CHANGED,
                ctx=ctx,
                actor=ctx.actor if ctx is not None and ctx.actor is not None else user,
                email_before=str(before),
                email_after=str(email),
            )
    return record


def notify(
    *,
    user: Recipient,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    subject: Subject | None = None,
) -> Notification:
    """Tell the user in the service, and by email if `email` and the user's settings allow: at once, or in
    their next daily digest."""
    choice = notification_email_choice(user) if email and user.email and user.is_active else EmailChoice.NONE
    notification = Notification.objects.create(
        user_id=user.pk,
        title=title,
        body=body,
        url=url,
        subject_kind=subject.kind if subject else "",
        subject_key=subject.key if subject else "",
        digest_due=choice == EmailChoice.DIGEST,
    )
    if choice == EmailChoice.EACH:
        link = f"\n\n{_link(url)}" if url else ""
        try:
            send_mail(title, f"{body}{link}", None, [user.email])
        except OSError:
            # The notification in the service stands; a mail server that is down must not undo the action.
            logger.exception("Could not email notification %s to user %s", notification.pk, user.pk)
        else:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def notifications_mark_read(*, user: Recipient, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (those with these ids, or all); returns how many changed."""
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_mark_read_about(*, subjects: Iterable[Subject], user: Recipient | None = None) -> int:
    """Mark read every unread notification about one of these subjects (only the user's, if given): it has been
    acted on. One UPDATE; returns how many changed."""
    condition = Q(pk__in=[])
    for subject in subjects:
        condition |= Q(subject_kind=subject.kind, subject_key=subject.key)
    unread = Notification.objects.filter(condition, read_at__isnull=True)
    if user is not None:
        unread = unread.filter(user_id=user.pk)
    return unread.update(read_at=timezone.now())


# --- The daily digest ------------------------------------------------------------------------------------


@dataclass
class DigestReport:
    emails: int = 0
    notifications: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"emails": self.emails, "notifications": self.notifications, "failed": self.failed}


def digest_text(notifications: list[Notification]) -> tuple[str, str]:
    """The subject and body of one person's digest."""
    count = len(notifications)
    subject = f"Cultivate: {count} new notification{'s' if count != 1 else ''}"
    lines = ["Here is what changed since your last summary.", ""]
    for notification in notifications:
        lines.append(f"- {notification.title}")
        if notification.body:
            lines.append(f"  {notification.body}")
        if notification.url:
            lines.append(f"  {_link(notification.url)}")
    lines += ["", f"See them all and change how you are emailed: {_link('/notifications/')}"]
    return subject, "\n".join(lines)


def digests_send(*, on: dt.date | None = None) -> DigestReport:
    """Email each person who chose a daily digest one summary of their notifications waiting for it that they
    have not read in the service yet; at most one a day per person (a second run the same day sends nothing to
    someone already sent one). Those already read are dropped from the digest, not emailed. Reads in three
    queries and writes in two per person."""
    on = on or timezone.localdate()
    report = DigestReport()
    due = list(
        Notification.objects.filter(digest_due=True)
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in due:
        by_user[notification.user_id].append(notification)
    sent_today = set(
        NotificationSettings.objects.filter(user_id__in=list(by_user), digest_sent_on=on).values_list(
            "user_id", flat=True
        )
    )
    for user_id, notifications in by_user.items():
        if user_id in sent_today:
            continue
        user = notifications[0].user
        unread = [n for n in notifications if n.read_at is None]
        ids = [n.pk for n in notifications]
        if unread and user.email and user.is_active:
            subject, body = digest_text(unread)
            try:
                send_mail(subject, body, None, [user.email])
            except OSError:
                # Left due, so tomorrow's digest carries them.
                logger.exception("Could not email the daily digest to user %s", user_id)
                report.failed += 1
                continue
            report.emails += 1
            report.notifications += len(unread)
            Notification.objects.filter(pk__in=[n.pk for n in unread]).update(emailed_at=timezone.now())
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids).update(digest_due=False)
            NotificationSettings.objects.filter(user_id=user_id).update(digest_sent_on=on)
    return report
