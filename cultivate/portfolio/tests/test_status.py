"""Competence status (status.py): every state, supersession, versions, expiry boundaries, requirements, and the
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.organisations.models import ContractType, EmploymentSpell
from cultivate.portfolio import status
from cultivate.portfolio.models import AssessmentKind, RequestStatus, SignOffRequest
from cultivate.portfolio.status import State

from . import portfolio_factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org = t.make_organisation()
    team = t.make_team(org, "Birch Ward")
    person = t.make_person(org, team=team)
    framework = f.make_framework("Support worker framework")
    domain = f.make_domain(framework, "Safe care")
    competence = f.make_competence(framework, "Take a temperature", parent=domain, reassess_months=12)
    return {"org": org, "team": team, "person": person, "framework": framework, "competence": competence}


def state_of(person, competence, on=TODAY):  # type: ignore[no-untyped-def]
    return status.statuses([person.pk], [competence], on=on)[(person.pk, competence.pk)]


def test_not_started(world) -> None:  # type: ignore[no-untyped-def]
    result = state_of(world["person"], world["competence"])
    assert result.state == State.NOT_STARTED
    assert not result.is_held
    assert result.label == "Not started"


def test_in_progress_with_evidence_even_when_linked_to_an_older_version(world) -> None:  # type: ignore[no-untyped-def]
    old_row = world["competence"]
    f.make_evidence(world["person"], old_row)
    f.publish_new_version(world["framework"], {old_row.identifier: {"code": "NEW1"}})
    new_row = f.current_row(old_row)
    assert new_row.pk != old_row.pk
    assert state_of(world["person"], new_row).state == State.IN_PROGRESS
    # Someone else's evidence does not count for this person.
    other = t.make_person(world["org"], team=world["team"])
    assert state_of(other, new_row).state == State.NOT_STARTED


def test_awaiting_and_returned_requests(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    request = SignOffRequest.objects.create(person=person, competence=competence)
    assert state_of(person, competence).state == State.AWAITING
    request.status = RequestStatus.RETURNED
    request.save()
    # Returned with feedback: work in progress, not "not started".
    assert state_of(person, competence).state == State.IN_PROGRESS
    request.status = RequestStatus.CANCELLED
    request.save()
    assert state_of(person, competence).state == State.NOT_STARTED


def test_achieved_with_level_and_assessor(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    assessment = f.make_assessment(
        person,
        competence,
        level="supervised",
        assessed_on=dt.date(2026, 6, 1),
        expires_on=dt.date(2027, 6, 1),
    )
    result = state_of(person, competence)
    assert result.state == State.ACHIEVED and result.is_held
    assert (result.level, result.level_rank) == ("supervised", 2)
    assert result.assessed_on == dt.date(2026, 6, 1)
    assert result.expires_on == dt.date(2027, 6, 1)
    assert result.assessment_id == assessment.pk
    assert result.assessor_name == "A Nurse"
    # On a day before the sign-off it had not happened yet.
    assert state_of(person, competence, on=dt.date(2026, 5, 31)).state == State.NOT_STARTED


def test_achieved_with_an_open_request_for_a_higher_level_stays_achieved(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(person, competence, level="supervised", assessed_on=dt.date(2026, 1, 1))
    SignOffRequest.objects.create(person=person, competence=competence, level_sought="independent")
    assert state_of(person, competence).state == State.ACHIEVED


@pytest.mark.parametrize(
    ("expires_on", "expected"),
    [
        (TODAY + dt.timedelta(days=31), State.ACHIEVED),
        (TODAY + dt.timedelta(days=30), State.EXPIRING),
        (TODAY + dt.timedelta(days=1), State.EXPIRING),
        (TODAY, State.EXPIRING),  # valid up to and including its expiry date
        (TODAY - dt.timedelta(days=1), State.EXPIRED),
    ],
)
def test_expiry_boundaries(world, expires_on, expected) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(person, competence, assessed_on=dt.date(2025, 6, 1), expires_on=expires_on)
    result = state_of(person, competence)
    assert result.state == expected
    assert result.is_held == (expected in {State.ACHIEVED, State.EXPIRING})
    if expected != State.ACHIEVED:
        assert f"{expires_on.day} {expires_on:%B %Y}" in result.reason


def test_expiring_window_is_a_parameter(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(
        person, competence, assessed_on=dt.date(2025, 6, 1), expires_on=TODAY + dt.timedelta(days=50)
    )
    result = status.statuses([person.pk], [competence], on=TODAY, expiring_days=60)
    assert result[(person.pk, competence.pk)].state == State.EXPIRING


def test_expired_with_an_open_request_is_awaiting_and_says_why(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(person, competence, assessed_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 1, 1))
    SignOffRequest.objects.create(person=person, competence=competence)
    result = state_of(person, competence)
    assert result.state == State.AWAITING
    assert "Expired on 1 January 2026" in result.reason


def test_correction_supersedes(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    original = f.make_assessment(person, competence, level="independent", assessed_on=dt.date(2026, 3, 1))
    correction = f.make_assessment(
        person,
        competence,
        level="supervised",
        assessed_on=dt.date(2026, 2, 20),
        kind=AssessmentKind.CORRECTION,
        supersedes=original,
        reason="Level recorded wrongly.",
    )
    result = state_of(person, competence)
    assert (result.level, result.assessment_id) == ("supervised", correction.pk)
    # A correction of a correction: the last one stands.
    again = f.make_assessment(
        person,
        competence,
        level="observed",
        assessed_on=dt.date(2026, 2, 20),
        kind=AssessmentKind.CORRECTION,
        supersedes=correction,
        reason="Only observed.",
    )
    assert state_of(person, competence).assessment_id == again.pk


def test_correction_to_a_later_date_hides_the_original_before_it(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    original = f.make_assessment(person, competence, assessed_on=dt.date(2026, 3, 1))
    f.make_assessment(
        person,
        competence,
        assessed_on=dt.date(2026, 4, 1),
        kind=AssessmentKind.CORRECTION,
        supersedes=original,
        reason="The date was wrong.",
    )
    # The original was wrong from the start: on 15 March nothing had been signed off.
    assert state_of(person, competence, on=dt.date(2026, 3, 15)).state == State.NOT_STARTED
    assert state_of(person, competence, on=dt.date(2026, 4, 1)).state == State.ACHIEVED


def test_withdrawal(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    signed = f.make_assessment(person, competence, assessed_on=dt.date(2026, 3, 1))
    f.make_assessment(
        person,
        competence,
        assessed_on=dt.date(2026, 5, 1),
        kind=AssessmentKind.WITHDRAWAL,
        supersedes=signed,
        reason="Concerns about practice.",
    )
    assert state_of(person, competence).state == State.NOT_STARTED
    # A withdrawal takes effect from its date: in April the sign-off stood.
    assert state_of(person, competence, on=dt.date(2026, 4, 1)).state == State.ACHIEVED
    # With evidence linked, it is back to in progress.
    f.make_evidence(person, competence)
    assert state_of(person, competence).state == State.IN_PROGRESS


def test_withdrawing_an_old_sign_off_leaves_the_newer_one(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    old = f.make_assessment(person, competence, level="supervised", assessed_on=dt.date(2026, 1, 1))
    newer = f.make_assessment(person, competence, level="independent", assessed_on=dt.date(2026, 3, 1))
    f.make_assessment(
        person,
        competence,
        assessed_on=dt.date(2026, 5, 1),
        kind=AssessmentKind.WITHDRAWAL,
        supersedes=old,
        reason="Signed off by mistake.",
    )
    result = state_of(person, competence)
    assert (result.state, result.assessment_id) == (State.ACHIEVED, newer.pk)


def test_withdrawing_the_newest_sign_off_leaves_the_earlier_one(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    earlier = f.make_assessment(person, competence, level="supervised", assessed_on=dt.date(2026, 1, 1))
    newest = f.make_assessment(person, competence, level="independent", assessed_on=dt.date(2026, 3, 1))
    f.make_assessment(
        person,
        competence,
        assessed_on=dt.date(2026, 5, 1),
        kind=AssessmentKind.WITHDRAWAL,
        supersedes=newest,
        reason="Independent was too soon.",
    )
    result = state_of(person, competence)
    assert (result.level, result.assessment_id) == ("supervised", earlier.pk)


def test_latest_sign_off_counts_even_at_a_lower_level(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(person, competence, level="independent", assessed_on=dt.date(2026, 1, 1))
    latest = f.make_assessment(person, competence, level="supervised", assessed_on=dt.date(2026, 3, 1))
    assert state_of(person, competence).assessment_id == latest.pk


def test_sign_off_carries_over_when_content_is_unchanged(world) -> None:  # type: ignore[no-untyped-def]
    person, old_row = world["person"], world["competence"]
    f.make_assessment(person, old_row, assessed_on=dt.date(2026, 1, 1))
    # Code and order change; the assessable content does not.
    f.publish_new_version(world["framework"], {old_row.identifier: {"code": "X9", "sequence": 99}})
    new_row = f.current_row(old_row)
    assert new_row.content_hash == old_row.content_hash
    assert state_of(person, new_row).state == State.ACHIEVED
    # Asking about the old row reads it against the published one, with the same answer.
    assert state_of(person, old_row).state == State.ACHIEVED


def test_reassessment_after_content_change(world) -> None:  # type: ignore[no-untyped-def]
    person, old_row = world["person"], world["competence"]
    first = f.make_assessment(person, old_row, level="supervised", assessed_on=dt.date(2026, 1, 1))
    f.publish_new_version(
        world["framework"], {old_row.identifier: {"description": "Now also record it in the notes."}}
    )
    new_row = f.current_row(old_row)
    for row in (new_row, old_row):
        result = state_of(person, row)
        assert result.state == State.REASSESS, row
        assert not result.is_held
        assert "version 2" in result.reason
        assert (result.level, result.assessment_id) == ("supervised", first.pk)
    # An open request for reassessment shows as awaiting, with the reason kept.
    request = SignOffRequest.objects.create(person=person, competence=new_row)
    assert state_of(person, new_row).state == State.AWAITING
    assert "needs reassessing" in state_of(person, new_row).reason
    request.status = RequestStatus.SIGNED_OFF
    request.save()
    # Signed off again against the new wording: achieved.
    f.make_assessment(person, new_row, level="independent", assessed_on=dt.date(2026, 5, 1))
    assert state_of(person, new_row).state == State.ACHIEVED
    assert state_of(person, old_row).level == "independent"


def test_a_competence_without_a_published_row_is_read_as_passed(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.make_assessment(person, competence, assessed_on=dt.date(2026, 1, 1))
    version = f.published_version(world["framework"])
    version.status = "retired"
    version.save()
    assert state_of(person, competence).state == State.ACHIEVED


def test_other_frameworks_and_people_do_not_leak(world) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    other_framework = f.make_framework()
    # Same identifier in a different framework (a fork): its sign-off is not this one's.
    twin = f.make_competence(other_framework, competence.title, identifier=competence.identifier)
    f.make_assessment(person, twin, assessed_on=dt.date(2026, 1, 1))
    other_person = t.make_person(world["org"], team=world["team"])
    f.make_assessment(other_person, competence, assessed_on=dt.date(2026, 1, 1))
    assert state_of(person, competence).state == State.NOT_STARTED
    assert state_of(person, twin).state == State.ACHIEVED


def test_many_people_and_competences_in_four_queries(world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    org, team = world["org"], world["team"]
    frameworks = [world["framework"], f.make_framework()]
    competences = [f.make_competence(fw, reassess_months=12) for fw in frameworks for _ in range(6)]
    people = [t.make_person(org, team=team) for _ in range(12)]
    for i, person in enumerate(people):
        for j, competence in enumerate(competences):
            kind = (i + j) % 5
            if kind == 1:
                f.make_evidence(person, competence)
            elif kind == 2:
                SignOffRequest.objects.create(person=person, competence=competence)
            elif kind == 3:
                f.make_assessment(
                    person, competence, assessed_on=dt.date(2026, 1, 1), expires_on=dt.date(2027, 1, 1)
                )
            elif kind == 4:
                f.make_assessment(
                    person, competence, assessed_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 1, 1)
                )
    f.publish_new_version(frameworks[1], {competences[6].identifier: {"title": "Reworded"}})
    ids = [p.pk for p in people]
    with django_assert_num_queries(4):
        result = status.statuses(ids, competences, on=TODAY)
    assert len(result) == len(people) * len(competences)
    expected = {
        0: State.NOT_STARTED,
        1: State.IN_PROGRESS,
        2: State.AWAITING,
        3: State.ACHIEVED,
        4: State.EXPIRED,
    }
    for i, person in enumerate(people):
        for j, competence in enumerate(competences):
            want = expected[(i + j) % 5]
            if j == 6 and want in {State.ACHIEVED, State.EXPIRED}:
                want = State.REASSESS
            assert result[(person.pk, competence.pk)].state == want, (i, j)
    # Four queries for twice as many people too.
    more = ids + [t.make_person(org, team=team).pk for _ in range(12)]
    with django_assert_num_queries(4):
        status.statuses(more, competences, on=TODAY)


def test_empty_inputs_cost_nothing(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert status.statuses([], [], on=TODAY) == {}


# --- Requirements -------------------------------------------------------------------------------------


@pytest.fixture
def roles(world):  # type: ignore[no-untyped-def]
    hca = f.make_role("Healthcare assistant")
    f.give_role(world["person"], hca, start=dt.date(2026, 3, 1))
    return {"hca": hca}


def test_requirements_for_role_with_due_date(world, roles) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.require(world["org"], roles["hca"], competence, "supervised", within_days=84)
    result = status.requirements_for([person.pk], on=TODAY)[person.pk]
    assert len(result) == 1
    requirement = result[0]
    assert requirement.competence == competence
    assert (requirement.min_level, requirement.min_rank) == ("supervised", 2)
    assert requirement.due_on == dt.date(2026, 3, 1) + dt.timedelta(days=84)


def test_a_new_requirement_gives_people_already_in_post_a_grace_period(world, roles) -> None:  # type: ignore[no-untyped-def]
    # In post since 1 March 2026; the requirement began on 1 May 2026 with 90 days' grace: due 30 July 2026,
    # not 84 days after they started.
    person, competence = world["person"], world["competence"]
    requirement = f.require(world["org"], roles["hca"], competence, "supervised", within_days=84)
    requirement.starts_on, requirement.grace_days = dt.date(2026, 5, 1), 90
    requirement.save()
    (found,) = status.requirements_for([person.pk], on=TODAY)[person.pk]
    assert (found.due_on, found.grace) == (dt.date(2026, 5, 1) + dt.timedelta(days=90), True)
    # Someone who started after it began counts from their own start.
    assert status.due_date(requirement, dt.date(2026, 6, 1)) == (
        dt.date(2026, 6, 1) + dt.timedelta(days=84),
        False,
    )
    # Without a grace period the old rule stands; without a start date, the day it was added is the start.
    requirement.grace_days = None
    assert status.due_date(requirement, dt.date(2026, 3, 1)) == (
        dt.date(2026, 3, 1) + dt.timedelta(days=84),
        False,
    )
    requirement.starts_on, requirement.grace_days = None, 30
    added = timezone.localdate(requirement.created_at)
    assert status.due_date(requirement, dt.date(2015, 1, 1)) == (added + dt.timedelta(days=30), True)


def test_requirements_follow_the_published_version(world, roles) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    requirement = f.require(world["org"], roles["hca"], competence)
    f.publish_new_version(world["framework"])
    # Even a requirement still pointing at the old row is read against the published one.
    requirement.competence = competence
    requirement.save()
    result = status.requirements_for([person.pk], on=TODAY)[person.pk]
    assert [r.competence.pk for r in result] == [f.current_row(competence).pk]


def test_requirements_band_filter_and_other_organisations(world, roles) -> None:  # type: ignore[no-untyped-def]
    person = world["person"]  # band 3
    band3 = f.make_competence(world["framework"], "Band 3 only")
    band4 = f.make_competence(world["framework"], "Band 4 only")
    f.require(world["org"], roles["hca"], band3, band="3")
    f.require(world["org"], roles["hca"], band4, band="4")
    # The same role in another organisation requires something else.
    f.require(t.make_organisation(), roles["hca"], world["competence"])
    result = status.requirements_for([person.pk], on=TODAY)[person.pk]
    assert [r.competence.pk for r in result] == [band3.pk]


def test_two_roles_give_the_union_and_the_higher_level(world, roles) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    second_role = f.make_role("Phlebotomist")
    spell = t.make_spell(person, team=world["team"], start=dt.date(2026, 5, 1))
    spell.role = second_role
    spell.save()
    extra = f.make_competence(world["framework"], "Take blood")
    f.require(world["org"], roles["hca"], competence, "supervised", within_days=30)
    f.require(world["org"], second_role, competence, "independent", within_days=60)
    f.require(world["org"], second_role, extra, "observed")
    result = {r.competence.pk: r for r in status.requirements_for([person.pk], on=TODAY)[person.pk]}
    assert set(result) == {competence.pk, extra.pk}
    assert result[competence.pk].min_level == "independent"
    assert result[competence.pk].due_on == dt.date(2026, 5, 1) + dt.timedelta(days=60)


def test_same_level_twice_takes_the_earlier_due_date(world, roles) -> None:  # type: ignore[no-untyped-def]
    person, competence = world["person"], world["competence"]
    f.require(world["org"], roles["hca"], competence, "supervised", within_days=90)
    f.require(world["org"], roles["hca"], competence, "supervised", within_days=30, band="3")
    (requirement,) = status.requirements_for([person.pk], on=TODAY)[person.pk]
    assert requirement.due_on == dt.date(2026, 3, 1) + dt.timedelta(days=30)


def test_requirements_of_leavers_and_bank_staff(world, roles) -> None:  # type: ignore[no-untyped-def]
    f.require(world["org"], roles["hca"], world["competence"])
    leaver = t.make_person(world["org"])
    t.make_spell(leaver, team=world["team"], end=dt.date(2026, 1, 1), leaving_reason="Retirement Age")
    f.give_role(leaver, roles["hca"])
    bank_only = t.make_person(world["org"])
    EmploymentSpell.objects.filter(pk=t.make_spell(bank_only, team=world["team"]).pk).update(
        contract_type=ContractType.BANK, role=roles["hca"]
    )
    # A substantive post in another role, plus a bank post as an HCA: the substantive post's requirements.
    porter = f.make_role("Porter")
    dual = t.make_person(world["org"])
    EmploymentSpell.objects.filter(pk=t.make_spell(dual, team=world["team"]).pk).update(role=porter)
    EmploymentSpell.objects.filter(pk=t.make_spell(dual, team=world["team"]).pk).update(
        contract_type=ContractType.BANK, role=roles["hca"]
    )
    no_role = t.make_person(world["org"], team=world["team"])
    result = status.requirements_for([leaver.pk, bank_only.pk, dual.pk, no_role.pk], on=TODAY)
    assert result[leaver.pk] == []
    assert [r.competence.pk for r in result[bank_only.pk]] == [world["competence"].pk]
    assert result[dual.pk] == []
    assert result[no_role.pk] == []


def test_requirements_without_a_published_version_are_left_out(world, roles) -> None:  # type: ignore[no-untyped-def]
    f.require(world["org"], roles["hca"], world["competence"])
    version = f.published_version(world["framework"])
    version.status = "retired"
    version.save()
    assert status.requirements_for([world["person"].pk], on=TODAY)[world["person"].pk] == []


def test_requirements_in_four_queries(world, roles, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    org, team = world["org"], world["team"]
    competences = [f.make_competence(world["framework"]) for _ in range(8)]
    for competence in competences:
        f.require(org, roles["hca"], competence, within_days=84)
    people = [t.make_person(org, team=team) for _ in range(15)]
    for person in people:
        f.give_role(person, roles["hca"])
    with django_assert_num_queries(4):
        result = status.requirements_for([p.pk for p in people], on=TODAY)
    assert all(len(result[p.pk]) == 8 for p in people)
