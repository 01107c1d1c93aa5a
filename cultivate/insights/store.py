"""The columnar store that analytics read: Parquet files in a folder, queried with DuckDB.

Layout (ADR 0011):

    STORE/
      manifest.json                   {"datasets": {name: {"sha256", "imported_at", "extract_date", "rows"}}}
      datasets/<name>/<table>/*.parquet

A dataset is one imported extract (a trust's, an alliance's, the national one, or the service's own snapshot).
Each table folder holds one or more Parquet files with every column of the table's schema below (a large table
may be split into several files, e.g. per organisation, so that writing it never needs it all in memory). A column
added to the schema later is read as NULL from the files written before it, so older stores keep working.
`connect()` gives a DuckDB connection with one view per table over every dataset, so measures are plain SQL.

A dataset is written to a staging folder and moved into place in one rename, so a failed import leaves the
store as it was, and readers never see half a dataset."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

EXTRACT_TABLES: dict[str, dict[str, str]] = {
    "people": {
        "person_id": "VARCHAR",
        "birth_date": "DATE",
        "birth_year": "INTEGER",
        "sex": "VARCHAR",
        "ethnic_category": "VARCHAR",
        "disability": "VARCHAR",
        "religion": "VARCHAR",
        "sexual_orientation": "VARCHAR",
        "nationality": "VARCHAR",
    },
    "assignments": {
        "assignment_id": "VARCHAR",
        "person_id": "VARCHAR",
        "organisation_code": "VARCHAR",
        "team": "VARCHAR",
        "occupation_code": "VARCHAR",
        "job_role": "VARCHAR",
        "job_title": "VARCHAR",
        "afc_band": "VARCHAR",
        "staff_group": "VARCHAR",
        "area_of_work": "VARCHAR",
        "contract_type": "VARCHAR",
        "fte": "DOUBLE",
        "start_date": "DATE",
        "end_date": "DATE",
        "leaving_reason": "VARCHAR",
    },
    "absences": {
        "person_id": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
        "reason": "VARCHAR",
    },
    "training": {
        "person_id": "VARCHAR",
        "course_code": "VARCHAR",
        "course_title": "VARCHAR",
        "completed_on": "DATE",
        "mandatory": "BOOLEAN",
        "hours": "DOUBLE",
        "cost_gbp": "DOUBLE",
    },
    "recruitment": {
        "application_id": "VARCHAR",
        "vacancy_id": "VARCHAR",
        # Our extension of the design's format (docs/data-formats.md): the ODS code of the recruiting
        # organisation, so applications can be kept to a scope. Datasets written before it have no such column.
        "organisation_code": "VARCHAR",
        "afc_band": "VARCHAR",
        "ethnic_category": "VARCHAR",
        "disability": "VARCHAR",
        "sex": "VARCHAR",
        "shortlisted": "BOOLEAN",
        "appointed": "BOOLEAN",
        "decided_on": "DATE",
    },
    "casework": {
        "case_id": "VARCHAR",
        "person_id": "VARCHAR",
        "kind": "VARCHAR",
        "opened_on": "DATE",
    },
}
# Tables only the snapshot of the service's own records writes (an extract carries none of them): the published
# savings range of each delegation protocol that has one (the portfolio's savings model), so that the costs
# analyses read only the store. An extract of the same organisation does not replace them.
SNAPSHOT_TABLES: dict[str, dict[str, str]] = {
    "delegation_savings": {
        "organisation_code": "VARCHAR",
        "organisation": "VARCHAR",
        "protocol": "VARCHAR",
        "activity": "VARCHAR",
        "is_active": "BOOLEAN",
        "unit": "VARCHAR",
        "unit_label": "VARCHAR",
        "currency": "VARCHAR",
        "first_year_low": "DECIMAL(18, 2)",
        "first_year_high": "DECIMAL(18, 2)",
        "later_year_low": "DECIMAL(18, 2)",
        "later_year_high": "DECIMAL(18, 2)",
        "price_year": "INTEGER",
        "source": "VARCHAR",
        "source_url": "VARCHAR",
        "note": "VARCHAR",
    },
    # One row per participant of a development programme's cohort (the programmes app), written by the
    # snapshot of the participant's employing organisation, so that the board report's programme outcomes read
    # only the store. person_id is the same keyed hash as in people and assignments; no survey answer leaves
    # the database.
    "programme_participation": {
        "organisation_code": "VARCHAR",
        "person_id": "VARCHAR",
        "programme_id": "VARCHAR",
        "programme": "VARCHAR",
        "cohort_id": "VARCHAR",
        "cohort": "VARCHAR",
        "started_on": "DATE",
        "ended_on": "DATE",
        "sessions": "INTEGER",
        "attended": "INTEGER",
        "completed": "BOOLEAN",
    },
}
TABLES: dict[str, dict[str, str]] = {**EXTRACT_TABLES, **SNAPSHOT_TABLES}
REQUIRED_TABLES = ("people", "assignments")
MANIFEST = "manifest.json"


class StoreError(Exception):
    pass


def manifest(store: Path) -> dict[str, Any]:
    path = Path(store) / MANIFEST
    if not path.exists():
        return {"datasets": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write_manifest(store: Path, data: dict[str, Any]) -> None:
    # Written beside and renamed, so a reader never sees half a manifest.
    tmp = store / f".{MANIFEST}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, store / MANIFEST)


@contextmanager
def _manifest_lock(store: Path) -> Iterator[None]:
    # The web worker and a nightly cron job may publish at the same moment: without the lock one read-change-write
    # of the manifest could drop the other's entry while its folder stays.
    # The lock is taken on the store folder itself, so no lock file is left in it.
    handle = os.open(store, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def extract_date(store: Path) -> dt.date | None:
    """The latest extract date of the store's datasets (the day open absence episodes are cut at)."""
    dates = [d.get("extract_date") for d in manifest(store)["datasets"].values() if d.get("extract_date")]
    return max(dt.date.fromisoformat(d) for d in dates) if dates else None


