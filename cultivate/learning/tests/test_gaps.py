import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cultivate.learning import gaps
from cultivate.learning.gaps import Finding
from cultivate.learning.models import Completion
from cultivate.learning.testing import make_completion, make_offer, make_session, make_subject
from cultivate.organisations import testing as t
from cultivate.organisations.models import TeamSetting
from cultivate.portfolio.tests.portfolio_factories import (
    give_role,
    make_assessment,
    make_competence,
    make_framework,
    make_role,
    require,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    org = t.make_organisation(alliance=t.make_alliance())
    ward = t.make_team(org, setting=TeamSetting.INPATIENT)
    framework = make_framework(owner_organisation=org)
    hca = make_role("Healthcare assistant")
    awareness = make_competence(framework, "Mental health awareness")
    obs = make_competence(framework, "Physical observations")
    dup = make_competence(framework, "Infection control")
    thin = make_competence(framework, "Record keeping")
    for competence in (awareness, obs, dup, thin):
        require(org, hca, competence, "supervised", within_days=84)
    people = [t.make_person(org, ward) for _ in range(3)]
    for person in people:
        give_role(person, hca, start=timezone.localdate() - dt.timedelta(days=30))
    return {"org": org, "ward": ward, "hca": hca, "people": people, "c": (awareness, obs, dup, thin)}


def test_organisation_gaps_finds_gap_thin_and_duplication(scene):
    org = scene["org"]
    awareness, obs, dup, thin = scene["c"]
    covered = make_offer(org, develops=[obs])
    make_session(covered, starts_in_days=20)
    make_completion(scene["people"][0], offer=covered, on=timezone.localdate() - dt.timedelta(days=10))
    for _ in range(2):
        make_session(make_offer(org, develops=[dup]), starts_in_days=30)
    make_offer(org, develops=[thin])  # capacity but no session: thin
    # Shared by the alliance: counts as an offer open to the organisation.
    found = {line.competence.pk: line for line in gaps.organisation_gaps(org)}
    assert found[awareness.pk].finding == Finding.GAP
    assert found[thin.pk].finding == Finding.THIN
    assert found[dup.pk].finding == Finding.DUPLICATION
    assert found[obs.pk].finding == Finding.COVERED
    assert found[awareness.pk].people == 3
    assert next(iter(found)) == awareness.pk  # gaps first


def test_organisation_gaps_counts_another_version_and_the_alliance(scene):
    org = scene["org"]
    awareness = scene["c"][0]
    make_offer(alliance=org.alliance, develops=[awareness], capacity=None)
    line = next(line for line in gaps.organisation_gaps(org) if line.competence.pk == awareness.pk)
    assert line.finding == Finding.COVERED and line.available == 1


def test_organisation_gaps_query_count_does_not_grow(scene):
    org, ward, hca = scene["org"], scene["ward"], scene["hca"]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            gaps.organisation_gaps(org)
        return len(captured)

    before = queries()
    for _ in range(15):
        give_role(t.make_person(org, ward), hca)
    assert queries() == before


def test_person_gaps_ranked_with_offers_and_sessions(scene):
    org = scene["org"]
    person = scene["people"][0]
    awareness, obs, _dup, _thin = scene["c"]
    make_assessment(person, obs, level="independent")
    fire = make_subject(org, "Fire safety", renewal_months=12)
    make_completion(person, subject=fire, on=timezone.localdate() - dt.timedelta(days=400))  # expired
    fire_course = make_offer(org, subject=fire)
    session = make_session(fire_course, starts_in_days=5)
    make_offer(org, develops=[awareness])
    found = gaps.person_gaps(person)
    titles = [g.title for g in found]
    assert titles[0] == "Fire safety"  # overdue first
    assert "Physical observations" not in titles  # held at a higher level than required
    assert set(titles[1:]) == {"Mental health awareness", "Infection control", "Record keeping"}
    assert found[0].next_session == session
    awareness_gap = next(g for g in found if g.title == "Mental health awareness")
    assert awareness_gap.essential and awareness_gap.levels_below >= 1 and awareness_gap.offers


def test_team_gaps_counts_people_lacking(scene):
    org, ward = scene["org"], scene["ward"]
    people = scene["people"]
    fire = make_subject(org, "Fire safety", renewal_months=12)
    make_completion(people[0], subject=fire, on=timezone.localdate())
    make_assessment(people[1], scene["c"][1], level="supervised")
    lines = {line.title: line for line in gaps.team_gaps(ward, people)}
    assert (lines["Fire safety"].lacking, lines["Fire safety"].required) == (2, 3)
    assert lines["Physical observations"].lacking == 2
    assert Completion.objects.count() == 1
