"""Notifications: in the service always, by email as each user chose; the daily digest; marked read when what
they are about is acted on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cultivate.accounts import testing as t
from cultivate.core.models import EmailChoice, Notification
from cultivate.core.notify import (
    Subject,
    digests_send,
    notification_email_choice,
    notification_settings_update,
    notifications_mark_read_about,
    notify,
)

pytestmark = pytest.mark.django_db


def test_each_by_default_then_digest_or_none_as_chosen() -> None:
    user = t.make_user()
    assert notification_email_choice(user) == EmailChoice.EACH
    notify(user=user, title="One", body="Now")
    assert [m.subject for m in mail.outbox] == ["One"]
    assert Notification.objects.get(title="One").emailed_at is not None

    notification_settings_update(user=user, email=EmailChoice.DIGEST)
    notify(user=user, title="Two")
    notify(user=user, title="Three", url="/portfolio/")
    assert len(mail.outbox) == 1  # nothing more until the digest
    assert Notification.objects.filter(user=user, digest_due=True).count() == 2

    notification_settings_update(user=user, email=EmailChoice.NONE)
    notify(user=user, title="Four")
    assert len(mail.outbox) == 1
    # Choosing no emails drops what was waiting for a digest; in the service every one is still there.
    assert not Notification.objects.filter(user=user, digest_due=True).exists()
    assert Notification.objects.filter(user=user).count() == 4


def test_digest_one_email_per_person_per_day_of_unread_only() -> None:
    reader, other, eager = t.make_user(), t.make_user(), t.make_user()
    for user in (reader, other):
        notification_settings_update(user=user, email=EmailChoice.DIGEST)
    for n in range(3):
        notify(user=reader, title=f"Change {n}", url=f"/portfolio/{n}/")
    seen = notify(user=reader, title="Already seen")
    Notification.objects.filter(pk=seen.pk).update(read_at=seen.created_at)
    read_only = notify(user=other, title="Read in the service")
    Notification.objects.filter(pk=read_only.pk).update(read_at=read_only.created_at)
    notify(user=eager, title="At once")
    mail.outbox.clear()

    day = dt.date(2026, 12, 6)
    report = digests_send(on=day)
    assert (report.emails, report.notifications, report.failed) == (1, 3, 0)
    [digest] = mail.outbox
    assert digest.to == [reader.email] and digest.subject == "Cultivate: 3 new notifications"
    assert "Change 0" in digest.body and "/portfolio/2/" in digest.body and "Already seen" not in digest.body
    assert not Notification.objects.filter(digest_due=True).exists()

    # A second run the same day sends nobody a second email; the next day's carries what came since.
    notify(user=reader, title="Later the same day")
    assert digests_send(on=day).emails == 0
    assert digests_send(on=day + dt.timedelta(days=1)).emails == 1
    assert "Later the same day" in mail.outbox[-1].body


def test_marked_read_when_its_subject_is_acted_on() -> None:
    first, second = t.make_user(), t.make_user()
    request, other = Subject("portfolio.signoffrequest", "1"), Subject("portfolio.signoffrequest", "2")
    notify(user=first, title="Asked", subject=request, email=False)
    notify(user=second, title="Asked too", subject=request, email=False)
    notify(user=first, title="Another", subject=other, email=False)
    notify(user=first, title="Unrelated", email=False)
    assert notifications_mark_read_about(subjects=[request], user=first) == 1
    assert notifications_mark_read_about(subjects=[request]) == 1
    assert notifications_mark_read_about(subjects=[]) == 0
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True))
    assert unread == {"Another", "Unrelated"}


def test_subject_of_a_record() -> None:
    user = t.make_user()
    assert Subject.of(user) == Subject("accounts.user", str(user.pk))
