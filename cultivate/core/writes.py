"""Writes that may wait for a later request: a session's refreshed expiry, a token's time of last use.

On SQLite one writer holds the database's write lock at a time, and a long write (a large staff import) can hold
it for many seconds; a page whose only write is of this kind should not wait for it (ADR 0013)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger(__name__)

# How long such a write waits for SQLite's write lock (instead of the connection's busy timeout).
OPTIONAL_WRITE_WAIT_MS = 200


def write_unless_busy(write: Callable[[], object], *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Run `write`, or skip it when the database is busy: False means nothing was written. Only for writes that a
    later request makes again; on PostgreSQL, where row locks do not queue unrelated writers, it simply writes."""
    try:
        with _sqlite_lock_wait(OPTIONAL_WRITE_WAIT_MS, using):
            write()
    except OperationalError as error:
        logger.info("Write left to a later request: %s", error)
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
