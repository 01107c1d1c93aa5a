"""Every spreadsheet export escapes formulas (CSV/XLSX injection).

The views that answer with a CSV or XLSX file are marked `@spreadsheet_export` (cultivate/core/exports.py) and
found here through the URL configuration; each has a case below that fills the file with hostile names (a team,
people, job titles, an organisation, an alliance, uploaded values) and checks that no cell starts like a formula
and no XLSX cell is one. A marked view without a case fails the test, and so does code that writes CSV or XLSX
without the shared helper."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core import exports
from cultivate.insights.models import InsightsImport
from cultivate.organisations.models import StaffImport

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_TEAM = '=HYPERLINK("http://example.com/x","Ward")'
HOSTILE_GIVEN = "+SUM(1,2)"
HOSTILE_ROLE = "-2+3 Assistant"
HOSTILE_ORG = "@SUM(1,1) Trust"


def marked_views() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "spreadsheet_export", False):
                found.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


def cells(body: bytes, file_format: str) -> Iterator[Any]:
    """Every cell of the file; fails on an XLSX formula cell."""
    if file_format == "csv":
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            yield from row
        return
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}: {cell.value}"
                yield cell.value


def assert_escaped(response: Any, file_format: str, *hostile: str) -> None:
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [value for value in cells(body, file_format) if isinstance(value, str)]
    unescaped = [text for text in texts if text.startswith(exports.FORMULA_START)]
    assert not unescaped, unescaped
    # The hostile text did reach the file (escaped), so the check above looked at it.
    for text in hostile:
        assert any(value.startswith("'" + text) for value in texts), (text, texts[:40])


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_competence(tmp_path: Path) -> None:
    from cultivate.portfolio.tests import portfolio_factories as pf
    from cultivate.portfolio.tests.delegation_factories import build_world

    world = build_world()
    pf.require(world.org, world.senior, world.cbg, "independent")
    world.community.name = HOSTILE_TEAM
    world.community.save()
    world.worker.given_name = HOSTILE_GIVEN
    world.worker.save()
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    client = _signed_in(manager)
    for file_format in ("csv", "xlsx"):
        response = client.get(f"/teams/{world.community.pk}/competence/export.{file_format}")
        hostile = (HOSTILE_GIVEN, HOSTILE_TEAM) if file_format == "xlsx" else (HOSTILE_GIVEN,)
        assert_escaped(response, file_format, *hostile)


def insights_dashboards(tmp_path: Path) -> None:
    """A store whose ward and job role are hostile (they come from the extract), and hostile names in the
    database for the organisation and alliance, which the XLSX About sheet shows."""
    from cultivate.insights.tests import dashboard_store

    original = dashboard_store.assignments

    def hostile_assignments() -> list[tuple[object, ...]]:
        rows = []
        for row in original():
            values = list(row)
            values[3] = HOSTILE_TEAM if values[3] == "A ward 1" else values[3]
            values[4] = HOSTILE_ROLE if values[4] == "Assistant Practitioner" else values[4]
            rows.append(tuple(values))
        return rows

    from django.conf import settings

    dashboard_store.assignments = hostile_assignments  # type: ignore[assignment]
    try:
        settings.INSIGHTS_STORE = dashboard_store.build_store(tmp_path / "store")
    finally:
        dashboard_store.assignments = original  # type: ignore[assignment]
    alliance = t.make_alliance(HOSTILE_ORG)
    org = t.make_organisation("RAA", alliance=alliance)
    org.name = HOSTILE_ORG
    org.save()
    ward = t.make_team(org, HOSTILE_TEAM)
    admin = _signed_in(t.make_user(Role.ORG_ADMIN, organisation=org))
    alliance_admin = _signed_in(t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance))
    for file_format in ("csv", "xlsx"):
        base = "/insights/organisations/RAA/dashboards/"
        about = (HOSTILE_ORG,) if file_format == "xlsx" else ()
        assert_escaped(
            admin.get(f"{base}retention/turnover.{file_format}?by=team"), file_format, HOSTILE_TEAM, *about
        )
        assert_escaped(admin.get(f"{base}progression/roles.{file_format}"), file_format, HOSTILE_ROLE, *about)
        assert_escaped(
            admin.get(f"/insights/teams/{ward.pk}/dashboards/progression/roles.{file_format}"),
            file_format,
            HOSTILE_ROLE,
            *((HOSTILE_TEAM,) if file_format == "xlsx" else ()),
        )
        assert_escaped(
            alliance_admin.get(f"/insights/alliance/dashboards/progression/roles.{file_format}"),
            file_format,
            HOSTILE_ROLE,
            *about,
        )


def member_totals(tmp_path: Path) -> None:
    """Trusts with hostile names in the alliance admin's competence and training totals."""
    alliance = t.make_alliance(HOSTILE_ORG)
    org = t.make_organisation("RAA", alliance=alliance)
    org.name = HOSTILE_ORG
    org.save()
    alliance_admin = _signed_in(t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance))
    for file_format in ("csv", "xlsx"):
        for table in ("competences", "training"):
            response = alliance_admin.get(f"/insights/alliance/member-trusts/{table}.{file_format}")
            assert_escaped(response, file_format, HOSTILE_ORG)


