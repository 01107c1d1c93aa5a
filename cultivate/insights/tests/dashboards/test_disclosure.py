"""Secondary suppression, proved by an attacker: for every dashboard page and export a reader without
individual-level access gets, write down every linear relation that holds between its figures (checked on the
unsuppressed page), then try to solve for each hidden count. None may be pinned down.

The attacker here is written apart from `dashboards.disclosure` (its own relations and its own solver), so a
relation the module forgot shows up as a recovered figure."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cultivate.insights import dashboards
from cultivate.insights.dashboards import Scope, disclosure
from cultivate.insights.tables import SMALL, SUPPRESSED, cell

from ..dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))
READERS = [
    Scope(organisations=("RAA",)),
    Scope(organisations=("RAA", "RBB")),
    Scope(organisations=("RBB",)),
]
Cell = tuple[str, int, str]  # table key, row, column key


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("insights") / "store")


def _page(store: Path, name: str, scope: Scope, breakdown: str) -> dict[str, dashboards.Table]:
    built = dashboards.dashboard(store, name, scope=scope, window=WINDOW, breakdown=breakdown)
    assert built is not None
    return {t.key: t for t in built.tables}


def _number(table: dashboards.Table, row: int, key: str) -> float | None:
    found = table.rows[row].get(key)
    return float(found) if isinstance(found, (int, float)) and not isinstance(found, bool) else None


def _shown(tables: dict[str, dashboards.Table]) -> dict[Cell, float | None]:
    """Every numeric cell as the reader sees it: a number, or None when hidden ([c] or [s] on the page)."""
    out: dict[Cell, float | None] = {}
    for key, table in tables.items():
        for i, row in enumerate(table.rows):
            for column in table.columns:
                if cell(row, column) in (SUPPRESSED, SMALL):
                    out[(key, i, column.key)] = None
                elif (number := _number(table, i, column.key)) is not None:
                    out[(key, i, column.key)] = number
    return out


def _relations(
    tables: dict[str, dashboards.Table], shown: dict[Cell, float | None], breakdown: str
) -> list[dict[Cell, float]]:
    """What a reader knows ties the figures: Σ coefficient × cell = 0."""
    found: list[dict[Cell, float]] = []
    for key, table in tables.items():
        keys = {c.key for c in table.columns}
        for column in table.columns:
            num, den = f"{column.key}_num", f"{column.key}_den"
            if column.kind not in ("percent", "ratio") or num not in keys or den not in keys:
                continue
            for i in range(len(table.rows)):
                # A rate is its numerator over its denominator: linear once either of the two others is shown.
                if shown.get((key, i, den)) is not None:
                    found.append({(key, i, num): 1.0, (key, i, column.key): -shown[(key, i, den)]})  # type: ignore[operator]
                elif shown.get((key, i, column.key)) is not None:
                    found.append({(key, i, num): 1.0, (key, i, den): -shown[(key, i, column.key)]})  # type: ignore[operator]
    headline, trend, summary = tables.get("headline"), tables.get("trend"), tables.get("summary")
    if headline is not None and trend is not None and trend.rows:
        for key in ("headcount", "fte"):
            # The headline is the position at the window's end, which is the trend's last month...
            found.append({("headline", 0, key): 1.0, ("trend", len(trend.rows) - 1, key): -1.0})
            # ...and groups that never change for a person add up to it.
            if summary is not None and breakdown in ("organisation_code", "sex"):
                found.append(
                    {
                        **{("summary", i, key): 1.0 for i in range(len(summary.rows))},
                        ("headline", 0, key): -1.0,
                    }
                )
    turnover, reasons = tables.get("turnover"), tables.get("reasons")
    if turnover is not None:
        for i in range(len(turnover.rows)):
            t = lambda k, i=i: ("turnover", i, k)  # noqa: E731
            # leavers = rate numerator; start = stayers + leavers; start + end = 2 × mean; end = stayers + joiners.
            found.append({t("leavers"): 1, t("leaver_rate_num"): -1})
            found.append({t("stability_den"): 1, t("stability_num"): -1, t("leavers"): -1})
            found.append(
                {t("leaver_rate_den"): 2, t("stability_den"): -1, t("stability_num"): -1, t("joiners"): -1}
            )
        if reasons is not None and reasons.rows:
            # Groups that never change for a person add up to everyone; `_holds` checks it on the real figures.
            if breakdown in ("organisation_code", "sex"):
                everyone = {("turnover", i, "leavers"): 1.0 for i in range(len(turnover.rows))}
                found.append({**everyone, ("reasons", 0, "share_den"): -1.0})
            found.append(
                {
                    **{("reasons", i, "share_num"): 1.0 for i in range(len(reasons.rows))},
                    ("reasons", 0, "share_den"): -1,
                }
            )
    return found


def _recovered(tables: dict[str, dashboards.Table], breakdown: str) -> list[Cell]:
    shown = _shown(tables)
    hidden = sorted(c for c, v in shown.items() if v is None)
    relations = [r for r in _relations(tables, shown, breakdown) if all(c in shown for c in r)]
    if not hidden or not relations:
        return []
    index = {c: n for n, c in enumerate(hidden)}
    matrix = np.array([[r.get(c, 0.0) for c in hidden] for r in relations], dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    return [
        c
        for c, n in index.items()
        if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(hidden))[n]])) == rank
    ]


def _holds(tables: dict[str, dashboards.Table], breakdown: str) -> None:
    """Every relation the attacker uses is true on the unsuppressed page (so it is a fair attack)."""
    shown = _shown(tables)
    for relation in _relations(tables, shown, breakdown):
        known = {c: shown.get(c) for c in relation}
        numbers = [(coefficient, known[c]) for c, coefficient in relation.items()]
        if all(number is not None for _, number in numbers):
            total = sum(coefficient * (number or 0.0) for coefficient, number in numbers)
            assert abs(total) < 0.01 * max([1.0, *(abs(number or 0.0) for _, number in numbers)]), relation


@pytest.mark.parametrize("name", list(dashboards.BUILDERS))
@pytest.mark.parametrize("breakdown", ["organisation_code", "team", "afc_band", "sex"])
def test_no_hidden_figure_can_be_worked_out_from_the_page(store: Path, name: str, breakdown: str) -> None:
    _holds(
        _page(store, name, Scope(organisations=("RAA", "RBB"), individual_level=True), breakdown), breakdown
    )
    for scope in READERS:
        tables = _page(store, name, scope, breakdown)
        assert _recovered(tables, breakdown) == [], f"{name} by {breakdown} for {scope.organisations}"


def test_without_secondary_suppression_the_joiners_are_given_away(store: Path, monkeypatch: Any) -> None:
    """The attack finds what the issue found (joiners [c] = end − start + leavers) when protection is off."""
    monkeypatch.setattr(sys.modules["cultivate.insights.dashboards.build"], "protect", lambda *args: None)
    recovered = set()
    for scope in READERS:
        for breakdown in ("organisation_code", "team"):
            recovered |= {
                (c[0], c[2]) for c in _recovered(_page(store, "retention", scope, breakdown), breakdown)
            }
    assert recovered, "the store should have a figure that only secondary suppression protects"


def test_protect_hides_the_smallest_complement_and_redraws_the_chart() -> None:
    columns = [
        dashboards.Column("group", "Team"),
        dashboards.Column("joiners", "Joiners", "count"),
        dashboards.Column("leavers", "Leavers", "count"),
        dashboards.Column("leaver_rate", "Leaver rate", "percent"),
        dashboards.Column("leaver_rate_num", "Leavers", "count"),
        dashboards.Column("leaver_rate_den", "Mean headcount", "number"),
        dashboards.Column("stability", "Stability", "percent"),
        dashboards.Column("stability_num", "In post all year", "count"),
        dashboards.Column("stability_den", "In post at start", "count"),
    ]
    # start 20, end 22, leavers 5, stayers 15, joiners 7 (hidden by hand: pretend primary suppression hid it).
    row: dict[str, Any] = {
        "group": "Ward",
        "joiners": None,
        "leavers": 5,
        "leaver_rate": 5 / 21,
        "leaver_rate_num": 5,
        "leaver_rate_den": 21.0,
        "stability": 0.75,
        "stability_num": 15,
        "stability_den": 20,
        "_suppressed": {"joiners"},
    }
    drawn: list[int] = []

    def redraw(rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
        drawn.append(len(rows))
        return {"redrawn": True}, "redrawn"

    table = dashboards.Table("turnover", "T", "T", columns, [row], chart={"old": True}, redraw=redraw)
    disclosure.protect("retention", [table], "team")
    assert _recovered({"turnover": table}, "team") == []
    assert row["leavers"] is None or row["stability_num"] is None or row["leaver_rate_den"] is None
    assert table.chart == {"redrawn": True} and drawn == [1]
