"""The dashboard pages and downloads: who sees what, scope kept in HTML and exports, suppression by role."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent

from .dashboard_store import build_store

pytestmark = pytest.mark.django_db

RETENTION = "/insights/organisations/{code}/dashboards/retention/"


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("insights") / "store")


@pytest.fixture
def world(settings: Any, hand_store: Path) -> dict[str, Any]:
    settings.INSIGHTS_STORE = hand_store
    alliance = t.make_alliance("North")
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB", alliance=t.make_alliance("South"))
    ward1, ward2 = t.make_team(org_a, "A ward 1"), t.make_team(org_a, "A ward 2")
    t.make_team(org_b, "B ward 1")
    return {
        "org_a": org_a,
        "ward1": ward1,
        "ward2": ward2,
        "analyst": t.make_user(Role.ANALYST, organisation=org_a),
        "admin": t.make_user(Role.ORG_ADMIN, organisation=org_a),
        "manager": t.make_user(Role.LINE_MANAGER, organisation=org_a, teams=[ward1]),
        "alliance_admin": t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org_a),
        "educator": t.make_user(Role.EDUCATOR, organisation=org_a),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> str:
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )


@pytest.mark.parametrize("name", ["overview", "retention", "progression", "sickness", "fairness"])
def test_analyst_sees_every_dashboard_of_their_organisation_only(world: dict[str, Any], name: str) -> None:
    client = _client(world["analyst"])
    response = client.get(f"/insights/organisations/RAA/dashboards/{name}/?by=team")
    assert response.status_code == 200
    html = response.content.decode()
    if name != "fairness":  # relative likelihoods are for the whole organisation, never by team
        assert "A ward 1" in html
    assert "B ward 1" not in html and "RBB" not in html
    assert 'type="application/json"' in html and "<caption" in html
    before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
    assert client.get(f"/insights/organisations/RBB/dashboards/{name}/").status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


def test_exports_are_scoped_suppressed_and_audited(world: dict[str, Any]) -> None:
    analyst, admin = _client(world["analyst"]), _client(world["admin"])
    url = RETENTION.format(code="RAA") + "turnover.csv?by=team"
    before = AuditEvent.objects.filter(action=CoreAction.EXPORT).count()
    analyst_csv = _csv(analyst.get(url))
    assert "B ward 1" not in analyst_csv
    ward2 = next(line for line in analyst_csv.splitlines() if line.startswith("A ward 2"))
    assert "[c]" in ward2 or "[s]" in ward2
    admin_csv = _csv(admin.get(url))
    ward2_admin = next(line for line in admin_csv.splitlines() if line.startswith("A ward 2"))
    # The admin sees ward 2's one leaver (a11): joiners 0, leavers 1.
    assert ward2_admin.split(",")[1:3] == ["0", "1"]
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT).count() == before + 2
    event = AuditEvent.objects.filter(action=CoreAction.EXPORT).latest("pk")
    assert event.detail["organisations"] == ["RAA"] and event.detail["suppressed"] is False
    xlsx = analyst.get(RETENTION.format(code="RAA") + "turnover.xlsx?by=team")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "A ward 2" in labels and "B ward 1" not in labels
    assert analyst.get(RETENTION.format(code="RBB") + "turnover.csv").status_code == 404


def test_suppression_on_the_page_for_analysts_not_admins(world: dict[str, Any]) -> None:
    analyst_html = _client(world["analyst"]).get(RETENTION.format(code="RAA")).content.decode()
    admin_html = _client(world["admin"]).get(RETENTION.format(code="RAA")).content.decode()
    assert "Small numbers are hidden" in analyst_html and "[c]" in analyst_html
    assert "individual-level access" in admin_html and "[c]" not in admin_html


def test_line_manager_sees_only_their_teams(world: dict[str, Any]) -> None:
    client = _client(world["manager"])
    html = client.get("/insights/organisations/RAA/dashboards/overview/?by=team").content.decode()
    assert "A ward 1" in html and "A ward 2" not in html
    assert client.get(f"/insights/teams/{world['ward1'].pk}/dashboards/overview/").status_code == 200
    assert client.get(f"/insights/teams/{world['ward2'].pk}/dashboards/overview/").status_code == 403


def test_drill_down_alliance_to_organisation_to_team(world: dict[str, Any]) -> None:
    client = _client(world["alliance_admin"])
    assert client.get("/insights/")["Location"] == "/insights/alliance/dashboards/overview/"
    html = client.get("/insights/alliance/dashboards/overview/").content.decode()
    assert 'href="/insights/organisations/RAA/dashboards/overview/"' in html
    assert "RBB" not in html
    org_html = client.get("/insights/organisations/RAA/dashboards/overview/").content.decode()
    assert f'href="/insights/teams/{world["ward1"].pk}/dashboards/overview/"' in org_html
    assert client.get("/insights/organisations/RBB/dashboards/overview/").status_code == 404


@pytest.mark.parametrize("role", ["worker", "educator"])
def test_roles_without_dashboards_are_refused(world: dict[str, Any], role: str) -> None:
    client = _client(world[role])
    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/organisations/RAA/dashboards/overview/").status_code == 403
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=world[role]).count() == 2


def test_bad_filters_are_explained(world: dict[str, Any]) -> None:
    response = _client(world["analyst"]).get(RETENTION.format(code="RAA") + "?window=1999-13&by=religion")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Choose a month from the list" in html and "Choose a breakdown from the list" in html


def test_window_choice_changes_the_figures(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    url = RETENTION.format(code="RAA") + "turnover.csv"
    latest = _csv(client.get(url + "?by=disability"))
    earlier = _csv(client.get(url + "?by=disability&window=2023-03"))
    assert latest.splitlines()[1].split(",")[2] == "2"  # two leavers in the latest 12 months
    assert earlier.splitlines()[1].split(",")[2] == "0"


def test_empty_store_says_how_data_gets_in(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.INSIGHTS_STORE = tmp_path / "empty"
    html = _client(world["analyst"]).get("/insights/organisations/RAA/dashboards/overview/").content.decode()
    assert "There is no workforce data yet" in html and "Import workforce data" in html


def test_navigation_item(world: dict[str, Any]) -> None:
    assert "Workforce insights" in _client(world["analyst"]).get("/").content.decode()
    assert "Workforce insights" not in _client(world["worker"]).get("/").content.decode()


FAIRNESS = "/insights/organisations/{code}/dashboards/fairness/"
APPOINTMENT = "Appointment from shortlisting, by {} ("


def _appointment_rows(text: str) -> dict[str, list[str]]:
    """The appointment indicators' rows of a fairness export, by comparison (ethnicity, disability)."""
    rows = list(csv.reader(io.StringIO(text)))
    found = {}
    for row in rows:
        for comparison in ("ethnicity", "disability"):
            if row and row[0].startswith(APPOINTMENT.format(comparison)):
                found[comparison] = row
    return found


