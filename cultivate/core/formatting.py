"""Numbers and dates as people read them, the same on pages, in downloads and in the board report.

One formatter per kind of figure, so a count or a percentage cannot print one way on a dashboard and another in
the report. Nothing here knows about suppression: callers print their own marker ("[c]", "fewer than 5") first."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Final

from .clock import LONDON

Number = int | float | Decimal

EMPTY: Final = "–"
"""An en dash: what a figure with no value (None or NaN) prints."""


def is_empty(value: Number | None) -> bool:
    return value is None or (isinstance(value, float | Decimal) and math.isnan(value))


def count(value: Number) -> str:
    """A whole number with thousands separators; a fractional value is truncated, as the pages always did."""
    return f"{int(value):,}"


def number(value: Number, places: int = 1) -> str:
    """A quantity (FTE, months) with thousands separators and fixed decimal places."""
    return f"{float(value):,.{places}f}"


def plain(value: Number, places: int = 1) -> str:
    """A small figure (an index, a ratio) with fixed decimal places and no separators."""
    return f"{float(value):.{places}f}"


def percent(value: Number, places: int = 1) -> str:
    """A share held as a fraction (0.125) printed as a percentage ("12.5%")."""
    return f"{float(value) * 100:.{places}f}%"


def money(value: Number) -> str:
    """Pounds, to the nearest pound."""
    return f"£{float(value):,.0f}"


def fte(value: Number | None) -> str:
    """One person's or one team's whole-time equivalent, as the staff pages show it ("0.80"); blank when unknown."""
    if value is None:
        return ""
    return f"{Decimal(value):.2f}"


def figure(value: Number | None, kind: str) -> str:
    """A dashboard or report figure of the given kind; any kind not listed prints as a one-decimal quantity."""
    if value is None or is_empty(value):
        return EMPTY
    if kind == "count":
        return count(value)
    if kind == "percent":
        return percent(value)
    if kind == "index":
        return plain(value)
    if kind == "ratio":
        return plain(value, 2)
    if kind == "money":
        return money(value)
    return number(value)


def uk_date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """Dates the way NHS.UK writes them: 3 March 2024; a moment also gets its London time ("at 14:05")."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        # London, as `timezone.localtime` would give (settings.TIME_ZONE is London; core.clock's test keeps it so).
        value = value.astimezone(LONDON) if value.tzinfo is not None else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def shown(value: Any) -> Any:
    """What a page prints for `{{ value }}` (the templates' `finalize`): a date or a moment in the house style
    ("6 December 2026", "at 14:05" for a moment), never its ISO form; anything else as it is. Machine fields
    (exports, JSON, form values) do not pass through templates' output this way."""
    if isinstance(value, dt.date):
        return uk_date(value)
    return value
