"""The delegation check: yes, and no for each reason, recorded in the audit log with the evidence it relied on;
the team's grid and what lapses; the savings model; and writing protocols through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import AuditEvent
from cultivate.organisations.models import TeamSetting
from cultivate.portfolio import delegation
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.delegation import ReasonCode
from cultivate.portfolio.models import AssessmentKind, SignOffRequest
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.portfolio.tests.delegation_factories import build_world, make_protocol, put_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])


def loaded(world, *, person=None, protocol=None):
    """The person and protocol as the page and the API load them (with the protocol's requirements)."""
    found_person = delegation.person_for_check((person or world.worker).pk)
    found_protocol = delegation.protocol_by_id((protocol or world.protocol).pk)
    assert found_person is not None and found_protocol is not None
    return found_person, found_protocol


def estimate_for(protocol, on):
    estimate = delegation.savings_estimate(protocol, on=on)
    assert estimate is not None
    return estimate


def check(world, manager, *, person=None, protocol=None, team=None, on=None):
    found_person, found_protocol = loaded(world, person=person, protocol=protocol)
    return delegation.delegation_check(
        membership=manager.memberships.get(),
        person=found_person,
        protocol=found_protocol,
        team=team or world.community,
        on=on or world.today,
    )


def codes(decision) -> list[str]:
    return [reason.code for reason in decision.reasons]


def test_yes_lists_the_evidence_and_conditions_and_is_audited(world, manager) -> None:
    decision = check(world, manager)
    assert decision.allowed and decision.answer == "yes"
    assert decision.reasons == []
    relied = {r.competence.code: r for r in decision.relied_on}
    assert set(relied) == {"CS1", "CS2"}
    assert relied["CS1"].level == "independent"
    assert relied["CS1"].expires_on == world.today + dt.timedelta(days=90)
    assert decision.lapses_on == world.today + dt.timedelta(days=90)
    assert decision.conditions == [
        "The registered nurse has assessed the patient as stable.",
        "Report any reading under 4 or over 15.",
    ]
    event = AuditEvent.objects.get(action=PortfolioAction.DELEGATION_CHECKED)
    assert decision.audit_event == event
    assert event.object_id == str(world.worker.pk)
    assert event.organisation == world.org
    assert event.actor == manager
    detail = event.detail
    assert detail["allowed"] is True
    assert detail["protocol"] == "capillary-blood-glucose"
    assert detail["team_id"] == world.community.pk
    assert detail["date"] == world.today.isoformat()
    assert detail["reasons"] == []
    assert {r["assessment_id"] for r in detail["relied_on"]} == {r.assessment_id for r in decision.relied_on}
    assert {r["competence_id"] for r in detail["relied_on"]} == {world.cbg.pk, world.obs.pk}


def test_no_is_audited_with_its_reasons(world, manager) -> None:
    decision = check(world, manager, team=world.ward)
    assert not decision.allowed
    detail = AuditEvent.objects.get(action=PortfolioAction.DELEGATION_CHECKED).detail
    assert detail["allowed"] is False
    assert [r["code"] for r in detail["reasons"]] == codes(decision)
    assert detail["relied_on"] == []


def test_missing_competence(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior)
    pf.make_assessment(person, world.cbg, level="independent")
    decision = check(world, manager, person=person)
    assert codes(decision) == [ReasonCode.MISSING]
    reason = decision.reasons[0]
    assert reason.competence is not None and reason.competence.id == world.obs.pk
    assert "CS2 Clinical observations: not signed off" in reason.message
    assert "needs Supervised" in reason.message


def test_missing_says_when_evidence_or_a_request_is_under_way(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior)
    pf.make_evidence(person, world.cbg)
    SignOffRequest.objects.create(person=person, competence=world.obs)
    messages = {r.competence.code: r.message for r in check(world, manager, person=person).reasons}
    assert "(evidence started)" in messages["CS1"]
    assert "(awaiting sign-off)" in messages["CS2"]


def test_below_level(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior)
    pf.make_assessment(person, world.cbg, level="supervised")
    pf.make_assessment(person, world.obs, level="independent")
    decision = check(world, manager, person=person)
    assert codes(decision) == [ReasonCode.BELOW_LEVEL]
    assert decision.reasons[0].message == (
        "CS1 Capillary blood glucose monitoring: signed off at Supervised; the protocol needs Independent."
    )
    assert decision.reasons[0].held_level == "supervised"


def test_expired(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior)
    expired_on = world.today - dt.timedelta(days=1)
    pf.make_assessment(
        person, world.cbg, assessed_on=world.today - dt.timedelta(days=400), expires_on=expired_on
    )
    pf.make_assessment(person, world.obs)
    decision = check(world, manager, person=person)
    assert codes(decision) == [ReasonCode.EXPIRED]
    assert decision.reasons[0].date == expired_on
    assert f"expired on {expired_on.day} {expired_on:%B %Y}" in decision.reasons[0].message


def test_the_answer_depends_on_the_day_asked_about(world, manager) -> None:
    later = world.today + dt.timedelta(days=91)
    assert codes(check(world, manager, on=later)) == [ReasonCode.EXPIRED]
    earlier = world.today - dt.timedelta(days=45)  # before the CBG sign-off
    assert codes(check(world, manager, on=earlier)) == [ReasonCode.MISSING]


def test_reassess_when_the_competence_changed(world, manager) -> None:
    pf.publish_new_version(
        world.framework, {world.cbg.identifier: {"title": "CBG monitoring with a new meter"}}
    )
    decision = check(world, manager)
    assert codes(decision) == [ReasonCode.REASSESS]
    assert decision.reasons[0].competence.id == world.cbg.pk


def test_withdrawn_sign_off_counts_as_missing(world, manager) -> None:
    held = world.worker.assessments.get(competence=world.obs)
    pf.make_assessment(
        world.worker, world.obs, kind=AssessmentKind.WITHDRAWAL, supersedes=held, reason="Signed in error."
    )
    assert codes(check(world, manager)) == [ReasonCode.MISSING]


def test_wrong_setting(world, manager) -> None:
    put_in(world.worker, world.ward, world.senior)
    decision = check(world, manager, team=world.ward)
    assert codes(decision) == [ReasonCode.WRONG_SETTING]
    assert (
        decision.reasons[0].message
        == "The setting of Ward 1 is inpatient; the protocol covers community only."
    )


def test_not_in_team(world, manager) -> None:
    decision = check(world, manager, team=world.ward)
    assert ReasonCode.NOT_IN_TEAM in codes(decision)
    assert "No post in Ward 1" in decision.reasons[0].message


def test_a_leaver_has_no_post(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(
        person,
        world.community,
        world.senior,
        end=world.today - dt.timedelta(days=1),
        leaving_reason="Retirement Age",
    )
    decision = check(world, manager, person=person)
    assert decision.reasons[0].code == ReasonCode.NOT_IN_TEAM
    assert decision.reasons[0].message.startswith("No post in the organisation")
    assert ReasonCode.WRONG_ROLE not in codes(decision)


def test_a_bank_post_in_the_team_counts(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior)
    person.spells.update(contract_type="Bank")
    pf.make_assessment(person, world.cbg)
    pf.make_assessment(person, world.obs)
    assert check(world, manager, person=person).allowed


def test_wrong_role(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.hca)
    pf.make_assessment(person, world.cbg)
    pf.make_assessment(person, world.obs)
    decision = check(world, manager, person=person)
    assert codes(decision) == [ReasonCode.WRONG_ROLE]
    assert "Health care assistant" in decision.reasons[0].message
    assert "Senior healthcare support worker" in decision.reasons[0].message


def test_band_too_low(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior, band="2")
    pf.make_assessment(person, world.cbg)
    pf.make_assessment(person, world.obs)
    decision = check(world, manager, person=person)
    assert codes(decision) == [ReasonCode.BAND_TOO_LOW]
    assert decision.reasons[0].message == "Band 2; the protocol needs band 3 or above."


def test_not_on_agenda_for_change_is_below_any_band(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.community, world.senior, band="NA")
    pf.make_assessment(person, world.cbg)
    pf.make_assessment(person, world.obs)
    assert codes(check(world, manager, person=person)) == [ReasonCode.BAND_TOO_LOW]


def test_inactive_protocol(world, manager) -> None:
    world.protocol.is_active = False
    world.protocol.save()
    assert codes(check(world, manager)) == [ReasonCode.INACTIVE_PROTOCOL]


def test_every_reason_is_given_at_once(world, manager) -> None:
    person = t.make_person(world.org)
    put_in(person, world.ward, world.hca, band="2")
    pf.make_assessment(person, world.cbg, level="observed")
    world.protocol.is_active = False
    world.protocol.save()
    decision = check(world, manager, person=person)
    assert codes(decision) == [
        ReasonCode.INACTIVE_PROTOCOL,
        ReasonCode.NOT_IN_TEAM,
        ReasonCode.WRONG_ROLE,
        ReasonCode.BAND_TOO_LOW,
        ReasonCode.BELOW_LEVEL,
        ReasonCode.MISSING,
    ]


def test_no_roles_settings_or_band_means_any(world, manager) -> None:
    open_protocol = make_protocol(world.org, code="observations", requirements=[(world.obs, "observed")])
    person = t.make_person(world.org)
    put_in(person, world.ward, None, band="2")
    pf.make_assessment(person, world.obs, level="observed")
    assert check(world, manager, person=person, protocol=open_protocol, team=world.ward).allowed


def test_a_check_costs_the_same_queries_whatever_the_protocol(world, manager) -> None:
    small = loaded(world)[1]
    extra = [pf.make_competence(world.framework) for _ in range(6)]
    big_protocol = make_protocol(
        world.org, code="big", requirements=[(c, "observed") for c in [world.cbg, world.obs, *extra]]
    )
    person, big = loaded(world, protocol=big_protocol)
    membership = manager.memberships.get()
    counts = []
    for protocol in (small, big):
        with CaptureQueriesContext(connection) as captured:
            delegation.delegation_check(
                membership=membership, person=person, protocol=protocol, team=world.community
            )
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 7


# --- The team's grid ----------------------------------------------------------------------------------


def test_team_grid_and_what_lapses(world) -> None:
    soon = t.make_person(world.org, given_name="Ada", family_name="Soon")
    put_in(soon, world.community, world.senior)
    pf.make_assessment(soon, world.cbg, expires_on=world.today + dt.timedelta(days=10))
    pf.make_assessment(soon, world.obs)
    lacking = t.make_person(world.org, given_name="Bo", family_name="Lacking")
    put_in(lacking, world.community, world.senior)
    insulin = make_protocol(
        world.org, code="insulin", activity="Insulin", requirements=[(world.insulin, "independent")]
    )
    make_protocol(world.org, code="retired", activity="Old protocol", is_active=False)

    grid = delegation.team_delegation(team=world.community, on=world.today)
    assert [m.person.display_name for m in grid.people] == ["Bo Lacking", "Ada Soon", "Sam Worker"]
    assert [p.code for p in grid.protocols] == ["capillary-blood-glucose", "insulin"]
    assert grid.decision(world.worker.pk, world.protocol.pk).allowed
    assert grid.decision(soon.pk, world.protocol.pk).allowed
    assert codes(grid.decision(lacking.pk, world.protocol.pk)) == [ReasonCode.MISSING, ReasonCode.MISSING]
    assert not grid.decision(world.worker.pk, insulin.pk).allowed
    assert grid.allowed_count(world.protocol.pk) == 2
    assert [(lapse.person, lapse.competence.code) for lapse in grid.lapsing] == [(soon, "CS1")]
    assert grid.lapsing[0].expires_on == world.today + dt.timedelta(days=10)
    # The grid says what a single check says.
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    single = check(world, manager, person=lacking)
    assert codes(single) == codes(grid.decision(lacking.pk, world.protocol.pk))


def test_team_grid_queries_do_not_grow_with_the_team(world) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            delegation.team_delegation(team=world.community, on=world.today)
        return len(captured.captured_queries)

    before = count()
    make_protocol(world.org, code="insulin", requirements=[(world.insulin, "independent")])
    for _ in range(5):
        person = t.make_person(world.org)
        put_in(person, world.community, world.senior)
        pf.make_assessment(person, world.cbg)
    assert count() == before


# --- Savings ------------------------------------------------------------------------------------------


def test_savings_for_a_service_count_once(world) -> None:
    world.protocol.savings = delegation.LEEDS_DIABETES_SAVINGS
    world.protocol.save()
    second = t.make_person(world.org)
    put_in(second, world.community, world.senior)
    pf.make_assessment(second, world.cbg)
    pf.make_assessment(second, world.obs)
    estimate = estimate_for(loaded(world)[1], world.today)
    assert estimate.authorised.people == 2 and estimate.authorised.teams == 1
    assert estimate.units == 1
    assert estimate.first_year == (5294, 12800)
    assert estimate.later_years == (8500, 16000)
    assert "Leeds Community Healthcare" in estimate.source


def test_savings_per_worker_and_per_team(world) -> None:
    savings = {**delegation.LEEDS_DIABETES_SAVINGS, "unit": "worker"}
    world.protocol.savings = savings
    world.protocol.save()
    second = t.make_person(world.org)
    put_in(second, world.community, world.senior)
    pf.make_assessment(second, world.cbg)
    pf.make_assessment(second, world.obs)
    not_yet = t.make_person(world.org)
    put_in(not_yet, world.community, world.senior)
    estimate = estimate_for(world.protocol, world.today)
    assert estimate.units == 2
    assert estimate.first_year == (2 * 5294, 2 * 12800)
    world.protocol.savings = {**savings, "unit": "team"}
    assert estimate_for(world.protocol, world.today).units == 1


def test_no_saving_until_someone_is_authorised(world) -> None:
    world.protocol.savings = delegation.LEEDS_DIABETES_SAVINGS
    world.protocol.is_active = False
    estimate = estimate_for(world.protocol, world.today)
    assert estimate.units == 0 and estimate.first_year == (0, 0)


def test_no_savings_model() -> None:
    assert delegation.savings_clean({}) == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_year_low": 20000}, "first_year_low is more than first_year_high"),
        ({"later_year_high": -1}, "later_year_high must be a number of 0 or more"),
        ({"unit": "patient"}, "unit must be one of"),
        ({"source": ""}, "Say where the figures come from"),
        ({"colour": "red"}, "Unknown keys: colour"),
        ({"first_year_high": None}, "Give all four amounts"),
    ],
)
def test_savings_inputs_are_checked(change, message) -> None:
    with pytest.raises(ValidationError) as raised:
        delegation.savings_clean({**delegation.LEEDS_DIABETES_SAVINGS, **change})
    assert any(message in m for m in raised.value.message_dict["savings"])


