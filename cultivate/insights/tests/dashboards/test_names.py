"""Organisations are named, not only coded, in the table, its chart and its text alternative alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cultivate.insights import dashboards
from cultivate.insights.dashboards import Scope

from ..dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))
LABELS = {
    "RAA": dashboards.organisation_label("North Care NHS Trust", "RAA"),
    "RBB": dashboards.organisation_label("South Health NHS Trust", "RBB"),
}


def test_an_alliance_dashboard_names_its_trusts(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    scope = Scope(organisations=("RAA", "RBB"))
    for name in ("overview", "retention", "fairness"):
        built = dashboards.dashboard(store, name, scope=scope, window=WINDOW, breakdown="organisation_code")
        assert built is not None
        with dashboards.scoped_connection(store, scope) as con:
            named = dashboards.build(
                con,
                name,
                scope=scope,
                window=WINDOW,
                breakdown="organisation_code",
                extract=None,
                organisation_labels=LABELS,
            )
        drilled = [t for t in named.tables if t.drill]
        assert drilled, name
        for table in drilled:
            assert table.drill is not None
            labels = {row[table.drill] for row in table.rows}
            assert labels <= set(LABELS.values()) and labels, (name, labels)
            if table.chart is not None and table.chart["data"]["values"]:
                text = str(table.chart["data"]["values"]) + table.chart_alt
                assert "North Care NHS Trust (RAA)" in text or "South Health NHS Trust (RBB)" in text
                assert "'RAA'" not in text and "'RBB'" not in text


def test_labels_leave_other_breakdowns_alone(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    scope = Scope(organisations=("RAA",))
    with dashboards.scoped_connection(store, scope) as con:
        built = dashboards.build(
            con,
            "retention",
            scope=scope,
            window=WINDOW,
            breakdown="team",
            extract=None,
            organisation_labels=LABELS,
        )
    turnover = built.table("turnover")
    assert {row["group"] for row in turnover.rows} <= {"A ward 1", "A ward 2", "Not known"}
