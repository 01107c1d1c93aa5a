"""Secondary suppression in the board report, proved by an attacker (ADR 0030): every linear relation between the
report's figures that a reader knows is written down here (and checked on the report with every figure shown),
then each hidden count is solved for. None may be pinned down.

Covered: the key figures, the trends (headcount and FTE index, leaver rate, sickness), band transitions,
progression by age band and ethnic group, moves between roles, reasons for leaving (grouped and recorded), leaver
rates by ethnic group, disability and sex, the cost of turnover and the investment in development. Not covered:
the retention curves, the
competing-risks table and the relative likelihoods, whose figures are estimates, not sums of counts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cultivate.insights import dashboards
from cultivate.insights.report import build_report
from cultivate.insights.report.model import Report
from cultivate.insights.tables import SMALL, SUPPRESSED, Table

from .dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))
COST = Decimal("12000")
Cell = tuple[Any, ...]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("insights") / "store")


def _number(value: Any) -> float | str | None:
    """A number, "hidden" for [c]/[s], or None for an empty cell or text."""
    if isinstance(value, str):
        return "hidden" if value in (SUPPRESSED, SMALL) else None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    return None


def _tables(report: Report) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for section in report.sections:
        for chart in section.charts:
            found[chart.key] = chart.table
        for i, table in enumerate(section.tables):
            found[f"{section.key}-{i}"] = table
    return found


def _cells(report: Report) -> dict[Cell, float | None]:
    """Every numeric cell: its number, or None when hidden."""
    out: dict[Cell, float | None] = {}
    for figure in report.key_figures:
        for when, found in (("now", figure.current), ("before", figure.previous)):
            for part in ("numerator", "denominator", "value"):
                value = getattr(found, part)
                if value is None and found.suppressed:
                    out[("kf", figure.measure, when, part)] = None
                elif (number := _number(value)) is not None and number != "hidden":
                    out[("kf", figure.measure, when, part)] = float(number)
    for key, table in _tables(report).items():
        for i, values in enumerate(table.values()):
            for j, value in enumerate(values):
                parts = value if isinstance(value, tuple) else (value,)
                for p, part in enumerate(parts):
                    number = _number(part)
                    if number == "hidden":
                        out[(key, i, j, p)] = None
                    elif number is not None:
                        out[(key, i, j, p)] = float(number)
    return out


def _rate(
    cells: dict[Cell, float | None], num: Cell, den: Cell, value: Cell, scale: float = 1.0
) -> list[dict]:
    """num = value × den: linear when den or value is shown."""
    if cells.get(den) is not None:
        return [{num: 1.0, value: -(cells[den] or 0.0) / scale}]
    if cells.get(value) is not None:
        return [{num: 1.0, den: -(cells[value] or 0.0) / scale}]
    return []


def _relations(report: Report, cells: dict[Cell, float | None]) -> list[dict[Cell, float]]:
    tables = _tables(report)
    rows = {key: len(table.rows) for key, table in tables.items()}
    found: list[dict[Cell, float]] = []
    kf = lambda measure, part: ("kf", measure, "now", part)  # noqa: E731
    for figure in report.key_figures:
        if figure.kind == "percent":
            for when in ("now", "before"):
                found += _rate(
                    cells,
                    ("kf", figure.measure, when, "numerator"),
                    ("kf", figure.measure, when, "denominator"),
                    ("kf", figure.measure, when, "value"),
                )
    leavers, mean_headcount = kf("leaver_rate", "numerator"), kf("leaver_rate", "denominator")
    in_post_start, stayers = kf("stability_index", "denominator"), kf("stability_index", "numerator")
    # Rates shown with their parts, row by row; the last rolling leaver rate is the period's.
    for key in (
        "leaver_rate_rolling",
        "sickness_by_month",
        *(f"leaver_rate_by_{c}" for c in ("ethnic_group", "disability", "sex")),
    ):
        for i in range(rows.get(key, 0)):
            found += _rate(cells, (key, i, 1, 0), (key, i, 2, 0), (key, i, 3, 0))
    if rows.get("leaver_rate_rolling"):
        last = rows["leaver_rate_rolling"] - 1
        found.append({("leaver_rate_rolling", last, 1, 0): 1.0, leavers: -1.0})
        found.append({("leaver_rate_rolling", last, 2, 0): 1.0, mean_headcount: -1.0})
    # Groups that split everyone add up to the period's leavers and mean headcount.
    for column in ("ethnic_group", "disability", "sex"):
        key = f"leaver_rate_by_{column}"
        if rows.get(key):
            found.append({**{(key, i, 1, 0): 1.0 for i in range(rows[key])}, leavers: -1.0})
            found.append({**{(key, i, 2, 0): 1.0 for i in range(rows[key])}, mean_headcount: -1.0})
    # Headcount index: index × base / 100 = headcount, base the first date's headcount; the last is the period's.
    index = "headcount_fte_index"
    if rows.get(index):
        for figure_column, index_column in ((1, 3), (2, 4)):
            base = cells.get((index, 0, figure_column, 0))
            for i in range(rows[index]):
                if base is not None:
                    found.append(
                        {(index, i, figure_column, 0): 1.0, (index, i, index_column, 0): -base / 100}
                    )
        last = rows[index] - 1
        found.append({(index, last, 1, 0): 1.0, kf("headcount", "value"): -1.0})
    # Band transitions: a band's people at the start split into the outcomes; each share is of them.
    band = "band_transitions"
    if rows.get(band):
        outcomes = range(2, len(tables[band].columns))
        for i in range(rows[band]):
            found.append({(band, i, 1, 0): 1.0, **{(band, i, k, 0): -1.0 for k in outcomes}})
            for k in outcomes:
                found += _rate(cells, (band, i, k, 0), (band, i, 1, 0), (band, i, k, 1))
        found.append({**{(band, i, 1, 0): 1.0 for i in range(rows[band])}, in_post_start: -1.0})
        left = len(tables[band].columns) - 1
        found.append({**{(band, i, left, 0): 1.0 for i in range(rows[band])}, leavers: -1.0})
    # Progression by a characteristic: the groups add up to everyone in post at the start, the stayers and the
    # band transitions' "higher band" column.
    for column in ("age_band", "ethnic_group"):
        key = f"progression_by_{column}"
        if not rows.get(key):
            continue
        for i in range(rows[key]):
            found += _rate(cells, (key, i, 2, 0), (key, i, 1, 0), (key, i, 3, 0))
            found += _rate(cells, (key, i, 2, 0), (key, i, 4, 0), (key, i, 5, 0))
        found.append({**{(key, i, 1, 0): 1.0 for i in range(rows[key])}, in_post_start: -1.0})
        found.append({**{(key, i, 4, 0): 1.0 for i in range(rows[key])}, stayers: -1.0})
        if rows.get(band):
            higher = 1 + 2  # band transitions: label, in post, same, higher…
            found.append(
                {
                    **{(key, i, 2, 0): 1.0 for i in range(rows[key])},
                    **{(band, i, higher, 0): -1.0 for i in range(rows[band])},
                }
            )
    # Reasons for leaving: shares of all leavers; the groups add up to them.
    reasons = "leaving_reason_groups"
    if rows.get(reasons):
        for i in range(rows[reasons]):
            found += _rate(cells, (reasons, i, 1, 0), leavers, (reasons, i, 2, 0))
        found.append({**{(reasons, i, 1, 0): 1.0 for i in range(rows[reasons])}, leavers: -1.0})
    recorded = "retention-1"
    for i in range(rows.get(recorded, 0)):
        found += _rate(cells, (recorded, i, 1, 0), leavers, (recorded, i, 2, 0))
    # Moves between roles: two moves from one role share its people at the start.
    moves = "retention-0"
    by_role: dict[Any, list[int]] = defaultdict(list)
    for i, values in enumerate(tables[moves].values() if moves in tables else []):
        by_role[values[0]].append(i)
    for found_rows in by_role.values():
        for a, b in itertools.pairwise(found_rows):
            share_a, share_b = cells.get((moves, a, 3, 0)), cells.get((moves, b, 3, 0))
            if share_a is not None and share_b is not None:
                found.append({(moves, a, 2, 0): share_b, (moves, b, 2, 0): -share_a})
    # Investment in development: the staff groups' people add up to the headcount (and are its shares); spend is
    # people × spend per head; the shares of spend are of one total.
    investment = "investment_per_head" if rows.get("investment_per_head") else "investment-0"
    if groups := rows.get(investment):
        headcount = kf("headcount", "value")
        found.append({**{(investment, i, 1, 0): 1.0 for i in range(groups)}, headcount: -1.0})
        for i in range(groups):
            found += _rate(cells, (investment, i, 1, 0), headcount, (investment, i, 2, 0))
            found += _rate(cells, (investment, i, 5, 0), (investment, i, 1, 0), (investment, i, 7, 0))
        for a, b in itertools.combinations(range(groups), 2):
            share_a, share_b = cells.get((investment, a, 6, 0)), cells.get((investment, b, 6, 0))
            if share_a is not None and share_b is not None:
                found.append({(investment, a, 5, 0): share_b, (investment, b, 5, 0): -share_a})
    # Cost of turnover: each band's cost is its leavers × the cost given; the bands add up to all leavers.
    costs = "costs-0"
    if rows.get(costs):
        last = rows[costs] - 1
        for i in range(rows[costs]):
            found.append({(costs, i, 2, 0): 1.0, (costs, i, 1, 0): -float(COST)})
        found.append({**{(costs, i, 1, 0): 1.0 for i in range(last)}, (costs, last, 1, 0): -1.0})
    return found


def _recovered(report: Report) -> list[Cell]:
    cells = _cells(report)
    hidden = sorted((c for c, v in cells.items() if v is None), key=repr)
    relations = [r for r in _relations(report, cells) if all(c in cells for c in r)]
    if not hidden or not relations:
        return []
    # Shown cells are constants: only the hidden ones are unknowns.
    index = {c: n for n, c in enumerate(hidden)}
    matrix = np.array([[r.get(c, 0.0) for c in hidden] for r in relations], dtype=float)
    matrix = matrix[np.any(matrix != 0, axis=1)]
    if not len(matrix):
        return []
    rank = np.linalg.matrix_rank(matrix)
    return [
        c
        for c, n in index.items()
        if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(hidden))[n]])) == rank
    ]


def _holds(report: Report) -> None:
    cells = _cells(report)
    for relation in _relations(report, cells):
        numbers = [(coefficient, cells.get(c)) for c, coefficient in relation.items()]
        if all(number is not None for _, number in numbers):
            total = sum(coefficient * (number or 0.0) for coefficient, number in numbers)
            scale = max([1.0, *(abs(coefficient * (number or 0.0)) for coefficient, number in numbers)])
            assert abs(total) < 0.01 * scale, relation


@pytest.mark.parametrize("codes", [["RAA"], ["RAA", "RBB"], ["RBB"]])
def test_no_hidden_figure_of_the_board_report_can_be_worked_out(store: Path, codes: list[str]) -> None:
    _holds(build_report(store, WINDOW, codes, individual_level=True, cost_per_leaver=COST))
    report = build_report(store, WINDOW, codes, cost_per_leaver=COST)
    assert any(v is None for v in _cells(report).values())  # something is hidden, so the attack is tried
    assert _recovered(report) == []


def test_without_the_protection_the_attack_recovers_figures(store: Path, monkeypatch: Any) -> None:
    from cultivate.insights.report import build as report_build

    monkeypatch.setattr(report_build, "protect_report", lambda report, cost=None: None)
    report = build_report(store, WINDOW, ["RAA"], cost_per_leaver=COST)
    assert _recovered(report)  # the attack is able, so its silence above means something


def test_the_protection_hides_table_figures_before_key_figures(store: Path, monkeypatch: Any) -> None:
    protected = build_report(store, WINDOW, ["RAA", "RBB"], cost_per_leaver=COST)
    from cultivate.insights.report import build as report_build

    monkeypatch.setattr(report_build, "protect_report", lambda report, cost=None: None)
    primary = build_report(store, WINDOW, ["RAA", "RBB"], cost_per_leaver=COST)
    assert protected.key_figures == primary.key_figures
    more = [c for c, v in _cells(protected).items() if v is None and _cells(primary).get(c) is not None]
    assert more  # the protection hid something here, in the tables only
    assert all(c[0] != "kf" for c in more)
