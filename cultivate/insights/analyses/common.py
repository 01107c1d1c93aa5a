"""SQL shared by the analyses: the non-bank spells of a window, scoped to organisations, and who is in post
at its start and end (the measures' definitions, docs/measures.md), with the person attributes the analyses
compare. Every date and code reaches the SQL as a quoted literal built here, never as text a caller typed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from cultivate.insights.measures.definitions import MeasureError, Window
from cultivate.insights.measures.frame import band_rank_sql, date_sql, ethnic_group_sql

ORGANISATION = "organisation_code"
NO_GROUP = ""  # the group value when results are not split by organisation
WHITE = "White"
BME = "BME"
DISABLED = "Disabled"
NON_DISABLED = "Non-disabled"
BME_GROUPS = ("Mixed", "Asian", "Black", "Other")
PLACES = 6


def quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def check_organisation_by(by: Sequence[str] | None) -> bool:
    """True when results are split by organisation; the fairness and cost analyses group by nothing else."""
    columns = list(by or ())
    if any(c != ORGANISATION for c in columns) or len(columns) > 1:
        raise MeasureError(f"These analyses can be grouped by {ORGANISATION} only, not {', '.join(columns)}.")
    return bool(columns)


def check_codes(organisation_codes: Iterable[str] | None) -> tuple[str, ...] | None:
    if organisation_codes is None:
        return None
    if isinstance(organisation_codes, str):
        raise MeasureError("organisation_codes is a list of ODS codes, not one string.")
    return tuple(dict.fromkeys(str(code) for code in organisation_codes))


def scope_sql(column: str, codes: tuple[str, ...] | None) -> str:
    """`AND column IN (...)` for a list of organisations; nothing for all; never true for an empty list."""
    if codes is None:
        return ""
    if not codes:
        return " AND false"
    return f" AND {column} IN ({', '.join(quote(c) for c in codes)})"


def group_expr(by_org: bool, column: str = "a.organisation_code") -> str:
    return f"CAST({column} AS VARCHAR)" if by_org else quote(NO_GROUP)


def group_dict(by_org: bool, value: Any) -> dict[str, Any]:
    return {ORGANISATION: value} if by_org else {}


def spells_sql(window: Window, *, by_org: bool, codes: tuple[str, ...] | None) -> str:
    """Non-bank spells touching [s, e] (in the scoped organisations) with group value g, band rank and
    whether each is active on s and on e."""
    s, e = date_sql(window.start), date_sql(window.end)
    return f"""
        SELECT {group_expr(by_org)} AS g, a.person_id, a.start_date, a.end_date,
               {band_rank_sql("a.afc_band")} AS band_rank,
               (a.start_date <= {s} AND (a.end_date IS NULL OR a.end_date >= {s})) AS on_s,
               (a.start_date <= {e} AND (a.end_date IS NULL OR a.end_date >= {e})) AS on_e
        FROM assignments a
        WHERE coalesce(lower(trim(a.contract_type)), '') <> 'bank'
          AND a.start_date <= {e} AND (a.end_date IS NULL OR a.end_date >= {s})
          {scope_sql("a.organisation_code", codes)}
    """


def members_sql(window: Window, *, by_org: bool, codes: tuple[str, ...] | None) -> str:
    """One row per group and person: in post at s, at e, in post on any day s+1 … e, band rank at s and e."""
    s = date_sql(window.start)
    return f"""
        SELECT g, person_id,
               bool_or(on_s) AS at_s,
               bool_or(on_e) AS at_e,
               bool_or(end_date IS NULL OR end_date > {s}) AS in_window,
               max(band_rank) FILTER (WHERE on_s) AS rank_s,
               max(band_rank) FILTER (WHERE on_e) AS rank_e
        FROM ({spells_sql(window, by_org=by_org, codes=codes)})
        GROUP BY g, person_id
    """


def disability_sql(column: str) -> str:
    return (
        f"(CASE upper(trim({column})) WHEN 'Y' THEN {quote(DISABLED)} "
        f"WHEN 'N' THEN {quote(NON_DISABLED)} END)"
    )


def people_attributes_sql() -> str:
    """One row per person: ethnic group (White, Mixed, …, Not known), White/BME (null when not known) and
    Disabled/Non-disabled (null when not declared)."""
    bme = ", ".join(quote(g) for g in BME_GROUPS)
    return f"""
        SELECT person_id, eth_group,
               CASE WHEN eth_group = {quote(WHITE)} THEN {quote(WHITE)}
                    WHEN eth_group IN ({bme}) THEN {quote(BME)} END AS ethnicity,
               dis AS disability
        FROM (SELECT p.person_id, {ethnic_group_sql()} AS eth_group, {disability_sql("p.disability")} AS dis
              FROM (SELECT DISTINCT ON (person_id) * FROM people) p)
    """


def white_or_bme_sql(eth_group: str) -> str:
    bme = ", ".join(quote(g) for g in BME_GROUPS)
    return (
        f"(CASE WHEN {eth_group} = {quote(WHITE)} THEN {quote(WHITE)} "
        f"WHEN {eth_group} IN ({bme}) THEN {quote(BME)} END)"
    )


@contextmanager
def id_table(con: duckdb.DuckDBPyConnection, rows: dict[str, list[Any]]) -> Iterator[str]:
    """A list of values registered on the connection under a fresh name for one query, then unregistered."""
    name = f"analyses_{uuid.uuid4().hex[:12]}"
    con.register(name, pa.table(rows))
    try:
        yield name
    finally:
        con.unregister(name)


def person_ids(values: Iterable[Any] | None) -> list[str]:
    return sorted({str(v) for v in values or ()})


def rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), PLACES)


def to_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MeasureError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from None
