"""The sickness dashboard where absence records were never supplied: "not recorded", never a 0.0%."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from cultivate.insights import dashboards, presenters
from cultivate.insights.dashboards import Scope
from cultivate.insights.dashboards.sickness import NOT_RECORDED

from ..dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))


def _without_absences(tmp_path: Path) -> Path:
    store = build_store(tmp_path / "store")
    folders = list((store / "datasets").glob("*/absences"))
    assert folders
    for folder in folders:
        shutil.rmtree(folder)
    return store


def test_no_absence_records_read_not_recorded_not_zero(tmp_path: Path) -> None:
    store = _without_absences(tmp_path)
    for scope in (Scope(organisations=("RAA",)), Scope(organisations=("RAA",), individual_level=True)):
        built = dashboards.dashboard(store, "sickness", scope=scope, window=WINDOW, breakdown="team")
        assert built is not None and built.has_data
        [table] = built.tables
        assert table.not_recorded == NOT_RECORDED and table.rows == [] and table.chart is None
        shown = presenters.present_table(table)
        assert shown["not_recorded"].startswith("Not recorded")
        assert "0.0%" not in str(shown)


def test_absence_records_give_figures(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    built = dashboards.dashboard(store, "sickness", scope=Scope(organisations=("RAA",)), window=WINDOW)
    assert built is not None
    assert all(not t.not_recorded for t in built.tables) and any(t.rows for t in built.tables)
