"""The workforce data import pages: an organisation's admins and analysts upload an extract (zip of CSV or Parquet
files, or a workbook), the task imports it into the store, and the status page shows the counts or every problem."""

from __future__ import annotations

import io
import logging
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights.audit_actions import InsightsAction
from cultivate.insights.models import InsightsImport, InsightsImportStatus, JobTitleReview
from cultivate.insights.store import connect, manifest
from cultivate.insights.uploads.services import UploadError, unpack
from cultivate.organisations.models import Organisation

from .extract_fixtures import Table, extract_tables, write_csv, write_parquet, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def folders(settings: Settings, tmp_path: Path) -> Path:
    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation("RX1")


@pytest.fixture
def other() -> Organisation:
    return make_organisation("RX2")


def client_for(role: str, organisation: Organisation) -> Client:
    client = Client()
    client.force_login(make_user(role, organisation=organisation))
    return client


def own_tables() -> dict[str, Table]:
    """The fixture extract without RX2's spell: only RX1's rows."""
    tables = extract_tables()
    header, rows = tables["assignments"]
    code = header.index("organisation_code")
    tables["assignments"] = (header, [row for row in rows if row[code].upper() == "RX1"])
    return tables


def zipped(folder: Path, name: str = "extract.zip", inside: str = "extract/") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}{path.name}")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def upload(client: Client, file: SimpleUploadedFile, ods: str = "RX1") -> InsightsImport:
    response = client.post(f"/insights/organisations/{ods}/import/", {"extract": file})
    record = InsightsImport.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/insights/organisations/{ods}/import/{record.pk}/"
    return record


