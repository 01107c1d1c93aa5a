"""`compute_measures()`: the standard measures of a store for one window, as the CLI prints them.

Dashboards that already hold a connection use `measures_on(con, ...)`, or open a `Frame` themselves and call
the per-measure functions below, so one window's spells are read once for several charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from cultivate.insights.store import connect, extract_date, manifest

from .definitions import MEASURES, MeasureError, Window, check_by, check_measures, parse_window
from .families import FAMILIES, Row, leaving_reasons, progression, sickness, stock, support_ratio
from .frame import Frame, needs_of


def measures_on(
    con: duckdb.DuckDBPyConnection,
    window: Window | str | tuple[Any, Any],
    by: list[str] | tuple[str, ...] | None = None,
    measures: list[str] | tuple[str, ...] | None = None,
    *,
    extract_date: dt.date | None = None,
) -> list[Row]:
    """The measures over a connection with the store's views (see `cultivate.insights.store.connect`)."""
    window = parse_window(window)
    columns = check_by(by)
    names = check_measures(measures)
    rows: list[Row] = []
    with Frame(con, window, columns, extract_date=extract_date, needs=needs_of(names)) as frame:
        for family, compute in FAMILIES.items():
            wanted = [m for m in names if MEASURES[m].family == family]
            if wanted:
                rows.extend(compute(frame, wanted))
    order = {name: i for i, name in enumerate(names)}
    return sorted(rows, key=lambda row: order[row["measure"]])  # stable: groups keep their order


def compute_measures(
    store: Path | str,
    window: Window | str | tuple[Any, Any],
    by: list[str] | tuple[str, ...] | None = None,
    measures: list[str] | tuple[str, ...] | None = None,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> list[Row]:
    """The measures of the store at `store` for `window` = (s, e), grouped by the `by` columns (all the
    standard measures unless `measures` names some). Raises MeasureError for a bad window, column, measure or
    store. Rows are exactly the JSON objects `cultivate insights measures` prints."""
    window = parse_window(window)
    columns = check_by(by)
    names = check_measures(measures)
    store = Path(store)
    if not store.is_dir():
        raise MeasureError(f"There is no store at {store}.")
    if not manifest(store)["datasets"]:
        raise MeasureError(f"The store at {store} holds no datasets: import an extract into it first.")
    con = connect(store, memory_limit=memory_limit, threads=threads)
    con.execute("SET enable_progress_bar = false")  # it would write into the CLI's output
    try:
        return measures_on(con, window, columns, names, extract_date=extract_date(store))
    finally:
        con.close()


# One function per measure, for dashboards that hold a Frame --------------------------------------------------
def headcount(frame: Frame) -> list[Row]:
    return stock(frame, ["headcount"])


def fte(frame: Frame) -> list[Row]:
    return stock(frame, ["fte"])


def mean_fte(frame: Frame) -> list[Row]:
    return stock(frame, ["mean_fte"])


def joiners(frame: Frame) -> list[Row]:
    return stock(frame, ["joiners"])


def leavers(frame: Frame) -> list[Row]:
    return stock(frame, ["leavers"])


def leaver_rate(frame: Frame) -> list[Row]:
    return stock(frame, ["leaver_rate"])


def joiner_rate(frame: Frame) -> list[Row]:
    return stock(frame, ["joiner_rate"])


def stability_index(frame: Frame) -> list[Row]:
    return stock(frame, ["stability_index"])


def sickness_absence_rate(frame: Frame) -> list[Row]:
    return sickness(frame, ["sickness_absence_rate"])


def band_progression(frame: Frame, *, excluding_leavers: bool = False) -> list[Row]:
    return progression(frame, ["progression_excluding_leavers" if excluding_leavers else "progression"])


def role_transitions(frame: Frame) -> list[Row]:
    return progression(frame, ["role_transition"])


def band_share(frame: Frame) -> list[Row]:
    return progression(frame, ["band_share"])


def leaving_reason_share(frame: Frame, *, by_group: bool = False) -> list[Row]:
    return leaving_reasons(frame, ["leaving_reason_group_share" if by_group else "leaving_reason_share"])


def support_to_registered_ratio(frame: Frame) -> list[Row]:
    return support_ratio(frame, ["support_to_registered_ratio"])
