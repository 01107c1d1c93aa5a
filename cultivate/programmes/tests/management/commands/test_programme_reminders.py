from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cultivate.programmes.testing import make_participant, make_session


def test_the_command_reminds_once(world):
    cohort = world["programme"].cohorts.order_by("name").first()
    make_participant(cohort, world["workers"][0][1])
    make_session(world["programme"], start=timezone.now() + dt.timedelta(hours=5))
    out = StringIO()
    call_command("programme_reminders", stdout=out)
    call_command("programme_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["Session reminders sent: 1.", "Session reminders sent: 0."]
    with pytest.raises(CommandError):
        call_command("programme_reminders", "--hours", "0")
