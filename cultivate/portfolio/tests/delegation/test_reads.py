"""The API's delegation check reads through hand-written SQL (`delegation.rules_for_check`, `person_for_check`,
`team_for_check`, `posts_by_person`, `organisations.access.can_see_person`) and writes its audit row with one
INSERT (`delegation.services._audit_check`). Each gives what the ORM gives: the same rules, people, teams, posts, scope,
answers, reasons, relied-on sign-offs and audit rows."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client, RequestFactory
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core import rows
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.frameworks.models import Competence
from cultivate.organisations import access as org_access
from cultivate.organisations.models import EmploymentSpell, Person, Team, TeamSetting
from cultivate.portfolio import delegation
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.delegation import services as delegation_services
from cultivate.portfolio.models import AssessmentKind, DelegationProtocol, SignOffRequest
from cultivate.portfolio.tests import delegation_factories as df
from cultivate.portfolio.tests import portfolio_factories as pf

pytestmark = pytest.mark.django_db


def _fields(instance: Model | None, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any] | None:
    if instance is None:
        return None
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in leave_out
    }


def _orm_rules(protocol: DelegationProtocol) -> delegation.ProtocolRules:
    """The rules as whole ORM rows give them: the protocol's prefetched requirements and roles."""
    return delegation.rules_of(
        protocol,
        [delegation.required_competence(r.competence, r.min_level) for r in protocol.requirements.all()],
        [(role.pk, role.name) for role in protocol.roles.all()],
    )


def _rules_view(rules: delegation.ProtocolRules) -> tuple[Any, ...]:
    return (
        _fields(rules.protocol),
        [
            (
                r.ref,
                r.min_level,
                r.min_rank,
                r.min_label,
                r.competence.pk,
                r.competence.framework_id,
                r.competence.identifier,
                r.competence.content_hash,
                r.competence.label,
                r.competence.version.status,
                r.competence.version.number,
                r.framework.pk,
                r.framework.level_list,
            )
            for r in rules.requirements
        ],
        rules.role_ids,
        rules.role_names,
        rules.settings,
        rules.min_band_rank,
        rules.conditions,
    )


def _decision_view(decision: delegation.DelegationDecision) -> tuple[Any, ...]:
    event = decision.audit_event
    assert event is not None
    stored = AuditEvent.objects.get(pk=event.pk)
    return (
        decision.allowed,
        decision.reasons,
        decision.relied_on,
        decision.conditions,
        decision.lapses_on,
        _fields(stored, leave_out=("id", "at")),
    )


@pytest.fixture
def world() -> df.World:
    return df.build_world()


def test_rules_for_check_are_the_prefetched_rules(world: df.World) -> None:
    # Several roles, no requirements, no roles: the one query's join gives each once.
    df.make_protocol(
        world.org,
        code="two-roles",
        requirements=[(world.insulin, "observed"), (world.obs, "independent"), (world.cbg, "supervised")],
        roles=[world.senior, world.hca],
        settings=[TeamSetting.COMMUNITY, TeamSetting.INPATIENT],
    )
    df.make_protocol(world.org, code="bare", requirements=[], roles=[], is_active=False)
    df.make_protocol(world.org, code="roles-only", roles=[world.hca])
    for code in ("capillary-blood-glucose", "two-roles", "bare", "roles-only"):
        full = delegation.protocol_by_code(world.org, code)
        assert full is not None
        lean = delegation.rules_for_check(world.org, f"  {code.upper()} ")
        assert lean is not None
        expected = _rules_view(_orm_rules(full))
        assert _rules_view(lean) == expected, code
        # The one ORM read of rules (the team's grid, the page's check) gives the same.
        assert _rules_view(delegation.protocol_rules([full])[0]) == expected, code
    assert len(delegation.rules_for_check(world.org, "two-roles").requirements) == 3  # type: ignore[union-attr]
    assert delegation.rules_for_check(world.org, "nope") is None
    # Another organisation's code is not found.
    df.make_protocol(world.other_org, code="theirs")
    assert delegation.rules_for_check(world.org, "theirs") is None