def test_the_savings_keys_are_documented() -> None:
    assert set(delegation.LEEDS_DIABETES_SAVINGS) <= set(delegation.SAVINGS_KEYS)
    assert delegation.savings_clean(delegation.LEEDS_DIABETES_SAVINGS) == delegation.LEEDS_DIABETES_SAVINGS


# --- Writing protocols ------------------------------------------------------------------------------------


def test_protocol_create_and_update_are_audited(world) -> None:
    educator = t.make_user(Role.EDUCATOR, organisation=world.org)
    protocol = delegation.protocol_create(
        organisation=world.org,
        actor=educator,
        code="Venepuncture",
        activity="Venepuncture",
        delegating_role="Registered nurse",
        team_settings=[TeamSetting.COMMUNITY, TeamSetting.COMMUNITY],
        roles=[world.senior],
        min_band="3",
    )
    assert protocol.code == "venepuncture"
    assert protocol.team_settings == ["community"]
    created = AuditEvent.objects.get(action=PortfolioAction.PROTOCOL_CHANGED)
    assert created.detail["change"] == "created" and created.actor == educator
    delegation.protocol_update(
        protocol=protocol,
        actor=educator,
        code="venepuncture",
        activity="Venepuncture (adults)",
        delegating_role="Registered nurse",
        team_settings=["community"],
        roles=[],
        min_band="3",
    )
    updated = AuditEvent.objects.filter(action=PortfolioAction.PROTOCOL_CHANGED).latest("pk")
    assert updated.detail["changes"] == {
        "activity": {"from": "Venepuncture", "to": "Venepuncture (adults)"},
        "roles": {"from": ["Senior healthcare support worker"], "to": []},
    }
    assert list(protocol.roles.all()) == []


