"""Writing checked tables into a staged dataset: typed columns in the store's schema, Parquet with zstd, a large
table split into files of about a million rows along its sort order (so no file, and no reader of one, needs it
all at once).

Columns the format does not know are written beside the tables, under `extras/<table>.parquet`, with the row's
line and key, so nothing in the extract is silently dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from cultivate.insights.store import EXTRACT_TABLES

from .checks import as_date, canonical
from .sources import LINE, Loaded, literal, quote
from .spec import CODE, DATE, DECIMAL, FLAG, INTEGER, specs

EXTRAS = "extras"
# Row groups of 122,880 rows, eight to a file: a large table is split into files of about a million rows each.
ROW_GROUP_SIZE = 122_880
ROW_GROUPS_PER_FILE = 8


def typed(table: str, name: str) -> str:
    column = specs()[table].column(name)
    c = quote(name)
    kind = EXTRACT_TABLES[table][name]
    if column.kind in (CODE, FLAG):
        value = canonical(column, c)
        if column.kind == FLAG:
            value = f"({value} = 'Y')"
    elif column.kind == DATE:
        value = f"CAST({c} AS DATE)"
    elif column.kind == INTEGER:
        value = f"CAST({c} AS INTEGER)"
    elif column.kind == DECIMAL:
        value = f"CAST({c} AS DOUBLE)"
    elif column.upper:
        value = f"upper({c})"
    else:
        value = c
    if table == "people" and name == "birth_year":
        # Where only the date of birth is given, its year is kept too, so ages can always use birth_year.
        value = f"coalesce(CAST({c} AS INTEGER), year({as_date('birth_date')}))"
    return f"CAST({value} AS {kind}) AS {c}"


def write_table(con: duckdb.DuckDBPyConnection, loaded: Loaded, staged: Path) -> int:
    spec = specs()[loaded.table]
    select = ", ".join(typed(loaded.table, name) for name in spec.names)
    order = ", ".join(quote(name) for name in spec.sort)
    target = staged / loaded.table
    target.mkdir(parents=True, exist_ok=True)
    row = con.execute(
        f"COPY (SELECT {select} FROM {loaded.relation} ORDER BY {order}, {LINE}) TO {literal(str(target))} "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
        f"ROW_GROUPS_PER_FILE {ROW_GROUPS_PER_FILE}, FILENAME_PATTERN 'part-{{i}}', "
        "OVERWRITE_OR_IGNORE)"
    ).fetchone()
    return int(row[0]) if row else 0


def write_extras(con: duckdb.DuckDBPyConnection, loaded: Loaded, staged: Path) -> None:
    if not loaded.unknown:
        return
    spec = specs()[loaded.table]
    folder = staged / EXTRAS
    folder.mkdir(parents=True, exist_ok=True)
    columns = ", ".join([f"{LINE} AS line", quote(spec.key), *(quote(name) for name in loaded.unknown)])
    path = literal(str(folder / f"{loaded.table}.parquet"))
    con.execute(
        f"COPY (SELECT {columns} FROM {loaded.relation} ORDER BY {LINE}) TO {path} "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        "(FORMAT parquet, COMPRESSION zstd)"
    )


def latest_date(con: duckdb.DuckDBPyConnection, loaded: dict[str, Loaded]) -> dt.date | None:
    """The latest date anywhere in the extract: the default extract date."""
    parts = []
    for table, item in loaded.items():
        for column in specs()[table].columns:
            if column.kind == DATE and column.name not in item.missing and column.name != "birth_date":
                parts.append(f"SELECT max(CAST({quote(column.name)} AS DATE)) AS d FROM {item.relation}")  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
    if not parts:
        return None
    row = con.execute(f"SELECT max(d) FROM ({' UNION ALL '.join(parts)})").fetchone()  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
    value = row[0] if row else None
    return value if isinstance(value, dt.date) else None
