"""Hostile and careless staff files: every one is a problem on its line (or the file refused whole), never a
server error, a database error or a partial import; problems stay bounded and safe to show and to open."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.core.audit import AuditContext
from cultivate.core.jobs_problems import problems_file
from cultivate.organisations.models import EmploymentSpell, Organisation, Person, StaffImport, Team
from cultivate.organisations.staff_import import write
from cultivate.organisations.staff_import.problems import Problem
from cultivate.organisations.staff_import.services import (
    ImportOutcome,
    staff_import_check,
    staff_import_write,
)

from .test_import_views import uploads
from .test_staff_import import (
    ASSIGNMENTS,
    ASSIGNMENTS_HEADER,
    PEOPLE,
    PEOPLE_HEADER,
    _many,
    changed,
    run,
    snapshot,
    write_extract,
)

# Tests change records as a named job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")


@pytest.fixture
def organisation(db: None) -> Organisation:
    return make_organisation("RX1")


def _where(outcome: ImportOutcome) -> list[tuple[str, int, str]]:
    return [(p.file, p.line, p.column) for p in outcome.problems]


CONTROL_TEXT = {
    "NUL in a name": ("given_name", "Ad\x00a", "contains NUL at character 3", "Ad\\x00a"),
    "escape character in a name": (
        "family_name",
        "Love\x1b[2Jlace",
        "U+001B at character 5",
        "Love\\x1b[2Jlace",
    ),
    "line break in a name": ("family_name", "Love\nlace", "a line break at character 5", "Love\\nlace"),
    "carriage return in a code": ("sex", "F\r", "a carriage return at character 2", "F\\r"),
    "tab in an identifier": ("person_id", "P\t1", "a tab at character 2", "P\\t1"),
    "line separator in a name": ("given_name", "Ada\u2028", "U+2028 at character 4", "Ada\\u2028"),
}


def problems_csv(problems: list[Problem]) -> str:
    """The problems as the download writes them (core.jobs_problems), from what the record stores."""
    stored = [p.as_dict() for p in problems]
    rows = [(p["file"], p["row"], p["column"], p["value"], p["problem"]) for p in stored]
    return problems_file(rows, "csv").decode("utf-8-sig")


@pytest.mark.parametrize("case", list(CONTROL_TEXT), ids=list(CONTROL_TEXT))
def test_control_characters_and_line_breaks_are_refused_with_line_and_column(
    organisation: Organisation, tmp_path: Path, case: str
) -> None:
    column, value, message, shown = CONTROL_TEXT[case]
    before = snapshot(organisation)

    outcome = run(
        organisation, write_extract(tmp_path, people=changed(PEOPLE, 0, column, value, PEOPLE_HEADER))
    )

    assert _where(outcome) == [("people.csv", 2, column)]
    problem = outcome.problems[0]
    assert message in problem.message
    # Shown and stored with the character escaped: PostgreSQL refuses NUL in text and JSON.
    assert problem.as_dict()["value"] == shown
    assert "\x00" not in problems_csv(outcome.problems)
    assert snapshot(organisation) == before


def test_a_line_break_in_a_team_on_a_later_line_is_reported_where_the_row_starts(
    organisation: Organisation, tmp_path: Path
) -> None:
    assignments = changed(ASSIGNMENTS, 2, "team", "Bank\nPool", ASSIGNMENTS_HEADER)

    outcome = run(organisation, write_extract(tmp_path, assignments=assignments))

    assert _where(outcome) == [("assignments.csv", 4, "team")]
    assert "a line break at character 5" in outcome.problems[0].message


def test_control_characters_in_the_header_refuse_the_file(organisation: Organisation, tmp_path: Path) -> None:
    header = ["person_id\x00", *PEOPLE_HEADER[1:]]

    outcome = run(organisation, write_extract(tmp_path, people_header=header))

    assert _where(outcome)[0] == ("people.csv", 1, "person_id\x00")
    assert "The column name contains NUL" in outcome.problems[0].message
    assert Person.objects.count() == 0


NUMBERS = [
    "1e308",
    "1E-308",
    "inf",
    "-Infinity",
    "nan",
    "sNaN",
    "-0",
    "0.001",
    "1_0",
    "٠.٥",
    "9" * 5000,
    "0x1",
]


@pytest.mark.parametrize("value", NUMBERS, ids=[n[:12] for n in NUMBERS])
def test_an_fte_that_is_no_usable_number_is_a_problem_on_its_line(
    organisation: Organisation, tmp_path: Path, value: str
) -> None:
    outcome = run(
        organisation,
        write_extract(tmp_path, assignments=changed(ASSIGNMENTS, 1, "fte", value, ASSIGNMENTS_HEADER)),
    )

    assert _where(outcome) == [("assignments.csv", 3, "fte")]
    assert EmploymentSpell.objects.count() == 0


DATES = {
    "start_date": ["9999-12-31", "0000-01-01", "2020-02-30", "２０２０-01-01", "2020-1-1", "1" * 5000],
    "birth_year": ["0000", "198²", "١٩٨٥", "9999", "1" * 5000],
}


@pytest.mark.parametrize(
    ("column", "value"),
    [(column, value) for column, values in DATES.items() for value in values],
    ids=[f"{column}={value[:12]}" for column, values in DATES.items() for value in values],
)
def test_dates_and_years_out_of_range_or_not_ascii_are_problems(
    organisation: Organisation, tmp_path: Path, column: str, value: str
) -> None:
    if column == "start_date":
        folder = write_extract(
            tmp_path, assignments=changed(ASSIGNMENTS, 3, column, value, ASSIGNMENTS_HEADER)
        )
        expected = [("assignments.csv", 5, column)]
    else:
        folder = write_extract(tmp_path, people=changed(PEOPLE, 1, column, value, PEOPLE_HEADER))
        expected = [("people.csv", 3, column)]

    assert _where(run(organisation, folder)) == expected


NOT_CSV = {
    "zip or workbook": (b"PK\x03\x04" + bytes(range(256)) * 4, "zip file or an Excel workbook"),
    "UTF-16": ("person_id\r\nP1\r\n".encode("utf-16"), "UTF-16"),
    "binary": (b"person_id\nP1" + b"\x00\x01\x02\x03" * 16, "binary data"),
}


@pytest.mark.parametrize("case", list(NOT_CSV), ids=list(NOT_CSV))
def test_a_file_that_is_not_csv_text_is_refused_with_one_problem(
    organisation: Organisation, tmp_path: Path, case: str
) -> None:
    content, message = NOT_CSV[case]
    folder = write_extract(tmp_path)
    (folder / "people.csv").write_bytes(content)

    outcome = run(organisation, folder)

    assert _where(outcome) == [("people.csv", 1, "")]
    assert message in outcome.problems[0].message and "CSV UTF-8" in outcome.problems[0].message


def test_text_in_another_encoding_is_reported_once_and_the_file_not_read_further(
    organisation: Organisation, tmp_path: Path
) -> None:
    people = [[f"P{n}", "1980", "F", "A", "N", "Zoé", "Smith", ""] for n in range(500)]
    folder = write_extract(tmp_path, people=people)
    (folder / "people.csv").write_bytes((folder / "people.csv").read_text().encode("cp1252"))

    outcome = run(organisation, folder)

    assert _where(outcome) == [("people.csv", 2, "")]
    assert "Line 2 is not UTF-8 text" in outcome.problems[0].message


def test_a_mostly_unparseable_file_is_refused_not_listed_row_by_row(
    organisation: Organisation, tmp_path: Path
) -> None:
    # The header is right, but the rows are not an extract: "qqq" in every column, repeated.
    people = [["qqq"] * len(PEOPLE_HEADER) for _ in range(5000)]

    outcome = run(organisation, write_extract(tmp_path, people=people))

    messages = [p.message for p in outcome.problems if "does not look like people.csv" in p.message]
    assert messages == [
        "200 of the first 200 rows have problems: the file does not look like people.csv, so "
        "checking stopped at line 201"
    ]
    assert outcome.people_rows == 200  # rows after the refusal are not read
    assert Person.objects.count() == 0


def test_the_rows_of_a_file_are_bounded_by_a_setting(
    organisation: Organisation, tmp_path: Path, settings: Settings
) -> None:
    settings.STAFF_IMPORT_MAX_ROWS = 2

    outcome = run(organisation, write_extract(tmp_path))

    assert ("people.csv", 4, "") in _where(outcome)
    assert any("more than 2 rows" in p.message for p in outcome.problems)
    assert Person.objects.count() == 0


def test_the_problems_kept_are_bounded_and_all_are_counted(
    organisation: Organisation, tmp_path: Path, settings: Settings
) -> None:
    settings.IMPORT_MAX_PROBLEMS = 5
    people = [*PEOPLE, *([f"X{n}", "1980", "Q", "A", "N", "", "", ""] for n in range(40))]

    outcome = run(organisation, write_extract(tmp_path, people=people))

    assert len(outcome.problems) == 5 and outcome.problem_count == 40
    assert outcome.summary() == "40 problems found (the first 5 are listed); nothing was imported."


def test_the_problems_csv_escapes_formulas() -> None:
    problems = [
        Problem("people.csv", 2, "given_name", '=HYPERLINK("http://evil","x")', "is odd"),
        Problem("people.csv", 3, "given_name", "+1+cmd", "is odd"),
        Problem("people.csv", 4, "fte", "-1", "is odd"),
        Problem("people.csv", 5, "given_name", "@SUM(A1)", "is odd"),
        Problem("people.csv", 6, "given_name", "\tx", "is odd"),
        Problem("people.csv", 7, "=cmd", "Ada", "is odd"),
    ]

    rows = list(csv.reader(io.StringIO(problems_csv(problems))))[1:]

    assert [row[3] for row in rows] == [
        '\'=HYPERLINK("http://evil","x")',
        "'+1+cmd",
        "-1",  # a plain number runs nothing, and is shown as it was
        "'@SUM(A1)",
        "\\tx",  # shown escaped, so no longer a tab
        "Ada",
    ]
    assert rows[-1][2] == "'=cmd"


def test_a_failure_while_writing_leaves_nothing_written(organisation: Organisation, tmp_path: Path) -> None:
    checked = staff_import_check(
        organisation=organisation,
        people_path=write_extract(tmp_path) / "people.csv",
        assignments_path=tmp_path / "assignments.csv",
        ctx=TEST_JOB,
    )
    calls = 0

    def fail_on_the_spells(self: write.Writer, *args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the people are in; the spells go next
            raise RuntimeError("disk full")
        original(self, *args)  # type: ignore[arg-type]

    original = write.Writer.insert
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(write.Writer, "insert", fail_on_the_spells)
        with pytest.raises(RuntimeError):
            staff_import_write(checked, ctx=TEST_JOB)

    assert snapshot(organisation) == (0, 0, 0, 0)


def test_the_write_transaction_runs_a_statement_per_batch_of_rows_not_per_row(
    organisation: Organisation, tmp_path: Path
) -> None:
    # Everything is worked out before the transaction opens; inside it, one statement per batch of rows.
    statements = []
    for size in (3, 300):
        people, assignments = _many(size)
        folder = write_extract(tmp_path / str(size), people=people, assignments=assignments)
        Person.objects.all().delete()
        Team.objects.all().delete()
        checked = staff_import_check(
            organisation=organisation,
            people_path=folder / "people.csv",
            assignments_path=folder / "assignments.csv",
            ctx=TEST_JOB,
        )
        with CaptureQueriesContext(connection) as writing:
            staff_import_write(checked, ctx=TEST_JOB)
        statements.append(len(writing.captured_queries))
        assert Person.objects.count() == size
    # 297 more people and 297 more spells: a few more INSERTs (SQLite's 999 parameters hold over 40 rows of either
    # table), not 594.
    assert statements[1] - statements[0] <= 16


def test_a_failure_is_shown_without_its_details_even_with_debug_on(
    organisation: Organisation, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))
    response = client.post("/organisations/RX1/import/", uploads(write_extract(tmp_path)))
    record = StaffImport.objects.get()

    def crash(self: write.Writer) -> None:
        raise RuntimeError('near "INSERT INTO organisations_person": syntax error in /srv/cultivate/var/x.py')

    monkeypatch.setattr(write.Writer, "write", crash)
    client.post(f"/organisations/RX1/import/{record.pk}/confirm/", {"action": "import"})
    page = client.get(response["Location"]).content.decode()

    record.refresh_from_db()
    assert record.status == "failed"
    assert "The import could not be finished" in page
    for leak in ("INSERT", "syntax error", "/srv/", "Traceback", "RuntimeError", "organisations_person"):
        assert leak not in page and leak not in str(record.report)
    assert Person.objects.count() == 0


def test_hostile_values_are_stored_safely_in_the_report(organisation: Organisation, tmp_path: Path) -> None:
    # Through the web, so the problems reach the JSON report (jsonb on PostgreSQL refuses \u0000).
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))
    people = changed(PEOPLE, 0, "given_name", "A\x00da", PEOPLE_HEADER)
    assignments = changed(ASSIGNMENTS, 0, "fte", "1e308", ASSIGNMENTS_HEADER)
    files = uploads(write_extract(tmp_path, people=people, assignments=assignments))
    response = client.post("/organisations/RX1/import/", files)

    record = StaffImport.objects.get()
    assert record.status == "rejected"
    assert [(p["file"], p["row"], p["column"]) for p in record.problems] == [
        ("people.csv", 2, "given_name"),
        ("assignments.csv", 2, "fte"),
    ]
    assert record.problems[0]["value"] == "A\\x00da"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "A\\x00da" in page.content.decode()


def test_a_cell_too_large_to_parse_refuses_the_file_at_its_line(
    organisation: Organisation, tmp_path: Path
) -> None:
    people = changed(PEOPLE, 1, "given_name", "q" * 200_000, PEOPLE_HEADER)

    outcome = run(organisation, write_extract(tmp_path, people=people))

    assert _where(outcome) == [("people.csv", 3, "")]
    assert outcome.problems[0].message.startswith(
        "This row cannot be read as CSV: field larger than field limit"
    )
    assert Person.objects.count() == 0


def test_a_header_of_many_unknown_columns_gives_a_short_warning(
    organisation: Organisation, tmp_path: Path
) -> None:
    header = [*PEOPLE_HEADER, *(f"extra {n} " + "x" * 300 for n in range(500))]
    people = [[*row, *([""] * 500)] for row in PEOPLE]

    outcome = run(organisation, write_extract(tmp_path, people_header=header, people=people))

    (warning,) = [w for w in outcome.warnings if "not recognised" in w]
    assert warning.endswith(" and 480 more") and len(warning) < 2500
