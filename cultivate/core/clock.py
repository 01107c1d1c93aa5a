"""The service's time zone for code that must not import Django (the analytics over the Parquet store).

Code inside Django asks `django.utils.timezone` (`localdate()`, `now()`), which reads the same zone from
`settings.TIME_ZONE`; a test keeps the two the same."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today(at: dt.datetime | None = None) -> dt.date:
    """Today's date in London (or the London date of the aware instant `at`), whatever zone the machine runs in."""
    return (at or dt.datetime.now(LONDON)).astimezone(LONDON).date()
