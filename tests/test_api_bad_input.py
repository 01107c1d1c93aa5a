"""Bad input to the API is a 422 naming the parameter, never a 500: integers beyond 64 bits, dates the
calendar arithmetic cannot reach, and the NUL character PostgreSQL refuses (run on SQLite and PostgreSQL).
An error on our side is a JSON 500 with a reference, whatever DEBUG says. The OpenAPI document lists the 422
of every operation that takes input and bounds every integer and text input, so that new endpoints keep to it."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.config.api import api
from cultivate.core.api_types import DB_INT_MAX
from cultivate.portfolio.tests.delegation_factories import build_world, token_for

BEYOND = str(2**64)  # does not fit a 64-bit column
JUST_BEYOND = str(DB_INT_MAX + 1)


@pytest.fixture
def admin(db):
    world = build_world()
    secret = token_for(t.make_user(Role.ORG_ADMIN, organisation=world.org))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client, world


@pytest.mark.parametrize(
    ("url", "where"),
    [
        (f"/api/people?offset={BEYOND}", ["query", "offset"]),
        (f"/api/people?offset={JUST_BEYOND}", ["query", "offset"]),
        (f"/api/people?team={BEYOND}", ["query", "team"]),
        (f"/api/people/{BEYOND}", ["path", "person_id"]),
        (f"/api/people/{JUST_BEYOND}/spells", ["path", "person_id"]),
        (f"/api/teams/{BEYOND}", ["path", "team_id"]),
        (f"/api/spells/{BEYOND}", ["path", "spell_id"]),
        ("/api/people?q=Sam%00", ["query", "q"]),
        ("/api/people?organisation=RA%00", ["query", "organisation"]),
        ("/api/organisations/RA%00", ["path", "ods_code"]),
        ("/api/organisations/RA%00/teams", ["path", "ods_code"]),
        ("/api/organisations/RA%00/role-requirements", ["path", "ods_code"]),
    ],
)
def test_out_of_range_integers_and_nul_in_parameters_are_422_naming_the_parameter(admin, url, where) -> None:
    client, _world = admin
    response = client.get(url)
    assert response.status_code == 422, response.content
    assert [problem["loc"] for problem in response.json()["detail"]] == [where]
    assert response.json()["detail"][0]["msg"]


def test_the_largest_64_bit_values_are_accepted(admin) -> None:
    client, _world = admin
    assert client.get(f"/api/people?offset={DB_INT_MAX}").json()["items"] == []
    assert client.get(f"/api/people?team={DB_INT_MAX}").json()["count"] == 0
    assert client.get(f"/api/people/{DB_INT_MAX}").status_code == 404


def _check(world: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "person_id": world.worker.pk,
        "protocol": "capillary-blood-glucose",
        "team_id": world.community.pk,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"person_id": 2**64}, "person_id", "less than or equal to 9223372036854775807"),
        ({"team_id": 2**64}, "team_id", "less than or equal to 9223372036854775807"),
        ({"date": "9999-12-31"}, "date", "less than or equal to 2199-12-31"),
        ({"date": "0001-01-01"}, "date", "greater than or equal to 1900-01-01"),
        ({"date": "0000-01-01"}, "date", "greater than or equal to 1900-01-01"),
        ({"date": "10000-01-01"}, "date", "valid date"),
        ({"protocol": "capillary\x00"}, "protocol", "NUL character"),
        ({"person_id": None, "staff_id": "W0001\x00"}, "staff_id", "NUL character"),
        ({"team_id": None, "team": "Ward\x00"}, "team", "NUL character"),
    ],
)
def test_bad_delegation_checks_are_422_naming_the_field(admin, changes, field, words) -> None:
    client, world = admin
    response = client.post(
        "/api/delegation/checks", data=json.dumps(_check(world, **changes)), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "payload", field]
    assert words in problem["msg"]


def test_the_edges_of_the_date_range_are_answered(admin) -> None:
    client, world = admin
    for day in ("1900-01-01", "2199-12-31"):
        response = client.post(
            "/api/delegation/checks",
            data=json.dumps(_check(world, date=day)),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["date"] == day


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_is_json_with_a_reference_and_no_details(admin, settings, monkeypatch, caplog, debug):
    settings.DEBUG = debug
    client, _world = admin
    client.raise_request_exception = False

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            'SELECT "secret" FROM "accounts_user" -- /work/cultivate/organisations/selectors.py'
        )

    monkeypatch.setattr("cultivate.organisations.selectors.organisations_visible_to", broken)
    with caplog.at_level(logging.ERROR, logger="cultivate.api"):
        response = client.get("/api/organisations")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "reference"}
    assert re.fullmatch(r"[0-9a-f]{12}", body["reference"])
    assert "went wrong on our side" in body["detail"]
    text = response.content.decode()
    for leak in ("Traceback", "SELECT", "secret", "/work/", ".py", "RuntimeError"):
        assert leak not in text
    (record,) = [r for r in caplog.records if r.name == "cultivate.api"]
    assert body["reference"] in record.getMessage()
    assert record.exc_info is not None and "SELECT" in str(record.exc_info[1])


def test_a_not_found_reads_the_same_under_debug(admin, settings) -> None:
    settings.DEBUG = True
    client, world = admin
    assert client.get("/api/people/999999").json() == {"detail": "Not Found"}
    assert client.get(f"/api/people/{world.worker.pk + 100000}/spells").json() == {"detail": "Not Found"}


# The document ------------------------------------------------------------------------------------------------


def _document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/")  # type: ignore[return-value]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _leaves(document: dict[str, Any], schema: dict[str, Any], where: str):
    """Every integer and string schema an input may take, with where it is."""
    schema = _resolve(document, schema)
    for branch in schema.get("anyOf", []):
        yield from _leaves(document, branch, where)
    for name, sub in schema.get("properties", {}).items():
        yield from _leaves(document, sub, f"{where}.{name}")
    if schema.get("type") in ("integer", "string"):
        yield where, schema


def _inputs(document: dict[str, Any]):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield from _leaves(document, parameter["schema"], f"{method} {path} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield from _leaves(document, body["schema"], f"{method} {path} body")


def test_every_integer_and_text_input_is_bounded_in_the_document() -> None:
    document = _document()
    inputs = list(_inputs(document))
    assert len(inputs) > 15
    for where, schema in inputs:
        if schema["type"] == "integer":
            assert schema.get("maximum", 2**64) <= DB_INT_MAX, where
            assert schema.get("minimum", -(2**64)) >= -DB_INT_MAX - 1, where
        elif "enum" not in schema and schema.get("format") != "uuid":
            pattern = schema.get("pattern")
            assert pattern, f"{where}: text without a pattern may carry NUL"
            assert not re.search(pattern, "a\x00b"), where


def test_every_operation_that_takes_input_documents_its_422_and_every_operation_its_500() -> None:
    document = _document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "500" in responses or 500 in responses, f"{method} {path}"
            if operation.get("parameters") or operation.get("requestBody"):
                answer = responses.get(422) or responses.get("422")
                assert answer, f"{method} {path}"
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ValidationErrorOut"}
    problem = document["components"]["schemas"]["ValidationProblemOut"]
    assert set(problem["required"]) == {"type", "loc", "msg"}


def test_the_one_of_rules_of_the_delegation_check_are_in_its_schema() -> None:
    document = _document()
    check = document["components"]["schemas"]["DelegationCheckIn"]
    person, team = (rule["oneOf"] for rule in check["allOf"])
    assert [branch["required"] for branch in person] == [["person_id"], ["staff_id"]]
    assert [branch["required"] for branch in team] == [["team_id"], ["team"]]
    assert "one of them, never both" in check["description"]
