"""The board report's cost of turnover (only with a cost per leaver given) and its competing-risks chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from cultivate.insights.report import ReportError, build_report, parse_cost, parse_period, render_html
from cultivate.insights.report.model import SUPPRESSED

from .commands.test_report import run
from .commands.test_report import store as store  # the same small extract: RXX has 8 band 2 leavers

D = dt.date
PERIOD = parse_period("2019-06:2020-06")


def test_cost_of_turnover_per_band_with_the_total(store: Path) -> None:
    report = build_report(store, PERIOD, ["RXX"], cost_per_leaver=Decimal("4250"))
    section = report.section("costs")
    assert section is not None
    (table,) = section.tables
    assert table.values() == [["Band 2", 8, 34000.0], ["All leavers", 8, 34000.0]]
    assert "£4,250" in section.intro
    html = render_html(report)
    assert "Cost of turnover" in html and "£34,000" in html


def test_no_cost_no_section_and_no_invented_default(store: Path) -> None:
    assert build_report(store, PERIOD, ["RXX"]).section("costs") is None


def test_competing_risks_chart_follows_the_retention_curve(store: Path) -> None:
    report = build_report(store, PERIOD, ["RXX"])
    retention = report.section("retention")
    assert retention is not None
    chart = next(c for c in retention.charts if c.key == "leaving_or_moving_up")
    shown = [row for row in chart.table.values() if row[1] not in (None, SUPPRESSED)]
    assert shown, "some months have 5 or more people under observation"
    # Nobody moved up a band; the 8 band 2 staff who left in January 2020 did so after 24 months in post.
    assert all(row[2] == 0.0 for row in shown)
    assert max(row[1] for row in shown) > 0


def test_parse_cost() -> None:
    assert parse_cost("£5,000") == Decimal("5000")
    assert parse_cost(" ") is None
    with pytest.raises(ReportError, match="number of pounds"):
        parse_cost("five grand")
    with pytest.raises(ReportError, match="negative"):
        parse_cost("-1")


def test_cli_refuses_a_bad_cost(store: Path, tmp_path: Path) -> None:
    code, _out, err = run(
        "--store",
        str(store),
        "--period",
        "2019-06:2020-06",
        "--out",
        str(tmp_path / "r.html"),
        "--replacement-cost",
        "lots",
    )
    assert code == 1 and "number of pounds" in err
    code, _out, _err = run(
        "--store",
        str(store),
        "--period",
        "2019-06:2020-06",
        "--out",
        str(tmp_path / "r.html"),
        "--replacement-cost",
        "5000",
    )
    assert code == 0 and "Cost of turnover" in (tmp_path / "r.html").read_text(encoding="utf-8")
