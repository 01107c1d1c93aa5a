"""Bounds on what a broken extract can cost: the rows of each file, and the problems collected (checking stops
once there are enough; the count and the first ones are reported, and only they are written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cultivate.insights.extract import import_extract

from .extract_fixtures import extract_tables, write_csv, write_parquet, write_xlsx
from .test_import_views import own_tables


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
