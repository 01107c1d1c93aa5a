"""The board report pages: who may ask for which organisation's report, the status page as the worker makes it,
who may open and download a finished report, suppression by role, bad input, audit. (The test settings run
tasks at once, so a report asked for is made before the page redirects.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights.board_reports import services
from cultivate.insights.measures import Window
from cultivate.insights.models import BoardReport, BoardReportStatus

from .dashboard_store import build_store

pytestmark = pytest.mark.django_db

URL = "/insights/report/"
YEAR = {"start": "2024-03", "end": "2025-03"}
PERIOD = Window(dt.date(2024, 3, 31), dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("report-pages") / "store")


@pytest.fixture
def world(settings: Any, hand_store: Path, tmp_path: Path) -> dict[str, Any]:
    settings.INSIGHTS_STORE = hand_store
    settings.MEDIA_ROOT = tmp_path / "media"
    alliance = t.make_alliance("North")
    org_a = t.make_organisation("RAA", alliance=alliance)
    org_b = t.make_organisation("RBB", alliance=t.make_alliance("South"))
    ward = t.make_team(org_a, "A ward 1")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "analyst": t.make_user(Role.ANALYST, organisation=org_a),
        "admin": t.make_user(Role.ORG_ADMIN, organisation=org_a),
        "alliance_admin": t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance),
        "manager": t.make_user(Role.LINE_MANAGER, organisation=org_a, teams=[ward]),
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org_a),
        "educator": t.make_user(Role.EDUCATOR, organisation=org_a),
        "admin_b": t.make_user(Role.ORG_ADMIN, organisation=org_b),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _exports() -> int:
    return AuditEvent.objects.filter(action=CoreAction.EXPORT).count()


def _denials() -> int:
    return AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()


def _ask(client: Client, **data: str) -> tuple[Any, BoardReport | None]:
    """POST the form; the report it made (None when the form was refused or redisplayed)."""
    before = set(BoardReport.objects.values_list("pk", flat=True))
    response = client.post(URL, data)
    made = BoardReport.objects.exclude(pk__in=before).first()
    return response, made


def _queued(user: Any, organisation: Any, **kwargs: Any) -> BoardReport:
    """A report recorded but not yet run by the worker."""
    membership = user.memberships.get()
    return services.board_report_create(
        membership=membership,
        actor=user,
        organisation=organisation,
        alliance=membership.alliance if organisation is None else None,
        organisation_codes=[organisation.ods_code] if organisation else ["RAA"],
        title="Workforce report: test",
        period=PERIOD,
        file_format=kwargs.pop("file_format", "html"),
        individual_level=kwargs.pop("individual_level", False),
    )


def test_the_page_offers_the_roles_own_organisation(world: dict[str, Any]) -> None:
    response = _client(world["analyst"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{world['org_a'].name} (RAA)" in html
    assert "RBB" not in html and "All member organisations" not in html
    assert 'name="individual_level"' not in html  # analysts never see counts below 5
    assert 'value="2024-03"' in html and 'value="2025-03"' in html  # the 12 months to the latest data
    assert 'method="post"' in html and "Prepare the report" in html
    assert "Your recent reports" not in html  # none asked for yet


def test_an_analyst_asks_for_a_suppressed_html_report_and_downloads_it(world: dict[str, Any]) -> None:
    client = _client(world["analyst"])
    exports = _exports()
    response, report = _ask(client, organisation="RAA", **YEAR, file_format="html", individual_level="on")
    assert report is not None
    assert response.status_code == 302 and response["Location"] == f"/insights/report/{report.pk}/"
    assert report.status == BoardReportStatus.SUCCEEDED
    assert report.individual_level is False  # the ticked box is not the analyst's to give
    assert report.organisation_codes == ["RAA"] and report.requested_by == world["analyst"]
    assert _exports() == exports  # making it is not an export; downloading is

    status = client.get(f"/insights/report/{report.pk}/")
    html = status.content.decode()
    assert status.status_code == 200
    assert "The report is ready." in html and "data-app-refresh" not in html
    assert f'href="/insights/report/{report.pk}/download/"' in html
    assert "Counts below 5 hidden" in html

    download = client.get(f"/insights/report/{report.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/html")
    assert download["Content-Disposition"] == (
        'attachment; filename="workforce-report-raa-2024-03-31-2025-03-31.html"'
    )
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert f"Workforce report: {world['org_a'].name}" in body
    assert 'class="num">[c]<' in body  # RAA's two leavers are hidden
    assert "B ward 1" not in body
    assert _exports() == exports + 1
    event = AuditEvent.objects.filter(action=CoreAction.EXPORT).latest("at")
    assert event.detail["what"] == "workforce board report"
    assert event.detail["organisations"] == ["RAA"]
    assert event.detail["format"] == "html" and event.detail["individual_level"] is False
    assert event.actor == world["analyst"]

    # The report is listed on the form page, for the analyst who asked
    listed = client.get(URL).content.decode()
    assert "Your recent reports" in listed and f"/insights/report/{report.pk}/" in listed
    assert f"/insights/report/{report.pk}/" not in _client(world["admin"]).get(URL).content.decode()


def test_an_organisation_admin_may_show_every_figure_and_only_admins_open_it(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    assert 'name="individual_level"' in client.get(URL).content.decode()
    _response, report = _ask(client, organisation="RAA", **YEAR, file_format="html", individual_level="on")
    assert report is not None and report.individual_level is True
    body = b"".join(client.get(f"/insights/report/{report.pk}/download/").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Not suppressed" in body and 'class="num">[c]<' not in body
    # Another admin of the same organisation may open it; an analyst of it may not (403: their own
    # organisation's report, audited), nor may the alliance admin.
    other_admin = t.make_user(Role.ORG_ADMIN, organisation=world["org_a"])
    assert _client(other_admin).get(f"/insights/report/{report.pk}/").status_code == 200
    for user, code in ((world["analyst"], 403), (world["alliance_admin"], 404)):
        before, exports = _denials(), _exports()
        assert _client(user).get(f"/insights/report/{report.pk}/download/").status_code == code
        assert _denials() == before + 1 and _exports() == exports


def test_the_individual_level_flag_is_refused_for_other_roles(world: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    for role in ("analyst", "alliance_admin"):
        with pytest.raises(PermissionDenied):
            _queued(world[role], world["org_a"], individual_level=True)
    with pytest.raises(PermissionDenied):  # all members of an alliance: never every figure
        _queued(world["alliance_admin"], None, individual_level=True)
    assert not BoardReport.objects.exists()


def test_a_suppressed_report_is_shared_with_the_same_scope(world: dict[str, Any]) -> None:
    report = _queued(world["analyst"], world["org_a"])
    for role in ("analyst", "admin", "alliance_admin"):
        assert _client(world[role]).get(f"/insights/report/{report.pk}/").status_code == 200
    for role in ("manager", "worker", "educator"):
        before = _denials()
        assert _client(world[role]).get(f"/insights/report/{report.pk}/").status_code == 403
        assert _denials() == before + 1


def test_an_alliance_admin_takes_all_members_as_pdf(world: dict[str, Any]) -> None:
    client = _client(world["alliance_admin"])
    _response, report = _ask(client, organisation="ALL", **YEAR, file_format="pdf")
    assert report is not None and report.status == BoardReportStatus.SUCCEEDED
    assert (
        report.organisation is None and report.alliance == world["alliance_admin"].memberships.get().alliance
    )
    assert report.organisation_codes == ["RAA"]  # the alliance's members, never RBB of another alliance
    download = client.get(f"/insights/report/{report.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert download["Content-Disposition"].endswith(
        'filename="workforce-report-alliance-2024-03-31-2025-03-31.pdf"'
    )
    # RAA's own analyst does not open the alliance's report
    assert _client(world["analyst"]).get(f"/insights/report/{report.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "admin", "alliance_admin"])
def test_another_organisations_report_is_refused_and_audited(world: dict[str, Any], role: str) -> None:
    before = _denials()
    response, report = _ask(_client(world[role]), organisation="RBB", **YEAR, file_format="html")
    assert response.status_code == 404 and report is None
    assert _denials() == before + 1


@pytest.mark.parametrize("role", ["analyst", "admin", "alliance_admin", "manager", "worker"])
@pytest.mark.parametrize("page", ["", "download/"])
def test_another_organisations_report_status_and_file_are_refused(
    world: dict[str, Any], role: str, page: str
) -> None:
    theirs = services.board_report_execute(record_id=_queued(world["admin_b"], world["org_b"]).pk)
    assert theirs.status == BoardReportStatus.SUCCEEDED
    before, exports = _denials(), _exports()
    response = _client(world[role]).get(f"/insights/report/{theirs.pk}/{page}")
    assert response.status_code == 404  # not even confirmed to exist
    assert _denials() == before + 1 and _exports() == exports
    event = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).latest("at")
    assert event.object_id == str(theirs.pk) and event.actor == world[role]


@pytest.mark.parametrize("role", ["manager", "worker", "educator"])
def test_roles_without_the_report_are_refused(world: dict[str, Any], role: str) -> None:
    before = _denials()
    assert _client(world[role]).get(URL).status_code == 403
    assert (
        _client(world[role]).post(URL, {"organisation": "RAA", **YEAR, "file_format": "html"}).status_code
        == 403
    )
    assert _denials() == before + 2
    assert not BoardReport.objects.exists()


def test_only_alliance_admins_take_all_members(world: dict[str, Any]) -> None:
    response, report = _ask(_client(world["analyst"]), organisation="ALL", **YEAR, file_format="html")
    assert response.status_code == 403 and report is None


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
    response, report = _ask(_client(world["analyst"]), organisation="RAA", file_format="html", **query)
    assert response.status_code == 200 and report is None
    html = response.content.decode()
    assert "There is a problem" in html and message in html


def test_an_organisation_without_records_is_explained(world: dict[str, Any]) -> None:
    other = t.make_organisation("RCC")
    analyst = t.make_user(Role.ANALYST, organisation=other)
    response, report = _ask(_client(analyst), organisation="RCC", **YEAR, file_format="html")
    assert response.status_code == 200 and report is None
    html = response.content.decode()
    assert "The imported workforce extracts hold no records for this organisation" in html
    assert "RAA" not in html and "RBB" not in html  # the store's other contents stay unsaid


def test_without_data_the_page_says_so(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    settings.INSIGHTS_STORE = tmp_path / "empty"
    response, report = _ask(_client(world["analyst"]), organisation="RAA", **YEAR, file_format="html")
    assert response.status_code == 200 and report is None
    assert "There is no workforce data yet" in response.content.decode()


# The status page in each state ---------------------------------------------------------------------------------
def test_a_queued_report_refreshes_itself_until_told_to_stop(world: dict[str, Any]) -> None:
    report = _queued(world["analyst"], world["org_a"], file_format="pdf")
    client = _client(world["analyst"])
    html = client.get(f"/insights/report/{report.pk}/").content.decode()
    assert "Queued" in html and "Waiting for the worker to start." in html
    assert 'data-app-refresh="2"' in html and "Stop updating this page" in html
    assert "/download/" not in html
    still = client.get(f"/insights/report/{report.pk}/", {"refresh": "off"}).content.decode()
    assert "data-app-refresh" not in still and "Update this page" in still
    # Nothing to download yet
    assert client.get(f"/insights/report/{report.pk}/download/").status_code == 404


def test_a_running_report_shows_its_stage(world: dict[str, Any]) -> None:
    report = _queued(world["analyst"], world["org_a"], file_format="pdf")
    BoardReport.objects.filter(pk=report.pk).update(
        status=BoardReportStatus.RUNNING, stage=services.CHARTS, steps_done=4, steps_total=6
    )
    html = _client(world["analyst"]).get(f"/insights/report/{report.pk}/").content.decode()
    assert "Being prepared" in html and "Step 5 of 6: Drawing the charts (66% done)." in html
    assert 'value="4"' in html and 'max="6"' in html


def test_a_failed_report_says_what_went_wrong(world: dict[str, Any], settings: Any, tmp_path: Path) -> None:
    report = _queued(world["analyst"], world["org_a"])
    settings.INSIGHTS_STORE = tmp_path / "gone"  # the store was removed after the report was asked for
    services.board_report_execute(record_id=report.pk)
    html = _client(world["analyst"]).get(f"/insights/report/{report.pk}/").content.decode()
    assert "The report was not made" in html and "Not made" in html
    assert "no longer hold records for the organisations of this report" in html
    assert str(tmp_path) not in html  # the server's folders are not shown
    assert "/download/" not in html and "data-app-refresh" not in html


def test_a_replacement_cost_adds_the_cost_of_turnover(world: dict[str, Any]) -> None:
    client = _client(world["admin"])
    _response, report = _ask(client, organisation="RAA", **YEAR, file_format="html", replacement_cost="4250")
    assert report is not None and report.cost_per_leaver == 4250
    body = b"".join(client.get(f"/insights/report/{report.pk}/download/").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Cost of turnover" in body and "£4,250" in body
    _response, without = _ask(client, organisation="RAA", **YEAR, file_format="html")
    assert without is not None and without.cost_per_leaver is None


def test_a_bad_replacement_cost_is_explained(world: dict[str, Any]) -> None:
    response, report = _ask(
        _client(world["analyst"]), organisation="RAA", **YEAR, file_format="html", replacement_cost="-3"
    )
    assert response.status_code == 200 and report is None
    assert "The cost of replacing one leaver cannot be negative" in response.content.decode()


def test_the_commentary_is_kept_and_printed_first(world: dict[str, Any]) -> None:
    client = _client(world["analyst"])
    page = client.get(URL).content.decode()
    assert "Commentary for the board (optional)" in page
    words = "Leavers fell this year.\n\nWe ask the board to <i>note</i> the trend."
    _response, report = _ask(client, organisation="RAA", **YEAR, file_format="html", commentary=words)
    assert report is not None and report.commentary == words
    body = b"".join(client.get(f"/insights/report/{report.pk}/download/").streaming_content).decode()  # type: ignore[attr-defined]
    assert body.index("Commentary") < body.index("Key figures")
    assert "<p>Leavers fell this year.</p>" in body and "&lt;i&gt;note&lt;/i&gt;" in body


def test_a_long_commentary_is_explained(world: dict[str, Any]) -> None:
    response, report = _ask(
        _client(world["analyst"]), organisation="RAA", **YEAR, file_format="html", commentary="x" * 5001
    )
    assert response.status_code == 200 and report is None
    assert "Keep the commentary to 5,000 characters or fewer" in response.content.decode()