def insights_import_problems(tmp_path: Path) -> None:
    import zipfile

    from django.conf import settings

    from cultivate.insights.tests.extract_fixtures import extract_tables, write_csv

    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.MEDIA_ROOT = tmp_path / "media"
    org = t.make_organisation("RX1")
    client = _signed_in(t.make_user(Role.ORG_ADMIN, organisation=org))
    tables = extract_tables()
    header, rows = tables["assignments"]
    code = header.index("organisation_code")
    rows = [row for row in rows if row[code].upper() == "RX1"]
    rows[0][header.index("fte")] = HOSTILE_TEAM
    tables["assignments"] = (header, rows)
    folder = write_csv(tmp_path / "bad", tables)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"extract/{path.name}")
    upload = SimpleUploadedFile("extract.zip", buffer.getvalue(), content_type="application/zip")
    client.post("/insights/organisations/RX1/import/", {"extract": upload})
    record = InsightsImport.objects.latest("pk")
    response = client.get(f"/insights/organisations/RX1/import/{record.pk}/?download=problems")
    assert_escaped(response, "csv", HOSTILE_TEAM)


def staff_import_problems(tmp_path: Path) -> None:
    from django.conf import settings

    from cultivate.organisations.tests.test_staff_import import PEOPLE, PEOPLE_HEADER, changed, write_extract

    settings.MEDIA_ROOT = tmp_path / "media"
    org = t.make_organisation("RX1")
    client = _signed_in(t.make_user(Role.ORG_ADMIN, organisation=org))
    folder = write_extract(tmp_path, people=changed(PEOPLE, 1, "sex", HOSTILE_TEAM, PEOPLE_HEADER))
    files = {
        name: SimpleUploadedFile(
            f"{name}.csv", (folder / f"{name}.csv").read_bytes(), content_type="text/csv"
        )
        for name in ("people", "assignments")
    }
    client.post("/organisations/RX1/import/", files)
    record = StaffImport.objects.latest("pk")
    response = client.get(f"/organisations/RX1/import/{record.pk}/?download=problems")
    assert_escaped(response, "csv", HOSTILE_TEAM)


def programme_outcomes(tmp_path: Path) -> None:
    """A cohort and an employing organisation with hostile names: the XLSX's cohort and organisation tables."""
    from django.conf import settings

    from cultivate.programmes.testing import make_participant, make_programme, make_worker

    settings.INSIGHTS_STORE = tmp_path / "store"
    alliance = t.make_alliance()
    org = t.make_organisation("RAB", alliance=alliance)
    org.name = HOSTILE_ORG
    org.save()
    educator = t.make_user(Role.EDUCATOR, organisation=org)
    programme = make_programme(alliance=alliance, lead=educator)
    cohort = programme.cohorts.get()
    cohort.name = HOSTILE_TEAM
    cohort.save()
    for _ in range(5):
        make_participant(cohort, make_worker(org)[1])
    client = _signed_in(educator)
    assert_escaped(
        client.get(f"/programmes/{programme.pk}/outcomes/?download=xlsx"), "xlsx", HOSTILE_TEAM, HOSTILE_ORG
    )
    assert_escaped(
        client.get(f"/programmes/cohorts/{cohort.pk}/outcomes/?download=xlsx"), "xlsx", HOSTILE_ORG
    )


def learning_gaps(tmp_path: Path) -> None:
    """A required competence with a hostile name and no offer: the organisation's training gaps workbook."""
    from cultivate.learning.tests.test_views import scene

    world = scene.__wrapped__()
    framework = world["awareness"].framework
    framework.title = HOSTILE_TEAM
    framework.save()
    client = _signed_in(world["educator"])
    assert_escaped(client.get("/learning/organisations/RX1/gaps.xlsx"), "xlsx", HOSTILE_TEAM)


