"""The one download of a job's problems (ADR 0023): the same columns in CSV and XLSX, every
cell written through `core.exports`, so a value echoed from an upload that a spreadsheet would run as a formula
is kept as text. A job's problems come from `BackgroundJob.job_problem_rows`."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from cultivate.core import exports

PROBLEM_COLUMNS = ("file", "row", "column", "value", "problem")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def problems_format(requested: str | None) -> str:
    """The file format asked for (`?format=xlsx`); CSV unless XLSX is asked for."""
    return "xlsx" if requested == "xlsx" else "csv"


def problems_xlsx(rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Problems")
    sheet.append(exports.xlsx_row(sheet, PROBLEM_COLUMNS, font=Font(bold=True)))
    for row in rows:
        sheet.append(exports.xlsx_row(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems_file(rows: Iterable[Sequence[Any]], file_format: str) -> bytes:
    """The problems (file, row, column, value, problem) as a CSV or XLSX file."""
    if file_format == "xlsx":
        return problems_xlsx(rows)
    return exports.csv_bytes(PROBLEM_COLUMNS, rows)


def problems_response(rows: Iterable[Sequence[Any]], *, file_format: str, name: str) -> HttpResponse:
    """The download of a job's problems, named `<name>-problems.<format>`."""
    response = HttpResponse(problems_file(rows, file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}-problems.{file_format}"'
    return response
