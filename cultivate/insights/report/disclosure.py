"""Secondary suppression for the whole board report (ADR 0030, extended to the report).

`build.protect` hides a second figure where one hidden count in a group could be worked out from the group's
shown total. The report ties more figures together than that: the leaver rates by ethnic group, disability and sex
add up to the period's leavers and mean headcount (key figures); band transitions add up to the people in post at
the start; progression by a characteristic adds up to the band transitions' "higher band" column; each reason's
share is of all leavers; each band's cost is its leavers times the cost given; the investment in development's
staff groups add up to the headcount, and each group's spend is its people times its spend per head. Here every
such relation is written as a linear equation over the report's cells (the key figures and every table), and, as on
the dashboards (`dashboards.disclosure`), while a hidden cell can be solved for, the smallest shown figure in a
relation that pins it is hidden too (a table's figure before a key figure). A chart loses the rows whose figures
were hidden.

Estimates (retention curves, the competing-risks table, relative likelihoods) are not sums of counts and are
left to their own primary suppression."""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from ..tables import SMALL, SUPPRESSED, Table
from .model import Chart, Report

# A cell: ("kf", measure, "now" | "before", part) or (table key, row, column position, part of a pair).
Cell = tuple[Any, ...]
Relation = dict[Cell, float]
BY_GROUP = ("ethnic_group", "disability", "sex")


class _Page:
    """The report's cells as numbers (None: hidden), and how to hide one."""

    def __init__(self, report: Report, cost_per_leaver: Decimal | None) -> None:
        self.report = report
        self.cost_per_leaver = cost_per_leaver
        self.charts: dict[str, Chart] = {}
        self.tables: dict[str, Table] = {}
        for section in report.sections:
            for chart in section.charts:
                self.charts[chart.key] = chart
                self.tables[chart.key] = chart.table
            for i, table in enumerate(section.tables):
                self.tables[f"{section.key}-{i}"] = table
        self.cells: dict[Cell, float | None] = {}
        self.read()

    def read(self) -> None:
        cells: dict[Cell, float | None] = {}
        for figure in self.report.key_figures:
            for when, found in (("now", figure.current), ("before", figure.previous)):
                for part in ("numerator", "denominator", "value"):
                    value = getattr(found, part)
                    if value is None and found.suppressed:
                        cells[("kf", figure.measure, when, part)] = None
                    elif _is_number(value):
                        cells[("kf", figure.measure, when, part)] = float(value)
        for key, table in self.tables.items():
            for i, values in enumerate(table.values()):
                for j, value in enumerate(values):
                    for p, part in enumerate(value if isinstance(value, tuple) else (value,)):
                        if isinstance(part, str) and part in (SUPPRESSED, SMALL):
                            cells[(key, i, j, p)] = None
                        elif _is_number(part):
                            cells[(key, i, j, p)] = float(part)
        self.cells = cells

    def rows(self, key: str) -> int:
        table = self.tables.get(key)
        return len(table.rows) if table is not None else 0

    def hide(self, cell: Cell) -> None:
        if cell[0] == "kf":
            _, measure, when, part = cell
            figures = self.report.key_figures
            for n, figure in enumerate(figures):
                if figure.measure == measure:
                    attribute = "current" if when == "now" else "previous"
                    hidden = dataclasses.replace(getattr(figure, attribute), **{part: None}, suppressed=True)
                    figures[n] = dataclasses.replace(figure, **{attribute: hidden})
        else:
            key, i, j, p = cell
            table = self.tables[key]
            column = table.columns[j].key
            row = table.rows[i]
            if isinstance(row[column], tuple):
                parts = list(row[column])
                parts[p] = SUPPRESSED
                row[column] = tuple(parts)
            else:
                row[column] = None
                row.setdefault("_suppressed", set()).add(column)
            if key in self.charts:
                _drop_from_chart(self.charts[key], table, i)
        self.cells[cell] = None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _drop_from_chart(chart: Chart, table: Table, row: int) -> None:
    """The chart no longer draws the row whose figure was hidden (matched on the row's label)."""
    label = table.rows[row].get(table.columns[0].key)
    if label is None:
        return
    names = {str(label), label.isoformat() if hasattr(label, "isoformat") else str(label)}
    data = chart.spec.get("data", {})
    values = data.get("values")
    if isinstance(values, list):
        data["values"] = [v for v in values if not names & {str(x) for x in v.values()}]


