"""Dashboard tables → what a page or a download shows: formatted cells, drill-down links, CSV and XLSX.

A suppressed figure reads "[c]" (confidential: fewer than 5 people) and one over a small denominator "[s]",
on the page and in downloads alike; the page explains both under each table."""

from __future__ import annotations

import io
import json
from typing import Any

from cultivate.core import exports, formatting

from .dashboards import Dashboard
from .tables import SMALL, SUPPRESSED, Column, Table, hidden


def cell_text(table: Table, row: dict[str, Any], column: Column) -> str:
    value = row.get(column.key)
    if value is None:
        return hidden(row, column.key) or (formatting.EMPTY if column.kind != "label" else "Not known")
    if column.kind == "label" or isinstance(value, str):
        return str(value)  # a label, or words in place of a figure ("Not recorded")
    return formatting.figure(value, column.kind)


def _script_json(spec: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: no "</script>" or HTML can close it early."""
    text = json.dumps(spec, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def present_table(table: Table, links: dict[str, str] | None = None) -> dict[str, Any]:
    """Rows of cells for the page: text, whether numeric, whether suppressed, and a drill-down link."""
    links = links or {}
    rows = []
    for row in table.rows:
        cells = []
        for column in table.columns:
            text = cell_text(table, row, column)
            href = links.get(str(row.get(column.key))) if column.key == table.drill else None
            cells.append(
                {
                    "text": text,
                    "numeric": column.kind != "label",
                    "hidden": text in (SUPPRESSED, SMALL),
                    "href": href,
                }
            )
        rows.append(cells)
    return {
        "key": table.key,
        "title": table.title,
        "caption": table.caption,
        "columns": table.columns,
        "rows": rows,
        "chart_json": _script_json(table.chart) if table.chart else "",
        "chart_alt": table.chart_alt,
        "has_hidden": any(c["hidden"] for r in rows for c in r),
        "note": table.note,
        "not_recorded": table.not_recorded,
    }


# Downloads ------------------------------------------------------------------------------------------------------
def export_header(table: Table) -> list[str]:
    return [f"{c.heading} (%)" if c.kind == "percent" else c.heading for c in table.columns]


def export_rows(table: Table) -> list[list[str | float | int]]:
    """Figures as numbers (percentages ×100, to 2 places), suppressed ones as [c] or [s], labels as text (the
    writers escape text that looks like a formula: cultivate.core.exports)."""
    out: list[list[str | float | int]] = []
    for row in table.rows:
        cells: list[str | float | int] = []
        for column in table.columns:
            value = row.get(column.key)
            if value is None or column.kind == "label" or isinstance(value, str):
                cells.append(cell_text(table, row, column))
            elif column.kind == "percent":
                cells.append(round(float(value) * 100, 2))
            else:
                cells.append(value)
        out.append(cells)
    return out


def about_lines(dashboard: Dashboard, table: Table, scope_label: str) -> list[tuple[str, str]]:
    return [
        ("Table", table.title),
        ("Scope", scope_label),
        (
            "Window",
            f"{dashboard.window.start.isoformat()} to {dashboard.window.end.isoformat()} "
            "(the days after the start up to the end)",
        ),
        ("Extract date", dashboard.extract_date.isoformat() if dashboard.extract_date else "not recorded"),
        (
            "Small numbers",
            f"{SUPPRESSED}: fewer than 5 people, hidden; {SMALL}: the denominator stands for fewer than 5 people"
            if dashboard.suppressed
            else "not suppressed (individual-level access)",
        ),
        (
            "Definitions",
            "Headcount and FTE on the last day; leaver rate: leavers ÷ mean headcount; stability index: the share "
            "of those in post at the start still in post at the end; sickness absence rate: FTE days lost ÷ FTE "
            "days available. The service's user guide for workforce insights gives every definition.",
        ),
    ]


def table_csv(dashboard: Dashboard, table: Table) -> bytes:
    return exports.csv_bytes(export_header(table), export_rows(table))


def table_xlsx(dashboard: Dashboard, table: Table, scope_label: str) -> bytes:
    return xlsx_with_about(table, about_lines(dashboard, table, scope_label))


def xlsx_with_about(table: Table, about_rows: list[tuple[str, str]]) -> bytes:
    """A workbook of the table's sheet and an "About" sheet saying what it holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(exports.xlsx_row(sheet, export_header(table), font=Font(bold=True)))
    for row in export_rows(table):
        sheet.append(exports.xlsx_row(sheet, row))
    about = workbook.create_sheet("About")
    for line in about_rows:
        about.append(exports.xlsx_row(about, line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
