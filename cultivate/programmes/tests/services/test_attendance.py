from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.core.audit import AuditContext
from cultivate.core.models import Notification
from cultivate.programmes import services
from cultivate.programmes.models import Attendance, SessionReminder
from cultivate.programmes.testing import make_participant, make_session
from cultivate.programmes.tests.conftest import ctx_for


@pytest.fixture
def placed(world):
    cohort = world["programme"].cohorts.order_by("name").first()
    return cohort, [(u, make_participant(cohort, p)) for u, p in world["workers"][:3]]


def test_the_lead_takes_a_register(world, placed):
    cohort, people = placed
    session = make_session(world["programme"])
    marks = {people[0][1].pk: "present", people[1][1].pk: "absent", people[2][1].pk: "excused"}
    assert services.register_take(ctx=world["lead_ctx"], session=session, cohort=cohort, marks=marks) == 3
    assert Attendance.objects.filter(session=session, status="present").count() == 1


def test_a_register_naming_a_stranger_is_refused(world, placed):
    cohort, _ = placed
    session = make_session(world["programme"])
    with pytest.raises(ValidationError):
        services.register_take(
            ctx=world["lead_ctx"], session=session, cohort=cohort, marks={999999: "present"}
        )


def test_check_in_with_the_code_during_the_session_only(world, placed):
    _, people = placed
    user, participant = people[0]
    session = make_session(world["programme"])
    with pytest.raises(ValidationError, match="not right"):
        services.check_in(ctx=ctx_for(user), session=session, participant=participant, code="ZZZZZZ")
    services.check_in(
        ctx=ctx_for(user), session=session, participant=participant, code=session.checkin_code.lower()
    )
    assert Attendance.objects.get(session=session, participant=participant).method == "check_in"
    late = session.ends_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="expired"):
        services.check_in(
            ctx=ctx_for(user), session=session, participant=participant, code=session.checkin_code, now=late
        )


def test_reminders_go_once_before_each_session(world, placed):
    _, people = placed
    make_session(world["programme"], start=timezone.now() + dt.timedelta(hours=3))
    ctx = AuditContext.system("session reminders")
    assert services.session_reminders_send(ctx=ctx) == 3
    assert services.session_reminders_send(ctx=ctx) == 0
    assert SessionReminder.objects.count() == 3
    assert Notification.objects.filter(user=people[0][0], title__startswith="Reminder").exists()
