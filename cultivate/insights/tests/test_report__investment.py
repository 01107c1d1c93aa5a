"""The board report's investment in development: spend and hours per head of each staff group, from the store's
training table (an extract's or the service's own)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cultivate.insights.report import build_report, parse_period, render_html
from cultivate.insights.report.model import SUPPRESSED

from .test_measures import build_store, spell

D = dt.date
PERIOD = parse_period("2019-04:2020-03")
SUPPORT, REGISTERED, OTHER = (
    "Bands 1 to 4 (clinical support and other support staff)",
    "Band 5 and above",
    "Other pay scales (medical and dental, not on Agenda for Change)",
)


def course(
    person: str, on: dt.date, cost: float, hours: float = 7.5, mandatory: bool = False
) -> dict[str, Any]:
    return {
        "person_id": person,
        "course_code": "C1",
        "course_title": "A course",
        "completed_on": on,
        "mandatory": mandatory,
        "hours": hours,
        "cost_gbp": cost,
    }


def store_with(tmp_path: Path, *, registered: int = 6, doctors: int = 5) -> Path:
    spells = [spell(f"s{i}", f"S{i}", D(2015, 1, 1), band="3") for i in range(10)]
    spells += [spell(f"r{i}", f"R{i}", D(2015, 1, 1), band="6") for i in range(registered)]
    spells += [spell(f"d{i}", f"D{i}", D(2015, 1, 1), band="NA") for i in range(doctors)]
    # A bank spell and someone who left before the period's end are not in post at its end.
    spells.append(spell("bank", "S0", D(2015, 1, 1), band="7", contract="Bank"))
    spells.append(spell("gone", "G1", D(2015, 1, 1), D(2019, 12, 31), band="3", reason="Retirement Age"))
    training = [course(f"S{i}", D(2019, 6, 1), 50.0) for i in range(2)]  # 2 of 10 support staff, £100
    training += [course(f"R{i}", D(2019, 9, 1), 300.0, hours=15) for i in range(registered)]
    training.append(course("G1", D(2019, 5, 1), 999.0))  # left: not in a group at the period's end
    training.append(course("S5", D(2020, 4, 2), 999.0))  # after the period
    return build_store(tmp_path / "store", spells, training=training, extract_date="2020-03-31")


def test_spend_per_head_by_staff_group(tmp_path: Path) -> None:
    report = build_report(store_with(tmp_path), PERIOD, ["RXX"])
    section = report.section("investment")
    assert section is not None and section.title == "Investment in development"
    (chart,) = section.charts
    rows = {row[0]: row[1:] for row in chart.table.values()}
    assert rows[SUPPORT] == pytest.approx([10, 10 / 21, 0.2, 1.5, 100.0, 100 / 1900, 10.0])
    assert rows[REGISTERED] == pytest.approx([6, 6 / 21, 1.0, 15.0, 1800.0, 1800 / 1900, 300.0])
    # Nobody on other pay scales trained: unknown (perhaps not recorded), not £0.
    assert rows[OTHER] == [5, pytest.approx(5 / 21), None, None, None, None, None]
    # The chart draws the same figures as the table.
    assert [v["value"] for v in chart.spec["data"]["values"]] == pytest.approx([10.0, 300.0])
    html = render_html(report)
    assert "Investment in development" in html and "Talent for Care" in html


def test_a_small_group_is_hidden_with_the_next_smallest(tmp_path: Path) -> None:
    """Three doctors would be the report's headcount less the other groups: the registered group (6) is hidden
    too, and no share of the whole is shown."""
    report = build_report(store_with(tmp_path, doctors=3), PERIOD, ["RXX"])
    section = report.section("investment")
    assert section is not None
    rows = {row[0]: row[1:] for row in section.charts[0].table.values()}
    assert rows[OTHER] == [SUPPRESSED] * 7
    assert rows[REGISTERED] == [SUPPRESSED] * 7
    # No share of the whole for anyone. (In a store this small the report's own protection, which sees the
    # band transitions and progression tied to the same headcount, may hide more: see the attack below.)
    assert rows[SUPPORT][1] == SUPPRESSED and rows[SUPPORT][5] == SUPPRESSED


def test_no_section_without_training_in_the_period(tmp_path: Path) -> None:
    spells = [spell(f"s{i}", f"S{i}", D(2015, 1, 1)) for i in range(10)]
    store = build_store(tmp_path / "store", spells, extract_date="2020-03-31")
    assert build_report(store, PERIOD, ["RXX"]).section("investment") is None


def test_no_hidden_figure_of_the_section_can_be_worked_out(tmp_path: Path) -> None:
    """The attack of the report's disclosure test, with this section's relations: none of its hidden figures can
    be worked out. (Cells of other sections in a store of 24 people are the disclosure test's business.)"""
    from .test_report__disclosure import _holds, _recovered

    store = store_with(tmp_path, doctors=3)
    _holds(build_report(store, PERIOD, ["RXX"], individual_level=True))
    report = build_report(store, PERIOD, ["RXX"])
    assert report.section("investment") is not None
    assert [cell for cell in _recovered(report) if str(cell[0]).startswith("investment")] == []
