"""The demo's development programme, calibrated to seed 000: generated once for this module by the `demo`
command inside a transaction that is rolled back afterwards."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.accounts.models import User
from cultivate.demo.programmes import TITLE
from cultivate.programmes.models import (
    Application,
    Cohort,
    Feedback,
    Participant,
    Programme,
    ProgrammeStatus,
    SelfAssessmentAnswer,
)

WORKER = "support.worker@demo.cultivate.nhs.uk"
EDUCATOR = "educator@demo.cultivate.nhs.uk"


@pytest.mark.django_db
def test_three_past_cohorts_mix_the_three_trusts_and_one_intake_is_open(demo: str) -> None:
    past = Programme.objects.get(title=TITLE, status=ProgrammeStatus.FINISHED)
    assert past.alliance is not None and past.weeks == 14 and past.dimensions.count() == 10
    cohorts = list(Cohort.objects.filter(programme=past))
    assert len(cohorts) == 3 and all(c.status == "closed" for c in cohorts)
    assert Participant.objects.filter(cohort__programme=past).count() == 39
    for cohort in cohorts:
        assert cohort.participants.values("person__organisation").distinct().count() == 3
        assert cohort.participants.filter(partner_group__isnull=True).count() == 0
    intake = Programme.objects.get(title=TITLE, status=ProgrammeStatus.OPEN)
    assert intake.copied_from == past and Application.objects.filter(programme=intake).exists()
    assert TITLE in demo


@pytest.mark.django_db
def test_feedback_and_self_assessments_are_calibrated_to_seed_000(demo: str) -> None:
    feedback = list(Feedback.objects.filter(participant__cohort__programme__title=TITLE))
    high = sum(1 for f in feedback if f.overall >= 4) / len(feedback)
    assert 0.86 <= high <= 0.90
    assert sum(f.would_recommend for f in feedback) >= len(feedback) - 1
    answers = SelfAssessmentAnswer.objects.filter(
        self_assessment__participant__cohort__programme__title=TITLE
    )
    means: dict[tuple[str, str], list[int]] = {}
    for stage, name, score in answers.values_list("self_assessment__stage", "dimension__name", "score"):
        means.setdefault((stage, name), []).append(score)
    names = {name for _, name in means}
    improved = [
        n
        for n in names
        if sum(means["after", n]) / len(means["after", n])
        > sum(means["before", n]) / len(means["before", n]) + 0.3
    ]
    assert len(improved) >= 7


@pytest.mark.django_db
def test_the_demo_educator_and_support_worker_see_the_programme(demo: str) -> None:
    intake = Programme.objects.get(title=TITLE, status=ProgrammeStatus.OPEN)
    educator = Client()
    educator.force_login(User.objects.get(email=EDUCATOR))
    assert b"Cohort allocation" in educator.get(f"/programmes/{intake.pk}/").content
    worker = Client()
    worker.force_login(User.objects.get(email=WORKER))
    assert TITLE.encode() in worker.get("/programmes/").content
    assert b"Apply for a place" in worker.get(f"/programmes/{intake.pk}/").content
    assert (
        b"Completed" in worker.get("/programmes/mine/").content
        or b"Your cohort" in worker.get("/programmes/mine/").content
    )
