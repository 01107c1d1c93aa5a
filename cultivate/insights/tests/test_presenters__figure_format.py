"""The board report and the dashboards print a figure the same way: both go through core.formatting."""

from __future__ import annotations

import pytest

from cultivate.core import formatting
from cultivate.insights.dashboards import Column, Table
from cultivate.insights.presenters import cell_text
from cultivate.insights.report.render import fmt


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (1234, "count"),
        (0.1234, "percent"),
        (2.5, "index"),
        (0.5, "ratio"),
        (1234.5, "money"),
        (1234.56, "fte"),
    ],
)
def test_report_prints_figures_as_the_pages_do(value: float, kind: str) -> None:
    assert fmt(value, kind) == formatting.figure(value, kind)


def test_report_and_dashboard_agree_on_a_cell() -> None:
    column = Column("share", "Share", "percent")
    table = Table(key="t", title="T", caption="", columns=[column], rows=[{"share": 0.1234}])
    assert cell_text(table, table.rows[0], column) == fmt(0.1234, "percent") == "12.3%"
    assert cell_text(table, {"share": None}, column) == fmt(None, "percent") == "–"
