"""The access matrix: every page and API endpoint, each role of organisation A, against objects of A and of B.

Organisation A and C are in one alliance, B in another. Every cross-organisation read or write must be refused
(403 or 404) and the refusal audited; inside A each role sees exactly its scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cultivate.accounts import services as account_services
from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.portfolio.tests.delegation_factories import make_protocol
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
OK = 200
REFUSED = (403, 404)


@dataclass
class World:
    objects: dict[str, Any]
    users: dict[str, Any]
    tokens: dict[str, str]


@pytest.fixture
def world() -> World:
    alliance = t.make_alliance("North Alliance")
    other_alliance = t.make_alliance("South Alliance")
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB", alliance=other_alliance)
    team_a1, team_a2 = t.make_team(org_a, "A ward 1"), t.make_team(org_a, "A ward 2")
    team_b1 = t.make_team(org_b, "B ward 1")
    person_a1 = t.make_person(org_a, team=team_a1, given_name="Ada")
    person_a2 = t.make_person(org_a, team=team_a2, given_name="Ash")
    person_b1 = t.make_person(org_b, team=team_b1, given_name="Bea")
    users = {
        Role.SUPPORT_WORKER: t.make_user(Role.SUPPORT_WORKER, organisation=org_a, person=person_a1),
        Role.LINE_MANAGER: t.make_user(
            Role.LINE_MANAGER,
            organisation=org_a,
            teams=[team_a1],
            person=t.make_person(org_a, team=team_a1, band="6"),
        ),
        Role.ASSESSOR: t.make_user(Role.ASSESSOR, organisation=org_a, teams=[team_a1]),
        Role.EDUCATOR: t.make_user(Role.EDUCATOR, organisation=org_a),
        Role.ANALYST: t.make_user(Role.ANALYST, organisation=org_a),
        Role.ORG_ADMIN: t.make_user(Role.ORG_ADMIN, organisation=org_a),
        Role.ALLIANCE_ADMIN: t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
    }
    user_b = t.make_user(Role.SUPPORT_WORKER, organisation=org_b, person=person_b1)
    t.make_user(Role.ORG_ADMIN, organisation=org_b)
    tokens = {}
    for role, user in users.items():
        _token, secret = account_services.api_token_create(
            user=user, membership=user.memberships.get(), name="matrix"
        )
        tokens[role] = secret
    objects = {
        "org_a": org_a,
        "org_b": org_b,
        "team_a1": team_a1,
        "team_a2": team_a2,
        "team_b1": team_b1,
        "person_a1": person_a1,
        "person_a2": person_a2,
        "person_b1": person_b1,
        "user_a": users[Role.SUPPORT_WORKER],
        "user_b": user_b,
        "membership_b": user_b.memberships.get(),
    }
    for side, org in (("a", org_a), ("b", org_b)):
        framework = make_framework(f"Framework of {org.ods_code}", owner_organisation=org)
        competence = make_competence(framework, "Takes capillary blood glucose readings")
        objects[f"framework_{side}"] = framework
        objects[f"protocol_{side}"] = make_protocol(org, requirements=[(competence, "independent")])
    return World(objects=objects, users=users, tokens=tokens)


# Every role held in organisation A (not the alliance admin, who acts for the alliance).
ORG_ROLES = set(ROLES) - {Role.ALLIANCE_ADMIN}

# Workforce insights dashboards (aggregates): not support workers or educators.
INSIGHTS_ROLES = {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}

# (name, url template, roles allowed on A's object, object in B that no role of A may reach)
PAGES: list[tuple[str, str, set[str]]] = [
    ("staff list", "/organisations/{org.ods_code}/staff/", {Role.ORG_ADMIN}),
    (
        "organisation",
        "/organisations/{org.ods_code}/",
        {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.ALLIANCE_ADMIN},
    ),
    ("import", "/organisations/{org.ods_code}/import/", {Role.ORG_ADMIN}),
    (
        "person in team 1",
        "/people/{person1.pk}/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("person in team 2", "/people/{person2.pk}/", {Role.ORG_ADMIN}),
    (
        "portfolio in team 1",
        "/people/{person1.pk}/portfolio/",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("portfolio in team 2", "/people/{person2.pk}/portfolio/", {Role.ORG_ADMIN}),
    ("team competence", "/teams/{team1.pk}/competence/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    (
        "team competence export",
        "/teams/{team1.pk}/competence/export.csv",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR},
    ),
    ("team delegation", "/teams/{team1.pk}/delegation/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    ("organisation framework", "/frameworks/{framework.identifier}/", ORG_ROLES),
    # An alliance admin may read member organisations' requirements (the alliance's framework is behind them).
    (
        "role requirements",
        "/frameworks/organisations/{org.ods_code}/requirements/",
        ORG_ROLES | {Role.ALLIANCE_ADMIN},
    ),
    ("delegation protocol", "/delegation/protocols/{protocol.pk}/", ORG_ROLES),
    # Alliance admins look after admins only, not the staff of member organisations.
    ("managed user", "/accounts/users/{user.pk}/", {Role.ORG_ADMIN}),
    ("insights dashboard", "/insights/organisations/{org.ods_code}/dashboards/overview/", INSIGHTS_ROLES),
    ("insights retention", "/insights/organisations/{org.ods_code}/dashboards/retention/", INSIGHTS_ROLES),
    ("team insights", "/insights/teams/{team1.pk}/dashboards/sickness/", INSIGHTS_ROLES),
    # Workforce data import and job titles: the organisation's own admins and analysts only.
    ("insights import", "/insights/organisations/{org.ods_code}/import/", {Role.ORG_ADMIN, Role.ANALYST}),
    (
        "job title review",
        "/insights/organisations/{org.ods_code}/job-titles/",
        {Role.ORG_ADMIN, Role.ANALYST},
    ),
    (
        "job titles per role",
        "/insights/organisations/{org.ods_code}/job-titles/roles/",
        {Role.ORG_ADMIN, Role.ANALYST},
    ),
    # The board report covers whole organisations: not the team roles that see dashboards of their teams.
    (
        "board report",
        "/insights/report/?organisation={org.ods_code}",
        {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN},
    ),
]


def assert_not_stored(*responses: HttpResponseBase) -> None:
    """Every answer to a signed-in user (or a token), refusals included, tells browsers and proxies to keep no
    copy: shared ward computers (cultivate.core.middleware.NoStoreForSignedInMiddleware)."""
    for response in responses:
        assert response["Cache-Control"] == "no-store, private", response.wsgi_request.path


def _client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _format(url: str, world: World, side: str) -> str:
    o = world.objects
    if side == "a":
        return url.format(
            org=o["org_a"],
            person1=o["person_a1"],
            person2=o["person_a2"],
            user=o["user_a"],
            team1=o["team_a1"],
            framework=o["framework_a"],
            protocol=o["protocol_a"],
        )
    return url.format(
        org=o["org_b"],
        person1=o["person_b1"],
        person2=o["person_b1"],
        user=o["user_b"],
        team1=o["team_b1"],
        framework=o["framework_b"],
        protocol=o["protocol_b"],
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_page_matrix(world: World, role: str, name: str, url: str, allowed: set[str]) -> None:
    client = _client_for(world, role)
    own = client.get(_format(url, world, "a"))
    if role in allowed:
        assert own.status_code == OK, f"{role} should see {name} of their organisation"
    else:
        assert own.status_code in REFUSED, f"{role} should not see {name}"
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(_format(url, world, "b"))
    assert other.status_code in REFUSED, f"{role} of A reached {name} of B"
    assert_not_stored(own, other)
    after = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    assert after == before + 1, "the cross-organisation refusal must be audited"


ROLE_PAGES = [
    ("/team/", {Role.LINE_MANAGER, Role.ASSESSOR}),
    ("/accounts/users/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("/audit/", {Role.ORG_ADMIN, Role.ALLIANCE_ADMIN}),
    ("/organisations/", set(ROLES)),
    ("/me/", set(ROLES)),
    ("/", set(ROLES)),
    ("/accounts/", set(ROLES)),
    ("/portfolio/", set(ROLES)),
    ("/notifications/", set(ROLES)),
    ("/assessments/", {Role.ASSESSOR}),
    ("/teams/", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR}),
    ("/delegation/protocols/", ORG_ROLES),
    ("/delegation/check/", ORG_ROLES),
    ("/frameworks/", set(ROLES)),
    ("/insights/alliance/dashboards/overview/", {Role.ALLIANCE_ADMIN}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), ROLE_PAGES, ids=[p[0] for p in ROLE_PAGES])
def test_role_pages(world: World, role: str, url: str, allowed: set[str]) -> None:
    response = _client_for(world, role).get(url)
    assert_not_stored(response)
    if role in allowed:
        assert response.status_code == OK
    else:
        assert response.status_code in REFUSED
        assert AuditEvent.objects.filter(
            action=CoreAction.PERMISSION_DENIED, actor=world.users[role]
        ).exists()


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_page_writes_nothing(world: World, role: str, settings: Any) -> None:
    """A page view is a read: no session save, last-login, audit or notification write (ADR 0018). On SQLite any
    write would queue the page behind a long import holding the write lock. Exports are audited on purpose."""
    settings.SESSION_REFRESH_SECONDS = 3600  # a slow run must not reach the once-a-minute session refresh
    client = _client_for(world, role)
    client.get("/")  # the first page after sign-in stores the active role and the session's save time
    urls = [
        _format(url, world, "a") for name, url, allowed in PAGES if role in allowed and "export" not in name
    ]
    urls += [url for url, allowed in ROLE_PAGES if role in allowed]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == OK, url
        writes = [
            query["sql"]
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
        ]
        assert writes == [], f"GET {url} as {role} wrote to the database"


@pytest.mark.parametrize("role", ROLES)
def test_cross_organisation_writes_refused(world: World, role: str) -> None:
    """No role of A may change B: not B's users, roles, or staff records."""
    client = _client_for(world, role)
    o = world.objects
    attempts = [
        (f"/accounts/users/{o['user_b'].pk}/roles/new/", {"role": Role.ORG_ADMIN}),
        (f"/accounts/users/{o['user_b'].pk}/roles/{o['membership_b'].pk}/end/", {}),
        (f"/accounts/users/{o['user_b'].pk}/deactivate/", {}),
        (
            f"/accounts/users/{o['user_b'].pk}/edit/",
            {"full_name": "Changed", "registration_body": "", "registration_pin": ""},
        ),
        (f"/organisations/{o['org_b'].ods_code}/import/", {}),
        (f"/frameworks/{o['framework_b'].identifier}/versions/new/", {}),
        (f"/frameworks/organisations/{o['org_b'].ods_code}/requirements/new/", {}),
        (f"/delegation/protocols/{o['protocol_b'].pk}/edit/", {"activity": "Changed"}),
        (f"/people/{o['person_b1'].pk}/portfolio/", {}),
        (f"/insights/organisations/{o['org_b'].ods_code}/import/", {}),
        (f"/insights/organisations/{o['org_b'].ods_code}/snapshot/", {}),
        (
            "/insights/report/",
            {
                "organisation": o["org_b"].ods_code,
                "start": "2024-03",
                "end": "2025-03",
                "file_format": "html",
            },
        ),
    ]
    for url, data in attempts:
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        response = client.post(url, data)
        assert response.status_code in REFUSED, f"{role} of A could POST {url}"
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
    o["user_b"].refresh_from_db()
    o["membership_b"].refresh_from_db()
    assert o["user_b"].is_active and o["user_b"].full_name != "Changed"
    assert o["membership_b"].is_current
    assert o["user_b"].memberships.count() == 1
    assert o["framework_b"].versions.count() == 1
    o["protocol_b"].refresh_from_db()
    assert o["protocol_b"].activity != "Changed"


