"""The one formula-escaping rule (cultivate/core/exports.py), the same in Python, openpyxl and DuckDB SQL. Every
export is checked end to end in tests/test_exports.py."""

from __future__ import annotations

import io

import duckdb
from openpyxl import Workbook, load_workbook

from cultivate.core import exports

SAMPLES = [
    "=1+1",
    "+44 20",
    "-3",
    "-2.5",
    "-3+cmd",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "Ward 7",
    "",
    "O'Brien",
    "a=b",
    "'=already",
]


def test_text_that_looks_like_a_formula_gets_an_apostrophe() -> None:
    assert [exports.escape_formula(s) for s in SAMPLES] == [
        "'=1+1",
        "'+44 20",
        "-3",  # a plain number runs nothing
        "-2.5",
        "'-3+cmd",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Ward 7",
        "",
        "O'Brien",
        "a=b",
        "'=already",
    ]
    # Numbers stay numbers.
    assert exports.csv_row(["=x", -3, 2.5, None]) == ["'=x", -3, 2.5, None]


def test_xlsx_cells_are_text_never_formulas() -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    sheet.append(exports.xlsx_row(sheet, ["=HYPERLINK(1)", "plain", -3]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(buffer).worksheets[0].iter_rows())
    assert [(c.value, c.data_type) for c in row] == [("'=HYPERLINK(1)", "s"), ("plain", "s"), (-3, "n")]


def test_the_sql_rule_is_the_python_rule() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(SAMPLES)))
    query = f"SELECT {exports.sql_text('v')} FROM t ORDER BY n"  # noqa: S608 - a fixed column name
    escaped = [row[0] for row in con.execute(query).fetchall()]
    assert escaped == [exports.escape_formula(s) for s in SAMPLES]
