"""Every rule of the extract format: each broken rule is reported with its file, line, column and value, and an
extract that breaks any rule leaves the store exactly as it was."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cultivate.insights.extract import IMPORTED, REJECTED, import_extract
from cultivate.insights.store import connect

from .extract_fixtures import Table, extract_tables, write_csv, write_parquet, write_xlsx

Tables = dict[str, Table]


def cell(tables: Tables, table: str, row: int, column: str, value: str) -> None:
    header, rows = tables[table]
    position = [name.lower() for name in header].index(column)
    rows[row][position] = value


def add_row(tables: Tables, table: str, values: dict[str, str]) -> None:
    header, rows = tables[table]
    rows.append([values.get(name.lower(), "") for name in header])


def drop_column(tables: Tables, table: str, column: str) -> None:
    header, rows = tables[table]
    position = [name.lower() for name in header].index(column)
    del header[position]
    for row in rows:
        del row[position]


def add_column(tables: Tables, table: str, column: str, values: list[str]) -> None:
    header, rows = tables[table]
    header.append(column)
    for row, value in zip(rows, values, strict=True):
        row.append(value)


SPELL = {
    "assignment_id": "A9",
    "person_id": "P003",
    "organisation_code": "RX2",
    "afc_band": "4",
    "contract_type": "Permanent",
    "fte": "1",
}

# (name, change, [(file, line, column, value, rule starts with)])
CASES: list[tuple[str, Callable[[Tables], None], list[tuple[str, int, str, str, str]]]] = [
    (
        "person_id required",
        lambda t: add_row(t, "people", {"person_id": " ", "sex": "F"}),
        [("people.csv", 5, "person_id", "", "is required")],
    ),
    (
        "person_id unique",
        lambda t: cell(t, "people", 2, "person_id", "P001"),
        [
            ("people.csv", 4, "person_id", "P001", "must be unique: the same value is on line 2"),
            # P003's rows now name nobody.
            ("assignments.csv", 7, "person_id", "P003", "must be a person_id in people.csv"),
            ("absences.csv", 4, "person_id", "P003", "must be a person_id in people.csv"),
            ("training.csv", 3, "person_id", "P003", "must be a person_id in people.csv"),
        ],
    ),
    (
        "birth_date is a date",
        lambda t: cell(t, "people", 0, "birth_date", "17/05/1990"),
        [("people.csv", 2, "birth_date", "17/05/1990", "must be a date written YYYY-MM-DD")],
    ),
    (
        "birth_date exists",
        lambda t: cell(t, "people", 0, "birth_date", "1990-02-30"),
        [("people.csv", 2, "birth_date", "1990-02-30", "must be a date written YYYY-MM-DD")],
    ),
    (
        "birth_year whole number",
        lambda t: cell(t, "people", 1, "birth_year", "1968.5"),
        [("people.csv", 3, "birth_year", "1968.5", "must be a whole number")],
    ),
    (
        "birth_year range",
        lambda t: cell(t, "people", 1, "birth_year", "1850"),
        [("people.csv", 3, "birth_year", "1850", "must be a year from 1900 to this year")],
    ),
    (
        "birth_year matches birth_date",
        lambda t: cell(t, "people", 2, "birth_year", "1998"),
        [("people.csv", 4, "birth_year", "1998", "does not match birth_date (1999-12-01)")],
    ),
    (
        "sex code",
        lambda t: cell(t, "people", 0, "sex", "Female"),
        [("people.csv", 2, "sex", "Female", "must be one of F, M, X, U")],
    ),
    (
        "ethnic category code",
        lambda t: cell(t, "people", 0, "ethnic_category", "I"),
        [("people.csv", 2, "ethnic_category", "I", "must be one of A, B, C")],
    ),
    (
        "disability code",
        lambda t: cell(t, "people", 0, "disability", "Yes"),
        [("people.csv", 2, "disability", "Yes", "must be one of Y, N, U")],
    ),
    (
        "assignment_id unique",
        lambda t: cell(t, "assignments", 5, "assignment_id", "A2"),
        [("assignments.csv", 7, "assignment_id", "A2", "must be unique: the same value is on line 3")],
    ),
    (
        "assignment person exists",
        lambda t: cell(t, "assignments", 5, "person_id", "P999"),
        [("assignments.csv", 7, "person_id", "P999", "must be a person_id in people.csv")],
    ),
    (
        "organisation code required",
        lambda t: cell(t, "assignments", 5, "organisation_code", ""),
        [("assignments.csv", 7, "organisation_code", "", "is required")],
    ),
    (
        "organisation code format",
        lambda t: cell(t, "assignments", 5, "organisation_code", "RX 2"),
        [("assignments.csv", 7, "organisation_code", "RX 2", "must be an ODS code")],
    ),
    (
        "occupation code format",
        lambda t: cell(t, "assignments", 5, "occupation_code", "H1-A"),
        [("assignments.csv", 7, "occupation_code", "H1-A", "must be an NHS occupation code")],
    ),
    (
        "band code",
        lambda t: cell(t, "assignments", 5, "afc_band", "Band 4"),
        [("assignments.csv", 7, "afc_band", "Band 4", "must be one of 1, 2, 3, 4, 5, 6, 7, 8a")],
    ),
    (
        "contract type",
        lambda t: cell(t, "assignments", 5, "contract_type", "Agency"),
        [("assignments.csv", 7, "contract_type", "Agency", "must be one of Permanent, Fixed Term Temp")],
    ),
    (
        "fte a number",
        lambda t: cell(t, "assignments", 5, "fte", "full"),
        [("assignments.csv", 7, "fte", "full", "must be a number")],
    ),
    (
        "fte above 0",
        lambda t: cell(t, "assignments", 5, "fte", "0"),
        [("assignments.csv", 7, "fte", "0", "must be more than 0 and at most 1.5")],
    ),
    (
        "fte at most 1.5",
        lambda t: cell(t, "assignments", 5, "fte", "1.51"),
        [("assignments.csv", 7, "fte", "1.51", "must be more than 0 and at most 1.5")],
    ),
    (
        "start_date required",
        lambda t: cell(t, "assignments", 5, "start_date", ""),
        [("assignments.csv", 7, "start_date", "", "is required")],
    ),
    (
        "end not before start",
        lambda t: cell(t, "assignments", 3, "end_date", "2019-12-31"),
        [("assignments.csv", 5, "end_date", "2019-12-31", "must not be before start_date (2020-01-01)")],
    ),
    (
        "spells may not overlap within an organisation",
        lambda t: add_row(
            t,
            "assignments",
            {
                **SPELL,
                "start_date": "2021-06-01",
                "end_date": "2021-12-31",
                "leaving_reason": "Retirement Age",
            },
        ),
        [("assignments.csv", 8, "start_date", "2021-06-01", "overlaps the spell on line 7 (assignment A6)")],
    ),
    (
        "leaving reason required when employment ends",
        lambda t: cell(t, "assignments", 1, "leaving_reason", ""),
        [
            (
                "assignments.csv",
                3,
                "leaving_reason",
                "",
                "is required: this spell ends the person's employment",
            )
        ],
    ),
    (
        "leaving reason empty when the next spell starts the day after",
        lambda t: cell(t, "assignments", 0, "leaving_reason", "Employee Transfer"),
        [
            (
                "assignments.csv",
                2,
                "leaving_reason",
                "Employee Transfer",
                "must be empty: the person's next spell",
            )
        ],
    ),
    (
        "leaving reason empty while current",
        lambda t: cell(t, "assignments", 4, "leaving_reason", "Retirement Age"),
        [("assignments.csv", 6, "leaving_reason", "Retirement Age", "must be empty: the spell is current")],
    ),
    (
        "leaving reason is an ESR reason",
        lambda t: cell(t, "assignments", 1, "leaving_reason", "Fed up"),
        [("assignments.csv", 3, "leaving_reason", "Fed up", "must be one of the ESR reasons for leaving")],
    ),
    (
        "absence end required",
        lambda t: cell(t, "absences", 0, "end_date", ""),
        [("absences.csv", 2, "end_date", "", "is required")],
    ),
    (
        "absence end not before start",
        lambda t: cell(t, "absences", 0, "end_date", "2020-01-05"),
        [("absences.csv", 2, "end_date", "2020-01-05", "must not be before start_date")],
    ),
    (
        "absence person exists",
        lambda t: cell(t, "absences", 2, "person_id", "P404"),
        [("absences.csv", 4, "person_id", "P404", "must be a person_id in people.csv")],
    ),
    (
        "training title required",
        lambda t: cell(t, "training", 0, "course_title", ""),
        [("training.csv", 2, "course_title", "", "is required")],
    ),
    (
        "training completed_on a date",
        lambda t: cell(t, "training", 0, "completed_on", "2019-06"),
        [("training.csv", 2, "completed_on", "2019-06", "must be a date written YYYY-MM-DD")],
    ),
    (
        "training mandatory Y or N",
        lambda t: cell(t, "training", 0, "mandatory", "yes"),
        [("training.csv", 2, "mandatory", "yes", "must be one of Y, N")],
    ),
    (
        "training hours not negative",
        lambda t: cell(t, "training", 1, "hours", "-1"),
        [("training.csv", 3, "hours", "-1", "must be 0 or more")],
    ),
    (
        "application_id unique",
        lambda t: cell(t, "recruitment", 2, "application_id", "R1"),
        [("recruitment.csv", 4, "application_id", "R1", "must be unique: the same value is on line 2")],
    ),
    (
        "vacancy_id required",
        lambda t: cell(t, "recruitment", 0, "vacancy_id", ""),
        [("recruitment.csv", 2, "vacancy_id", "", "is required")],
    ),
    (
        "appointed implies shortlisted",
        lambda t: cell(t, "recruitment", 2, "appointed", "Y"),
        [("recruitment.csv", 4, "appointed", "Y", "cannot be Y when shortlisted is N")],
    ),
    (
        "recruitment codes as in people",
        lambda t: cell(t, "recruitment", 0, "ethnic_category", "White"),
        [("recruitment.csv", 2, "ethnic_category", "White", "must be one of A, B")],
    ),
    (
        "recruitment organisation code is an ODS code",
        lambda t: add_column(t, "recruitment", "Organisation Code", ["RX1", "R-X1", ""]),
        [
            (
                "recruitment.csv",
                3,
                "organisation_code",
                "R-X1",
                "must be an ODS code: 3 to 10 letters and digits",
            )
        ],
    ),
    (
        "case_id unique",
        lambda t: add_row(t, "casework", {"case_id": "C1", "person_id": "P001", "kind": "disciplinary"}),
        [("casework.csv", 3, "case_id", "C1", "must be unique: the same value is on line 2")],
    ),
    (
        "case kind",
        lambda t: cell(t, "casework", 0, "kind", "grievance"),
        [("casework.csv", 2, "kind", "grievance", "must be one of disciplinary, capability")],
    ),
    (
        "required column missing",
        lambda t: drop_column(t, "assignments", "start_date"),
        [("assignments.csv", 1, "start_date", "", "required column is missing")],
    ),
    (
        "required file missing",
        lambda t: t.__delitem__("assignments"),
        [("assignments.csv", 0, "", "", "the extract must have assignments")],
    ),
]


def problems_listed(path: Path) -> list[tuple[str, int, str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (r["file"], int(r["line"]), r["column"], r["value"], r["rule"]) for r in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def imported_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imported")
    store = folder / "store"
    assert import_extract(write_csv(folder / "good", extract_tables()), store, dataset="trust").ok
    return store


@pytest.fixture
def store(tmp_path, imported_store):
    """A store that already holds a dataset, to show a rejected import leaves it as it was."""
    return Path(shutil.copytree(imported_store, tmp_path / "store"))


def snapshot(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_rule_is_reported_with_its_row_and_column(tmp_path, store, name, change, expected):
    tables = extract_tables()
    change(tables)
    before = snapshot(store)
    problems_file = tmp_path / "problems.csv"
    report = import_extract(
        write_csv(tmp_path / "bad", tables), store, dataset="trust", problems_file=problems_file
    )
    assert report.status == REJECTED
    listed = problems_listed(problems_file)
    assert len(listed) == len(expected) == report.problem_count, listed
    for got, (file, line, column, value, rule) in zip(listed, expected, strict=True):
        assert got[:4] == (file, line, column, value)
        assert got[4].startswith(rule), got[4]
    # Nothing is kept: the store is byte for byte as it was.
    assert snapshot(store) == before
    assert not report.rows


def test_every_offending_row_is_listed_across_files(tmp_path):
    tables = extract_tables()
    for row in range(6):
        cell(tables, "assignments", row, "afc_band", "B")
    cell(tables, "people", 0, "sex", "?")
    cell(tables, "absences", 1, "start_date", "2020-13-01")
    report = import_extract(write_csv(tmp_path / "bad", tables), tmp_path / "store")
    assert report.problem_count == 8
    assert [(p.file, p.line, p.column) for p in report.problems] == [
        ("people.csv", 2, "sex"),
        *[("assignments.csv", line, "afc_band") for line in range(2, 8)],
        ("absences.csv", 3, "start_date"),
    ]
    assert report.summary[0] == ("assignments.csv", "afc_band", report.problems[1].rule, 6)
    assert not (tmp_path / "store").exists()


def test_line_numbers_count_blank_lines_and_values_that_span_lines(tmp_path):
    tables = extract_tables()
    cell(tables, "assignments", 0, "job_title", "Health Care\nAssistant")
    cell(tables, "assignments", 2, "fte", "2")
    folder = write_csv(tmp_path / "bad", tables)
    text = (folder / "assignments.csv").read_text(encoding="utf-8").replace("\nA3,", "\n\nA3,")
    (folder / "assignments.csv").write_text(text, encoding="utf-8")
    report = import_extract(folder, tmp_path / "store")
    # Header line 1, A1 on lines 2–3, A2 on 4, a blank line 5, A3 on 6.
    assert [(p.line, p.column, p.value) for p in report.problems] == [(6, "fte", "2")]


def test_rows_with_the_wrong_number_of_values_are_listed(tmp_path):
    folder = write_csv(tmp_path / "bad", extract_tables())
    lines = (folder / "people.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    lines[3] = lines[3].rsplit(",", 2)[0]
    (folder / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_extract(folder, tmp_path / "store")
    got = [(p.line, p.rule) for p in report.problems if p.file == "people.csv"]
    assert got == [
        (3, "has 8 values but the header has 7 columns"),
        (4, "has 5 values but the header has 7 columns"),
    ]


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    folder = write_csv(tmp_path / "bad", extract_tables())
    (folder / "absences.csv").write_bytes(
        b"person_id,start_date,end_date,reason\nP001,2020-01-06,2020-01-10,Caf\xe9\n"
    )
    report = import_extract(folder, tmp_path / "store")
    assert [(p.file, p.line) for p in report.problems] == [("absences.csv", 2)]
    assert "UTF-8" in report.problems[0].rule


def test_column_names_are_case_insensitive_but_may_not_repeat(tmp_path):
    tables = extract_tables()
    tables["absences"][0][:] = ["PERSON ID", "Start-Date", "end_date", "Reason"]
    assert import_extract(write_csv(tmp_path / "ok", tables), tmp_path / "store").ok
    tables["absences"][0][3] = "End_Date"
    report = import_extract(write_csv(tmp_path / "bad", tables), tmp_path / "store2")
    assert [(p.file, p.line, p.column) for p in report.problems] == [("absences.csv", 1, "end_date")]
    assert "appears twice" in report.problems[0].rule


@pytest.mark.parametrize("form", ["xlsx", "parquet"])
def test_problems_in_other_forms_point_at_the_same_rows(tmp_path, form):
    tables = extract_tables()
    cell(tables, "assignments", 4, "afc_band", "11")
    cell(tables, "people", 2, "disability", "maybe")
    if form == "xlsx":
        path = write_xlsx(tmp_path / "extract.xlsx", tables)
        files = ("extract.xlsx[People]", "extract.xlsx[Assignments]")
    else:
        path = write_parquet(tmp_path / "bad", tables)
        files = ("people.parquet", "assignments.parquet")
    report = import_extract(path, tmp_path / "store")
    assert [(p.file, p.line, p.column, p.value) for p in report.problems] == [
        (files[0], 4, "disability", "maybe"),
        (files[1], 6, "afc_band", "11"),
    ]


def _applications(store: Path) -> list[tuple[object, ...]]:
    con = connect(store)
    try:
        return con.execute(
            "SELECT application_id, organisation_code, vacancy_id FROM recruitment ORDER BY application_id"
        ).fetchall()
    finally:
        con.close()


def test_recruitment_without_organisation_code_imports_with_none(tmp_path):
    # The design's format has no organisation_code in recruitment.csv: such extracts still load.
    tables = extract_tables()
    assert "organisation_code" not in tables["recruitment"][0]
    report = import_extract(write_csv(tmp_path / "extract", tables), tmp_path / "store")
    assert report.status == IMPORTED, report.problems
    assert report.unknown_columns == {"people": ["shoe_size"]}
    assert _applications(tmp_path / "store") == [("R1", None, "V1"), ("R2", None, "V1"), ("R3", None, "V1")]


@pytest.mark.parametrize("form", ["csv", "xlsx", "parquet"])
def test_recruitment_organisation_code_is_imported_in_capitals(tmp_path, form):
    tables = extract_tables()
    add_column(tables, "recruitment", "organisation_code", ["rx1", "RX2", ""])
    writers = {"csv": write_csv, "parquet": write_parquet}
    path = (
        write_xlsx(tmp_path / "x.xlsx", tables) if form == "xlsx" else writers[form](tmp_path / "x", tables)
    )
    report = import_extract(path, tmp_path / "store")
    assert report.status == IMPORTED, report.problems
    # A known column now, not an unknown one kept aside.
    assert "recruitment" not in report.unknown_columns
    assert _applications(tmp_path / "store") == [("R1", "RX1", "V1"), ("R2", "RX2", "V1"), ("R3", None, "V1")]