def test_person_and_team_read_by_hand_are_the_orm_rows(world: df.World) -> None:
    person = delegation.person_for_check(world.worker.pk)
    expected = Person.objects.select_related("organisation").get(pk=world.worker.pk)
    assert person is not None
    assert _fields(person) == _fields(expected)
    assert _fields(person.organisation) == _fields(expected.organisation)
    assert delegation.person_for_check(999_999) is None
    team = delegation.team_for_check(world.org, team_id=world.community.pk)
    assert _fields(team) == _fields(Team.objects.get(pk=world.community.pk))
    assert delegation.team_for_check(world.org, team_id=world.other_team.pk) is None


def test_rows_convert_values_as_a_queryset_does(world: df.World) -> None:
    """Dates, aware datetimes, UUIDs, JSON and booleans come back as the ORM gives them."""
    competence = Competence.objects.get(pk=world.cbg.pk)
    spell = EmploymentSpell.objects.filter(person=world.worker).first()
    protocol = world.protocol
    for instance in (competence, spell, protocol):
        assert instance is not None
        model = type(instance)
        sql = (
            f"SELECT {rows.select_list(model)} FROM {rows.table(model)} "  # noqa: S608
            f"WHERE {rows.column(model, 'id')} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [instance.pk])
            found = rows.from_row(model, cursor.fetchone())
        assert _fields(found) == _fields(model.objects.get(pk=instance.pk))
    # One column, as the database returns it (hex text on SQLite, a UUID on PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.column(Competence, 'identifier')} FROM {rows.table(Competence)} "  # noqa: S608
            f"WHERE {rows.column(Competence, 'id')} = %s",
            [competence.pk],
        )
        (raw,) = cursor.fetchone()
    converted = rows.converter(Competence, "identifier")(raw)
    assert isinstance(converted, uuid.UUID) and converted == competence.identifier


def test_posts_read_by_hand_are_the_active_spells(world: df.World) -> None:
    person = t.make_person(world.org, staff_id="W0009")
    today = world.today
    df.put_in(person, world.community, world.senior, band="4", start=today - dt.timedelta(days=400))
    df.put_in(person, world.ward, world.hca, band="2", start=today - dt.timedelta(days=10))
    df.put_in(
        person, world.ward, None, start=today - dt.timedelta(days=900), end=today - dt.timedelta(days=1)
    )
    df.put_in(person, world.community, world.hca, start=today + dt.timedelta(days=5))
    for day in (today, today - dt.timedelta(days=5), today + dt.timedelta(days=10)):
        posts, names = delegation.posts_by_person([person.pk, world.worker.pk], day)
        spells = (
            EmploymentSpell.objects.active_on(day)
            .filter(person_id__in=[person.pk, world.worker.pk])
            .select_related("role")
            .order_by("start_date", "pk")
        )
        expected: dict[int, list[delegation.Post]] = {}
        for spell in spells:
            expected.setdefault(spell.person_id, []).append(
                delegation.Post(team_id=spell.team_id, role_id=spell.role_id, band=spell.afc_band)
            )
        assert dict(posts) == expected, day
        assert names == {s.role_id: s.role.name for s in spells if s.role is not None}
    assert delegation.posts_by_person([], today) == ({}, {})