def _rate(cells: dict[Cell, float | None], num: Cell, den: Cell, value: Cell) -> list[Relation]:
    """num = value × den, linear once the denominator or the value is shown."""
    if cells.get(den) is not None:
        return [{num: 1.0, value: -(cells[den] or 0.0)}]
    if cells.get(value) is not None:
        return [{num: 1.0, den: -(cells[value] or 0.0)}]
    return []


def _sum(parts: list[Cell], total: Cell) -> Relation:
    return {**dict.fromkeys(parts, 1.0), total: -1.0}


def _key_figures(page: _Page) -> list[Relation]:
    found: list[Relation] = []
    for figure in page.report.key_figures:
        if figure.kind == "percent":
            for when in ("now", "before"):
                parts = [("kf", figure.measure, when, part) for part in ("numerator", "denominator", "value")]
                found += _rate(page.cells, *parts)
    return found


def _kf(measure: str, part: str) -> Cell:
    return ("kf", measure, "now", part)


LEAVERS, MEAN_HEADCOUNT = _kf("leaver_rate", "numerator"), _kf("leaver_rate", "denominator")
IN_POST_AT_START, STAYERS = _kf("stability_index", "denominator"), _kf("stability_index", "numerator")


def _trends(page: _Page) -> list[Relation]:
    found: list[Relation] = []
    for key in ("leaver_rate_rolling", "sickness_by_month", *(f"leaver_rate_by_{c}" for c in BY_GROUP)):
        for i in range(page.rows(key)):
            found += _rate(page.cells, (key, i, 1, 0), (key, i, 2, 0), (key, i, 3, 0))
    if last := page.rows("leaver_rate_rolling"):
        found.append(_sum([("leaver_rate_rolling", last - 1, 1, 0)], LEAVERS))
        found.append(_sum([("leaver_rate_rolling", last - 1, 2, 0)], MEAN_HEADCOUNT))
    for column in BY_GROUP:
        key = f"leaver_rate_by_{column}"
        if n := page.rows(key):
            found.append(_sum([(key, i, 1, 0) for i in range(n)], LEAVERS))
            found.append(_sum([(key, i, 2, 0) for i in range(n)], MEAN_HEADCOUNT))
    index = "headcount_fte_index"
    if n := page.rows(index):
        for figure_column, index_column in ((1, 3), (2, 4)):
            base = page.cells.get((index, 0, figure_column, 0))
            if base is not None:
                found += [
                    {(index, i, figure_column, 0): 1.0, (index, i, index_column, 0): -base / 100}
                    for i in range(n)
                ]
        found.append(_sum([(index, n - 1, 1, 0)], _kf("headcount", "value")))
    return found


def _progression(page: _Page) -> list[Relation]:
    found: list[Relation] = []
    band = "band_transitions"
    bands = page.rows(band)
    if bands:
        outcomes = range(2, len(page.tables[band].columns))
        for i in range(bands):
            found.append({(band, i, 1, 0): 1.0, **{(band, i, k, 0): -1.0 for k in outcomes}})
            for k in outcomes:
                found += _rate(page.cells, (band, i, k, 0), (band, i, 1, 0), (band, i, k, 1))
        found.append(_sum([(band, i, 1, 0) for i in range(bands)], IN_POST_AT_START))
        found.append(_sum([(band, i, outcomes[-1], 0) for i in range(bands)], LEAVERS))
    for column in ("age_band", "ethnic_group"):
        key = f"progression_by_{column}"
        if not (n := page.rows(key)):
            continue
        for i in range(n):
            found += _rate(page.cells, (key, i, 2, 0), (key, i, 1, 0), (key, i, 3, 0))
            found += _rate(page.cells, (key, i, 2, 0), (key, i, 4, 0), (key, i, 5, 0))
        found.append(_sum([(key, i, 1, 0) for i in range(n)], IN_POST_AT_START))
        found.append(_sum([(key, i, 4, 0) for i in range(n)], STAYERS))
        if bands:  # the band transitions' third column is "higher band"
            found.append(
                {**{(key, i, 2, 0): 1.0 for i in range(n)}, **{(band, i, 3, 0): -1.0 for i in range(bands)}}
            )
    moves = "retention-0"
    by_role: dict[Any, list[int]] = defaultdict(list)
    if moves in page.tables:
        for i, values in enumerate(page.tables[moves].values()):
            by_role[values[0]].append(i)
    for rows in by_role.values():  # moves from one role share its people at the start
        for a, b in itertools.pairwise(rows):
            share_a, share_b = page.cells.get((moves, a, 3, 0)), page.cells.get((moves, b, 3, 0))
            if share_a is not None and share_b is not None:
                found.append({(moves, a, 2, 0): share_b, (moves, b, 2, 0): -share_a})
    return found


