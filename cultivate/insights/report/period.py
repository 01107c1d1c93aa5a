"""The report's period: `START:END`, each a day (YYYY-MM-DD) or a month (YYYY-MM, meaning its last day), so
`2019-06:2020-06` is the window 2019-06-30 … 2020-06-30 (its days are 1 July 2019 to 30 June 2020)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from cultivate.insights.measures import Window


class PeriodError(ValueError):
    """A period the report cannot cover: the caller's mistake, said in words they can act on."""


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def parse_day(text: str, *, side: str) -> dt.date:
    text = text.strip()
    month = _MONTH.match(text)
    try:
        if month:
            return month_end(dt.date(int(month[1]), int(month[2]), 1))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"The period's {side} {text!r} is not a date: write YYYY-MM (the month's last day) or YYYY-MM-DD."
        ) from None


def parse_period(text: str) -> Window:
    """`START:END` → Window(start, end); START must be before END."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise PeriodError(
            f"A period is START:END, e.g. 2019-06:2020-06 or 2019-06-30:2020-06-30, not {text!r}."
        )
    start, end = parse_day(parts[0], side="start"), parse_day(parts[1], side="end")
    if start >= end:
        raise PeriodError(
            f"The period's start ({start.isoformat()}) must be before its end ({end.isoformat()})."
        )
    return Window(start, end)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier; a month's last day stays a month's last day (31 May → 30 April)."""
    index = day.year * 12 + day.month - 1 - months
    earlier = month_end(dt.date(index // 12, index % 12 + 1, 1))
    return earlier if day == month_end(day) else earlier.replace(day=min(day.day, earlier.day))


def years_before(day: dt.date, years: int = 1) -> dt.date:
    return months_before(day, 12 * years)


def previous_period(window: Window) -> Window:
    """The comparison period: the same dates a year earlier (for a 12-month period, the 12 months before)."""
    return Window(years_before(window.start), years_before(window.end))


def points(window: Window, step_months: int) -> list[dt.date]:
    """Dates from the window's end back to (not including) its start, every `step_months` months, oldest
    first: the ends of a trend's consecutive sub-periods."""
    days: list[dt.date] = []
    day = window.end
    while day > window.start:
        days.append(day)
        day = months_before(day, step_months)
    return days[::-1]


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
