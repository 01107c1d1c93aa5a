"""The staff import pages: an organisation admin uploads the two files and reads the report; nobody else may."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_team, make_user
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
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


def test_an_admin_uploads_a_clean_extract_sees_the_preview_and_confirms(
    admin_client: Client, organisation: Organisation, tmp_path: Path, settings: Settings
) -> None:
    make_person(
        organisation, staff_id="P2", given_name="Benjamin", family_name="Jones", birth_year=1990, sex="M"
    )
    response = admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))

    record = StaffImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/RX1/import/{record.pk}/"
    # Checked, not yet written: the page previews the changes and asks to confirm.
    assert record.status == "checked"
    assert Person.objects.filter(organisation=organisation).count() == 1
    assert EmploymentSpell.objects.count() == 0
    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing has been imported yet." in page
    assert "2 new, 1 changed, 0 unchanged" in page  # people: P2 is held, with other characteristics
    assert "4 new, 0 changed, 0 unchanged" in page  # employment spells
    assert "Bank Pool" in page and "data-app-refresh" not in page
    assert 'value="import"' in page and "Import 3 people" in page
    folder = Path(settings.MEDIA_ROOT) / record.folder
    assert (folder / "people.csv").exists()  # kept until confirmed or cancelled

    confirmed = admin_client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "import"})

    assert confirmed.status_code == 302 and confirmed["Location"] == response["Location"]
    record.refresh_from_db()
    assert record.status == "succeeded" and record.confirmed_by is not None
    assert Person.objects.filter(organisation=organisation).count() == 3
    assert EmploymentSpell.objects.count() == 4
    page = admin_client.get(response["Location"]).content.decode()
    assert "The staff records were imported." in page
    # The uploads are not kept once imported; they were stored outside the web root meanwhile.
    assert folder.is_relative_to(Path(settings.MEDIA_ROOT) / "imports")
    assert not (folder / "people.csv").exists()
    started = AuditEvent.objects.get(action=CoreAction.IMPORT_STARTED)
    assert started.object_id == str(record.pk) and started.detail["source"] == "upload"
    done = AuditEvent.objects.get(action=CoreAction.IMPORT_SUCCEEDED)
    assert done.actor_id == record.confirmed_by_id and done.detail["person_created"] == 2
    # Confirming again changes nothing.
    admin_client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "import"})
    assert AuditEvent.objects.filter(action=CoreAction.IMPORT_SUCCEEDED).count() == 1


def test_a_checked_import_can_be_cancelled(
    admin_client: Client, organisation: Organisation, tmp_path: Path, settings: Settings
) -> None:
    response = admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))
    record = StaffImport.objects.get()

    admin_client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "cancel"})
    # A confirmation from a stale page does not bring it back.
    admin_client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "import"})

    record.refresh_from_db()
    assert record.status == "cancelled" and record.finished_at is not None
    assert Person.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / record.folder / "people.csv").exists()
    assert "This import was cancelled" in admin_client.get(response["Location"]).content.decode()
    assert admin_client.get(f"/organisations/RX1/import/{record.pk}/confirm/").status_code == 405


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
    body = download.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "file,row,column,value,problem"
    assert body.splitlines()[1] == 'people.csv,3,sex,Q,"must be F, M, X (other) or U (not known)"'
    # The same columns as a workbook.
    workbook = admin_client.get(response["Location"] + "?download=problems&format=xlsx")
    assert workbook["Content-Disposition"].endswith('-problems.xlsx"')
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["file", "row", "column", "value", "problem"],
        ["people.csv", 3, "sex", "Q", "must be F, M, X (other) or U (not known)"],
    ]
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT).count() == 2


def test_the_problems_kept_are_capped_by_a_setting_and_all_are_counted(
    admin_client: Client, tmp_path: Path, settings: Settings
) -> None:
    settings.IMPORT_MAX_PROBLEMS = 10
    people = [[f"P{n}", "1980", "Q", "A", "N", "", "", ""] for n in range(15)]
    assignments = [["A1", "P1", "RX1", "", "", "3", "Permanent", "1", "2020-01-01", "", "", ""]]
    response = admin_client.post(
        "/organisations/RX1/import/", uploads(write_extract(tmp_path, people=people, assignments=assignments))
    )

    record = StaffImport.objects.get()
    assert record.problem_count == 15 and len(record.problems) == 10
    page = admin_client.get(response["Location"]).content.decode()
    assert "The first 10 of 15 problems are shown" in page
    assert page.count("must be F, M, X (other)") == 10
    download = admin_client.get(response["Location"] + "?download=problems")
    assert len(download.content.splitlines()) == 11


def test_a_large_upload_is_checked_and_written_as_background_tasks(
    admin_client: Client, tmp_path: Path, settings: Settings
) -> None:
    settings.STAFF_IMPORT_BACKGROUND_ROWS = 2
    response = admin_client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))

    # The tests' task backend runs the task at once; the record shows what the worker did.
    record = StaffImport.objects.get()
    assert (record.status, record.steps_done, record.steps_total) == ("checked", 7, 7)
    admin_client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "import"})
    record.refresh_from_db()
    assert (record.status, record.steps_done, record.steps_total) == ("succeeded", 7, 7)
    assert Person.objects.count() == 3
    assert admin_client.get(response["Location"]).status_code == 200


def test_a_running_import_shows_progress_and_refreshes(
    admin_client: Client, organisation: Organisation
) -> None:
    record = StaffImport.objects.create(
        organisation=organisation,
        folder="imports/RX1/x",
        status="running",
        stage="checking",
        steps_total=40_000,
        steps_done=10_000,
    )

    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert 'data-app-refresh="3"' in page
    assert (
        'max="40000" value="10000">' in page and '<label class="nhsuk-label" for="import-progress">' in page
    )
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
        action=CoreAction.PERMISSION_DENIED,
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
    confirm = {"action": "import"}
    assert other.post(f"/organisations/RX1/import/{record.pk}/confirm/", confirm).status_code == 404
    assert other.post(f"/organisations/RY2/import/{record.pk}/confirm/", confirm).status_code == 404
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == 5
    record.refresh_from_db()
    assert record.status == "checked" and Person.objects.count() == 0


def test_an_import_runs_once_and_a_crash_is_reported_as_failed(
    admin_client: Client, organisation: Organisation
) -> None:
    # A queued import whose files have gone: the run fails, and says so, without changing anything.
    record = StaffImport.objects.create(organisation=organisation, folder="imports/RX1/gone", steps_total=4)

    assert staff_import_execute(record_id=record.pk).status == "failed"
    # A retried task finds the import no longer queued and does not run it again.
    assert staff_import_execute(record_id=record.pk).status == "failed"

    assert AuditEvent.objects.filter(action=CoreAction.IMPORT_STARTED).count() == 1
    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()
    assert "The import could not be finished" in page and "data-app-refresh" not in page


def test_the_automatic_refresh_can_be_turned_off(admin_client: Client, organisation: Organisation) -> None:
    record = StaffImport.objects.create(
        organisation=organisation, folder="imports/RX1/x", status="queued", steps_total=5000
    )

    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/?refresh=off").content.decode()

    assert "data-app-refresh" not in page
    assert "Waiting for the worker to start: 5,000 rows to check." in page


def test_a_confirmed_import_waiting_for_the_worker_says_it_will_be_checked_again(
    admin_client: Client, organisation: Organisation
) -> None:
    record = StaffImport.objects.create(
        organisation=organisation,
        folder="imports/RX1/x",
        status="queued",
        steps_total=5000,
        confirmed_at=timezone.now(),
    )

    page = admin_client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert "Waiting for the worker to start: 5,000 rows to check again and import." in page
    assert "data-app-refresh" in page and "Import 5" not in page
