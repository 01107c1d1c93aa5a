"""The fairness reading explains an empty comparison as what it is, not as a small group."""

from __future__ import annotations

from typing import Any

from cultivate.insights.dashboards.fairness import fair_reading


def _result(a: int, n1: int, b: int, n2: int, value: float | None) -> dict[str, Any]:
    return {
        "groups": [
            {"name": "Disabled", "numerator": a, "denominator": n1},
            {"name": "Non-disabled", "numerator": b, "denominator": n2},
        ],
        "value": value,
        "small_count": any(c < 5 for c in (a, n1, b, n2)),
        "within_band": value is not None and 0.8 <= value <= 1.25,
        "adverse": False,
        "adverse_for": "Disabled staff",
    }


def test_a_group_nobody_is_recorded_in() -> None:
    reading = fair_reading(_result(3, 40, 0, 0, None), hidden=True)
    assert reading == "No comparison: nobody is recorded in the Non-disabled group"


def test_an_outcome_nobody_had() -> None:
    assert fair_reading(_result(0, 40, 0, 300, None), hidden=False) == (
        "No comparison: neither group had this outcome"
    )
    assert fair_reading(_result(6, 40, 0, 300, None), hidden=False) == (
        "No comparison: nobody in the Non-disabled group had this outcome"
    )


def test_small_groups_and_figures_read_as_before() -> None:
    assert fair_reading(_result(2, 40, 30, 300, 0.5), hidden=True) == "Too few people to read"
    assert (
        fair_reading(_result(20, 40, 150, 300, 1.0), hidden=False) == "No adverse impact (within 0.80–1.25)"
    )
