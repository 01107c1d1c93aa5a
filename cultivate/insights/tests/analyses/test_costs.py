"""Turnover cost (leavers × a replacement cost per leaver) on a hand-made extract, and the delegation savings
summary of an organisation's protocols."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cultivate.accounts import testing as t
from cultivate.insights.analyses import delegation_savings, turnover_cost
from cultivate.insights.measures import MeasureError, compute_measures
from cultivate.insights.snapshot import snapshot_organisation
from cultivate.insights.store import connect
from cultivate.insights.tests.test_measures import build_store, spell
from cultivate.portfolio.delegation import LEEDS_DIABETES_SAVINGS
from cultivate.portfolio.tests.delegation_factories import make_protocol

D = dt.date
W = ("2019-03-31", "2020-03-31")


@pytest.fixture
def leavers(tmp_path: Path) -> Path:
    return build_store(
        tmp_path / "store",
        [
            # RXX: leavers L1 (band 2), L2 and L3 (band 3); S1 stays; J1 joins. L4 left before the window.
            spell("l1", "L1", D(2015, 1, 1), D(2019, 6, 30), band="2", reason="Retirement Age"),
            spell("l2", "L2", D(2015, 1, 1), D(2019, 9, 30), band="3", reason="Retirement Age"),
            spell("l3a", "L3", D(2015, 1, 1), D(2018, 12, 31), band="2"),
            spell("l3b", "L3", D(2019, 1, 1), D(2020, 3, 30), band="3", reason="Retirement Age"),
            spell("s1", "S1", D(2015, 1, 1), band="4"),
            spell("j1", "J1", D(2019, 6, 1), band="2"),
            spell("l4", "L4", D(2015, 1, 1), D(2019, 3, 30), band="5", reason="Retirement Age"),
            # RYY: one leaver at band 5; a bank leaver is never counted.
            spell("y1", "Y1", D(2015, 1, 1), D(2019, 8, 1), band="5", org="RYY", reason="Retirement Age"),
            spell("y2", "Y2", D(2015, 1, 1), D(2019, 8, 1), band="5", org="RYY", contract="Bank"),
            spell("y3", "Y3", D(2015, 1, 1), band="5", org="RYY"),
        ],
    )


def test_turnover_cost_per_band(leavers: Path) -> None:
    prices = {"2": 4000, "3": 5000, "5": 7500.5}
    rows = turnover_cost(connect(leavers), W, cost_per_leaver=prices, by=["organisation_code"], source="Test")
    assert [r["group"] for r in rows] == [{"organisation_code": "RXX"}, {"organisation_code": "RYY"}]
    rxx, ryy = rows
    # RXX: L1 at band 2 (4,000) + L2 and L3 at band 3 (2 × 5,000) = 14,000 for 3 leavers.
    assert (rxx["numerator"], rxx["denominator"], rxx["value"]) == (14000.0, 3, 14000.0)
    assert rxx["by_band"] == [
        {"band": "2", "leavers": 1, "cost_per_leaver": 4000.0, "cost": 4000.0},
        {"band": "3", "leavers": 2, "cost_per_leaver": 5000.0, "cost": 10000.0},
    ]
    assert rxx["currency"] == "GBP" and rxx["source"] == "Test" and rxx["measure"] == "turnover_cost"
    # RYY: Y1 at band 5 = 7,500.50.
    assert (ryy["leavers"], ryy["value"]) == (1, 7500.5)


def test_the_leavers_are_the_measures_leavers(leavers: Path) -> None:
    (row,) = turnover_cost(connect(leavers), W, cost_per_leaver=1000)
    measured = compute_measures(leavers, W, measures=["leavers"])
    assert row["leavers"] == measured[0]["numerator"] == 4
    assert row["value"] == 4000.0


def test_scoped_to_organisations(leavers: Path) -> None:
    (row,) = turnover_cost(connect(leavers), W, cost_per_leaver=1000, organisation_codes=["RYY"])
    assert (row["group"], row["leavers"], row["value"]) == ({}, 1, 1000.0)
    (none,) = turnover_cost(connect(leavers), ("2023-03-31", "2024-03-31"), cost_per_leaver=1000)
    assert none["leavers"] == 0 and none["value"] == 0.0


def test_the_figure_is_required_and_every_band_priced(leavers: Path) -> None:
    con = connect(leavers)
    with pytest.raises(TypeError):
        turnover_cost(con, W)  # type: ignore[call-arg]
    with pytest.raises(MeasureError, match="band 5"):
        turnover_cost(con, W, cost_per_leaver={"2": 4000, "3": 5000})
    with pytest.raises(MeasureError):
        turnover_cost(con, W, cost_per_leaver=-1)


@pytest.mark.django_db
def test_delegation_savings_count_each_protocol_once(tmp_path: Path) -> None:
    """The savings come from the store, where the snapshot writes them from the portfolio's protocols."""
    trust = t.make_organisation("RXX")
    other = t.make_organisation("RYY")
    make_protocol(trust, code="diabetes-a", savings=LEEDS_DIABETES_SAVINGS)
    # A range published per worker is still counted once: the summary never multiplies by workers.
    make_protocol(trust, code="diabetes-b", savings={**LEEDS_DIABETES_SAVINGS, "unit": "worker"})
    make_protocol(trust, code="no-model")
    make_protocol(trust, code="retired", savings=LEEDS_DIABETES_SAVINGS, is_active=False)
    make_protocol(other, code="elsewhere", savings=LEEDS_DIABETES_SAVINGS)
    store = tmp_path / "store"
    for organisation in (trust, other):
        snapshot_organisation(organisation=organisation, store=store)
    con = connect(store)
    (summary,) = delegation_savings(con, organisation_codes=["RXX"])
    assert summary["organisation_code"] == "RXX" and summary["protocols"] == 2
    # Two protocols × the Leeds range: first year 2 × £5,294–£12,800; later years 2 × £8,500–£16,000.
    assert summary["first_year"] == [10588, 25600]
    assert summary["later_years"] == [17000, 32000]
    assert [item["protocol"] for item in summary["items"]] == ["diabetes-a", "diabetes-b"]
    assert summary["items"][1]["unit"] == "worker"
    assert summary["sources"] == [LEEDS_DIABETES_SAVINGS["source"]]
    assert summary["items"][0]["first_year"] == [5294, 12800]
    with_retired = delegation_savings(con, organisation_codes=["RXX", "RYY"], include_inactive=True)
    assert [(s["organisation_code"], s["protocols"]) for s in with_retired] == [("RXX", 3), ("RYY", 1)]
    with pytest.raises(MeasureError):
        delegation_savings(con)


def test_bands_to_hide_protect_a_lone_small_band() -> None:
    from cultivate.insights.analyses import bands_to_hide

    assert bands_to_hide([12, 3, 30]) == {0, 1}  # 3 alone would follow from the total: 12 goes too
    assert bands_to_hide([2, 3, 30]) == {0, 1}
    assert bands_to_hide([0, 7, 30]) == set()
