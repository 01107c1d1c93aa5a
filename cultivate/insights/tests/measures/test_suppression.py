"""Small-number suppression for users without individual-level access."""

from __future__ import annotations

from typing import Any

from cultivate.insights.measures import suppress

WINDOW = ["2019-03-31", "2020-03-31"]  # 366 days


def row(measure: str, numerator: Any, denominator: Any, value: Any, **group: Any) -> dict[str, Any]:
    return {
        "measure": measure,
        "window": WINDOW,
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
    }


def test_counts_below_five_are_blanked_and_zero_and_five_are_shown() -> None:
    rows = [
        row("headcount", 4, None, 4, team="A"),
        row("headcount", 5, None, 5, team="B"),
        row("leavers", 0, None, 0, team="B"),
        row("leavers", 1, None, 1, team="C"),
    ]
    safe = suppress(rows)
    assert [(r["numerator"], r["value"], r["suppressed"]) for r in safe] == [
        (None, None, True),
        (5, 5, False),
        (0, 0, False),
        (None, None, True),
    ]
    assert rows[0]["numerator"] == 4  # the input is not changed


def test_small_denominators_are_flagged_and_blanked() -> None:
    safe = suppress(
        [
            row("leaver_rate", 0, 4.5, 0.0),  # a mean headcount of 4.5: small
            row("leaver_rate", 7, 50.0, 0.14),
            row("stability_index", 3, 3, 1.0),
            row("mean_fte", 3.2, 4, 0.8),
        ]
    )
    assert safe[0] == {
        **row("leaver_rate", None, None, None),
        "suppressed": True,
        "small_denominator": True,
    }
    assert safe[1]["value"] == 0.14 and not safe[1]["suppressed"]
    assert safe[2]["small_denominator"] and safe[2]["value"] is None
    assert safe[3]["small_denominator"] and safe[3]["numerator"] is None


def test_a_small_count_hidden_by_subtraction_is_blanked_too() -> None:
    # 98 of 100 stayed: 2 leavers could be worked out from the row.
    safe = suppress([row("stability_index", 98, 100, 0.98), row("stability_index", 90, 100, 0.9)])
    assert safe[0]["numerator"] is None and safe[0]["value"] is None and safe[0]["denominator"] == 100
    assert safe[1]["value"] == 0.9


def test_fte_measures_use_fte_and_fte_days() -> None:
    safe = suppress(
        [
            # Fewer than 5 × 366 FTE days available: fewer than five full-time people over the year.
            row("sickness_absence_rate", 10.0, 1500.0, 0.006667),
            row("sickness_absence_rate", 100.0, 3660.0, 0.027322),
            row("fte", 3.5, None, 3.5),
            row("support_to_registered_ratio", 12.0, 4.0, 3.0),
        ]
    )
    assert [r["suppressed"] for r in safe] == [True, False, True, True]
    assert safe[0]["small_denominator"] and safe[3]["small_denominator"]
    assert safe[1]["value"] == 0.027322


def test_the_threshold_can_be_changed() -> None:
    assert suppress([row("headcount", 7, None, 7)], threshold=10)[0]["suppressed"]
    assert not suppress([row("headcount", 7, None, 7)], threshold=5)[0]["suppressed"]
