from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cultivate.programmes.tasks import send_session_reminders
from cultivate.programmes.testing import make_participant, make_session


def test_the_task_sends_the_reminders(world):
    cohort = world["programme"].cohorts.order_by("name").first()
    make_participant(cohort, world["workers"][0][1])
    make_session(world["programme"], start=timezone.now() + dt.timedelta(hours=2))
    assert send_session_reminders.enqueue().return_value == 1