def _leavers(page: _Page) -> list[Relation]:
    found: list[Relation] = []
    groups = "leaving_reason_groups"
    if n := page.rows(groups):
        for i in range(n):
            found += _rate(page.cells, (groups, i, 1, 0), LEAVERS, (groups, i, 2, 0))
        found.append(_sum([(groups, i, 1, 0) for i in range(n)], LEAVERS))
    for i in range(page.rows("retention-1")):  # recorded reasons (the most common shown)
        found += _rate(page.cells, ("retention-1", i, 1, 0), LEAVERS, ("retention-1", i, 2, 0))
    costs = "costs-0"
    if (n := page.rows(costs)) and page.cost_per_leaver is not None:
        cost = float(page.cost_per_leaver)
        found += [{(costs, i, 2, 0): 1.0, (costs, i, 1, 0): -cost} for i in range(n)]
        found.append(_sum([(costs, i, 1, 0) for i in range(n - 1)], (costs, n - 1, 1, 0)))
    return found


def _investment(page: _Page) -> list[Relation]:
    """Investment in development: the staff groups' people add up to the headcount and are its shares; each
    group's spend is its people × spend per head; the shares of spend are of one total."""
    key = "investment_per_head" if page.rows("investment_per_head") else "investment-0"
    n = page.rows(key)
    found: list[Relation] = []
    if not n:
        return found
    headcount = _kf("headcount", "value")
    found.append(_sum([(key, i, 1, 0) for i in range(n)], headcount))
    for i in range(n):
        found += _rate(page.cells, (key, i, 1, 0), headcount, (key, i, 2, 0))
        found += _rate(page.cells, (key, i, 5, 0), (key, i, 1, 0), (key, i, 7, 0))
    for a, b in itertools.combinations(range(n), 2):
        share_a, share_b = page.cells.get((key, a, 6, 0)), page.cells.get((key, b, 6, 0))
        if share_a is not None and share_b is not None:
            found.append({(key, a, 5, 0): share_b, (key, b, 5, 0): -share_a})
    return found


RELATIONS: tuple[Callable[[_Page], list[Relation]], ...] = (
    _key_figures,
    _trends,
    _progression,
    _leavers,
    _investment,
)


def _recoverable(
    cells: dict[Cell, float | None], relations: list[Relation]
) -> tuple[set[Cell], list[Relation]]:
    relations = [r for r in relations if all(c in cells for c in r)]
    hidden = sorted({c for r in relations for c in r if cells[c] is None}, key=repr)
    if not hidden:
        return set(), relations
    index = {c: n for n, c in enumerate(hidden)}
    matrix = np.zeros((len(relations), len(hidden)))
    for m, relation in enumerate(relations):
        for c, coefficient in relation.items():
            if c in index:
                matrix[m, index[c]] += coefficient
    matrix = matrix[np.any(matrix != 0, axis=1)]
    if not len(matrix):
        return set(), relations
    rank = np.linalg.matrix_rank(matrix)
    eye = np.eye(len(hidden))
    return {
        c for c, n in index.items() if np.linalg.matrix_rank(np.vstack([matrix, eye[n]])) == rank
    }, relations


def protect_report(report: Report, cost_per_leaver: Decimal | None = None) -> None:
    """Hide complementary cells of the report in place until no hidden one can be worked out."""
    page = _Page(report, cost_per_leaver)
    for _ in range(10_000):  # each pass hides one more cell; the bound is a guard
        relations = [r for make in RELATIONS for r in make(page)]
        exposed, relations = _recoverable(page.cells, relations)
        if not exposed:
            return
        candidates = {
            c
            for relation in relations
            if exposed & relation.keys()
            for c in relation
            if page.cells.get(c) is not None
        }
        if not candidates:
            return
        choice = min(
            candidates,
            key=lambda c: (c[0] == "kf", page.cells[c] == 0, abs(page.cells[c] or 0.0), repr(c)),
        )
        page.hide(choice)
