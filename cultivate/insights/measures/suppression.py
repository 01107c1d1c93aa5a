"""Small-number handling for users without individual-level access (analysts see aggregates only).

The CLI and `compute_measures` never suppress: they serve people allowed to see the whole extract. Dashboards
pass rows through `suppress()` before showing them to anyone else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .definitions import MEASURES, Kind

Row = dict[str, Any]


def _small(amount: float | int | None, kind: Kind, threshold: int, days: int) -> bool:
    """True when an amount of this kind stands for fewer than `threshold` people."""
    if amount is None or kind == "none":
        return False
    if kind == "fte_days":
        return float(amount) < threshold * max(days, 1)
    return float(amount) < threshold


def suppress(rows: list[Row], threshold: int = 5) -> list[Row]:
    """Copies of `rows` safe to show without individual-level access. Each copy gains `suppressed` and
    `small_denominator` flags.

    - A denominator standing for fewer than `threshold` people (a people count, an FTE, or FTE days below
      threshold × the window's days) is flagged and the numerator, denominator and value are blanked (None).
    - A people count from 1 to threshold − 1 in the numerator is blanked with the value; so is a numerator
      whose complement (denominator − numerator, when both are counts of people) is from 1 to threshold − 1,
      since it would give the small count away by subtraction.
    - Zero is shown: it names nobody, and the group's size is protected by the rule on denominators."""
    safe = []
    for row in rows:
        measure = MEASURES[row["measure"]]
        out = {**row, "suppressed": False, "small_denominator": False}
        days = _days(row["window"])
        numerator, denominator = row.get("numerator"), row.get("denominator")
        if measure.denominator != "none" and _small(denominator, measure.denominator, threshold, days):
            out.update(numerator=None, denominator=None, value=None, suppressed=True, small_denominator=True)
        elif _small_count(numerator, measure.numerator, threshold) or _small_complement(
            numerator, denominator, measure.numerator, measure.denominator, threshold
        ):
            out.update(numerator=None, value=None, suppressed=True)
        elif (
            measure.numerator == "fte"
            and measure.denominator == "none"
            and numerator
            and numerator < threshold
        ):
            # An FTE total below the threshold is a handful of people.
            out.update(numerator=None, value=None, suppressed=True)
        safe.append(out)
    return safe


def _small_count(amount: float | int | None, kind: Kind, threshold: int) -> bool:
    return kind == "people" and amount is not None and 0 < float(amount) < threshold


def _small_complement(
    numerator: float | int | None,
    denominator: float | int | None,
    numerator_kind: Kind,
    denominator_kind: Kind,
    threshold: int,
) -> bool:
    if numerator is None or denominator is None or numerator_kind != "people" or denominator_kind != "people":
        return False
    if not float(denominator).is_integer():
        return False  # a mean of two headcounts (leaver rate) is not the size of a group of people
    return 0 < float(denominator) - float(numerator) < threshold


def _days(window: list[str]) -> int:
    start, end = (dt.date.fromisoformat(d) for d in window)
    return (end - start).days
