"""The outcomes report's assembly: groups by programme, cohort and organisation, suppression, the tables."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cultivate.programmes import outcomes
from cultivate.programmes.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Feedback,
    SelfAssessment,
    SelfAssessmentAnswer,
    Stage,
)
from cultivate.programmes.testing import make_participant, make_session, make_worker


def fill(world, count=8, cohort_index=0):
    """`count` participants of the first cohort across the three trusts, with a session, attendance, both
    self-assessments (everyone one point better on the first dimension) and feedback."""
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name")[cohort_index]
    session = make_session(programme, start=timezone.now() - dt.timedelta(days=2))
    dimensions = list(programme.dimensions.order_by("position"))
    places = []
    for i in range(count):
        _, person = make_worker(world["orgs"][i % 3])
        place = make_participant(cohort, person)
        places.append(place)
        Attendance.objects.create(
            session=session,
            participant=place,
            status=AttendanceStatus.PRESENT if i % 4 else AttendanceStatus.ABSENT,
            method=AttendanceMethod.REGISTER,
        )
        for stage, score in ((Stage.BEFORE, 2 + i % 2), (Stage.AFTER, 3 + i % 2)):
            assessment = SelfAssessment.objects.create(participant=place, stage=stage)
            SelfAssessmentAnswer.objects.create(
                self_assessment=assessment, dimension=dimensions[0], score=score
            )
        Feedback.objects.create(participant=place, overall=5 if i else 3, would_recommend=i != 1)
    return cohort, places


def test_the_whole_programme_and_its_groups(world, tmp_path):
    fill(world)
    report = outcomes.programme_outcomes(None, world["programme"], store=tmp_path)
    whole = report.whole
    assert whole.people == 8 and whole.held == 8 and whole.attended == 6
    assert whole.attendance == 0.75
    assert whole.rating.share == 7 / 8 and whole.recommend.share == 7 / 8
    first = whole.changes[0]
    assert first.people == 8 and first.improved == 8 and first.estimate == 1.0 and first.significant
    assert whole.changes[1].people == 0  # nobody answered the second dimension
    assert [g.label for g in report.cohorts] == ["Cohort 1", "Cohort 2"]
    assert report.cohorts[1].people == 0
    # 8 people over three trusts: 3, 3 and 2; the trust with 2 is suppressed in every table
    sizes = sorted(g.people for g in report.organisations)
    assert sizes == [2, 3, 3]
    rows = outcomes.summary_rows(report.organisations)
    assert all(row[1] == outcomes.SUPPRESSED and row[4] == outcomes.SUPPRESSED for row in rows)
    assert report.retention == [] and "analytics store" in report.retention_note


def test_one_cohort_and_the_sections(world, tmp_path):
    cohort, _ = fill(world)
    report = outcomes.programme_outcomes(None, world["programme"], cohort=cohort, store=tmp_path)
    assert report.whole.label == "Cohort 1" and [g.label for g in report.cohorts] == ["Cohort 1"]
    parts = outcomes.sections(report)
    assert [s.key for s in parts] == ["summary", "organisations", "change", "retention"]
    summary = parts[0]
    assert summary.cells()[0][2]["text"] == "75.0%"
    change = next(s for s in parts if s.key == "change")
    assert change.rows[0][:2] == [world["programme"].dimensions.order_by("position")[0].name, 8]
    assert change.chart is not None and change.chart["data"]["values"]


def test_the_xlsx_holds_every_table(world, tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    fill(world)
    report = outcomes.programme_outcomes(None, world["programme"], store=tmp_path)
    book = load_workbook(BytesIO(outcomes.outcomes_xlsx(report)))
    assert book.sheetnames == [
        "Attendance, completion and feed",
        "By cohort",
        "By organisation",
        "Self-assessment before and afte",
        "Still in post after the program",
        "About",
    ]
    rows = list(book["By cohort"].values)
    assert rows[1][:3] == ("Cohort 1", 8, 0.75)
