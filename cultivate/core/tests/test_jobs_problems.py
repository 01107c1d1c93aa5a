"""The one problems download of background jobs: the same columns in CSV and XLSX, formulas kept as text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from cultivate.core.jobs_problems import PROBLEM_COLUMNS, problems_format, problems_response

ROWS = [
    ("people.csv", 3, "given_name", '=HYPERLINK("http://evil","x")', "is odd"),
    ("assignments.csv", None, "=cmd", "-1", "+SUM(1,2) is not a number"),
]


def test_csv_and_xlsx_hold_the_same_columns_and_rows_with_formulas_escaped() -> None:
    as_csv = problems_response(iter(ROWS), file_format="csv", name="staff-import-7")
    as_xlsx = problems_response(iter(ROWS), file_format="xlsx", name="staff-import-7")

    assert as_csv["Content-Disposition"] == 'attachment; filename="staff-import-7-problems.csv"'
    assert as_xlsx["Content-Disposition"] == 'attachment; filename="staff-import-7-problems.xlsx"'
    from_csv = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    from_xlsx = [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]
    expected = [
        list(PROBLEM_COLUMNS),
        ["people.csv", "3", "given_name", '\'=HYPERLINK("http://evil","x")', "is odd"],
        ["assignments.csv", "", "'=cmd", "-1", "'+SUM(1,2) is not a number"],
    ]
    assert from_csv == from_xlsx == expected
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_only_when_asked_for() -> None:
    assert problems_format("xlsx") == "xlsx"
    assert problems_format(None) == problems_format("pdf") == "csv"
