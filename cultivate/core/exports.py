"""Spreadsheet-safe exports: the one rule every CSV and XLSX file we write follows (CSV/formula injection).

A spreadsheet program runs a cell that starts like a formula (`=HYPERLINK(...)`, `+`, `-`, `@`, or a tab or
carriage return before one), so any text that came from a user (a team's or person's name, a job title, a value
echoed from an upload) is written with a leading apostrophe, which keeps it text. Numbers are left as numbers.
In XLSX, text is also typed as a string cell, so openpyxl never stores it as a formula.

Use `csv_row()` for each row given to `csv.writer`, `xlsx_row()` for each row appended to an openpyxl
worksheet, and `sql_text()` where DuckDB writes the CSV itself. Mark each view that answers with such a file
`@spreadsheet_export`: tests/test_exports.py finds every marked view through the URL configuration and checks
its file with hostile names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_PATTERN = r"[+-]?[0-9]+(\.[0-9]+)?"
PLAIN_NUMBER = re.compile(PLAIN_NUMBER_PATTERN)
View = TypeVar("View", bound=Callable[..., Any])


def spreadsheet_export(view: View) -> View:
    """Marks a view that answers with a CSV or XLSX file holding stored text, so that the export test finds it."""
    view.spreadsheet_export = True  # type: ignore[attr-defined]
    return view


def escape_formula(text: str) -> str:
    """The text, with an apostrophe in front if a spreadsheet would read it as a formula. A plain signed number
    ("-1", "+2.5", an out-of-range value echoed from an upload) runs nothing, so it is left as it was."""
    return "'" + text if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text) else text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [escape_formula(value) if isinstance(value, str) else value for value in values]


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole CSV file, every cell escaped, with a byte-order mark so that Excel reads UTF-8 correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_row(
    sheet: WriteOnlyWorksheet, values: Iterable[Any], *, font: Font | None = None
) -> list[WriteOnlyCell]:
    """Cells for one row of a write-only worksheet: text escaped and typed as a string, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=escape_formula(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        cells.append(cell)
    return cells


def sql_text(expression: str) -> str:
    """A DuckDB SQL expression for the text `expression`, escaped by the same rule."""
    starts = ", ".join("'" + start.replace("'", "''") + "'" for start in FORMULA_START)
    return (
        f"CASE WHEN left({expression}, 1) IN ({starts}) "
        f"AND NOT regexp_full_match({expression}, '{PLAIN_NUMBER_PATTERN}') "
        f"THEN '''' || {expression} ELSE {expression} END"
    )
