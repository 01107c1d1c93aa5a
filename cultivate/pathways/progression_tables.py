"""Do ready people progress? → the page's two tables (with a chart for the relative likelihoods) and the
spreadsheet. Everything here is an aggregate and is suppressed for every reader: a count of 1 to 4 people reads
"[c]", and so does a count whose complement in its group is 1 to 4 (it would give the small one away); a hidden
figure takes its rate, ratio and interval with it, and its counterpart in the other group of the same comparison
is hidden too, so that the comparison's total cannot give it back (ADR 0030)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from cultivate.core import exports
from cultivate.core.formatting import count, uk_date
from cultivate.insights import charts
from cultivate.insights.analyses.fairness import BAND
from cultivate.insights.dashboards.fairness import likelihood_cells
from cultivate.insights.measures.definitions import Window

from .progression import Cohort, StepProgression

SUPPRESSED = "[c]"
THRESHOLD = 5
COMPARISONS = {"ethnicity": "by ethnic group", "disability": "by disability"}


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    hidden: bool = False


def _small(value: int) -> bool:
    return 0 < value < THRESHOLD


def _percent(num: int, den: int) -> str:
    return f"{round(num / den * 100)}%" if den else "–"


def cohort_cells(cohort: Cohort) -> list[Cell]:
    """People at the start, of them progressed, and the share, suppressed."""
    if _small(cohort.people):
        return [Cell(SUPPRESSED, True, True)] * 3
    people = Cell(count(cohort.people), True)
    if _small(cohort.progressed) or _small(cohort.people - cohort.progressed):
        return [people, Cell(SUPPRESSED, True, True), Cell(SUPPRESSED, True, True)]
    return [
        people,
        Cell(count(cohort.progressed), True),
        Cell(_percent(cohort.progressed, cohort.people), True),
    ]


COHORT_HEADINGS = (
    "Step",
    "Ready at the start",
    "Of them, progressed",
    "Share progressed",
    "Nearly ready at the start",
    "Of them, progressed",
    "Share progressed",
)


def cohort_rows(rows: list[StepProgression]) -> list[list[Cell]]:
    out = []
    for row in rows:
        label = f"{row.title} ({row.pathway})" if row.pathway else row.title
        out.append([Cell(label), *cohort_cells(row.ready), *cohort_cells(row.nearly)])
    return out


def _pair_hidden(cells: dict[str, Any]) -> dict[str, Any]:
    """Hide a figure's counterpart in the other group when one is hidden, and the ratio with it."""
    hidden = cells.setdefault("_suppressed", set())
    for key in ("num", "den", "rate"):
        a, b = f"a_{key}", f"b_{key}"
        if (a in hidden) != (b in hidden) and (cells[a] is not None or cells[b] is not None):
            for side in (a, b):
                if cells[side] is not None:
                    cells[side] = None
                    hidden.add(side)
    if hidden:
        for key in ("value", "ci_low", "ci_high"):
            if cells[key] is not None:
                cells[key] = None
                hidden.add(key)
    return cells


def likelihood_rows(rows: list[StepProgression]) -> list[dict[str, Any]]:
    """One row per step and comparison, as the fairness dashboard's cells (`likelihood_cells`), suppressed."""
    out = []
    for row in rows:
        for result in row.likelihoods:
            cells = _pair_hidden(likelihood_cells(result, individual_level=False))
            cells["step"] = row.title if not row.pathway else f"{row.title} ({row.pathway})"
            cells["indicator"] = f"{cells['step']}, {COMPARISONS[result['comparison']]}"
            cells["comparison"] = COMPARISONS[result["comparison"]].removeprefix("by ").capitalize()
            out.append(cells)
    return out


LIKELIHOOD_HEADINGS = (
    "Step",
    "Compared",
    "Group",
    "Progressed",
    "Ready",
    "Rate",
    "Compared with",
    "Progressed",
    "Ready",
    "Rate",
    "Relative likelihood",
    "95% interval",
    "Reading",
)


