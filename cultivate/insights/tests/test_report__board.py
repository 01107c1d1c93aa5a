"""The board report speaks to a board: the author's commentary first, no file paths or dataset names, and
sickness "Not recorded" (not 0.0%) where no absence records were supplied."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from cultivate.insights import dashboards
from cultivate.insights.report import build_report, render_html

from .dashboard_store import build_store

WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))


def test_commentary_first_and_no_file_paths_or_dataset_names(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    report = build_report(store, WINDOW, ["RAA"])
    report.commentary = "Turnover rose on A ward 1.\n\nWe propose <b>a retention review</b>."
    html = render_html(report)
    assert html.index("Commentary") < html.index("Key figures")
    assert "<p>Turnover rose on A ward 1.</p>" in html
    assert "&lt;b&gt;a retention review&lt;/b&gt;" in html  # the author's words, never markup
    assert "docs/" not in html and ".md" not in html and "insights store" not in html
    for source in report.sources:
        assert source.dataset not in html
    assert "Not recorded" not in html


def test_sickness_not_recorded_without_absence_records(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    for folder in (store / "datasets").glob("*/absences"):
        shutil.rmtree(folder)
    report = build_report(store, WINDOW, ["RAA"], individual_level=True)
    sickness = report.key_figure("sickness_absence_rate")
    assert sickness.not_recorded and sickness.change is None
    html = render_html(report)
    assert "Not recorded" in html and "Sickness absence is not recorded" in html
    assert "sickness_by_month" not in {chart.key for chart in report.charts}
