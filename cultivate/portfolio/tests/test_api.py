"""The delegation API: the check by ids or by staff ID and team name, audited; 404 outside the role's scope;
400 and 422 with clear messages; the protocol list; and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.portfolio.tests.delegation_factories import build_world, make_protocol, put_in, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def post(client: Client, secret: str, body: dict):
    return client.post(
        "/api/delegation/checks",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


@pytest.fixture
def manager_token(world):
    return token_for(t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community]))


def test_check_by_ids_answers_yes_with_the_evidence(client, world, manager_token) -> None:
    response = post(
        client,
        manager_token,
        {"person_id": world.worker.pk, "protocol": "capillary-blood-glucose", "team_id": world.community.pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["allowed"] is True and body["answer"] == "yes"
    assert body["person"] == {
        "id": world.worker.pk,
        "staff_id": "W0001",
        "display_name": "Sam Worker",
        "organisation": "RAA",
    }
    assert body["protocol"]["code"] == "capillary-blood-glucose"
    assert body["team"] == {
        "id": world.community.pk,
        "name": "Wharfe District Nursing",
        "setting": "community",
    }
    assert body["date"] == world.today.isoformat()
    assert body["reasons"] == []
    assert {r["competence"]["code"] for r in body["relied_on"]} == {"CS1", "CS2"}
    assert body["lapses_on"] == (world.today + dt.timedelta(days=90)).isoformat()
    assert body["conditions"][1] == "Report any reading under 4 or over 15."
    event = AuditEvent.objects.get(action=PortfolioAction.DELEGATION_CHECKED)
    assert body["audit_event_id"] == event.pk
    assert event.detail["channel"] == "api"
    assert sorted(r["assessment_id"] for r in event.detail["relied_on"]) == sorted(
        r["assessment_id"] for r in body["relied_on"]
    )


def test_check_by_staff_id_and_team_name_on_a_day(client, world, manager_token) -> None:
    later = world.today + dt.timedelta(days=100)
    response = post(
        client,
        manager_token,
        {
            "staff_id": "W0001",
            "organisation": "raa",
            "protocol": "CAPILLARY-blood-glucose",
            "team": "wharfe district nursing",
            "date": later.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["answer"] == "no" and body["date"] == later.isoformat()
    assert body["reasons"][0]["code"] == "expired"
    assert body["reasons"][0]["competence"]["id"] == world.cbg.pk
    assert body["reasons"][0]["required_level"] == "independent"
    assert body["relied_on"] == [] and body["lapses_on"] is None
    # The organisation defaults to the role's own.
    same = post(
        client,
        manager_token,
        {"staff_id": "W0001", "protocol": "capillary-blood-glucose", "team": "Wharfe District Nursing"},
    )
    assert same.json()["answer"] == "yes"


def test_outside_the_scope_is_404_and_audited(client, world, manager_token) -> None:
    ward_person = t.make_person(world.org, staff_id="W0002")
    put_in(ward_person, world.ward, world.senior)
    foreign = t.make_person(world.other_org, staff_id="F0001")
    put_in(foreign, world.other_team, world.senior)
    bodies = [
        {"person_id": ward_person.pk, "protocol": "capillary-blood-glucose", "team_id": world.ward.pk},
        {"person_id": foreign.pk, "protocol": "capillary-blood-glucose", "team_id": world.other_team.pk},
        {"person_id": 999999, "protocol": "capillary-blood-glucose", "team_id": world.community.pk},
        {
            "staff_id": "F0001",
            "organisation": "RBB",
            "protocol": "capillary-blood-glucose",
            "team": "Other Ward",
        },
        {"staff_id": "NOPE", "protocol": "capillary-blood-glucose", "team_id": world.community.pk},
    ]
    for body in bodies:
        response = post(client, manager_token, body)
        assert response.status_code == 404, body
        assert response.json() == {"detail": "Not Found"}
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == len(bodies)
    assert not AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED).exists()


def test_unknown_protocol_or_team_is_400(client, world, manager_token) -> None:
    response = post(
        client,
        manager_token,
        {"person_id": world.worker.pk, "protocol": "nope", "team_id": world.community.pk},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "RAA has no delegation protocol with the code ‘nope’. GET /api/delegation/protocols lists them."
    )
    response = post(
        client,
        manager_token,
        {"person_id": world.worker.pk, "protocol": "capillary-blood-glucose", "team_id": world.other_team.pk},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"RAA has no team with the id {world.other_team.pk}."
    response = post(
        client,
        manager_token,
        {"person_id": world.worker.pk, "protocol": "capillary-blood-glucose", "team": "Moon Base"},
    )
    assert response.json()["detail"] == "RAA has no team with the name ‘Moon Base’."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"protocol": "capillary-blood-glucose", "team_id": 1}, "Give either person_id or staff_id"),
        (
            {"person_id": 1, "staff_id": "W0001", "protocol": "x", "team_id": 1},
            "Give either person_id or staff_id",
        ),
        ({"person_id": 1, "protocol": "x"}, "Give either team_id or team"),
        (
            {"person_id": 1, "organisation": "RAA", "protocol": "x", "team_id": 1},
            "organisation goes with staff_id",
        ),
        ({"person_id": 1, "protocol": "x", "team_id": 1, "date": "2026-13-45"}, "date"),
        ({"person_id": "one", "protocol": "x", "team_id": 1}, "integer"),
        ({"person_id": 1, "team_id": 1}, "protocol"),
    ],
)
def test_malformed_requests_are_422_with_clear_messages(client, world, manager_token, body, message) -> None:
    response = post(client, manager_token, body)
    assert response.status_code == 422
    assert message in json.dumps(response.json()["detail"])


def test_the_check_needs_a_token(client, world) -> None:
    response = client.post(
        "/api/delegation/checks",
        data=json.dumps({"person_id": world.worker.pk, "protocol": "x", "team_id": 1}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_a_check_through_the_api_costs_a_fixed_number_of_queries(client, world, manager_token) -> None:
    body = {
        "person_id": world.worker.pk,
        "protocol": "capillary-blood-glucose",
        "team_id": world.community.pk,
    }
    post(client, manager_token, body)  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as small:
        post(client, manager_token, body)
    extra = [pf.make_competence(world.framework) for _ in range(8)]
    for competence in extra:
        pf.make_assessment(world.worker, competence)
    make_protocol(
        world.org, code="big", requirements=[(c, "observed") for c in [world.cbg, world.obs, *extra]]
    )
    with CaptureQueriesContext(connection) as big:
        response = post(client, manager_token, {**body, "protocol": "big"})
    assert response.json()["answer"] == "yes"
    assert len(big.captured_queries) == len(small.captured_queries) <= 16


def test_protocol_list(client, world) -> None:
    make_protocol(world.org, code="old", activity="Old way", is_active=False)
    make_protocol(world.other_org, code="theirs", activity="Theirs")
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    response = client.get("/api/delegation/protocols", HTTP_AUTHORIZATION=f"Bearer {token_for(worker)}")
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body] == ["capillary-blood-glucose", "old"]
    cbg = body[0]
    assert cbg["team_settings"] == ["community"]
    assert cbg["roles"] == ["Senior healthcare support worker"]
    assert cbg["min_band"] == "3"
    assert cbg["requirements"][0]["competence"]["code"] == "CS1"
    assert cbg["requirements"][0]["min_level_label"] == "Independent"
    assert body[1]["is_active"] is False
    alliance_admin = t.make_user(Role.ALLIANCE_ADMIN, alliance=world.org.alliance)
    refused = client.get(
        "/api/delegation/protocols", HTTP_AUTHORIZATION=f"Bearer {token_for(alliance_admin)}"
    )
    assert refused.status_code == 403
    assert "belong to an organisation" in refused.json()["detail"]


def test_openapi_documents_the_delegation_endpoints(client) -> None:
    document = client.get("/api/openapi.json").json()
    check = document["paths"]["/api/delegation/checks"]["post"]
    assert check["tags"] == ["delegation"]
    assert check["summary"].startswith("May this person carry out this activity")
    assert set(check["responses"]) >= {"200", "400", "404", "422"}
    decision = check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert decision == "#/components/schemas/DelegationDecisionOut"
    assert document["components"]["schemas"]["DelegationDecisionOut"]["examples"][0]["answer"] == "no"
    assert "by staff id and team name" in check["requestBody"]["content"]["application/json"]["examples"]
    listing = document["paths"]["/api/delegation/protocols"]["get"]
    assert listing["tags"] == ["delegation"] and listing["summary"]
    schemas = document["components"]["schemas"]
    assert "expired" in schemas["ReasonOut"]["properties"]["code"]["description"]
