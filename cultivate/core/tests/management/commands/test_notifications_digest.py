"""`cultivate notifications_digest`: sends the day's digests here, or queues the task."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cultivate.accounts import testing as t
from cultivate.core.models import EmailChoice
from cultivate.core.notify import notification_settings_update, notify

pytestmark = pytest.mark.django_db


def test_sends_and_reports() -> None:
    user = t.make_user()
    notification_settings_update(user=user, email=EmailChoice.DIGEST)
    notify(user=user, title="A change")
    out = io.StringIO()
    call_command("notifications_digest", "--date", "2026-12-06", stdout=out)
    assert out.getvalue().strip() == "Daily summaries: 1 emails listing 1 notifications; 0 failed."
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_bad_date_is_explained() -> None:
    with pytest.raises(CommandError, match="--date must be a date like 2026-06-15"):
        call_command("notifications_digest", "--date", "6/12/2026")