def test_lean_check_answers_and_audits_as_the_full_one(world: df.World) -> None:
    """Every kind of answer: yes, and no for each reason, through both paths on several days."""
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community, world.ward])
    membership = manager.memberships.get()
    today = world.today
    # Below level, awaiting sign-off, expired, withdrawn, reassess, wrong role, band too low, not in team.
    people = [world.worker]
    for n, (role, band) in enumerate([(world.senior, "4"), (world.hca, "3"), (world.senior, "2")]):
        person = t.make_person(world.org, staff_id=f"L{n}")
        df.put_in(person, world.community, role, band=band)
        people.append(person)
    pf.make_assessment(people[1], world.cbg, level="supervised", assessed_on=today - dt.timedelta(days=3))
    pf.make_assessment(
        people[1],
        world.obs,
        level="independent",
        assessed_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=30),
    )
    SignOffRequest.objects.create(person=people[2], competence=world.cbg)
    pf.make_assessment(people[2], world.obs, level="independent", assessed_on=today - dt.timedelta(days=9))
    withdrawn = pf.make_assessment(people[3], world.cbg, level="independent", assessed_on=today)
    pf.make_assessment(
        people[3],
        world.cbg,
        kind=AssessmentKind.WITHDRAWAL,
        supersedes=withdrawn,
        assessed_on=today,
        reason="Signed off in error.",
    )
    pf.make_evidence(people[3], world.obs)
    elsewhere = t.make_person(world.org, staff_id="L9")
    df.put_in(elsewhere, world.ward, world.senior)
    people.append(elsewhere)
    df.make_protocol(
        world.org,
        code="any",
        requirements=[(world.obs, "observed")],
        supervision="- Stay within the care plan.",
    )
    df.make_protocol(world.org, code="old", requirements=[(world.cbg, "observed")], is_active=False)
    # A sign-off of a competence changed since (the requirement names the old row): reassessment.
    pf.make_assessment(world.worker, world.insulin, level="independent", assessed_on=today)
    pf.publish_new_version(world.framework, {world.insulin.identifier: {"title": "Insulin, revised"}})
    df.make_protocol(world.org, code="insulin", requirements=[(world.insulin, "observed")])

    compared = 0
    for person in people:
        for code in ("capillary-blood-glucose", "any", "old", "insulin"):
            for team in (world.community, world.ward):
                for day in (today, today + dt.timedelta(days=120)):
                    full_protocol = delegation.protocol_by_code(world.org, code)
                    assert full_protocol is not None
                    full = delegation.delegation_check(
                        membership=membership,
                        person=Person.objects.select_related("organisation").get(pk=person.pk),
                        protocol=full_protocol,
                        team=Team.objects.get(pk=team.pk),
                        on=day,
                        rules=_orm_rules(full_protocol),
                    )
                    rules = delegation.rules_for_check(world.org, code)
                    lean_person = delegation.person_for_check(person.pk)
                    lean_team = delegation.team_for_check(world.org, team_id=team.pk)
                    assert rules is not None and lean_person is not None and lean_team is not None
                    lean = delegation.delegation_check(
                        membership=membership,
                        person=lean_person,
                        protocol=rules.protocol,
                        team=lean_team,
                        on=day,
                        rules=rules,
                    )
                    assert _decision_view(lean) == _decision_view(full), (person.staff_id, code, team, day)
                    compared += 1
    answers = {
        reason["code"]
        for event in AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED)
        for reason in event.detail["reasons"]
    }
    # The comparison covered every reason that can come from these records.
    assert answers >= {
        "missing",
        "below_level",
        "expired",
        "reassess",
        "not_in_team",
        "wrong_setting",
        "wrong_role",
        "band_too_low",
        "inactive_protocol",
    }
    assert AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED, detail__allowed=True).exists()
    assert compared == len(people) * 4 * 2 * 2


def test_the_lean_audit_row_is_the_auditors(world: df.World) -> None:
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    request = RequestFactory().post(
        "/api/delegation/checks?x=1",
        HTTP_USER_AGENT="Roster/2.0 " + "x" * 400,
        HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1",
    )
    request.user = manager
    request.membership = manager.memberships.get()  # type: ignore[attr-defined]
    detail: dict[str, Any] = {
        "channel": "api",
        "allowed": False,
        "reasons": [{"code": "missing", "message": "Ä ‘quoted’"}],
    }
    contexts = (
        (AuditContext.from_request(request), None),
        (None, manager),
        (AuditContext.system("test", actor=manager), None),
    )
    for ctx, actor in contexts:
        ours = delegation_services._audit_check(
            ctx=ctx, actor=actor, obj=world.worker, organisation=world.org, **detail
        )
        theirs = audit(
            PortfolioAction.DELEGATION_CHECKED,
            ctx=ctx,
            actor=actor,
            obj=world.worker,
            organisation=world.org,
            **detail,
        )
        assert ours.pk is not None and ours.pk != theirs.pk
        stored = AuditEvent.objects.get(pk=ours.pk)
        assert _fields(stored, leave_out=("id", "at")) == _fields(
            AuditEvent.objects.get(pk=theirs.pk), leave_out=("id", "at")
        )
        assert _fields(ours, leave_out=("id",)) == _fields(stored, leave_out=("id",))
        assert abs(stored.at - timezone.now()) < dt.timedelta(minutes=1)


