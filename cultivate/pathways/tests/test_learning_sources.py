"""Readiness reads mandatory training compliance and learning offers from the learning app."""

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.learning import testing as learning
from cultivate.learning.models import OfferKind
from cultivate.pathways import readiness
from cultivate.pathways import testing as pt
from cultivate.pathways.models import SkillsLevel, SkillsSubject

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    pt.load_reference()
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    person = t.make_person(org)
    t.make_spell(person, team=t.make_team(org), band="3", start=dt.date(2024, 1, 1))
    return person


def _tna(person):
    step = pt.step("trainee-nursing-associate")
    found = readiness.readiness(
        [person.pk], [step], on=timezone.localdate(), organisation_id=person.organisation_id
    )
    return found[(person.pk, step.pk)]


def _result(person, kind, words=""):
    return next(r for r in _tna(person).results if r.requirement.kind == kind and words in r.summary)


def test_mandatory_training_is_met_when_every_required_subject_is_up_to_date(worker):
    subject = learning.make_subject(worker.organisation, "Fire safety")
    offer = learning.make_offer(worker.organisation, subject=subject, title="Fire safety refresher")
    learning.make_session(offer, starts_in_days=10)
    missing = _result(worker, "mandatory_training")
    assert missing.state == readiness.Met.NOT_MET
    assert "Fire safety: not done" in missing.to_meet
    assert missing.offers and missing.offers[0].startswith("Fire safety refresher (next session ")
    learning.make_completion(worker, subject=subject, on=timezone.localdate() - dt.timedelta(days=5))
    assert _result(worker, "mandatory_training").is_met


def test_functional_skills_and_bridging_offers_are_named_with_their_next_session(worker):
    pt.make_skills_result(worker, SkillsSubject.MATHS, SkillsLevel.LEVEL_1)
    maths = learning.make_offer(
        worker.organisation, kind=OfferKind.FUNCTIONAL_SKILLS, title="Functional skills maths"
    )
    learning.make_session(maths, starts_in_days=21)
    learning.make_offer(
        worker.organisation, kind=OfferKind.FUNCTIONAL_SKILLS, title="Functional skills English"
    )
    learning.make_offer(worker.organisation, kind=OfferKind.BRIDGING, title="Bridging programme")
    result = _result(worker, "qualification", "maths")
    assert result.state == readiness.Met.NOT_MET
    assert any(o.startswith("Functional skills maths (next session ") for o in result.offers)
    assert "Bridging programme" in result.offers
    assert not any("English" in o for o in result.offers)


def test_a_completed_level_2_functional_skills_course_meets_the_requirement(worker):
    course = learning.make_offer(
        worker.organisation,
        kind=OfferKind.FUNCTIONAL_SKILLS,
        title="Functional skills maths",
        academic_level="Level 2",
    )
    entry = learning.make_offer(
        worker.organisation,
        kind=OfferKind.FUNCTIONAL_SKILLS,
        title="Functional skills maths",
        academic_level="Level 1",
        code="maths-1",
    )
    learning.make_completion(worker, offer=entry, on=timezone.localdate())
    assert not _result(worker, "qualification", "maths").is_met
    learning.make_completion(worker, offer=course, on=timezone.localdate())
    assert _result(worker, "qualification", "maths").is_met
    assert not _result(worker, "qualification", "English").is_met
