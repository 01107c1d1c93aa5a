""" "Active on a day", written once: a dated period (an employment spell, a role held) is active on a day when it
started on or before that day and has not ended before it (no end date: still going).

Three forms of the one rule: `active_on` filters a queryset (`SpellQuerySet.active_on`,
`MembershipQuerySet.current`), `is_active_on` tests one record in Python (`is_current`), and `active_on_sql` is
the condition for the few hand-written statements that need it (ADR 0025). A test keeps
the three in agreement."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def active_on(day: dt.date, *, start: str = "start_date", end: str = "end_date") -> Q:
    """A filter on the model whose period runs from the field `start` to the field `end` (nullable)."""
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day}))


def is_active_on(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def active_on_sql(start_column: str, end_column: str) -> str:
    """The SQL condition on two quoted columns (`rows.column`); it binds the day twice, as two `%s`."""
    return f"({start_column} <= %s AND ({end_column} IS NULL OR {end_column} >= %s))"
