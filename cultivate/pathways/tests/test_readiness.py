import datetime as dt

import pytest

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.pathways import readiness
from cultivate.pathways import testing as pt
from cultivate.pathways.models import QualificationKind, SkillsLevel, SkillsSubject, Step
from cultivate.portfolio.tests.portfolio_factories import make_assessment, make_competence, make_framework

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def worker():
    pt.load_reference()
    organisation = t.make_organisation("RAA", alliance=t.make_alliance())
    team = t.make_team(organisation)
    person = t.make_person(organisation)
    t.make_spell(person, team=team, band="3", start=dt.date(2026, 3, 1))
    return person


@pytest.fixture
def no_training_record():
    """Readiness as it is without a training source (the learning app answers it when installed)."""
    before = readiness._training_source[0]
    readiness.set_training_source(readiness._no_training_record)
    yield
    readiness.set_training_source(before)


def _tna(person):
    step = pt.step("trainee-nursing-associate")
    return readiness.readiness([person.pk], [step], on=TODAY)[(person.pk, step.pk)]


def test_a_new_worker_is_short_of_most_requirements_with_what_would_meet_each(worker, no_training_record):
    result = _tna(worker)
    states = {r.summary: r for r in result.results}
    english = states["Functional skills English level 2 or GCSE English grade 4 (C) or above"]
    assert english.state == readiness.Met.NOT_MET
    assert "initial assessment" in english.to_meet
    experience = states["12 months' experience"]
    assert experience.state == readiness.Met.NOT_MET
    assert experience.to_meet == "3 more months to serve."
    assert experience.earliest == dt.date(2027, 3, 6)
    # No training record yet: shown, not counted against readiness.
    assert states["Mandatory training up to date"].state == readiness.Met.UNKNOWN
    assert result.short_count == 5
    assert not result.ready and not result.nearly
    assert result.earliest is None  # the English and maths levels are not known yet


def test_an_assessment_result_gives_the_levels_to_go_and_a_date(worker):
    pt.make_skills_result(worker, SkillsSubject.MATHS, SkillsLevel.ENTRY_3)
    maths = next(r for r in _tna(worker).results if "maths" in r.summary)
    assert (
        maths.to_meet
        == "Your assessment puts you at entry level 3 in maths: 2 levels to go to reach level 2."
    )
    assert maths.earliest == dt.date(2027, 8, 6)


def test_confirmed_qualifications_and_support_make_a_worker_ready(worker):
    manager = t.make_user(Role.LINE_MANAGER, organisation=worker.organisation)
    for kind in (
        QualificationKind.GCSE_ENGLISH,
        QualificationKind.FS_MATHS_L2,
        QualificationKind.CARE_CERTIFICATE,
    ):
        pt.make_qualification(worker, kind)
    pt.make_support(worker, pt.step("trainee-nursing-associate"), manager)
    result = _tna(worker)
    assert result.short_count == 1  # the experience still to serve
    assert result.nearly
    t.make_spell(worker, band="2", start=dt.date(2025, 1, 1), end=dt.date(2026, 2, 28))
    assert _tna(worker).ready


def test_a_qualification_waiting_for_confirmation_does_not_count(worker):
    pt.make_qualification(worker, QualificationKind.CARE_CERTIFICATE, confirmed=False)
    care = next(r for r in _tna(worker).results if r.summary == "Care Certificate")
    assert care.state == readiness.Met.NOT_MET
    assert "confirm" in care.to_meet


def test_a_band_requirement_reads_the_post_held_today(worker):
    nurse = pt.step("registered-nurse")
    result = readiness.readiness([worker.pk], [nurse], on=TODAY)[(worker.pk, nurse.pk)]
    band = next(r for r in result.results if r.requirement.kind == "band")
    assert band.state == readiness.Met.NOT_MET and band.earliest is None


def test_competence_requirements_read_portfolio_status(worker):
    from cultivate.pathways.models import StepRequirement

    framework = make_framework("Local", owner_organisation=worker.organisation)
    competence = make_competence(framework, "Takes observations")
    step = pt.step("senior-hcsw")
    StepRequirement.objects.create(
        step=step,
        kind="competence",
        framework=framework,
        competence_identifier=competence.identifier,
        evidenced_by="A sign-off in your portfolio",
    )
    before = readiness.readiness([worker.pk], [step], on=TODAY)[(worker.pk, step.pk)]
    assert (
        next(r for r in before.results if r.requirement.kind == "competence").state == readiness.Met.NOT_MET
    )
    make_assessment(worker, competence, assessed_on=TODAY - dt.timedelta(days=1))
    after = readiness.readiness([worker.pk], [step], on=TODAY)[(worker.pk, step.pk)]
    assert next(r for r in after.results if r.requirement.kind == "competence").is_met


def test_the_training_source_answers_mandatory_training(worker):
    def source(person_ids, topics, on):
        return {
            (pid, ""): readiness.Training(readiness.Met.NOT_MET, "Fire safety has lapsed.")
            for pid in person_ids
        }

    before = readiness._training_source[0]
    readiness.set_training_source(source)
    try:
        training = next(r for r in _tna(worker).results if r.requirement.kind == "mandatory_training")
    finally:
        readiness.set_training_source(before)
    assert training.state == readiness.Met.NOT_MET and training.to_meet == "Fire safety has lapsed."


def test_many_people_cost_the_same_queries_as_one(worker, django_assert_max_num_queries):
    others = [t.make_person(worker.organisation, team=t.make_team(worker.organisation)) for _ in range(5)]
    steps = list(Step.objects.all())
    with django_assert_max_num_queries(8):
        result = readiness.readiness([worker.pk] + [p.pk for p in others], steps, on=TODAY)
    assert len(result) == 6 * len(steps)
