"""The board report page: who may take which organisation's report, suppression by role, bad input, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cultivate.accounts.models import Role
from cultivate.core import testing as t
from cultivate.core.models import AuditAction, AuditEvent

from .dashboard_store import build_store

pytestmark = pytest.mark.django_db

URL = "/insights/report/"
YEAR = {"start": "2024-03", "end": "2025-03"}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("report-pages") / "store")


@pytest.fixture
def world(settings: Any, hand_store: Path) -> dict[str, Any]:
    settings.INSIGHTS_STORE = hand_store
    alliance = t.make_alliance("North")
    org_a = t.make_organisation("RAA", alliance=alliance)
    t.make_organisation("RBB", alliance=t.make_alliance("South"))
    ward = t.make_team(org_a, "A ward 1")
    return {
        "org_a": org_a,
        "analyst": t.make_user(Role.ANALYST, organisation=org_a),
        "admin": t.make_user(Role.ORG_ADMIN, organisation=org_a),
        "alliance_admin": t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
        "manager": t.make_user(Role.LINE_MANAGER, organisation=org_a, teams=[ward]),
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org_a),
        "educator": t.make_user(Role.EDUCATOR, organisation=org_a),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _exports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.EXPORT).count()


def _denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_the_page_offers_the_roles_own_organisation(world: dict[str, Any]) -> None:
    response = _client(world["analyst"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{world['org_a'].name} (RAA)" in html
    assert "RBB" not in html and "All member organisations" not in html
    assert 'name="individual_level"' not in html  # analysts never see counts below 5
    assert 'value="2024-03"' in html and 'value="2025-03"' in html  # the 12 months to the latest data


def test_an_analyst_downloads_a_suppressed_html_report_and_it_is_audited(world: dict[str, Any]) -> None:
    before = _exports()
    response = _client(world["analyst"]).get(
        URL, {"organisation": "RAA", **YEAR, "file_format": "html", "individual_level": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"] == (
        'attachment; filename="workforce-report-raa-2024-03-31-2025-03-31.html"'
    )
    html = response.content.decode()
    assert f"Workforce report: {world['org_a'].name}" in html
    assert 'class="num">[c]<' in html  # RAA's two leavers are hidden: the ticked box is not the analyst's
    assert "B ward 1" not in html
    assert _exports() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("at")
    assert event.detail["what"] == "workforce board report"
    assert event.detail["organisations"] == ["RAA"]
    assert event.detail["format"] == "html" and event.detail["individual_level"] is False


def test_an_organisation_admin_may_show_every_figure(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    assert 'name="individual_level"' in client.get(URL).content.decode()
    response = client.get(
        URL, {"organisation": "RAA", **YEAR, "file_format": "html", "individual_level": "on"}
    )
    html = response.content.decode()
    assert "Not suppressed" in html and 'class="num">[c]<' not in html
    suppressed = client.get(URL, {"organisation": "RAA", **YEAR, "file_format": "html"}).content.decode()
    assert 'class="num">[c]<' in suppressed  # the default is a board audience


def test_an_alliance_admin_takes_all_members_as_pdf(world: dict[str, Any]) -> None:
    response = _client(world["alliance_admin"]).get(
        URL, {"organisation": "ALL", **YEAR, "file_format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("at")
    assert event.detail["organisations"] == ["RAA"]  # the alliance's members, never RBB of another alliance


@pytest.mark.parametrize("role", ["analyst", "admin", "alliance_admin"])
def test_another_organisations_report_is_refused_and_audited(world: dict[str, Any], role: str) -> None:
    before, exports = _denials(), _exports()
    response = _client(world[role]).get(URL, {"organisation": "RBB", **YEAR, "file_format": "html"})
    assert response.status_code == 404
    assert _denials() == before + 1
    assert _exports() == exports


@pytest.mark.parametrize("role", ["manager", "worker", "educator"])
def test_roles_without_the_report_are_refused(world: dict[str, Any], role: str) -> None:
    before = _denials()
    assert _client(world[role]).get(URL).status_code == 403
    assert _denials() == before + 1


def test_only_alliance_admins_take_all_members(world: dict[str, Any]) -> None:
    response = _client(world["analyst"]).get(URL, {"organisation": "ALL", **YEAR, "file_format": "html"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "March 2024", "end": "2025-03"}, "Enter the period start as a month (2024-03) or a day"),
        ({"start": "2024-03", "end": "2025-13"}, "Enter the period end as a month (2024-03) or a day"),
        ({"start": "2025-03", "end": "2024-03"}, "The period end must be after its start (31 March 2025)"),
        ({"start": "", "end": "2025-03"}, "Enter the start of the period, like 2023-03"),
    ],
)
def test_bad_periods_are_explained(world: dict[str, Any], query: dict[str, str], message: str) -> None:
    before = _exports()
    response = _client(world["analyst"]).get(URL, {"organisation": "RAA", "file_format": "html", **query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert _exports() == before


def test_without_data_the_page_says_so(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.INSIGHTS_STORE = tmp_path / "empty"
    response = _client(world["analyst"]).get(URL, {"organisation": "RAA", **YEAR, "file_format": "html"})
    assert response.status_code == 200
    assert "There is no workforce data yet" in response.content.decode()