def test_fairness_page_shows_the_organisations_appointment_indicators_never_anothers(
    world: dict[str, Any],
) -> None:
    admin = _client(world["admin"])
    html = admin.get(FAIRNESS.format(code="RAA")).content.decode()
    assert "Appointment from shortlisting, by ethnicity (WRES indicator 2)" in html
    assert "Appointment from shortlisting, by disability (WDES metric 2)" in html
    assert "RBB" not in html
    found = _appointment_rows(_csv(admin.get(FAIRNESS.format(code="RAA") + "likelihoods.csv")))
    # RAA's own applications (dashboard_store): White 10 of 20 appointed, BME 2 of 10; non-disabled 11 of 24,
    # disabled 1 of 6. RBB's (White 7 of 7, BME 3 of 9) and the uncoded ones (8 of 8) never appear.
    ethnicity, disability = found["ethnicity"], found["disability"]
    assert ethnicity[2:5] == ["White", "10", "20"] and ethnicity[6:9] == ["BME", "2", "10"]
    assert disability[2:5] == ["Non-disabled", "11", "24"] and disability[6:9] == ["Disabled", "1", "6"]
    # An analyst sees them too, with the small counts hidden.
    analyst = _appointment_rows(
        _csv(_client(world["analyst"]).get(FAIRNESS.format(code="RAA") + "likelihoods.csv"))
    )
    assert analyst["ethnicity"][2:5] == ["White", "10", "20"] and analyst["ethnicity"][6:9] == [
        "BME",
        "[c]",
        "10",
    ]
    assert _client(world["admin"]).get(FAIRNESS.format(code="RBB")).status_code == 404


def test_a_team_fairness_page_has_no_appointment_indicators(world: dict[str, Any]) -> None:
    # Applications name no team, so a team's page reads none of them.
    html = _client(world["manager"]).get(f"/insights/teams/{world['ward1'].pk}/dashboards/fairness/").content
    text = html.decode()
    assert "Moving to a higher band" in text
    assert "Appointment from shortlisting, by ethnicity" not in text
