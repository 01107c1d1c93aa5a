from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.programmes import completion, services
from cultivate.programmes.models import Attendance, SelfAssessment
from cultivate.programmes.testing import make_participant, make_session


@pytest.fixture
def heard(monkeypatch):
    monkeypatch.setattr(completion, "_listeners", [])
    got: list = []
    completion.register_completion_listener(lambda ctx, cs: got.extend(cs))
    return got


def test_closing_records_who_completed_and_announces_them(world, heard):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    done = make_participant(cohort, world["workers"][0][1])
    short = make_participant(cohort, world["workers"][1][1])
    sessions = [make_session(programme, start=timezone.now() - dt.timedelta(days=d)) for d in (3, 2, 1)]
    for s in sessions:
        Attendance.objects.create(session=s, participant=done, status="present", method="register")
    Attendance.objects.create(session=sessions[0], participant=short, status="present", method="register")
    for p in (done, short):
        SelfAssessment.objects.create(participant=p, stage="before")
        SelfAssessment.objects.create(participant=p, stage="after")
    outcomes = services.cohort_close(ctx=world["lead_ctx"], cohort=cohort)
    done.refresh_from_db()
    short.refresh_from_db()
    assert done.completed and not short.completed
    assert "1 of 3" in short.completion_note
    assert [c.participant_id for c in heard] == [done.pk]
    assert heard[0].issuer_alliance_id == world["alliance"].pk and heard[0].hours == 6.0
    assert len(outcomes) == 2
    with pytest.raises(ValidationError, match="already closed"):
        services.cohort_close(ctx=world["lead_ctx"], cohort=cohort)


def test_a_failing_listener_leaves_the_cohort_open(world, monkeypatch):
    monkeypatch.setattr(completion, "_listeners", [])

    def broken(ctx, cs):
        raise RuntimeError("cannot issue")

    completion.register_completion_listener(broken)
    cohort = world["programme"].cohorts.order_by("name").first()
    p = make_participant(cohort, world["workers"][0][1])
    world["programme"].require_self_assessments = False
    world["programme"].min_attendance_pct = 0
    world["programme"].save()
    with pytest.raises(RuntimeError):
        services.cohort_close(ctx=world["lead_ctx"], cohort=cohort)
    cohort.refresh_from_db()
    p.refresh_from_db()
    assert cohort.status != "closed" and p.completed is None
