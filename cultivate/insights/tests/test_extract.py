"""Importing an extract into the insights store: the three forms, idempotency, replacement, extras, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cultivate.insights.extract import IMPORTED, UNCHANGED, ExtractError, import_extract
from cultivate.insights.store import TABLES, connect, manifest

from .extract_fixtures import extract_tables, write_csv, write_parquet, write_xlsx


def store_rows(store: Path) -> dict[str, list[tuple[object, ...]]]:
    con = connect(store)
    try:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in TABLES}
    finally:
        con.close()


def tree(store: Path) -> list[str]:
    return sorted(str(p.relative_to(store)) for p in store.rglob("*"))


def test_csv_import_types_and_normalises_values(tmp_path):
    report = import_extract(write_csv(tmp_path / "trust", extract_tables()), tmp_path / "store")
    assert report.status == IMPORTED, report.problems
    assert report.dataset == "trust"
    assert report.rows == {
        "people": 3,
        "assignments": 6,
        "absences": 3,
        "training": 2,
        "recruitment": 3,
        "casework": 1,
    }
    rows = store_rows(tmp_path / "store")
    # birth_year is filled from birth_date; codes are written as the format writes them.
    assert rows["people"][0] == ("P001", dt.date(1990, 5, 17), 1990, "F", "A", "N", None, None, None)
    assert rows["people"][1][2:6] == (1968, "M", "N", "U")
    first = rows["assignments"][0]
    assert first[2] == "RX1" and first[11] == 1.0 and first[13] == dt.date(2020, 6, 30) and first[14] is None
    assert rows["assignments"][1][10] == "Permanent"
    assert rows["assignments"][1][14] == "Voluntary Resignation - Work Life Balance"
    assert [r[4] for r in rows["training"]] == [True, False]
    assert rows["casework"] == [("C1", "P002", "capability", dt.date(2020, 10, 1))]
    # The default extract date is the latest date in the data (births aside).
    assert report.extract_date == dt.date(2022, 1, 11)
    info = manifest(tmp_path / "store")["datasets"]["trust"]
    assert info["extract_date"] == "2022-01-11" and info["rows"]["assignments"] == 6
    assert info["sha256"] == report.sha256
    files = list((tmp_path / "store" / "datasets" / "trust" / "assignments").glob("*.parquet"))
    assert files and all(f.name.startswith("part-") for f in files)


def test_csv_xlsx_and_parquet_forms_give_identical_stores(tmp_path):
    tables = extract_tables()
    forms = {
        "csv": write_csv(tmp_path / "csv", tables),
        "xlsx": write_xlsx(tmp_path / "extract.xlsx", tables),
        "parquet": write_parquet(tmp_path / "parquet", tables),
    }
    stores = {}
    for form, path in forms.items():
        report = import_extract(path, tmp_path / f"store-{form}", dataset="trust")
        assert report.status == IMPORTED, (form, [str(p) for p in report.problems])
        assert report.form == form
        assert report.unknown_columns == {"people": ["shoe_size"]}
        stores[form] = store_rows(tmp_path / f"store-{form}")
    assert stores["csv"] == stores["xlsx"] == stores["parquet"]
    assert sum(len(rows) for rows in stores["csv"].values()) == 18


def test_reimport_of_the_same_files_does_nothing(tmp_path):
    folder = write_csv(tmp_path / "trust", extract_tables())
    store = tmp_path / "store"
    first = import_extract(folder, store)
    before = (store / "manifest.json").read_text()
    part = next((store / "datasets" / "trust" / "people").glob("*.parquet"))
    inode = part.stat().st_ino
    again = import_extract(folder, store)
    assert again.status == UNCHANGED and again.ok
    assert again.rows == first.rows and again.extract_date == first.extract_date
    assert (store / "manifest.json").read_text() == before
    assert part.stat().st_ino == inode


def test_a_changed_extract_replaces_the_dataset(tmp_path):
    tables = extract_tables()
    store = tmp_path / "store"
    import_extract(write_csv(tmp_path / "v1", tables), store, dataset="trust")
    other = import_extract(write_csv(tmp_path / "v1", tables), store, dataset="other")
    assert other.status == IMPORTED
    tables["people"][1].append(["P004", "", "1985", "X", "Z", "N", ""])
    tables["absences"][1].pop()
    report = import_extract(write_csv(tmp_path / "v2", tables), store, dataset="trust")
    assert report.status == IMPORTED and report.rows["people"] == 4 and report.rows["absences"] == 2
    datasets = manifest(store)["datasets"]
    assert set(datasets) == {"trust", "other"} and datasets["trust"]["sha256"] == report.sha256
    con = connect(store)
    assert con.execute("SELECT count(*) FROM people").fetchone() == (7,)
    assert con.execute("SELECT count(*) FROM absences").fetchone() == (5,)
    # No staging or old folders are left behind.
    assert sorted(p.name for p in store.iterdir()) == ["datasets", "manifest.json"]


def test_a_new_extract_date_for_the_same_files_imports_again(tmp_path):
    folder = write_csv(tmp_path / "trust", extract_tables())
    store = tmp_path / "store"
    import_extract(folder, store)
    report = import_extract(folder, store, extract_date=dt.date(2022, 3, 31))
    assert report.status == IMPORTED and report.extract_date == dt.date(2022, 3, 31)
    assert manifest(store)["datasets"]["trust"]["extract_date"] == "2022-03-31"
    assert import_extract(folder, store, extract_date=dt.date(2022, 3, 31)).status == UNCHANGED


def test_unknown_columns_are_reported_and_kept_aside(tmp_path):
    tables = extract_tables()
    header, rows = tables["assignments"]
    header.append("Pay Scale Point")
    for number, row in enumerate(rows):
        row.append(str(number + 10))
    report = import_extract(write_csv(tmp_path / "trust", tables), tmp_path / "store")
    assert report.unknown_columns == {"people": ["shoe_size"], "assignments": ["pay_scale_point"]}
    con = connect(tmp_path / "store")
    extras = tmp_path / "store" / "datasets" / "trust" / "extras"
    kept = con.execute(
        f"SELECT line, assignment_id, pay_scale_point FROM read_parquet('{extras}/assignments.parquet')"
    ).fetchall()
    assert kept[0] == (2, "A1", "10") and len(kept) == 6
    people = con.execute(f"SELECT * FROM read_parquet('{extras}/people.parquet') ORDER BY line").fetchall()
    assert people == [(2, "P001", "5"), (3, "P002", None), (4, "P003", "7")]
    assert manifest(tmp_path / "store")["datasets"]["trust"]["extras"]["assignments"] == ["pay_scale_point"]
    # The store's views carry only the format's columns.
    assert [d[0] for d in con.execute("DESCRIBE assignments").fetchall()] == list(TABLES["assignments"])


def test_only_people_and_assignments_are_required(tmp_path):
    tables = {name: table for name, table in extract_tables().items() if name in ("people", "assignments")}
    report = import_extract(write_csv(tmp_path / "trust", tables), tmp_path / "store")
    assert report.status == IMPORTED, [str(p) for p in report.problems]
    assert set(report.rows) == {"people", "assignments"}
    con = connect(tmp_path / "store")
    assert con.execute("SELECT count(*) FROM absences").fetchone() == (0,)


def test_files_outside_the_format_are_noted_not_read(tmp_path):
    folder = write_csv(tmp_path / "trust", extract_tables())
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "README.txt").write_text("hello", encoding="utf-8")
    report = import_extract(folder, tmp_path / "store")
    assert report.status == IMPORTED
    assert report.warnings == ["notes.csv is not a file of the extract format and was not read."]


def test_not_an_extract_raises(tmp_path):
    with pytest.raises(ExtractError):
        import_extract(tmp_path / "missing", tmp_path / "store")
    (tmp_path / "people.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ExtractError):
        import_extract(tmp_path / "people.txt", tmp_path / "store")
    folder = write_csv(tmp_path / "both", extract_tables())
    write_parquet(folder, {"people": extract_tables()["people"]})
    with pytest.raises(ExtractError, match=r"both people\.csv and people\.parquet"):
        import_extract(folder, tmp_path / "store")


# --- the command line --------------------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("insights", "import", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_cli_imports_then_reports_already_imported(tmp_path):
    folder = write_csv(tmp_path / "trust", extract_tables())
    store = tmp_path / "store"
    code, out, _ = run_cli(
        str(folder), "--store", str(store), "--dataset", "leeds", "--extract-date", "2022-03-31"
    )
    assert code == 0
    assert "Imported dataset leeds (csv): 3 people, 6 assignments" in out
    assert "extract date 2022-03-31" in out
    assert "kept aside in extras/people.parquet: shoe_size" in out
    code, out, _ = run_cli(str(folder), "--store", str(store), "--dataset", "leeds")
    assert code == 0 and out.startswith("Already imported: dataset leeds")
    assert (
        json.loads((store / "manifest.json").read_text())["datasets"]["leeds"]["extract_date"] == "2022-03-31"
    )


def test_cli_rejects_a_bad_extract_with_every_problem_in_the_file(tmp_path):
    tables = extract_tables()
    for row in tables["assignments"][1]:
        row[11] = "2"  # every fte out of range
    tables["people"][1][0][3] = "Female"
    folder = write_csv(tmp_path / "trust", tables)
    store = tmp_path / "store"
    problems = tmp_path / "out" / "problems.csv"
    code, out, _ = run_cli(str(folder), "--store", str(store), "--problems", str(problems), "--show", "3")
    assert code == 1
    assert out.startswith("Not imported: 7 problems in assignments.csv, people.csv. Nothing was kept")
    assert "6  assignments.csv fte: must be more than 0 and at most 1.5" in out
    assert "people.csv:2: column sex value 'Female': must be one of F, M, X, U" in out
    assert out.count("\n  people.csv:") + out.count("\n  assignments.csv:") == 3
    with problems.open(encoding="utf-8", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert len(listed) == 7
    assert listed[0] == {
        "file": "people.csv",
        "line": "2",
        "column": "sex",
        "value": "Female",
        "rule": "must be one of F, M, X, U",
    }
    assert [row["line"] for row in listed[1:]] == ["2", "3", "4", "5", "6", "7"]
    assert not store.exists()


def test_cli_default_problems_file_is_beside_the_store(tmp_path):
    tables = extract_tables()
    tables["people"][1][0][0] = ""
    code, out, _ = run_cli(str(write_csv(tmp_path / "trust", tables)), "--store", str(tmp_path / "store"))
    assert code == 1
    assert (tmp_path / "store-import-problems.csv").exists()
    assert str(tmp_path / "store-import-problems.csv") in out


def test_cli_usage_errors_exit_2(tmp_path):
    code, _, err = run_cli(str(tmp_path / "missing"), "--store", str(tmp_path / "store"))
    assert code == 2 and "does not exist" in err
    folder = write_csv(tmp_path / "trust", extract_tables())
    code, _, err = run_cli(str(folder), "--store", str(tmp_path / "store"), "--extract-date", "31/03/2022")
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = run_cli(str(folder), "--store", str(tmp_path / "store"), "--dataset", "../up")
    assert code == 2 and "dataset name" in err
