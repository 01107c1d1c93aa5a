"""Writes that may wait for a later request: a session's refreshed expiry, a token's time of last use.

On SQLite one writer holds the database's write lock at a time, and a long write (a large staff import) can hold
it for many seconds; a page whose only write is of this kind should not wait for it (ADR 0018)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long such a write waits for SQLite's write lock (instead of the connection's busy timeout).
OPTIONAL_WRITE_WAIT_MS = 200
# After the database was found busy, this process skips such writes without waiting for this long, so that a user
# whose session refresh is due does not wait on every page while an import writes.
BUSY_BACKOFF = dt.timedelta(seconds=5)
_busy_until: dt.datetime | None = None


def write_unless_busy(
    write: Callable[[], object],
    *,
    busy: tuple[type[Exception], ...] = (OperationalError,),
    using: str = DEFAULT_DB_ALIAS,
) -> bool:
    """Run `write`, or skip it when the database is busy: False means nothing was written. Only for writes that a
    later request makes again. `busy` are the errors that mean "busy" (a store may wrap OperationalError). On
    PostgreSQL, where row locks do not queue unrelated writers, it simply writes."""
    global _busy_until
    now = timezone.now()
    if _busy_until is not None and now < _busy_until:
        return False
    try:
        with _sqlite_lock_wait(OPTIONAL_WRITE_WAIT_MS, using):
            write()
    except busy as error:
        _busy_until = now + BUSY_BACKOFF
        logger.info("Write left to a later request: %r", error)
        return False
    return True


@contextmanager
def _sqlite_lock_wait(milliseconds: int, using: str) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {previous}")