API = [
    (
        "/api/organisations/{org.ods_code}",
        {
            Role.ORG_ADMIN,
            Role.ANALYST,
            Role.EDUCATOR,
            Role.LINE_MANAGER,
            Role.ASSESSOR,
            Role.SUPPORT_WORKER,
            Role.ALLIANCE_ADMIN,
        },
    ),
    (
        "/api/organisations/{org.ods_code}/teams",
        {Role.ORG_ADMIN, Role.ANALYST, Role.EDUCATOR, Role.LINE_MANAGER, Role.ASSESSOR, Role.ALLIANCE_ADMIN},
    ),
    ("/api/people/{person1.pk}", {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER}),
    (
        "/api/people/{person1.pk}/spells",
        {Role.ORG_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR, Role.SUPPORT_WORKER},
    ),
    ("/api/people/{person2.pk}", {Role.ORG_ADMIN}),
    ("/api/frameworks/{framework.identifier}", ORG_ROLES),
    ("/api/organisations/{org.ods_code}/role-requirements", ORG_ROLES | {Role.ALLIANCE_ADMIN}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), API, ids=[a[0] for a in API])
def test_api_matrix(world: World, role: str, url: str, allowed: set[str]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    own = client.get(_format(url, world, "a"))
    if role in allowed:
        assert own.status_code == OK, (role, url, own.content)
    else:
        assert own.status_code in REFUSED
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(_format(url, world, "b"))
    assert other.status_code in REFUSED, f"{role} of A reached {url} of B through the API"
    assert_not_stored(own, other)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_stay_in_scope(world: World, role: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    people = client.get("/api/people").json()
    items = people["items"] if isinstance(people, dict) else people
    org_codes = {item["organisation"] for item in items}
    assert "RBB" not in org_codes
    organisations = client.get("/api/organisations").json()
    codes = {
        o["ods_code"] for o in (organisations["items"] if isinstance(organisations, dict) else organisations)
    }
    assert "RBB" not in codes


# Board reports made in the background: each role of A opens the status page and the file of a (suppressed)
# report of A and of B. A's report is for the roles that may take it; B's for none of them.
BOARD_REPORT_ROLES = {Role.ORG_ADMIN, Role.ANALYST, Role.ALLIANCE_ADMIN}


@pytest.fixture
def board_reports(world: World, settings: Any, tmp_path: Any) -> dict[str, Any]:
    import datetime as dt

    from cultivate.insights.models import BoardReport, BoardReportStatus

    settings.MEDIA_ROOT = tmp_path
    reports = {}
    for side in ("a", "b"):
        org = world.objects[f"org_{side}"]
        name = f"board-reports/{side}/report.html"
        (tmp_path / name).parent.mkdir(parents=True)
        (tmp_path / name).write_text("<!doctype html><title>Report</title>", encoding="utf-8")
        reports[side] = BoardReport.objects.create(
            role=Role.ANALYST,
            organisation=org,
            organisation_codes=[org.ods_code],
            title=f"Workforce report: {org.name}",
            period_start=dt.date(2024, 3, 31),
            period_end=dt.date(2025, 3, 31),
            file_format="html",
            status=BoardReportStatus.SUCCEEDED,
            file=name,
            size=(tmp_path / name).stat().st_size,
        )
    return reports


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["", "download/"], ids=["board report status", "board report download"])
def test_board_report_matrix(world: World, board_reports: dict[str, Any], role: str, page: str) -> None:
    client = _client_for(world, role)
    own = client.get(f"/insights/report/{board_reports['a'].pk}/{page}")
    if role in BOARD_REPORT_ROLES:
        assert own.status_code == OK, f"{role} should open A's board report"
    else:
        assert own.status_code in REFUSED, f"{role} should not open a board report"
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    other = client.get(f"/insights/report/{board_reports['b'].pk}/{page}")
    assert other.status_code == 404, f"{role} of A reached B's board report"
    assert_not_stored(own, other)
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1