def test_protocol_create_refuses_bad_input(world) -> None:
    with pytest.raises(ValidationError) as raised:
        delegation.protocol_create(
            organisation=world.org,
            actor=None,
            code="capillary-blood-glucose",
            activity="Duplicate",
            delegating_role="Registered nurse",
        )
    assert "__all__" in raised.value.message_dict  # the code is already used in this organisation
    with pytest.raises(ValidationError) as raised:
        delegation.protocol_create(
            organisation=world.org, actor=None, code="x", activity="X", delegating_role=" ", min_band="NA"
        )
    assert set(raised.value.message_dict) == {"min_band", "delegating_role"}
    with pytest.raises(ValidationError):
        delegation.protocol_create(
            organisation=world.org,
            actor=None,
            code="y",
            activity="Y",
            delegating_role="RN",
            team_settings=["moon"],
        )


def test_requirements_are_checked_and_audited(world) -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=world.org)
    requirement = delegation.protocol_requirement_set(
        protocol=world.protocol, competence=world.insulin, min_level="supervised", actor=admin
    )
    assert requirement.min_level == "supervised"
    again = delegation.protocol_requirement_set(
        protocol=world.protocol, competence=world.insulin, min_level="independent", actor=admin
    )
    assert again.pk == requirement.pk and again.min_level == "independent"
    with pytest.raises(ValidationError) as raised:
        delegation.protocol_requirement_set(
            protocol=world.protocol, competence=world.insulin, min_level="expert", actor=admin
        )
    assert "Observed, Supervised, Independent" in raised.value.message_dict["min_level"][0]
    with pytest.raises(ValidationError):
        delegation.protocol_requirement_set(
            protocol=world.protocol, competence=world.domain, min_level="observed", actor=admin
        )
    foreign = pf.make_framework(owner_organisation=world.other_org)
    with pytest.raises(ValidationError) as raised:
        delegation.protocol_requirement_set(
            protocol=world.protocol, competence=pf.make_competence(foreign), min_level="observed", actor=admin
        )
    assert "competence" in raised.value.message_dict
    delegation.protocol_requirement_remove(requirement=again, actor=admin)
    events = AuditEvent.objects.filter(action=PortfolioAction.PROTOCOL_CHANGED).order_by("pk")
    changes = [e.detail["change"] for e in events]
    assert changes == ["requirement_set", "requirement_set", "requirement_removed"]


def test_reference_and_alliance_frameworks_are_available(world) -> None:
    reference = pf.make_framework("Care Certificate", is_reference=True)
    item = pf.make_competence(reference)
    assert delegation.competence_for_protocol(world.org, item.pk) == item
    assert delegation.competence_for_protocol(world.other_org, world.cbg.pk) is None
