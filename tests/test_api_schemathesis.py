"""Schemathesis over the whole OpenAPI document, in-process through the WSGI app (no network): every
operation, each generated request sent as five roles (organisation admin, line manager, support worker,
workforce analyst, alliance admin), must answer no 5xx and nothing the document does not describe (status,
content type, body schema). Examples are bounded so the run stays a few seconds a database; it runs on SQLite
and, since it uses the database, in the PostgreSQL run as well, where NUL and integer overflow differ."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.config.api import api
from cultivate.organisations.models import EmploymentSpell
from cultivate.portfolio.tests.delegation_factories import World, build_world, token_for

MAX_EXAMPLES = 10  # per operation in the fuzzing phase; the coverage phase adds its boundary cases
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Pages and the API answer gzip to a client that asks (GZipMiddleware, ADR 0029); the fuzzer's transport reads
# the body as it comes, so it asks for the body uncompressed.
PLAIN = {"Accept-Encoding": "identity"}

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = get_wsgi_application()
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
schema.config.phases.stateful.enabled = False
schema.config.analysis.constants.enabled = False
schema.config.phases.coverage.unexpected_methods = set()


_turn = itertools.count()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection at the end of each request, which would end the test's
    transaction (on PostgreSQL); its test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    """A bearer token for each role, in a small world with people, teams, a framework and a protocol."""
    alliance = world.org.alliance
    manager = t.make_person(world.org, team=world.community, band="6", given_name="Morgan")
    users = {
        "org_admin": t.make_user(Role.ORG_ADMIN, organisation=world.org),
        "line_manager": t.make_user(
            Role.LINE_MANAGER, organisation=world.org, teams=[world.community], person=manager
        ),
        "support_worker": t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker),
        "analyst": t.make_user(Role.ANALYST, organisation=world.org),
        "alliance_admin": t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
    }
    return {role: token_for(user) for role, user in users.items()}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_and_every_answer_as_documented(case: Any, tokens: dict[str, str]) -> None:
    # The coverage phase's many boundary cases (values just past each limit, missing and wrong-typed
    # parameters) are refused before any role matters: each goes to one role in turn. Fuzzed cases, fewer and
    # mostly valid, go to every role, whose scopes shape the answers.
    secrets = list(tokens.values())
    if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
        secrets = [secrets[next(_turn) % len(secrets)]]
    for secret in secrets:
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}", **PLAIN}, checks=CHECKS)


def test_answers_about_real_records_are_as_documented(world: World, tokens: dict[str, str]) -> None:
    """Generated ids rarely name a real record: ask about real ones, as every role, and check each answer
    against the document; the organisation admin sees them all."""
    spell = EmploymentSpell.objects.filter(person=world.worker).first()
    assert spell is not None
    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/organisations/{ods_code}", {"path_parameters": {"ods_code": world.org.ods_code}}),
        ("GET", "/api/organisations/{ods_code}/teams", {"path_parameters": {"ods_code": world.org.ods_code}}),
        (
            "GET",
            "/api/organisations/{ods_code}/role-requirements",
            {"path_parameters": {"ods_code": world.org.ods_code}},
        ),
        ("GET", "/api/teams/{team_id}", {"path_parameters": {"team_id": world.community.pk}}),
        ("GET", "/api/people", {"query": {"team": world.community.pk, "status": "all"}}),
        ("GET", "/api/people/{person_id}", {"path_parameters": {"person_id": world.worker.pk}}),
        ("GET", "/api/people/{person_id}/spells", {"path_parameters": {"person_id": world.worker.pk}}),
        ("GET", "/api/spells/{spell_id}", {"path_parameters": {"spell_id": spell.pk}}),
        (
            "GET",
            "/api/frameworks/{identifier}",
            {"path_parameters": {"identifier": world.framework.identifier}},
        ),
        (
            "POST",
            "/api/delegation/checks",
            {
                "body": {
                    "staff_id": world.worker.staff_id,
                    "protocol": world.protocol.code,
                    "team": world.community.name,
                },
                "media_type": "application/json",
            },
        ),
    ]
    answered: dict[tuple[str, str], int] = {}
    for role, secret in tokens.items():
        for method, path, data in asks:
            case = schema[path][method].Case(**data)
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {secret}", **PLAIN}, checks=CHECKS
            )
            answered[role, path] = response.status_code
    assert {answered["org_admin", path] for _method, path, _data in asks} == {200}
    assert answered["support_worker", "/api/people/{person_id}"] == 200  # their own record
