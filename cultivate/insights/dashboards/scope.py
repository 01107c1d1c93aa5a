"""The dashboards' scoped connection: a request's DuckDB connection whose views hold only its scope's rows
(`scoping`), on a base database shared by the process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..scoping import Scope, bind_scope, scoped_views
from ..store import TABLES, connect, manifest

UNSCOPED = "unscoped_"

# One in-memory DuckDB database per process and store version, holding the unscoped views over the Parquet
# files; each request takes its own connection to it (`cursor()`), on which it builds its scoped views. Opening
# a DuckDB database and binding the Parquet files costs more than many a dashboard's queries, so it is done
# once; a new import changes the manifest and so the key, and the next request builds a new base.
_BASES: dict[str, duckdb.DuckDBPyConnection] = {}
_BASES_LOCK = threading.Lock()


def _fingerprint(store: Path) -> str:
    datasets = manifest(store)["datasets"]
    return json.dumps(datasets, sort_keys=True, default=str)


def _base(store: Path, threads: int | None) -> duckdb.DuckDBPyConnection:
    key = f"{Path(store).resolve()}|{threads}|{_fingerprint(store)}"
    with _BASES_LOCK:
        base = _BASES.get(key)
        if base is None:
            base = connect(store, threads=threads)
            base.execute("SET enable_progress_bar = false")
            for table in TABLES:
                base.execute(f"ALTER VIEW {table} RENAME TO {UNSCOPED}{table}")
            # The scoped views are defined once; each request's cursor binds its own scope into them.
            scoped_views(base, prefix=UNSCOPED)
            # Older versions are dropped, not closed: a request may still be reading through one of them.
            _BASES.clear()
            _BASES[key] = base
        return base.cursor()


@contextmanager
def scoped_connection(
    store: Path, scope: Scope, *, threads: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One DuckDB connection for a request whose table views hold only the scope's rows (`scoping.bind_scope`:
    people cut to those in scope, applications by their own recorded organisation only, since a guess from the
    vacancy could place another organisation's). The unfiltered views have other names and are never queried by
    the measures."""
    con = _base(store, threads)
    try:
        bind_scope(con, scope.organisations, scope.teams)
        yield con
    finally:
        con.close()
