"""The staff import pages: an organisation admin uploads the two files and reads the report; nobody else may."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.core.models import AuditAction, AuditEvent
from cultivate.core.testing import make_organisation, make_team, make_user
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, StaffImport
from cultivate.organisations.staff_import.services import staff_import_execute

from .test_staff_import import PEOPLE, PEOPLE_HEADER, changed, write_extract


@pytest.fixture
def organisation(db: None) -> Organisation:
    return make_organisation("RX1")


@pytest.fixture
def admin_client(organisation: Organisation) -> Client:
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))
    return client


def uploads(folder: Path) -> dict[str, SimpleUploadedFile]:
    return {
        name: SimpleUploadedFile(
            f"{name}.csv", (folder / f"{name}.csv").read_bytes(), content_type="text/csv"
        )
        for name in ("people", "assignments")
    }


def test_an_admin_sees_the_upload_form(admin_client: Client) -> None:
    response = admin_client.get("/organisations/RX1/import/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'name="people"' in html and 'name="assignments"' in html


def test_an_admin_uploads_a_clean_extract(
    admin_client: Client, organisation: Organisation, tmp_path: Path, settings: Settings
) -> None:
    response = admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))

    record = StaffImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/RX1/import/{record.pk}/"
    assert record.status == "succeeded"
    assert Person.objects.filter(organisation=organisation).count() == 3
    assert EmploymentSpell.objects.count() == 4
    page = admin_client.get(response["Location"]).content.decode()
    assert "The staff records were imported." in page
    assert "Bank Pool" in page and "data-app-refresh" not in page
    # The uploads are not kept once imported; they were stored outside the web root meanwhile.
    folder = Path(settings.MEDIA_ROOT) / record.folder
    assert folder.is_relative_to(Path(settings.MEDIA_ROOT) / "imports")
    assert not (folder / "people.csv").exists()
    started = AuditEvent.objects.get(action=AuditAction.IMPORT_STARTED)
    assert started.object_id == str(record.pk) and started.detail["source"] == "upload"


def test_a_rejected_upload_lists_every_problem_and_offers_them_all_as_csv(
    admin_client: Client, tmp_path: Path
) -> None:
    people = changed(PEOPLE, 1, "sex", "Q", PEOPLE_HEADER)
    response = admin_client.post(
        "/organisations/RX1/import/", uploads(write_extract(tmp_path, people=people))
    )

    page = admin_client.get(response["Location"]).content.decode()
    assert "The files were not imported" in page
    assert '<td class="nhsuk-table__cell">sex</td>' in page and "must be F, M, X (other) or U" in page
    assert Person.objects.count() == 0
    download = admin_client.get(response["Location"] + "?download=problems")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[1] == 'people.csv,3,sex,Q,"must be F, M, X (other) or U (not known)"'
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_the_problems_table_is_capped_at_1000(admin_client: Client, tmp_path: Path) -> None:
    people = [[f"P{n}", "1980", "Q", "A", "N", "", "", ""] for n in range(1001)]
    assignments = [["A1", "P1", "RX1", "", "", "3", "Permanent", "1", "2020-01-01", "", "", ""]]
    response = admin_client.post(
        "/organisations/RX1/import/", uploads(write_extract(tmp_path, people=people, assignments=assignments))
    )

    page = admin_client.get(response["Location"]).content.decode()
    assert "The first 1,000 of 1,001 problems are shown." in page
    assert page.count("must be F, M, X (other)") == 1000
    download = admin_client.get(response["Location"] + "?download=problems")
    assert len(b"".join(download.streaming_content).splitlines()) == 1002  # type: ignore[attr-defined]


def test_a_large_upload_runs_as_a_background_task(
    admin_client: Client, tmp_path: Path, settings: Settings
) -> None:
    settings.STAFF_IMPORT_BACKGROUND_ROWS = 2
    response = admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))

    # The tests' task backend runs the task at once; the record shows what the worker did.
    record = StaffImport.objects.get()
    assert (record.status, record.rows_done, record.rows_total) == ("succeeded", 7, 7)
    assert admin_client.get(response["Location"]).status_code == 200


def test_a_running_import_shows_progress_and_refreshes(
    admin_client: Client, organisation: Organisation
) -> None:
    record = StaffImport.objects.create(
        organisation=organisation,
        folder="imports/RX1/x",
        status="running",
        stage="checking",
        rows_total=40_000,
        rows_done=10_000,
    )

    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert 'data-app-refresh="3"' in page
    assert '<progress id="import-progress" class="app-progress" max="40000" value="10000">' in page
    assert "Checked 10,000 of 40,000 rows (25%)." in page
    assert "<script>" not in page


def test_the_upload_needs_two_csv_files(admin_client: Client) -> None:
    response = admin_client.post(
        "/organisations/RX1/import/",
        {
            "people": SimpleUploadedFile("people.xlsx", b"x", content_type="application/octet-stream"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The people file must be a CSV file, like people.csv" in page
    assert "Select the assignments file (assignments.csv)" in page
    assert StaffImport.objects.count() == 0


def test_a_line_manager_is_refused_and_the_refusal_audited(
    organisation: Organisation, tmp_path: Path
) -> None:
    client = Client()
    client.force_login(
        make_user(Role.LINE_MANAGER, organisation=organisation, teams=[make_team(organisation)])
    )

    assert client.get("/organisations/RX1/import/").status_code == 403
    assert client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path))).status_code == 403

    assert Person.objects.count() == 0 and StaffImport.objects.count() == 0
    refusals = AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED,
        object_id=str(organisation.pk),
        object_type="organisations.Organisation",
    )
    assert refusals.count() == 2


def test_an_admin_of_another_organisation_cannot_import_or_see_an_import(
    admin_client: Client, organisation: Organisation, tmp_path: Path
) -> None:
    admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))
    record = StaffImport.objects.get()
    other = Client()
    other.force_login(make_user(Role.ORG_ADMIN, organisation=make_organisation("RY2")))

    assert other.get("/organisations/RX1/import/").status_code == 404
    assert other.get(f"/organisations/RX1/import/{record.pk}/").status_code == 404
    assert other.get(f"/organisations/RY2/import/{record.pk}/").status_code == 404  # not RY2's import
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 3


def test_an_import_runs_once_and_a_crash_is_reported_as_failed(
    admin_client: Client, organisation: Organisation
) -> None:
    # A queued import whose files have gone: the run fails, and says so, without changing anything.
    record = StaffImport.objects.create(organisation=organisation, folder="imports/RX1/gone", rows_total=4)

    assert staff_import_execute(record_id=record.pk).status == "failed"
    # A retried task finds the import no longer queued and does not run it again.
    assert staff_import_execute(record_id=record.pk).status == "failed"

    assert AuditEvent.objects.filter(action=AuditAction.IMPORT_STARTED).count() == 1
    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()
    assert "The import could not be finished" in page and "data-app-refresh" not in page


def test_the_automatic_refresh_can_be_turned_off(admin_client: Client, organisation: Organisation) -> None:
    record = StaffImport.objects.create(
        organisation=organisation, folder="imports/RX1/x", status="queued", rows_total=5000
    )

    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/?refresh=off").content.decode()

    assert "data-app-refresh" not in page
    assert "Waiting for the worker to start: 5,000 rows to check." in page
