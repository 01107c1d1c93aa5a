"""The dashboards' windows: 12 months to a month end, and the default one of a store."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from ..measures import Window
from ..store import extract_date, manifest


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_before(day: dt.date, months: int) -> dt.date:
    """The month end `months` months before the month of `day`."""
    index = day.year * 12 + (day.month - 1) - months
    return month_end(index // 12, index % 12 + 1)


def window_ending(end: dt.date) -> Window:
    """The 12 months to a month end: (end of the same month a year before, end]."""
    return Window(months_before(end, 12), end)


def latest_month_end(store: Path) -> dt.date | None:
    """The last month end on or before the store's extract date: the default window end."""
    extract = extract_date(store)
    if extract is None:
        return None
    end = month_end(extract.year, extract.month)
    return end if end <= extract else months_before(extract, 1)


def has_datasets(store: Path) -> bool:
    return Path(store).is_dir() and bool(manifest(Path(store))["datasets"])


def window_label(window: Window) -> str:
    first = window.start + dt.timedelta(days=1)
    return f"{first.day} {first:%B %Y} to {window.end.day} {window.end:%B %Y}"