def store_count(store: Path, table: str) -> int:
    con = connect(store)
    try:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_an_admin_sees_the_upload_form_and_the_snapshot_button(organisation: Organisation) -> None:
    response = client_for(Role.ORG_ADMIN, organisation).get("/insights/organisations/RX1/import/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'name="extract"' in html
    assert "Refresh snapshot now" in html and 'action="/insights/organisations/RX1/snapshot/"' in html


@pytest.mark.parametrize("form", ["csv", "parquet", "xlsx"])
def test_an_upload_is_imported_into_the_store(
    organisation: Organisation, folders: Path, settings: Settings, form: str
) -> None:
    client = client_for(Role.ANALYST, organisation)
    if form == "xlsx":
        path = write_xlsx(folders / "extract.xlsx", own_tables())
        file = SimpleUploadedFile("extract.xlsx", path.read_bytes())
    elif form == "parquet":
        file = zipped(write_parquet(folders / "parquet", own_tables()), inside="")
    else:
        file = zipped(write_csv(folders / "csv", own_tables()))

    record = upload(client, file)

    record.refresh_from_db()
    assert record.status == "succeeded", record.report
    assert record.rows["people"] == 3 and record.rows["assignments"] == 4
    assert record.steps_done == record.steps_total > 0
    info = manifest(settings.INSIGHTS_STORE)["datasets"]["extract-RX1"]
    assert info["rows"]["assignments"] == 4 and info["organisation_code"] == "RX1"
    assert store_count(settings.INSIGHTS_STORE, "assignments") == 4
    assert store_count(settings.INSIGHTS_STORE, "absences") == 3
    # The upload is gone once imported: the store holds the data now.
    assert not (Path(settings.MEDIA_ROOT) / record.upload).exists()
    event = AuditEvent.objects.get(action=InsightsAction.INSIGHTS_IMPORTED)
    assert event.organisation == organisation and event.detail["rows"]["assignments"] == 4

    page = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()
    assert "The extract was imported." in page
    assert "Employment spells (assignments)" in page and "data-app-refresh" not in page


def test_unmatched_titles_are_queued_for_review(organisation: Organisation, folders: Path) -> None:
    tables = own_tables()
    header, rows = tables["assignments"]
    rows[0][header.index("job_title")] = "Zyxwv Quorbler"
    upload(client_for(Role.ORG_ADMIN, organisation), zipped(write_csv(folders / "csv", tables)))
    review = JobTitleReview.objects.get(organisation=organisation)
    assert review.title == "Zyxwv Quorbler" and review.occurrences == 1
    assert InsightsImport.objects.get().report["titles_queued"] == 1


def test_uploading_the_same_extract_again_changes_nothing(
    organisation: Organisation, folders: Path, settings: Settings
) -> None:
    client = client_for(Role.ORG_ADMIN, organisation)
    folder = write_csv(folders / "csv", own_tables())
    upload(client, zipped(folder))
    before = manifest(settings.INSIGHTS_STORE)["datasets"]["extract-RX1"]["imported_at"]
    again = upload(client, zipped(folder))
    again.refresh_from_db()
    assert again.status == "succeeded" and again.report["unchanged"] is True
    assert again.rows["assignments"] == 4
    assert manifest(settings.INSIGHTS_STORE)["datasets"]["extract-RX1"]["imported_at"] == before
    page = client.get(f"/insights/organisations/RX1/import/{again.pk}/").content.decode()
    assert "nothing has changed" in page


def test_a_bad_upload_shows_every_problem_and_keeps_nothing(
    organisation: Organisation, folders: Path, settings: Settings
) -> None:
    client = client_for(Role.ORG_ADMIN, organisation)
    upload(client, zipped(write_csv(folders / "good", own_tables())))
    before = manifest(settings.INSIGHTS_STORE)
    tables = own_tables()
    header, rows = tables["assignments"]
    rows[0][header.index("fte")] = "2.5"
    rows[1][header.index("start_date")] = "31/02/2020"
    rows[2][header.index("person_id")] = "P999"

    record = upload(client, zipped(write_csv(folders / "bad", tables)))

    record.refresh_from_db()
    assert record.status == "failed"
    # The spell after line 2 no longer starts on a valid date, so line 2 now ends employment without a reason.
    assert record.problem_count == 4, record.problems
    found = {(p["file"], p["row"], p["column"], p["value"]) for p in record.problems}
    assert found == {
        ("assignments.csv", 2, "fte", "2.5"),
        ("assignments.csv", 2, "leaving_reason", ""),
        ("assignments.csv", 3, "start_date", "31/02/2020"),
        ("assignments.csv", 4, "person_id", "P999"),
    }
    # The earlier import is untouched: nothing of the failed one was kept.
    assert manifest(settings.INSIGHTS_STORE) == before
    assert store_count(settings.INSIGHTS_STORE, "assignments") == 4
    assert not list(Path(settings.INSIGHTS_STORE).glob(".staging-*"))
    assert AuditEvent.objects.filter(action=CoreAction.IMPORT_REJECTED, object_id=str(record.pk)).exists()

    response = client.get(f"/insights/organisations/RX1/import/{record.pk}/")
    page = response.content.decode()
    assert "nhsuk-error-summary" in page and "The data was not imported" in page
    assert "4 problems were found in the extract; nothing was imported." in page
    for value in ("2.5", "31/02/2020", "P999"):
        assert f'<td class="nhsuk-table__cell">{value}</td>' in page
    download = client.get(f"/insights/organisations/RX1/import/{record.pk}/?download=problems")
    csv_text = download.content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "file,row,column,value,problem"
    assert csv_text.count("\n") == 5 and "P999" in csv_text


def test_an_extract_with_other_organisations_rows_is_refused(
    organisation: Organisation, folders: Path, settings: Settings
) -> None:
    client = client_for(Role.ORG_ADMIN, organisation)
    record = upload(client, zipped(write_csv(folders / "csv", extract_tables())))
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.report["foreign_codes"] == ["RX2"]
    assert "organisation_code RX2 (2 rows)" in record.error
    assert "extract-RX1" not in manifest(settings.INSIGHTS_STORE)["datasets"]
    assert store_count(settings.INSIGHTS_STORE, "assignments") == 0
    page = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()
    assert "RX2" in page and "nhsuk-error-summary" in page


def test_an_extract_with_other_organisations_applications_is_refused(
    organisation: Organisation, folders: Path, settings: Settings
) -> None:
    """recruitment.csv may name each application's organisation: only the importing organisation's, or none."""

    def with_codes(codes: list[str]) -> dict[str, Table]:
        tables = own_tables()
        header, rows = tables["recruitment"]
        tables["recruitment"] = (
            [*header, "organisation_code"],
            [[*r, c] for r, c in zip(rows, codes, strict=True)],
        )
        return tables

    client = client_for(Role.ORG_ADMIN, organisation)
    record = upload(client, zipped(write_csv(folders / "csv", with_codes(["rx1", "", "RX2"]))))
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.report["foreign_codes"] == ["RX2"]
    assert "recruitment has organisation_code RX2 (1 row)" in record.error
    assert "extract-RX1" not in manifest(settings.INSIGHTS_STORE)["datasets"]
    assert store_count(settings.INSIGHTS_STORE, "recruitment") == 0
    record = upload(client, zipped(write_csv(folders / "own", with_codes(["rx1", "", "RX1"]))))
    record.refresh_from_db()
    assert record.status == "succeeded", record.report
    assert store_count(settings.INSIGHTS_STORE, "recruitment") == 3


def test_a_file_that_is_not_an_extract_is_explained(organisation: Organisation) -> None:
    client = client_for(Role.ORG_ADMIN, organisation)
    response = client.post(
        "/insights/organisations/RX1/import/",
        {"extract": SimpleUploadedFile("people.csv", b"person_id\n1\n")},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not InsightsImport.objects.exists()
    assert "nhsuk-error-summary" in html
    assert "The extract must be a .zip file (of CSV or Parquet files) or an .xlsx workbook" in html
    record = upload(client, SimpleUploadedFile("extract.zip", b"not a zip"))
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.error == "The zip file cannot be opened: it is damaged or not a zip file."


def test_unpacking_writes_only_extract_files_inside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../evil.csv", "x\n")
        handle.writestr("deep/folder/people.csv", "person_id\n")
        handle.writestr("notes.txt", "hello")
        handle.writestr("__MACOSX/._people.csv", "junk")
    folder = unpack(archive, tmp_path / "unpacked")
    assert sorted(p.name for p in folder.iterdir()) == ["evil.csv", "people.csv"]
    assert not (tmp_path.parent / "evil.csv").exists()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("a/people.csv", "person_id\n")
        handle.writestr("b/people.csv", "person_id\n")
    with pytest.raises(UploadError, match=r"two files called people\.csv"):
        unpack(archive, tmp_path / "again")


@pytest.mark.parametrize("role", [Role.EDUCATOR, Role.LINE_MANAGER, Role.SUPPORT_WORKER])
def test_other_roles_may_not_import(organisation: Organisation, role: str) -> None:
    client = client_for(role, organisation)
    assert client.get("/insights/organisations/RX1/import/").status_code in (403, 404)
    assert client.post("/insights/organisations/RX1/snapshot/").status_code in (403, 404)
    assert not InsightsImport.objects.exists()


def test_an_analyst_of_a_cannot_see_or_start_imports_of_b(
    organisation: Organisation, other: Organisation, folders: Path
) -> None:
    theirs = upload(
        client_for(Role.ORG_ADMIN, other), zipped(write_csv(folders / "csv", own_tables())), ods="RX2"
    )
    client = client_for(Role.ANALYST, organisation)
    denied = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED)
    for url in (
        f"/insights/organisations/RX2/import/{theirs.pk}/",
        f"/insights/organisations/RX2/import/{theirs.pk}/?download=problems",
        # B's import asked for under A's own code: the record is not A's.
        f"/insights/organisations/RX1/import/{theirs.pk}/",
        "/insights/organisations/RX2/import/",
    ):
        before = denied.count()
        assert client.get(url).status_code == 404, url
        assert denied.count() == before + 1
    before = InsightsImport.objects.count()
    assert client.post("/insights/organisations/RX2/snapshot/").status_code == 404
    assert InsightsImport.objects.count() == before


def test_a_running_import_shows_its_stage_and_updates_itself(organisation: Organisation) -> None:
    client = client_for(Role.ORG_ADMIN, organisation)
    record = InsightsImport.objects.create(
        organisation=organisation,
        kind="extract",
        original_name="extract.zip",
        dataset="extract-RX1",
        status="running",
        stage="Checking assignments.csv",
        steps_done=5,
        steps_total=10,
    )
    html = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()
    assert 'data-app-refresh="2"' in html
    assert 'max="10" value="5"' in html
    # Five steps completed: the sixth is under way (core.jobs_presenter.current_step).
    assert "Step 6 of 10: Checking assignments.csv (50% done)." in html
    # WCAG 2.2.1: the reader can stop the updates.
    stopped = client.get(f"/insights/organisations/RX1/import/{record.pk}/?refresh=off").content.decode()
    assert "data-app-refresh" not in stopped and "Stop updating this page" not in stopped


# --- Bounds on an upload, and what is shown of a file the libraries cannot read -------------------------------


def zip_bytes(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def failed_upload(organisation: Organisation, name: str, data: bytes) -> tuple[InsightsImport, str]:
    client = client_for(Role.ORG_ADMIN, organisation)
    record = upload(client, SimpleUploadedFile(name, data))
    record.refresh_from_db()
    assert record.status == InsightsImportStatus.FAILED
    page = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()
    return record, page


def test_a_zip_that_unpacks_past_the_limit_is_refused(
    organisation: Organisation, settings: Settings, folders: Path
) -> None:
    settings.IMPORT_MAX_UNPACKED_MB = 1
    bomb = zip_bytes(**{"people.csv": b"person_id\n" + b"0" * (3 << 20)})
    assert len(bomb) < 10_000

    record, page = failed_upload(organisation, "extract.zip", bomb)

    assert record.error.startswith("The file unpacks to more than 1 MB")
    assert "The file unpacks to more than 1 MB" in page
    assert not list((folders / "media").rglob("unpacked"))


def understated(data: bytes, declared: int) -> bytes:
    """The zip with its one member's uncompressed size rewritten, in both headers, to `declared`."""
    raw = bytearray(data)
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, local + 22, declared)
    struct.pack_into("<I", raw, central + 24, declared)
    return bytes(raw)


def test_a_zip_whose_headers_understate_its_size_is_not_unpacked_past_them(
    organisation: Organisation, settings: Settings, folders: Path
) -> None:
    settings.IMPORT_MAX_UNPACKED_MB = 1
    lying = understated(zip_bytes(**{"people.csv": b"person_id\n" + b"0" * (3 << 20)}), 100)

    record, page = failed_upload(organisation, "extract.zip", lying)
    assert "cannot be unpacked: it is damaged" in page

    assert record.error == "The zip file cannot be unpacked: it is damaged."
    assert not list((folders / "media").rglob("unpacked"))


def test_the_page_says_checking_stopped_and_offers_the_first_problems(
    organisation: Organisation, settings: Settings, folders: Path
) -> None:
    settings.IMPORT_MAX_PROBLEMS = 10
    tables = own_tables()
    header, _rows = tables["people"]
    tables["people"] = (header, [["P1", "x"]] * 500)
    client = client_for(Role.ORG_ADMIN, organisation)
    record = upload(client, zipped(write_csv(folders / "csv", tables)))

    page = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()

    record.refresh_from_db()
    assert record.problem_count == 10 and record.report["checking_stopped"]
    assert "Checking stopped after 10 problems were found in the extract; nothing was imported." in page
    assert "Download all" not in page


def test_an_unreadable_parquet_file_is_a_plain_problem_and_the_detail_is_logged(
    organisation: Organisation, folders: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extract = write_parquet(folders / "parquet", own_tables())
    (extract / "people.parquet").write_bytes(b"PAR1 this is not parquet PAR1")

    with caplog.at_level(logging.WARNING):
        record, page = failed_upload(organisation, "extract.zip", zipped(extract).read())

    rules = [p["problem"] for p in record.problems if p["file"] == "people.parquet"]
    assert rules == ["cannot be read as Parquet: the file is damaged or not a Parquet file"]
    assert str(folders) not in page and "Error" not in page
    assert any("people.parquet" in r.getMessage() and str(folders) in r.getMessage() for r in caplog.records)


def test_a_csv_file_the_csv_reader_refuses_is_a_plain_problem(
    organisation: Organisation, folders: Path
) -> None:
    extract = write_csv(folders / "csv", own_tables())
    people = extract / "people.csv"
    # A quote mark never closed: the rest of the file is one value, longer than the reader takes.
    people.write_bytes(people.read_bytes() + b'P9,"1990-01-01,,F,A,N,5\n' + b"x" * 200_000 + b"\n")

    record, page = failed_upload(organisation, "extract.zip", zipped(extract).read())

    rules = [p["problem"] for p in record.problems if p["file"] == "people.csv"]
    assert rules == ["cannot be read as CSV: a value is too long, perhaps because a quote mark is not closed"]
    assert "field limit" not in page and "131072" not in page


def test_a_damaged_workbook_is_explained_without_the_servers_folders(
    organisation: Organisation, folders: Path
) -> None:
    record, page = failed_upload(organisation, "extract.xlsx", zip_bytes(**{"xl/workbook.xml": b"<nonsense"}))

    assert record.error == (
        "upload.xlsx cannot be opened as an XLSX workbook: it is damaged, protected by a password or not a "
        "workbook."
    )
    assert str(folders) not in page
