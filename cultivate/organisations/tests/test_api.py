"""The organisations API: each role's token sees exactly its page scope, refusals are 404 and audited, the
protected characteristics appear only where allowed, lists do not query per row, and the OpenAPI document and
docs page are served as documented."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.accounts.services import api_token_create
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    _, secret = api_token_create(user=user, membership=user.memberships.get(), name="Tests")
    return secret


def call(client: Client, url: str, secret: str):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def world():
    """Organisation A (in an alliance) with two wards, and organisation B with one."""
    alliance = t.make_alliance()
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB")
    ward1, ward2 = t.make_team(org_a, "Ward 1"), t.make_team(org_a, "Ward 2")
    ward_b = t.make_team(org_b, "Ward B")
    manager = t.make_person(org_a, team=ward1, band="6", given_name="Morgan", family_name="Manager")
    in1 = t.make_person(
        org_a, team=ward1, given_name="Ira", family_name="One", birth_year=1990, religion="None"
    )
    in2 = t.make_person(org_a, team=ward2, band="4", given_name="Tam", family_name="Two")
    worker = t.make_person(org_a, team=ward2, given_name="Sam", family_name="Worker")
    analyst = t.make_person(org_a, team=ward2, given_name="Ana", family_name="Lyst")
    left = t.make_person(org_a, given_name="Lee", family_name="Left")
    t.make_spell(left, team=ward1, end=dt.date(2021, 1, 1), leaving_reason="Retirement Age")
    other = t.make_person(org_b, team=ward_b, given_name="Bea", family_name="Other")
    return {
        "alliance": alliance,
        "org_a": org_a,
        "org_b": org_b,
        "ward1": ward1,
        "ward2": ward2,
        "ward_b": ward_b,
        "manager": manager,
        "in1": in1,
        "in2": in2,
        "worker": worker,
        "analyst": analyst,
        "left": left,
        "other": other,
    }


def test_health_answers_without_authentication(client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_document_lists_the_paths_and_the_bearer_scheme(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert set(document["paths"]) >= {
        "/api/health",
        "/api/organisations",
        "/api/organisations/{ods_code}",
        "/api/organisations/{ods_code}/teams",
        "/api/teams/{team_id}",
        "/api/people",
        "/api/people/{person_id}",
        "/api/people/{person_id}/spells",
        "/api/spells/{spell_id}",
    }
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"]["type"] == "http"
    assert schemes["BearerTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionRoleAuth"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": schemes["SessionRoleAuth"]["description"],
    }
    people = document["paths"]["/api/people"]["get"]
    assert {"BearerTokenAuth": []} in people["security"]
    assert {p["name"] for p in people["parameters"]} == {
        "organisation",
        "team",
        "band",
        "q",
        "status",
        "limit",
        "offset",
    }
    assert "security" not in document["paths"]["/api/health"]["get"]
    detail = document["components"]["schemas"]["PersonDetailOut"]
    # Optional (left out when not allowed), and never null.
    assert "protected_characteristics" not in detail["required"]
    assert "null" not in json.dumps(detail["properties"]["protected_characteristics"])


def test_unauthenticated_requests_get_401(client, world) -> None:
    for url in ["/api/organisations", "/api/people", f"/api/people/{world['in1'].pk}"]:
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_org_admin_sees_everyone_in_their_organisation_and_nothing_in_another(client, world) -> None:
    w = world
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=w["org_a"]))
    everyone = {w[k].pk for k in ("manager", "in1", "in2", "worker", "analyst", "left")}
    assert ids(call(client, "/api/people?status=all", secret)) == everyone
    assert ids(call(client, "/api/people", secret)) == everyone - {w["left"].pk}
    assert ids(call(client, "/api/people?status=left", secret)) == {w["left"].pk}
    assert [o["ods_code"] for o in call(client, "/api/organisations", secret).json()] == ["RAA"]
    assert call(client, f"/api/people/{w['in1'].pk}", secret).status_code == 200
    assert call(client, f"/api/people/{w['other'].pk}", secret).status_code == 404


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ANALYST])
def test_token_for_one_organisation_cannot_read_another_and_the_refusal_is_audited(
    client, world, role
) -> None:
    w = world
    user = t.make_user(
        role, organisation=w["org_a"], teams=[w["ward1"]] if role == Role.LINE_MANAGER else None
    )
    secret = token_for(user)
    other_spell = w["other"].spells.get()
    urls = [
        "/api/organisations/RBB",
        "/api/organisations/rbb/teams",
        f"/api/teams/{w['ward_b'].pk}",
        f"/api/people/{w['other'].pk}",
        f"/api/people/{w['other'].pk}/spells",
        f"/api/spells/{other_spell.pk}",
    ]
    for url in urls:
        response = call(client, url, secret)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}
    refusals = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).order_by("at", "id")
    assert [event.path for event in refusals] == urls
    assert all(event.actor == user and event.actor_role == role for event in refusals)
    assert [(event.object_type, event.object_id) for event in refusals] == [
        ("organisations.Organisation", str(w["org_b"].pk)),
        ("organisations.Organisation", str(w["org_b"].pk)),
        ("organisations.Team", str(w["ward_b"].pk)),
        ("organisations.Person", str(w["other"].pk)),
        ("organisations.Person", str(w["other"].pk)),
        ("organisations.Person", str(w["other"].pk)),
    ]
    # Filed under organisation B, so B's admins see the probing in their audit log.
    assert all(event.organisation == w["org_b"] for event in refusals[2:])
    assert ids(call(client, "/api/people?organisation=RBB&status=all", secret)) == set()


def test_missing_records_are_404_too(client, world) -> None:
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=world["org_a"]))
    for url in [
        "/api/organisations/ZZZ",
        "/api/teams/999999",
        "/api/people/999999",
        "/api/spells/999999",
        "/api/people/999999/spells",
    ]:
        assert call(client, url, secret).status_code == 404, url
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == 5


def test_support_worker_sees_only_their_own_record(client, world) -> None:
    w = world
    user = t.make_user(Role.SUPPORT_WORKER, organisation=w["org_a"], person=w["worker"])
    secret = token_for(user)
    assert ids(call(client, "/api/people?status=all", secret)) == {w["worker"].pk}
    own = call(client, f"/api/people/{w['worker'].pk}", secret)
    assert own.status_code == 200
    assert "protected_characteristics" in own.json()
    assert len(call(client, f"/api/people/{w['worker'].pk}/spells", secret).json()) == 1
    assert call(client, f"/api/people/{w['in2'].pk}", secret).status_code == 404
    assert call(client, f"/api/spells/{w['in2'].spells.get().pk}", secret).status_code == 404
    assert call(client, f"/api/teams/{w['ward2'].pk}", secret).status_code == 404
    assert call(client, "/api/organisations/RAA", secret).status_code == 200
    teams = call(client, "/api/organisations/RAA/teams", secret)
    assert teams.status_code == 403
    assert teams.json() == {"detail": "This role has no list of teams."}
    refusal = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).first()
    assert refusal is not None
    assert (refusal.path, refusal.actor) == ("/api/organisations/RAA/teams", user)


def test_line_manager_sees_their_team_but_not_other_teams(client, world) -> None:
    w = world
    user = t.make_user(Role.LINE_MANAGER, organisation=w["org_a"], teams=[w["ward1"]], person=w["manager"])
    secret = token_for(user)
    assert ids(call(client, "/api/people", secret)) == {w["manager"].pk, w["in1"].pk}
    assert [team["name"] for team in call(client, "/api/organisations/RAA/teams", secret).json()] == [
        "Ward 1"
    ]
    assert call(client, f"/api/teams/{w['ward1'].pk}", secret).status_code == 200
    assert call(client, f"/api/teams/{w['ward2'].pk}", secret).status_code == 404
    assert call(client, f"/api/people/{w['in1'].pk}/spells", secret).status_code == 200
    assert call(client, f"/api/people/{w['in2'].pk}", secret).status_code == 404
    assert call(client, f"/api/spells/{w['in2'].spells.get().pk}", secret).status_code == 404


def test_analyst_sees_organisations_and_teams_but_no_people_except_themselves(client, world) -> None:
    w = world
    user = t.make_user(Role.ANALYST, organisation=w["org_a"], person=w["analyst"])
    secret = token_for(user)
    assert [o["ods_code"] for o in call(client, "/api/organisations", secret).json()] == ["RAA"]
    assert call(client, "/api/organisations/RAA", secret).json()["alliance"]["code"] == w["alliance"].code
    teams = call(client, "/api/organisations/RAA/teams", secret).json()
    assert [team["name"] for team in teams] == ["Ward 1", "Ward 2"]
    assert teams[0]["organisation"] == "RAA"
    assert ids(call(client, "/api/people?status=all", secret)) == {w["analyst"].pk}
    assert call(client, f"/api/people/{w['in1'].pk}", secret).status_code == 404


def test_alliance_admin_sees_the_alliance_organisations_but_not_their_staff(client, world) -> None:
    w = world
    secret = token_for(t.make_user(Role.ALLIANCE_ADMIN, alliance=w["alliance"]))
    assert [o["ods_code"] for o in call(client, "/api/organisations", secret).json()] == ["RAA"]
    assert call(client, "/api/organisations/RBB", secret).status_code == 404
    assert call(client, f"/api/teams/{w['ward2'].pk}", secret).status_code == 200
    assert ids(call(client, "/api/people?status=all", secret)) == set()


def test_characteristics_are_left_out_for_a_line_manager_and_present_for_the_org_admin(client, world) -> None:
    w = world
    manager = t.make_user(Role.LINE_MANAGER, organisation=w["org_a"], teams=[w["ward1"]], person=w["manager"])
    admin = t.make_user(Role.ORG_ADMIN, organisation=w["org_a"])
    url = f"/api/people/{w['in1'].pk}"
    as_manager = call(client, url, token_for(manager)).json()
    assert "protected_characteristics" not in as_manager
    assert as_manager["display_name"] == "Ira One"
    assert as_manager["current_posts"][0]["team"]["name"] == "Ward 1"
    as_admin = call(client, url, token_for(admin)).json()
    assert as_admin["protected_characteristics"] == {
        "year_of_birth": 1990,
        "sex": "U",
        "ethnic_category": "99",
        "disability": "U",
        "religion": "None",
        "sexual_orientation": "",
        "nationality": "",
    }
    assert {k: v for k, v in as_admin.items() if k != "protected_characteristics"} == as_manager


def test_person_and_spell_shapes(client, world) -> None:
    w = world
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=w["org_a"]))
    spell = t.make_spell(
        w["in2"], team=w["ward1"], band="3", fte="0.6", start=dt.date(2022, 4, 1), line_manager=w["manager"]
    )
    person = call(client, f"/api/people/{w['in2'].pk}", secret).json()
    assert person["status"] == "current"
    assert person["organisation"] == "RAA"
    assert [(p["spell_id"], p["fte"], p["afc_band"]) for p in person["current_posts"]] == [
        (spell.pk, "0.60", "3"),
        (w["in2"].spells.get(start_date=dt.date(2020, 1, 1)).pk, "1.00", "4"),
    ]
    spells = call(client, f"/api/people/{w['in2'].pk}/spells", secret).json()
    assert [s["id"] for s in spells] == [spell.pk, person["current_posts"][1]["spell_id"]]
    one = call(client, f"/api/spells/{spell.pk}", secret).json()
    assert one == spells[0]
    assert one["start_date"] == "2022-04-01"
    assert one["end_date"] is None
    assert one["line_manager_name"] == "Morgan Manager"
    assert one["team"] == {"id": w["ward1"].pk, "name": "Ward 1"}
    assert one["is_current"] is True
    left = call(client, f"/api/people/{w['left'].pk}/spells", secret).json()[0]
    assert (left["end_date"], left["leaving_reason"], left["is_current"]) == (
        "2021-01-01",
        "Retirement Age",
        False,
    )
    assert call(client, f"/api/people/{w['left'].pk}", secret).json()["status"] == "left"


def test_people_filters_and_paging(client, world) -> None:
    w = world
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=w["org_a"]))
    assert ids(call(client, f"/api/people?team={w['ward2'].pk}", secret)) == {
        w["in2"].pk,
        w["worker"].pk,
        w["analyst"].pk,
    }
    assert ids(call(client, "/api/people?band=4", secret)) == {w["in2"].pk}
    assert ids(call(client, "/api/people?q=sam%20work", secret)) == {w["worker"].pk}
    assert ids(call(client, f"/api/people?q={w['in1'].staff_id}", secret)) == {w["in1"].pk}
    assert ids(call(client, "/api/people?organisation=raa&status=left", secret)) == {w["left"].pk}
    assert ids(call(client, f"/api/people?status=left&team={w['ward1'].pk}", secret)) == {w["left"].pk}

    first = call(client, "/api/people?limit=2", secret).json()
    second = call(client, "/api/people?limit=2&offset=2", secret).json()
    everyone = call(client, "/api/people", secret).json()
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [p["family_name"] for p in everyone["items"]] == ["Lyst", "Manager", "One", "Two", "Worker"]
    assert first["items"] + second["items"] == everyone["items"][:4]


@pytest.mark.parametrize(
    "query, where",
    [
        ("band=12", "band"),
        ("status=gone", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("organisation=R-1", "organisation"),
        ("team=ward", "team"),
    ],
)
def test_bad_people_filters_say_what_is_wrong_and_where(client, world, query, where) -> None:
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=world["org_a"]))
    response = call(client, f"/api/people?{query}", secret)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", where]


def _queries(client: Client, url: str, secret: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call(client, url, secret)
    assert response.status_code == 200, response.content
    return len(captured)


def test_list_endpoints_do_not_query_per_row(client, world) -> None:
    w = world
    admin = t.make_user(Role.ORG_ADMIN, organisation=w["org_a"])
    manager = t.make_user(Role.LINE_MANAGER, organisation=w["org_a"], teams=[w["ward1"]], person=w["manager"])
    admin_secret, manager_secret = token_for(admin), token_for(manager)
    urls = [
        (admin_secret, "/api/people?status=all"),
        (manager_secret, "/api/people?status=all"),
        (admin_secret, "/api/organisations"),
        (admin_secret, "/api/organisations/RAA/teams"),
        (admin_secret, f"/api/people/{w['in1'].pk}/spells"),
    ]
    for secret, url in urls:
        call(client, url, secret)  # the first use of a token records when it was used
    before = [_queries(client, url, secret) for secret, url in urls]

    for n in range(8):
        person = t.make_person(w["org_a"], team=w["ward1"], band="5")
        t.make_spell(person, team=w["ward2"], fte="0.5", line_manager=w["manager"])
        t.make_spell(
            w["in1"],
            team=w["ward1"] if n % 2 else w["ward2"],
            start=dt.date(2019, 1, n + 1),
            end=dt.date(2019, 6, 1),
        )
        t.make_team(w["org_a"], f"Extra {n}")
        t.make_organisation(alliance=w["alliance"])
    after = [_queries(client, url, secret) for secret, url in urls]
    assert after == before
    assert call(client, "/api/people?status=all", admin_secret).json()["count"] == 14


def test_not_found_and_out_of_scope_look_the_same() -> None:
    """A 404 must not say whether the record exists in another organisation."""
    from django.test import Client

    from cultivate.accounts import services as account_services
    from cultivate.accounts import testing as t
    from cultivate.accounts.models import Role

    org, other = t.make_organisation(), t.make_organisation()
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    _token, secret = account_services.api_token_create(
        user=admin, membership=admin.memberships.get(), name="x"
    )
    theirs = t.make_person(other)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    hidden = client.get(f"/api/people/{theirs.pk}")
    missing = client.get(f"/api/people/{theirs.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