def _figure(cells: dict[str, Any], key: str, kind: str) -> Cell:
    value = cells.get(key)
    if value is None:
        hidden = key in cells.get("_suppressed", set())
        return Cell(SUPPRESSED if hidden else "–", True, hidden)
    if kind == "percent":
        return Cell(f"{round(value * 100)}%", True)
    if kind == "ratio":
        return Cell(f"{value:.2f}", True)
    return Cell(count(value), True)


def _interval(cells: dict[str, Any]) -> Cell:
    low, high = cells.get("ci_low"), cells.get("ci_high")
    if low is None or high is None:
        hidden = "ci_low" in cells.get("_suppressed", set())
        return Cell(SUPPRESSED if hidden else "–", True, hidden)
    return Cell(f"{low:.2f} to {high:.2f}", True)


def likelihood_table(rows: list[dict[str, Any]]) -> list[list[Cell]]:
    out = []
    for cells in rows:
        out.append(
            [
                Cell(cells["step"]),
                Cell(cells["comparison"]),
                Cell(cells["a_name"]),
                _figure(cells, "a_num", "count"),
                _figure(cells, "a_den", "count"),
                _figure(cells, "a_rate", "percent"),
                Cell(cells["b_name"]),
                _figure(cells, "b_num", "count"),
                _figure(cells, "b_den", "count"),
                _figure(cells, "b_rate", "percent"),
                _figure(cells, "value", "ratio"),
                _interval(cells),
                Cell(cells["reading"]),
            ]
        )
    return out


def chart(rows: list[dict[str, Any]]) -> tuple[str, str]:
    """(the chart's spec as JSON safe inside a script element, its text alternative): the relative likelihoods
    that can be shown, as dots with their intervals against the 0.80–1.25 band."""
    shown = [r for r in rows if r.get("value") is not None]
    if not shown:
        return "", charts.describe_likelihoods(rows)
    text = json.dumps(charts.likelihoods(shown, band=BAND), separators=(",", ":"))
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return safe, charts.describe_likelihoods(rows)


def period_words(window: Window) -> str:
    return f"from {uk_date(window.start)} to {uk_date(window.end)}"


APPROXIMATION = (
    "Readiness at the start is worked out as of that day from what Cultivate holds: posts, qualifications "
    "awarded, functional skills assessments and managers' support dated on or before it, competences as signed "
    "off then, and mandatory training as it stood. Whether a qualification was confirmed, and learning completed "
    "that gives one, are taken as they are now, and requirements added to a step since are counted as if they "
    "had always been there."
)


def workbook(
    organisation_name: str,
    window: Window,
    people: int,
    steps: list[StepProgression],
) -> bytes:
    """The two tables as an XLSX workbook, suppressed as on the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    first = book.create_sheet("Ready people")
    first.append(exports.xlsx_row(first, COHORT_HEADINGS, font=bold))
    for row in cohort_rows(steps):
        first.append(exports.xlsx_row(first, [_value(c) for c in row]))
    second = book.create_sheet("Relative likelihoods")
    second.append(exports.xlsx_row(second, LIKELIHOOD_HEADINGS, font=bold))
    for cells in likelihood_table(likelihood_rows(steps)):
        second.append(exports.xlsx_row(second, [_value(c) for c in cells]))
    about = book.create_sheet("About")
    for line in (
        [f"Do ready people progress? {organisation_name}, {period_words(window)}"],
        [f"People in post at the start: {people}"],
        ["Progressed: moved to a higher Agenda for Change band, or to another job role, by the end."],
        [APPROXIMATION],
        [f"{SUPPRESSED}: 1 to 4 people, or a figure that would give such a number away, hidden."],
        ["Relative likelihoods: Katz's log method, 95% interval; 0.80 to 1.25 reads as no adverse impact."],
    ):
        about.append(exports.xlsx_row(about, line))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _value(cell: Cell) -> Any:
    """A number stays a number in the spreadsheet; everything else is text."""
    text = cell.text.replace(",", "")
    if cell.numeric and text.isdigit():
        return int(text)
    return cell.text