def test_scope_read_by_hand_agrees_with_the_person_scope(world: df.World) -> None:
    """`can_see_person` (one EXISTS) against `person_scope` (the querysets' filter) for every kind of person
    and role: in the teams, managed by the line manager, a leaver, a starter, another organisation."""
    boss = t.make_person(world.org, staff_id="B0001")
    managed = t.make_person(world.org, staff_id="M0001")
    t.make_spell(managed, team=world.ward, line_manager=boss)
    leaver = t.make_person(world.org, staff_id="X0001")
    t.make_spell(leaver, team=world.community, end=world.today - dt.timedelta(days=1))
    starter = t.make_person(world.org, staff_id="S0001")
    t.make_spell(starter, team=world.community, start=world.today + dt.timedelta(days=1))
    foreign = t.make_person(world.other_org, staff_id="F0001")
    t.make_spell(foreign, team=world.other_team)
    teamless = t.make_person(world.org, staff_id="N0001")
    people = [world.worker, boss, managed, leaver, starter, foreign, teamless]
    users = [
        t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community], person=boss),
        t.make_user(Role.LINE_MANAGER, organisation=world.org, person=t.make_person(world.org)),
        t.make_user(Role.ASSESSOR, organisation=world.org, teams=[world.community, world.ward]),
        t.make_user(Role.LINE_MANAGER, organisation=world.org),
        t.make_user(Role.ORG_ADMIN, organisation=world.org),
        t.make_user(Role.LINE_MANAGER, organisation=world.other_org, teams=[world.other_team]),
        t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker),
    ]
    for user in users:
        membership = user.memberships.prefetch_related("teams").select_related("user").get()
        in_scope = set(
            Person.objects.filter(org_access.person_scope(membership)).values_list("pk", flat=True)
        )
        for person in people:
            assert org_access.can_see_person(membership, person) == (person.pk in in_scope), (
                membership.role,
                person.staff_id,
            )


def test_a_token_of_one_organisation_cannot_check_anothers_person(world: df.World, client: Client) -> None:
    """Scope still holds on the lean path: another organisation's person, even in a team of the same name and
    a protocol of the same code, answers 404 and the refusal is audited; no answer is recorded."""
    foreign = t.make_person(world.other_org, staff_id="W0001")
    df.put_in(foreign, world.other_team, world.senior)
    df.make_protocol(world.other_org, requirements=[(world.cbg, "observed")])
    secret = df.token_for(t.make_user(Role.ORG_ADMIN, organisation=world.org))
    for body in (
        {"person_id": foreign.pk, "protocol": "capillary-blood-glucose", "team_id": world.other_team.pk},
        {"staff_id": "W0001", "organisation": "RBB", "protocol": "capillary-blood-glucose", "team_id": 1},
    ):
        response = client.post(
            "/api/delegation/checks",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 404
    refusals = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED)
    assert refusals.count() == 2
    assert not AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED).exists()
    # The same token checks its own organisation's worker.
    response = client.post(
        "/api/delegation/checks",
        data=json.dumps(
            {
                "person_id": world.worker.pk,
                "protocol": "capillary-blood-glucose",
                "team_id": world.community.pk,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200 and response.json()["answer"] == "yes"
