from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cultivate.programmes import selectors
from cultivate.programmes.models import Attendance, AttendanceMethod, Participant
from cultivate.programmes.testing import make_participant, make_session


def test_the_follow_up_list_chases_absences_without_word_never_apologies(world):
    """Two absences in a row without word are listed; an apology is not counted as missed and ends a run, as
    the person was in touch; attendance for completion still counts it as an absence."""
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    silent, apologetic, mixed, present = (make_participant(cohort, p) for _u, p in world["workers"][:4])
    start = timezone.now() - dt.timedelta(days=4)
    sessions = [make_session(programme, start=start + dt.timedelta(days=n), hours=1) for n in range(3)]
    marks: dict[Participant, list[str | None]] = {
        silent: ["absent", None, "present"],  # absent, then not marked: two in a row without word
        apologetic: ["excused", "excused", "excused"],
        mixed: ["absent", "excused", "absent"],  # never two in a row without word
        present: ["present", "present", "absent"],
    }
    for place, statuses in marks.items():
        for session, status in zip(sessions, statuses, strict=True):
            if status:
                Attendance.objects.create(
                    session=session, participant=place, status=status, method=AttendanceMethod.REGISTER
                )
    follow_up = selectors.missed_two_in_a_row(cohort)
    assert [(p.pk, [s.pk for s in missed]) for p, missed in follow_up] == [
        (silent.pk, [sessions[0].pk, sessions[1].pk])
    ]
    figures = {f.label: f for f in selectors.attendance_kpis(programme)["cohorts"]}[cohort.name]
    assert (figures.present, figures.expected) == (3, 12)  # apologies are absences for completion
