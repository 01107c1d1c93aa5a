"""Bounds on an uploaded extract, so a small file cannot keep the worker busy for minutes: the unpacked size
(declared and actually read), the rows of each file, and the problems collected (checking stops once there
are enough; the count and the first ones are reported). And what a user sees of a file the libraries cannot
read is a plain sentence, never the library's message with the server's folders in it."""

from __future__ import annotations

import io
import logging
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.core.testing import make_organisation
from cultivate.insights.extract import import_extract
from cultivate.insights.models import InsightsImport, InsightsImportStatus
from cultivate.organisations.models import Organisation

from .test_extract_fixtures import extract_tables, write_csv, write_parquet, write_xlsx
from .test_import_pages import client_for, own_tables, upload, zipped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def folders(settings: Settings, tmp_path: Path) -> Path:
    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def organisation() -> Organisation:
    return make_organisation("RX1")


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

    assert record.report["error"].startswith("The file unpacks to more than 1 MB")
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

    assert record.report["error"] == "The zip file cannot be unpacked: it is damaged."
    assert not list((folders / "media").rglob("unpacked"))


@pytest.mark.parametrize("form", ["csv", "parquet", "xlsx"])
def test_a_file_with_more_rows_than_the_limit_is_refused_before_it_is_read(tmp_path: Path, form: str) -> None:
    tables = extract_tables()
    if form == "csv":
        path = write_csv(tmp_path / "extract", tables)
    elif form == "parquet":
        path = write_parquet(tmp_path / "extract", tables)
    else:
        path = write_xlsx(tmp_path / "extract.xlsx", tables)

    report = import_extract(path, tmp_path / "store", max_rows=2, problems_file=tmp_path / "p.csv")

    assert not report.ok
    refused = [p for p in report.problems if p.rule.startswith("has more than 2 rows")]
    assert refused and refused[0].file.lower().startswith(("people", "extract.xlsx[people]"))


def test_checking_stops_after_the_bounded_number_of_malformed_rows(tmp_path: Path) -> None:
    tables = own_tables()
    header, _rows = tables["people"]
    tables["people"] = (header, [["P1", "x"]] * 5000)  # every row has the wrong number of values
    path = write_csv(tmp_path / "extract", tables)

    report = import_extract(path, tmp_path / "store", max_problems=10, problems_file=tmp_path / "p.csv")

    assert not report.ok and report.checking_stopped
    assert report.problem_count == 10 and len(report.problems) == 10
    assert (tmp_path / "p.csv").read_text().count("\n") == 11  # the header and the ten problems


def test_rule_problems_are_bounded_and_later_files_are_not_checked(tmp_path: Path) -> None:
    tables = own_tables()
    header, rows = tables["people"]
    sex = header.index("Sex")
    tables["people"] = (header, [[*r[:sex], "Q", *r[sex + 1 :]] for r in rows] * 20)
    path = write_csv(tmp_path / "extract", tables)
    stages: list[str] = []

    report = import_extract(
        path,
        tmp_path / "store",
        max_problems=10,
        problems_file=tmp_path / "p.csv",
        progress=lambda stage, done, total: stages.append(stage),
    )

    assert report.checking_stopped and report.problem_count >= 10
    assert len(report.problems) == 10
    assert (tmp_path / "p.csv").read_text().count("\n") == 11
    assert "Checking people.csv" in stages and "Checking assignments.csv" not in stages


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

    rules = [p["rule"] for p in record.report["problems"] if p["file"] == "people.parquet"]
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

    rules = [p["rule"] for p in record.report["problems"] if p["file"] == "people.csv"]
    assert rules == ["cannot be read as CSV: a value is too long, perhaps because a quote mark is not closed"]
    assert "field limit" not in page and "131072" not in page


def test_a_damaged_workbook_is_explained_without_the_servers_folders(
    organisation: Organisation, folders: Path
) -> None:
    record, page = failed_upload(organisation, "extract.xlsx", zip_bytes(**{"xl/workbook.xml": b"<nonsense"}))

    assert record.report["error"] == (
        "upload.xlsx cannot be opened as an XLSX workbook: it is damaged, protected by a password or not a "
        "workbook."
    )
    assert str(folders) not in page