def training_import_problems(tmp_path: Path) -> None:
    """A training.csv whose completion date is a hostile text, echoed in the import's problems download."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path / "media"
    org = t.make_organisation("RX1")
    client = _signed_in(t.make_user(Role.EDUCATOR, organisation=org))
    body = (
        "person_id,course_code,course_title,completed_on,mandatory,hours,cost_gbp\n"
        f'nobody,FS1,Functional skills,"{HOSTILE_TEAM.replace(chr(34), chr(34) * 2)}",Y,,\n'
    ).encode()
    upload = SimpleUploadedFile("training.csv", body, content_type="text/csv")
    client.post("/learning/organisations/RX1/import/", {"file": upload})
    from cultivate.learning.models import TrainingImport
    from cultivate.learning.services import training_import_execute

    record = training_import_execute(record_id=TrainingImport.objects.latest("pk").pk)
    assert record.problem_count, record.status
    response = client.get(f"/learning/organisations/RX1/import/{record.pk}/?download=problems")
    assert_escaped(response, "csv", HOSTILE_TEAM)


def support_figures(tmp_path: Path) -> None:
    """An organisation with a hostile name: its support-at-work figures in both formats."""
    org = t.make_organisation("RX1")
    org.name = HOSTILE_ORG
    org.save()
    team = t.make_team(org, HOSTILE_TEAM)
    for _ in range(6):
        t.make_person(org, team=team)
    client = _signed_in(t.make_user(Role.ANALYST, organisation=org))
    for file_format in ("csv", "xlsx"):
        assert_escaped(
            client.get(f"/learning/organisations/RX1/support.{file_format}"), file_format, HOSTILE_ORG
        )


def audit_log(tmp_path: Path) -> None:
    """An audit entry about a person with a hostile name, in both formats of the audit log's export."""
    from cultivate.core.audit import AuditContext, audit
    from cultivate.core.audit_actions import CoreAction

    org = t.make_organisation()
    org.name = HOSTILE_ORG
    org.save()
    person = t.make_person(org, given_name=HOSTILE_GIVEN, family_name="Smith")
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    audit(CoreAction.EXPORT, ctx=AuditContext(actor=admin), obj=person, organisation=org, what=HOSTILE_TEAM)
    client = _signed_in(admin)
    for file_format in ("csv", "xlsx"):
        assert_escaped(client.get(f"/audit/export.{file_format}"), file_format, HOSTILE_GIVEN)


def ready_people_progression(tmp_path: Path) -> None:
    """A step of the organisation's own pathway with a hostile title: the workbook's step cells."""
    from cultivate.pathways import testing as pathways_testing
    from cultivate.pathways.models import Step

    org = t.make_organisation("RX1")
    pathway = pathways_testing.make_pathway("Local route", owner_organisation=org)
    Step.objects.create(pathway=pathway, code="hostile", title=HOSTILE_TEAM, band="4")
    client = _signed_in(t.make_user(Role.ANALYST, organisation=org))
    response = client.get("/pathways/organisations/RX1/progression.xlsx")
    assert_escaped(response, "xlsx", HOSTILE_TEAM)


CASES: dict[str, Callable[[Path], None]] = {
    "pathways:organisation_progression_xlsx": ready_people_progression,
    "learning:gaps_xlsx": learning_gaps,
    "learning:import_status": training_import_problems,
    "learning:support_export": support_figures,
    "site:audit_export": audit_log,
    "programmes:outcomes": programme_outcomes,
    "programmes:cohort_outcomes": programme_outcomes,
    "portfolio:team_competence_export": team_competence,
    "insights:organisation_export": insights_dashboards,
    "insights:team_export": insights_dashboards,
    "insights:alliance_export": insights_dashboards,
    "insights:alliance_members_export": member_totals,
    "insights:import_status": insights_import_problems,
    "organisations:import_status": staff_import_problems,
}


def test_every_marked_export_has_a_case() -> None:
    assert marked_views() == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_escapes_formulas(name: str, tmp_path: Path, settings: Any) -> None:
    CASES[name](tmp_path)


# Files that write CSV or XLSX for a reason other than an export, each with why.
NOT_EXPORTS = {
    # Turns an uploaded workbook's sheets into CSV files for DuckDB to read; never served to anyone.
    "cultivate/insights/extract/sources.py",
}
WRITES_SPREADSHEETS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|from openpyxl import Workbook\b|\(HEADER|FORMAT CSV"
)


def test_code_that_writes_spreadsheets_uses_the_shared_helper() -> None:
    offenders = []
    for path in sorted((ROOT / "cultivate").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or relative in NOT_EXPORTS or relative == "cultivate/core/exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        if WRITES_SPREADSHEETS.search(text) and "cultivate.core import exports" not in text:
            offenders.append(relative)
    assert not offenders, f"write spreadsheets through cultivate.core.exports: {offenders}"
