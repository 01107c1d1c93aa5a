"""The digest task the worker runs gives the same counts as the command."""

from __future__ import annotations

import pytest

from cultivate.accounts import testing as t
from cultivate.core.models import EmailChoice
from cultivate.core.notify import notification_settings_update, notify
from cultivate.core.tasks import send_notification_digests

pytestmark = pytest.mark.django_db


def test_task_sends_the_digests() -> None:
    user = t.make_user()
    notification_settings_update(user=user, email=EmailChoice.DIGEST)
    notify(user=user, title="One")
    notify(user=user, title="Two")
    assert send_notification_digests.call("2026-12-06") == {"emails": 1, "notifications": 2, "failed": 0}