def _select_empty(table: str) -> str:
    columns = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in TABLES[table].items())
    return f"SELECT {columns} WHERE false"


def superseded_datasets(names: list[str] | set[str]) -> set[str]:
    """Snapshots of the service's own records (`service-<ODS>`) that an imported extract of the same
    organisation (`extract-<ODS>`) replaces: an organisation that sends its ESR extract and also keeps staff
    records in Cultivate would otherwise be counted twice. The extract wins because it is the HR system's record
    and carries absences and recruitment, which the snapshot does not (its training is the service's own record of
    completions, which the HR system's export also holds)."""
    return {
        name
        for name in names
        if name.startswith("service-") and "extract-" + name.removeprefix("service-") in names
    }


def _table_files(store: Path, table: str) -> list[str]:
    folder = Path(store) / "datasets"
    names = {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()
    skipped = superseded_datasets(names) if table not in SNAPSHOT_TABLES else set()
    return sorted(
        str(p)
        for p in folder.glob(f"*/{table}/**/*.parquet")
        if p.relative_to(folder).parts[0] not in skipped
    )


def connect(
    store: Path | str,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table (people, assignments, ...) over every dataset in the store.
    A table no dataset has is an empty view with the right columns, so every measure's SQL runs."""
    store = Path(store)
    con = connection or duckdb.connect(":memory:")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for table, columns in TABLES.items():
        files = _table_files(store, table)
        if files:
            file_list = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            source = f"read_parquet([{file_list}], union_by_name = true)"
            # union_by_name fills a column some files lack with NULL, but a column no file has (one added to
            # the schema after every dataset was written, e.g. recruitment's organisation_code) does not
            # exist at all: it is read as NULL of its type instead.
            present = {str(row[0]) for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}  # noqa: S608 (column names and types from the store schema, quoted file paths)
            select = ", ".join(
                f"CAST({name if name in present else 'NULL'} AS {kind}) AS {name}"
                for name, kind in columns.items()
            )
            con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT {select} FROM {source}")  # noqa: S608 (column names and types from the store schema, quoted file paths)
        else:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS {_select_empty(table)}")
    return con


@contextmanager
def staging(store: Path | str, tag: str = "") -> Iterator[Path]:
    """A folder to write one dataset's tables into; removed if anything fails before `publish_dataset`. The
    tag goes into its name, so that one a dead worker left behind can be found and removed."""
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    folder = store / f".staging-{tag + '-' if tag else ''}{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish_dataset(store: Path | str, name: str, staged: Path, info: dict[str, Any]) -> None:
    """Move a staged dataset into place, replacing one of the same name, and record it in the manifest."""
    store = Path(store)
    if not name or "/" in name or name.startswith("."):
        raise StoreError(f"A dataset name cannot be {name!r}.")
    datasets = store / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    target = datasets / name
    old = None
    if target.exists():
        old = store / f".old-{uuid.uuid4().hex}"
        os.replace(target, old)
    os.replace(staged, target)
    with _manifest_lock(store):
        data = manifest(store)
        data["datasets"][name] = info
        _write_manifest(store, data)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_dataset(store: Path | str, name: str) -> bool:
    store = Path(store)
    with _manifest_lock(store):
        data = manifest(store)
        if name not in data["datasets"]:
            return False
        del data["datasets"][name]
        _write_manifest(store, data)
    shutil.rmtree(store / "datasets" / name, ignore_errors=True)
    return True


def write_table(folder: Path, table: str, relation_sql: str, con: duckdb.DuckDBPyConnection) -> int:
    """Write the rows of a SELECT as `<folder>/<table>/part-0.parquet`, cast to the table's schema.
    Returns the number of rows. For tests and small writers; a large import writes its own parts."""
    columns = TABLES[table]
    select = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns.items())
    target = folder / table
    target.mkdir(parents=True, exist_ok=True)
    path = str(target / "part-0.parquet").replace("'", "''")
    con.execute(
        f"COPY (SELECT {select} FROM ({relation_sql})) TO '{path}' (FORMAT parquet, COMPRESSION zstd)"  # noqa: S608 (column names and types from the store schema, quoted file paths)
    )
    row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()  # noqa: S608 (column names and types from the store schema, quoted file paths)
    return int(row[0]) if row else 0


ProgressCallback = Callable[[int, int], None]
