"""The overview opens with the scope's headline figures against the 12 months before (figures from
dashboard_store's docstring)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from cultivate.insights import dashboards, presenters
from cultivate.insights.dashboards import Scope
from cultivate.insights.tables import SUPPRESSED, cell

from ..dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))


def _headline(store: Path, scope: Scope) -> dashboards.Table:
    built = dashboards.dashboard(store, "overview", scope=scope, window=WINDOW)
    assert built is not None
    assert built.tables[0].key == "headline"
    return built.tables[0]


def test_headline_figures_against_last_year(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    table = _headline(store, Scope(organisations=("RAA",), individual_level=True))
    now, before = table.rows
    assert now["period"] == "12 months to 31 March 2025" and before["period"] == "12 months to 31 March 2024"
    # RAA: 12 in post at the start, 10 at the end (2 leavers, no joiners), FTE 9.0 at the end.
    assert (now["headcount"], now["fte"], before["headcount"]) == (10, 9.0, 12)
    assert round(now["leaver_rate"], 4) == round(2 / 11, 4) and round(now["stability"], 4) == round(
        10 / 12, 4
    )
    assert now["sickness"] > 0 and before["sickness"] == 0


def test_headline_hides_small_numbers_and_one_persons_sickness(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    table = _headline(store, Scope(organisations=("RAA",)))
    now = table.rows[0]
    # Two leavers: the leaver rate and stability would give them away; one person was off sick.
    assert cell(now, table.columns[3]) == SUPPRESSED and cell(now, table.columns[4]) == SUPPRESSED
    assert cell(now, table.columns[5]) == SUPPRESSED
    assert now["headcount"] == 10


def test_headline_sickness_not_recorded_without_absence_records(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    for folder in (store / "datasets").glob("*/absences"):
        shutil.rmtree(folder)
    table = _headline(store, Scope(organisations=("RAA",), individual_level=True))
    shown = presenters.present_table(table)
    assert [row[5]["text"] for row in shown["rows"]] == ["Not recorded", "Not recorded"]
    assert "unknown rather than zero" in table.note
    assert presenters.export_rows(table)[0][5] == "Not recorded"
