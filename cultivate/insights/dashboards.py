"""Workforce insights dashboards as plain data: tables of figures (each with numerator and denominator) and the
Vega-Lite chart drawn from the same rows, computed with DuckDB from the insights store for one scope.

A scope (`Scope`) names the organisations (ODS codes) and, for line managers and assessors, the teams whose
spells may be read. `scoped_connection()` enforces it in SQL: the `assignments` view the measures read is
replaced by one filtered on `organisation_code` (and `team`), people, absences, training and casework are
cut to the people holding a spell in scope, and recruitment to the applications whose own `organisation_code`
is in scope (none for a team's scope, and never a row without a code). Nothing outside the scope reaches a
query result, so no page or export can show it.

Unless the scope has individual-level access (an organisation's own admins), every figure goes through
`measures.suppress()` (counts of 1–4 people hidden, small denominators flagged); the figures that are not
standard measures (sickness by month and by reason, retention-curve points, relative likelihoods) are blanked
when fewer than 5 people stand behind them.

The definitions of the figures are those of `docs/measures.md`; what each dashboard shows is described in
`docs/insights-dashboards.md`."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from cultivate.core.clock import london_today

from . import charts
from .analyses import INDICATORS, competing_risks, relative_likelihoods, retention_curve
from .analyses.fairness import BAND
from .measures import Frame, Window, suppress
from .measures.compute import (
    band_progression,
    band_share,
    leaving_reason_share,
    role_transitions,
    sickness_absence_rate,
    support_to_registered_ratio,
)
from .measures.definitions import BAND_ORDER, LEFT, NOT_AFC, PERSON_COLUMNS, PROGRESSION_OUTCOMES
from .measures.families import stock
from .measures.frame import date_sql
from .store import TABLES, connect, extract_date, manifest

THRESHOLD = 5
TREND_MONTHS = 60  # the overview's headcount and FTE trend: up to five years to the window end
DASHBOARDS = {
    "overview": "Overview",
    "retention": "Retention",
    "progression": "Progression",
    "sickness": "Sickness absence",
    "fairness": "Fairness",
    "costs": "Costs",
}
BREAKDOWNS = {
    "organisation_code": "Organisation",
    "team": "Team",
    "area_of_work": "Setting (area of work)",
    "job_role": "Role",
    "afc_band": "Band",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
}
OUTCOME_LABELS = {
    "same": "Same band",
    "higher": "Higher band",
    "lower": "Lower band",
    "other": "Moved on or off Agenda for Change",
    "left": "Left",
}


class DashboardError(ValueError):
    """A request the dashboards cannot answer (unknown dashboard or breakdown)."""


@dataclass(frozen=True)
class Scope:
    """Whose spells a dashboard may read: organisations by ODS code, optionally only some teams (by name)."""

    organisations: tuple[str, ...]
    teams: tuple[str, ...] | None = None
    individual_level: bool = False


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    # label (text), count (people), number (FTE, days), percent (a fraction shown ×100), ratio, index
    kind: str = "label"


@dataclass
class Table:
    key: str
    title: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None
    chart_alt: str = ""
    # The column whose values lead to a narrower dashboard (organisation → team), if any.
    drill: str | None = None
    note: str = ""


@dataclass
class Dashboard:
    name: str
    title: str
    window: Window
    breakdown: str
    tables: list[Table]
    suppressed: bool
    extract_date: dt.date | None
    has_data: bool = True

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


# Windows -------------------------------------------------------------------------------------------------------
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


# The scoped connection ----------------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(_quote(v) for v in values) if values else "NULL"


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
                base.execute(f"ALTER VIEW {table} RENAME TO unscoped_{table}")
            # Older versions are dropped, not closed: a request may still be reading through one of them.
            _BASES.clear()
            _BASES[key] = base
        return base.cursor()


@contextmanager
def scoped_connection(
    store: Path, scope: Scope, *, threads: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One DuckDB connection for a request whose table views hold only the scope's rows (see the module
    docstring). The unfiltered views have other names and are never queried by the measures."""
    con = _base(store, threads)
    try:
        condition = f"organisation_code IN ({_in(scope.organisations)})"
        if scope.teams is not None:
            condition += f" AND team IN ({_in(scope.teams)})"
        con.execute(f"CREATE TEMP VIEW assignments AS SELECT * FROM unscoped_assignments WHERE {condition}")
        for table in ("people", "absences", "training", "casework"):
            con.execute(
                f"CREATE TEMP VIEW {table} AS SELECT * FROM unscoped_{table} "
                "WHERE person_id IN (SELECT person_id FROM assignments)"
            )
        # Applications are read by their own organisation_code only: rows without one (the design's format has
        # no such column) could only be placed by guessing from the vacancy, so no scope reads them. They
        # name no team either, so a team's scope reads none.
        applications = "false"
        if scope.teams is None:
            applications = f"organisation_code IN ({_in(scope.organisations)})"
        con.execute(
            f"CREATE TEMP VIEW recruitment AS SELECT * FROM unscoped_recruitment WHERE {applications}"
        )
        yield con
    finally:
        con.close()


# Rows → table cells -------------------------------------------------------------------------------------------
def _safe(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    if scope.individual_level:
        return [{**r, "suppressed": False, "small_denominator": False} for r in rows]
    return suppress(rows, THRESHOLD)


def _figure(cells: dict[str, Any], key: str, row: dict[str, Any] | None, *, parts: bool = True) -> None:
    """Put a measure row's value (and numerator and denominator) into a table row under `key`."""
    if row is None:
        cells[key] = None
        if parts:
            cells[f"{key}_num"] = cells[f"{key}_den"] = None
        return
    cells[key] = row["value"]
    if parts:
        cells[f"{key}_num"] = row["numerator"]
        cells[f"{key}_den"] = row["denominator"]
    if row.get("suppressed"):
        keys = (key, f"{key}_num", f"{key}_den") if parts else (key,)
        cells.setdefault("_suppressed", set()).update(k for k in keys if cells[k] is None)
        if row.get("small_denominator"):
            cells.setdefault("_small", set()).add(key)


def _label(value: Any) -> str:
    return "Not known" if value is None or value == "" else str(value)


def _by_group(rows: list[dict[str, Any]], measure: str, column: str) -> dict[str, dict[str, Any]]:
    return {_label(r["group"].get(column)): r for r in rows if r["measure"] == measure}


def _figure_columns(
    key: str, heading: str, kind: str, num: str, den: str, num_kind: str = "count", den_kind: str = "count"
) -> list[Column]:
    """A figure's value column, then its numerator and denominator (people counts unless said otherwise)."""
    return [
        Column(key, heading, kind),
        Column(f"{key}_num", num, num_kind),
        Column(f"{key}_den", den, den_kind),
    ]


# Overview -----------------------------------------------------------------------------------------------------
def _trend(con: duckdb.DuckDBPyConnection, window: Window, scope: Scope) -> Table:
    ends = [months_before(window.end, n) for n in range(TREND_MONTHS - 1, -1, -1)]
    values = ", ".join(f"({date_sql(d)})" for d in ends)
    found = con.execute(
        f"""
        SELECT m.d, count(DISTINCT a.person_id), coalesce(fsum(coalesce(a.fte, 0)), 0)
        FROM (VALUES {values}) m(d)
        JOIN assignments a
          ON a.start_date <= m.d AND (a.end_date IS NULL OR a.end_date >= m.d)
        WHERE coalesce(lower(trim(a.contract_type)), '') <> 'bank'
        GROUP BY m.d
        """
    ).fetchall()
    by_day = {d: (int(n), float(f)) for d, n, f in found}
    first = next((i for i, d in enumerate(ends) if by_day.get(d, (0, 0.0))[0] > 0), None)
    measure_rows: list[dict[str, Any]] = []
    for day in ends[first:] if first is not None else []:
        people, fte = by_day.get(day, (0, 0.0))
        span = [months_before(day, 1).isoformat(), day.isoformat()]
        group = {"month": day.isoformat()}
        measure_rows.append(
            {
                "measure": "headcount",
                "window": span,
                "group": group,
                "numerator": people,
                "denominator": None,
                "value": people,
            }
        )
        fte = round(fte, 6)
        measure_rows.append(
            {
                "measure": "fte",
                "window": span,
                "group": group,
                "numerator": fte,
                "denominator": None,
                "value": fte,
            }
        )
    safe = _safe(measure_rows, scope)
    rows: list[dict[str, Any]] = []
    base: dict[str, float | None] = {"headcount": None, "fte": None}
    for i in range(0, len(safe), 2):
        head, fte_row = safe[i], safe[i + 1]
        cells: dict[str, Any] = {"month": head["group"]["month"]}
        for key, row in (("headcount", head), ("fte", fte_row)):
            _figure(cells, key, row, parts=False)
            if i == 0:
                base[key] = row["value"]
            start = base[key]
            value = row["value"]
            # Indexed to 100 at the first month shown (like the Nuffield Trust's Figure 1).
            cells[f"{key}_index"] = round(value / start * 100, 1) if value is not None and start else None
        rows.append(cells)
    columns = [
        Column("month", "Month end"),
        Column("headcount", "Headcount", "count"),
        Column("headcount_index", "Headcount index", "index"),
        Column("fte", "FTE", "number"),
        Column("fte_index", "FTE index", "index"),
    ]
    first_month = rows[0]["month"] if rows else ""
    return Table(
        key="trend",
        title="Headcount and FTE over time",
        caption=f"Headcount and FTE at each month end, and each as an index (100 = {first_month or 'the first month'})",
        columns=columns,
        rows=rows,
        chart=charts.index_trend(rows, title="Headcount and FTE, indexed to 100 at the first month"),
        chart_alt=charts.describe_trend(rows),
    )


def overview(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [breakdown], extract_date=extract, needs={"band_share"}) as frame:
        grouped = stock(frame, ["headcount", "fte", "mean_fte"]) + support_to_registered_ratio(frame)
    with Frame(con, window, [], extract_date=extract, needs={"band_share"}) as frame:
        bands = band_share(frame)
    grouped = _safe(grouped, scope)
    label = BREAKDOWNS[breakdown]
    rows = []
    head, fte, mean, ratio = (
        _by_group(grouped, m, breakdown)
        for m in ("headcount", "fte", "mean_fte", "support_to_registered_ratio")
    )
    for name in head:
        cells: dict[str, Any] = {"group": name}
        _figure(cells, "headcount", head.get(name), parts=False)
        _figure(cells, "fte", fte.get(name), parts=False)
        _figure(cells, "mean_fte", mean.get(name))
        _figure(cells, "ratio", ratio.get(name))
        rows.append(cells)
    summary = Table(
        key="summary",
        title=f"Headcount, FTE and skill mix by {label.lower()}",
        caption=(
            f"Headcount, FTE, mean FTE and support staff per registered nurse by {label.lower()}, "
            f"{window_label(window)}"
        ),
        columns=[
            Column("group", label),
            Column("headcount", "Headcount", "count"),
            Column("fte", "FTE", "number"),
            *_figure_columns("mean_fte", "Mean FTE", "ratio", "FTE", "Headcount", num_kind="number"),
            *_figure_columns(
                "ratio",
                "Support staff per registered nurse",
                "ratio",
                "Support FTE",
                "Registered nursing FTE",
                num_kind="number",
                den_kind="number",
            ),
        ],
        rows=rows,
        chart=charts.bar(
            rows,
            category="group",
            value="headcount",
            title=f"Headcount by {label.lower()}",
            category_title=label,
            value_title="Headcount",
        ),
        chart_alt=charts.describe_bars(rows, "group", "headcount", "headcount"),
        drill="group" if breakdown in ("organisation_code", "team") else None,
    )
    band_rows = []
    for r in sorted(_safe(bands, scope), key=lambda r: _band_order(r["group"]["band"])):
        cells = {"band": _band_label(r["group"]["band"])}
        _figure(cells, "share", r)
        band_rows.append(cells)
    band_table = Table(
        key="bands",
        title="Band mix",
        caption=(
            f"People by Agenda for Change band on {window.end.isoformat()} "
            "(each person once, at their highest band)"
        ),
        columns=[
            Column("band", "Band"),
            *_figure_columns("share", "Share", "percent", "People", "Headcount"),
        ],
        rows=band_rows,
        chart=charts.bar(
            band_rows,
            category="band",
            value="share",
            title="Band mix",
            category_title="Band",
            value_title="Share of headcount",
            percent=True,
            sort=False,
        ),
        chart_alt=charts.describe_bars(band_rows, "band", "share", "share of headcount", percent=True),
    )
    return [_trend(con, window, scope), summary, band_table]


def _band_order(band: str) -> int:
    return BAND_ORDER.index(band) if band in BAND_ORDER else len(BAND_ORDER)


def _band_label(band: str) -> str:
    return "Not on Agenda for Change" if band == NOT_AFC else f"Band {band}"


# Retention ----------------------------------------------------------------------------------------------------
def retention(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [breakdown], extract_date=extract, needs=set()) as frame:
        grouped = stock(frame, ["joiners", "leavers", "leaver_rate", "stability_index"])
    with Frame(con, window, [], extract_date=extract, needs={"reasons"}) as frame:
        reasons = leaving_reason_share(frame, by_group=True)
    grouped = _safe(grouped, scope)
    label = BREAKDOWNS[breakdown]
    joiners, leavers, rate, stability = (
        _by_group(grouped, m, breakdown) for m in ("joiners", "leavers", "leaver_rate", "stability_index")
    )
    rows = []
    for name in rate:
        cells: dict[str, Any] = {"group": name}
        _figure(cells, "joiners", joiners.get(name), parts=False)
        _figure(cells, "leavers", leavers.get(name), parts=False)
        _figure(cells, "leaver_rate", rate.get(name))
        _figure(cells, "stability", stability.get(name))
        rows.append(cells)
    turnover = Table(
        key="turnover",
        title=f"Joiners, leavers and stability by {label.lower()}",
        caption=f"Joiners, leavers, leaver rate and stability index by {label.lower()}, {window_label(window)}",
        columns=[
            Column("group", label),
            Column("joiners", "Joiners", "count"),
            Column("leavers", "Leavers", "count"),
            *_figure_columns(
                "leaver_rate",
                "Leaver rate",
                "percent",
                "Leavers (rate numerator)",
                "Mean headcount",
                den_kind="number",
            ),
            *_figure_columns(
                "stability", "Stability index", "percent", "In post at start and end", "In post at start"
            ),
        ],
        rows=rows,
        chart=charts.bar(
            rows,
            category="group",
            value="leaver_rate",
            title=f"Leaver rate by {label.lower()}",
            category_title=label,
            value_title="Leaver rate",
            percent=True,
        ),
        chart_alt=charts.describe_bars(rows, "group", "leaver_rate", "leaver rate", percent=True),
        drill="group" if breakdown in ("organisation_code", "team") else None,
    )
    reason_rows = []
    for r in sorted(_safe(reasons, scope), key=lambda r: -(r["numerator"] or 0)):
        cells = {"reason": r["group"]["leaving_reason_group"]}
        _figure(cells, "share", r)
        reason_rows.append(cells)
    reason_table = Table(
        key="reasons",
        title="Reasons for leaving",
        caption=f"Leavers by group of reasons for leaving, {window_label(window)}",
        columns=[
            Column("reason", "Reason for leaving"),
            *_figure_columns("share", "Share of leavers", "percent", "Leavers", "All leavers"),
        ],
        rows=reason_rows,
        chart=charts.bar(
            reason_rows,
            category="reason",
            value="share",
            title="Reasons for leaving",
            category_title="Reason",
            value_title="Share of leavers",
            percent=True,
        ),
        chart_alt=charts.describe_bars(reason_rows, "reason", "share", "share of leavers", percent=True),
    )
    return [
        turnover,
        reason_table,
        *_retention_curves(con, window, scope, breakdown),
        _leaving_or_moving_up(con, window, scope),
    ]


CURVE_YEARS = 5  # retention curves observe the five years to the window end
CURVE_BY = ("organisation_code", "afc_band", "age_band", "ethnic_group", "sex", "disability")


def _retention_curves(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str
) -> list[Table]:
    """Kaplan–Meier survival in post by tenure (cultivate.insights.analyses.survival), per group of the
    breakdown where the analysis supports it. Without individual-level access a point with fewer than 5
    people at risk, and a group of fewer than 5 people, are not shown: a step of such a curve is one person."""
    by = [breakdown] if breakdown in CURVE_BY else []
    start = months_before(window.end, 12 * CURVE_YEARS)
    found = retention_curve(
        con,
        start=start,
        end=window.end,
        by=by,
        organisation_codes=list(scope.organisations),
        step=3,
        horizon=12 * CURVE_YEARS,
    )
    summary_rows: list[dict[str, Any]] = []
    point_rows: list[dict[str, Any]] = []
    for curve in found["curves"]:
        name = _label(next(iter(curve["group"].values()))) if curve["group"] else "Everyone"
        small = not scope.individual_level and curve["people"] < THRESHOLD
        cells: dict[str, Any] = {"group": name}
        at_risk = {p["time"]: p["at_risk"] for p in curve["points"]}
        for key in ("people", "leavers", "median", "survival_12", "survival_24"):
            value = curve.get(key)
            few = (
                0 < value < THRESHOLD
                if key in ("people", "leavers") and value is not None
                # Survival after 12 or 24 months rests on those still at risk then.
                else key.startswith("survival_") and at_risk.get(float(key[-2:]), 0) < THRESHOLD
            )
            hidden = small or (few and not scope.individual_level)
            cells[key] = None if hidden else value
            if hidden:
                cells.setdefault("_suppressed", set()).add(key)
        summary_rows.append(cells)
        for point in curve["points"]:
            hide = small or (not scope.individual_level and point["at_risk"] < THRESHOLD)
            row: dict[str, Any] = {"group": name, "time": point["time"]}
            for key in ("survival", "ci_low", "ci_high", "at_risk"):
                row[key] = None if hide else point[key]
                if hide:
                    row.setdefault("_suppressed", set()).add(key)
            point_rows.append(row)
    label = BREAKDOWNS[breakdown] if by else "Group"
    observed = f"{(start + dt.timedelta(days=1)).isoformat()} to {window.end.isoformat()}"
    summary = Table(
        key="tenure",
        title="How long people stay",
        caption=f"People observed in post from {observed}, leavers, median tenure and share still in post after "
        "12 and 24 months (Kaplan–Meier)",
        columns=[
            Column("group", label),
            Column("people", "People", "count"),
            Column("leavers", "Leavers", "count"),
            Column("median", "Median tenure (months)", "number"),
            Column("survival_12", "In post after 12 months", "percent"),
            Column("survival_24", "In post after 24 months", "percent"),
        ],
        rows=summary_rows,
    )
    points = Table(
        key="curve",
        title="Retention curve",
        caption=f"Share still in post by months of tenure, with 95% confidence interval and people at risk, {observed}",
        columns=[
            Column("group", label),
            Column("time", "Tenure (months)", "number"),
            Column("survival", "Still in post", "percent"),
            Column("ci_low", "95% interval from", "percent"),
            Column("ci_high", "95% interval to", "percent"),
            Column("at_risk", "People at risk", "count"),
        ],
        rows=point_rows,
        chart=charts.survival(point_rows, title="Share still in post by tenure"),
        chart_alt=charts.describe_survival(summary_rows),
        note="Tenure counts from the start of each continuous employment period in the organisation.",
    )
    return [points, summary]


OUTCOMES = {"left": "Left", "progressed": "Moved up a band"}


def _leaving_or_moving_up(con: duckdb.DuckDBPyConnection, window: Window, scope: Scope) -> Table:
    """Competing risks (Aalen–Johansen, cultivate.insights.analyses.survival): of the people in post, the
    cumulative share who have left and who have moved up a band by each tenure, whichever came first. Points
    with fewer than 5 people at risk are hidden without individual-level access."""
    start = months_before(window.end, 12 * CURVE_YEARS)
    found = competing_risks(
        con,
        start=start,
        end=window.end,
        organisation_codes=list(scope.organisations),
        step=6,
        horizon=12 * CURVE_YEARS,
        confidence_intervals=False,
    )
    rows: list[dict[str, Any]] = []
    chart_rows: list[dict[str, Any]] = []
    for curve in found["curves"][:1]:  # no breakdown: one curve for the scope
        small = not scope.individual_level and curve["people"] < THRESHOLD
        left = curve["incidence"]["left"]["points"]
        moved = curve["incidence"]["progressed"]["points"]
        for a, b in zip(left, moved, strict=True):
            hide = small or (not scope.individual_level and a["at_risk"] < THRESHOLD)
            row: dict[str, Any] = {"time": a["time"]}
            if not a["at_risk"]:  # nobody under observation at this tenure: no estimate, rather than 0%
                rows.append({"time": a["time"], "left": None, "progressed": None, "at_risk": 0})
                continue
            for key, value in (
                ("left", a["incidence"]),
                ("progressed", b["incidence"]),
                ("at_risk", a["at_risk"]),
            ):
                row[key] = None if hide else value
                if hide:
                    row.setdefault("_suppressed", set()).add(key)
            rows.append(row)
            if not hide:
                chart_rows += [
                    {"time": a["time"], "outcome": OUTCOMES[key], "incidence": row[key]}
                    for key in ("left", "progressed")
                    if row[key] is not None
                ]
    observed = f"{(start + dt.timedelta(days=1)).isoformat()} to {window.end.isoformat()}"
    last = next(
        (r for r in reversed(rows) if r.get("left") is not None and r.get("progressed") is not None), None
    )
    alt = (
        f"After {last['time']:g} months, {last['left']:.0%} had left and {last['progressed']:.0%} had moved up "
        "a band."
        if last
        else "No figures to show."
    )
    return Table(
        key="competing",
        title="Leaving or moving up",
        caption=f"Share who had left, and who had moved up a band, by months of tenure (Aalen–Johansen), {observed}",
        columns=[
            Column("time", "Tenure (months)", "number"),
            Column("left", "Had left", "percent"),
            Column("progressed", "Had moved up a band", "percent"),
            Column("at_risk", "People at risk", "count"),
        ],
        rows=rows,
        chart=charts.incidence(chart_rows, title="Leaving or moving up a band, by tenure"),
        chart_alt=alt,
        note="Each person counts once, for whichever came first: leaving the organisation or moving to a higher "
        "band. Staff not on Agenda for Change are left out.",
    )


# Fairness -----------------------------------------------------------------------------------------------------
FAIRNESS_INDICATORS = {
    "appointment_from_shortlisting_ethnicity": "Appointment from shortlisting, by ethnicity (WRES indicator 2)",
    "appointment_from_shortlisting_disability": "Appointment from shortlisting, by disability (WDES metric 2)",
    "progression_ethnicity": "Moving to a higher band, by ethnicity",
    "non_mandatory_training_ethnicity": "Non-mandatory training, by ethnicity (WRES indicator 4)",
    "formal_process_ethnicity": "Entering a formal disciplinary or capability process, by ethnicity (WRES 3)",
    "formal_process_disability": "Entering a formal disciplinary or capability process, by disability (WDES 3)",
}
APPOINTMENT_INDICATORS = (
    "appointment_from_shortlisting_ethnicity",
    "appointment_from_shortlisting_disability",
)


def _fair_reading(result: dict[str, Any], hidden: bool) -> str:
    if hidden or result["small_count"]:
        return "Too few people to read"
    if result["value"] is None:
        return "No figure"
    if result["within_band"]:
        return "No adverse impact (within 0.80–1.25)"
    if result["adverse"]:
        return f"Adverse to {result['adverse_for']}"
    return f"Outside 0.80–1.25, favouring {result['adverse_for']}"


def fairness(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    by_org = breakdown == "organisation_code" and len(scope.organisations) > 1
    # The appointment indicators only where the scope's applications carry their organisation's code (the
    # scoped view holds no others): a scope without any would show rows of zeros that say nothing.
    row = con.execute("SELECT count(*) FROM (SELECT 1 FROM recruitment LIMIT 1)").fetchone()
    with_applications = bool(row and row[0])
    found = relative_likelihoods(
        con,
        window,
        by=["organisation_code"] if by_org else None,
        organisation_codes=list(scope.organisations),
        indicators=[n for n in FAIRNESS_INDICATORS if with_applications or n not in APPOINTMENT_INDICATORS],
    )
    rows = []
    for result in found:
        indicator = INDICATORS[result["indicator"]]
        cells: dict[str, Any] = {}
        if by_org:
            cells["organisation"] = _label(result["group"].get("organisation_code"))
        cells.update(
            indicator=FAIRNESS_INDICATORS[indicator.name],
            outcome=indicator.outcome,
            comparison=indicator.comparison.capitalize(),
        )
        hidden = False
        for side, group in zip(("a", "b"), result["groups"], strict=True):
            cells[f"{side}_name"] = group["name"]
            num, den, rate = group["numerator"], group["denominator"], group["rate"]
            if not scope.individual_level:
                if 0 < den < THRESHOLD:
                    num = den = rate = None
                elif 0 < num < THRESHOLD or 0 < den - num < THRESHOLD:
                    num = rate = None
            for key, value, original in (
                ("num", num, group["numerator"]),
                ("den", den, group["denominator"]),
                ("rate", rate, group["rate"]),
            ):
                cells[f"{side}_{key}"] = value
                if value is None and original is not None:
                    cells.setdefault("_suppressed", set()).add(f"{side}_{key}")
                    hidden = True
        for key in ("value", "ci_low", "ci_high"):
            show = scope.individual_level or not (hidden or result["small_count"])
            cells[key] = result[key] if show else None
            if not show and result[key] is not None:
                cells.setdefault("_suppressed", set()).add(key)
        cells["reading"] = _fair_reading(result, hidden and not scope.individual_level)
        rows.append(cells)
    columns = [Column("organisation", "Organisation")] if by_org else []
    columns += [
        Column("indicator", "Indicator"),
        Column("outcome", "Rate counted"),
        Column("a_name", "Group"),
        Column("a_num", "With outcome", "count"),
        Column("a_den", "In group", "count"),
        Column("a_rate", "Rate", "percent"),
        Column("b_name", "Compared with"),
        Column("b_num", "With outcome", "count"),
        Column("b_den", "In group", "count"),
        Column("b_rate", "Rate", "percent"),
        Column("value", "Relative likelihood", "ratio"),
        Column("ci_low", "95% interval from", "ratio"),
        Column("ci_high", "95% interval to", "ratio"),
        Column("reading", "Reading"),
    ]
    return [
        Table(
            key="likelihoods",
            title="Relative likelihoods",
            caption=f"Relative likelihood of each outcome for the first group against the second (WRES/WDES style), "
            f"{window_label(window)}; 0.80 to 1.25 reads as no adverse impact",
            columns=columns,
            rows=rows,
            chart=charts.likelihoods(rows, band=BAND, label="organisation" if by_org else None),
            chart_alt=charts.describe_likelihoods(rows),
            drill="organisation" if by_org else None,
            note="Relative likelihoods compare groups across the whole scope (by organisation on an alliance's "
            "page when broken down by organisation); the other breakdowns do not apply to them. Appointment from "
            "shortlisting counts the applications whose recruitment record names an organisation in the scope, "
            "and is left out where there are none (and on a team's page: applications name no team).",
        )
    ]


# Progression --------------------------------------------------------------------------------------------------
def _progression_by(
    con: duckdb.DuckDBPyConnection, window: Window, columns: list[str], scope: Scope, extract: dt.date | None
) -> dict[str, list[dict[str, Any]]]:
    """Moved to a higher band, by each of `columns`: summed over the from-bands (and the other columns) before
    any suppression, so that the shown figure is suppressed as a whole. One frame serves several person
    columns, since a person is in exactly one group of each; a spell column gets a frame of its own."""
    person = [c for c in columns if c in PERSON_COLUMNS]
    frames = [person] if person else []
    frames += [[c] for c in columns if c not in PERSON_COLUMNS]
    totals: dict[str, dict[str, list[int]]] = {c: {} for c in columns}
    for by in frames:
        with Frame(con, window, by, extract_date=extract, needs={"progression"}) as frame:
            rows = band_progression(frame)
        for r in rows:
            if r["group"]["outcome"] != "higher":
                continue
            for column in by:
                pair = totals[column].setdefault(_label(r["group"].get(column)), [0, 0])
                pair[0] += r["numerator"]
                pair[1] += r["denominator"]
    return {
        column: _safe(
            [
                {
                    "measure": "progression",
                    "window": window.as_json(),
                    "group": {column: name, "outcome": "higher"},
                    "numerator": n,
                    "denominator": d,
                    "value": round(n / d, 6) if d else None,
                }
                for name, (n, d) in found.items()
            ],
            scope,
        )
        for column, found in totals.items()
    }


def progression(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [], extract_date=extract, needs={"progression", "roles"}) as frame:
        with_leavers = _safe(band_progression(frame), scope)
        stayers = _safe(band_progression(frame, excluding_leavers=True), scope)
        roles = _safe(role_transitions(frame), scope)
    staying = {(r["group"]["from_band"], r["group"]["outcome"]): r for r in stayers}
    band_rows = []
    for r in sorted(
        with_leavers,
        key=lambda r: (
            _band_order(r["group"]["from_band"]),
            PROGRESSION_OUTCOMES.index(r["group"]["outcome"]),
        ),
    ):
        band, outcome = r["group"]["from_band"], r["group"]["outcome"]
        cells: dict[str, Any] = {"from_band": _band_label(band), "outcome": OUTCOME_LABELS[outcome]}
        _figure(cells, "all", r)
        _figure(cells, "stayed", staying.get((band, outcome)) if outcome != LEFT else None)
        band_rows.append(cells)
    bands = Table(
        key="bands",
        title="Band transitions",
        caption=(
            f"Band on {window.start.isoformat()} against band on {window.end.isoformat()}: "
            "share of everyone in the band, and of those still in post"
        ),
        columns=[
            Column("from_band", "Band at start"),
            Column("outcome", "At end"),
            *_figure_columns("all", "Share of all", "percent", "People", "In band at start"),
            *_figure_columns("stayed", "Share of those still in post", "percent", "People", "Still in post"),
        ],
        rows=band_rows,
        chart=charts.stacked_share(
            band_rows,
            category="from_band",
            series="outcome",
            value="all",
            title="Band at the end of the window, by band at the start",
            category_title="Band at start",
            series_title="At end",
        ),
        chart_alt=charts.describe_stacked(band_rows, "from_band", "outcome", "all"),
    )
    role_rows = []
    for r in roles:
        cells = {
            "from_role": r["group"]["from_role"],
            "to_role": "Left" if r["group"]["to_role"] == LEFT else r["group"]["to_role"],
        }
        _figure(cells, "share", r)
        role_rows.append(cells)
    role_table = Table(
        key="roles",
        title="Role transitions",
        caption=f"Job role on {window.start.isoformat()} and on {window.end.isoformat()} (or left)",
        columns=[
            Column("from_role", "Role at start"),
            Column("to_role", "Role at end"),
            *_figure_columns("share", "Share", "percent", "People", "In role at start"),
        ],
        rows=role_rows,
        chart=charts.flow(
            role_rows,
            source="from_role",
            target="to_role",
            value="share_num",
            title="Where people in each role were a year later",
        ),
        chart_alt=charts.describe_stacked(role_rows, "from_role", "to_role", "share"),
    )
    tables = [bands, role_table]
    columns = [(breakdown, BREAKDOWNS[breakdown].lower())]
    columns += [
        (c, t) for c, t in (("age_band", "age band"), ("ethnic_group", "ethnic group")) if c != breakdown
    ]
    by_column = _progression_by(con, window, [c for c, _ in columns], scope, extract)
    for column, title in columns:
        rows = []
        for r in by_column[column]:
            cells = {"group": r["group"][column]}
            _figure(cells, "higher", r)
            rows.append(cells)
        rows.sort(key=lambda c: c["group"])
        tables.append(
            Table(
                key=f"by_{column}",
                title=f"Progression by {title}",
                caption=(
                    f"Share of people in post on {window.start.isoformat()} who were in a higher band on "
                    f"{window.end.isoformat()}, by {title}"
                ),
                columns=[
                    Column("group", title.capitalize()),
                    *_figure_columns(
                        "higher", "Moved to a higher band", "percent", "People", "In post at start"
                    ),
                ],
                rows=rows,
                chart=charts.bar(
                    rows,
                    category="group",
                    value="higher",
                    title=f"Moved to a higher band, by {title}",
                    category_title=title.capitalize(),
                    value_title="Share",
                    percent=True,
                    sort=False,
                ),
                chart_alt=charts.describe_bars(
                    rows, "group", "higher", "share moved to a higher band", percent=True
                ),
                drill="group" if column in ("organisation_code", "team") else None,
            )
        )
    return tables


# Sickness absence ---------------------------------------------------------------------------------------------
def _episodes_sql(first: dt.date, cut: dt.date, partition: str) -> str:
    """Absence episodes cut to [first, cut], a person's overlapping episodes (within `partition`) counted once
    a day, as `sickness_absence_rate` does (docs/measures.md)."""
    f, c = date_sql(first), date_sql(cut)
    return f"""
        clipped AS (
            SELECT person_id, coalesce(reason, 'Not recorded') AS reason,
                   greatest(start_date, {f}) AS a0, least(coalesce(end_date, {c}), {c}) AS a1
            FROM absences
            WHERE start_date <= {c} AND (end_date IS NULL OR end_date >= {f})
        ),
        episodes AS (
            SELECT person_id, reason, greatest(a0, coalesce(reach + 1, a0)) AS a0, a1
            FROM (
                SELECT *, max(a1) OVER (
                    PARTITION BY {partition} ORDER BY a0, a1 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS reach
                FROM clipped WHERE a0 <= a1
            )
            WHERE greatest(a0, coalesce(reach + 1, a0)) <= a1
        ),
        spells AS (
            SELECT person_id, coalesce(fte, 0) AS fte, start_date, end_date FROM assignments
            WHERE coalesce(lower(trim(contract_type)), '') <> 'bank'
        )
    """


def _sickness_row(
    span: list[str], group: dict[str, Any], lost: float, available: float, people: int, scope: Scope
) -> dict[str, Any]:
    row = {
        "measure": "sickness_absence_rate",
        "window": span,
        "group": group,
        "numerator": round(lost, 6),
        "denominator": round(available, 6),
        "value": round(lost / available, 6) if available else None,
    }
    safe = _safe([row], scope)[0]
    if not scope.individual_level and 0 < people < THRESHOLD and not safe["suppressed"]:
        # FTE days lost by a handful of people could point at someone's illness.
        safe.update(numerator=None, value=None, suppressed=True)
    return safe


def _sickness_monthly(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, extract: dt.date | None
) -> tuple[list[dict[str, Any]], float]:
    months = [(months_before(window.end, n + 1), months_before(window.end, n)) for n in range(11, -1, -1)]
    values = ", ".join(f"({date_sql(s)}, {date_sql(e)})" for s, e in months)
    cut = min(window.end, extract) if extract else window.end
    first = window.start + dt.timedelta(days=1)
    found = con.execute(
        f"""
        WITH months(s, e) AS (VALUES {values}),
        {_episodes_sql(first, cut, "person_id")},
        available AS (
            SELECT m.e,
                   fsum(sp.fte * (least(coalesce(sp.end_date, m.e), m.e) - greatest(sp.start_date, m.s + 1) + 1))
                       AS days
            FROM months m JOIN spells sp ON sp.start_date <= m.e AND (sp.end_date IS NULL OR sp.end_date >= m.s + 1)
            GROUP BY m.e
        ),
        lost AS (
            SELECT m.e,
                   fsum(w.fte * (least(ep.a1, coalesce(w.end_date, ep.a1), m.e)
                                 - greatest(ep.a0, w.start_date, m.s + 1) + 1)) AS days,
                   count(DISTINCT ep.person_id) AS people
            FROM episodes ep
            JOIN spells w ON w.person_id = ep.person_id AND w.start_date <= ep.a1
                         AND (w.end_date IS NULL OR w.end_date >= ep.a0)
            JOIN months m ON ep.a0 <= m.e AND ep.a1 >= m.s + 1
                         AND w.start_date <= m.e AND (w.end_date IS NULL OR w.end_date >= m.s + 1)
            GROUP BY m.e
        )
        SELECT m.s, m.e, coalesce(a.days, 0), coalesce(l.days, 0), coalesce(l.people, 0)
        FROM months m LEFT JOIN available a ON a.e = m.e LEFT JOIN lost l ON l.e = m.e
        ORDER BY m.e
        """
    ).fetchall()
    rows = []
    total = 0.0
    for s, e, available, lost, people in found:
        total += float(available)
        row = _sickness_row(
            [s.isoformat(), e.isoformat()],
            {"month": e.isoformat()},
            float(lost),
            float(available),
            int(people),
            scope,
        )
        cells: dict[str, Any] = {"month": e.isoformat()}
        _figure(cells, "rate", row)
        rows.append(cells)
    # The months partition the window, so their days available add up to the window's (the by-reason
    # denominator).
    return rows, total


def _sickness_reasons(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, available: float, extract: dt.date | None
) -> list[dict[str, Any]]:
    cut = min(window.end, extract) if extract else window.end
    first = window.start + dt.timedelta(days=1)
    found = con.execute(
        f"""
        WITH {_episodes_sql(first, cut, "person_id, reason")}
        SELECT ep.reason,
               fsum(w.fte * (least(ep.a1, coalesce(w.end_date, ep.a1)) - greatest(ep.a0, w.start_date) + 1)),
               count(DISTINCT ep.person_id)
        FROM episodes ep
        JOIN spells w ON w.person_id = ep.person_id AND w.start_date <= ep.a1
                     AND (w.end_date IS NULL OR w.end_date >= ep.a0)
        GROUP BY ep.reason
        ORDER BY 2 DESC, 1
        """
    ).fetchall()
    rows = []
    for reason, lost, people in found:
        row = _sickness_row(
            window.as_json(), {"reason": reason}, float(lost or 0), available, int(people), scope
        )
        cells: dict[str, Any] = {"reason": reason}
        _figure(cells, "rate", row)
        rows.append(cells)
    return rows


def sickness(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [breakdown], extract_date=extract, needs=set()) as frame:
        grouped = _safe(sickness_absence_rate(frame), scope)
    label = BREAKDOWNS[breakdown]
    monthly, available = _sickness_monthly(con, window, scope, extract)
    reasons = _sickness_reasons(con, window, scope, available, extract)
    group_rows = []
    for name, r in _by_group(grouped, "sickness_absence_rate", breakdown).items():
        cells: dict[str, Any] = {"group": name}
        _figure(cells, "rate", r)
        group_rows.append(cells)
    rate_columns = _figure_columns(
        "rate",
        "Sickness absence rate",
        "percent",
        "FTE days lost",
        "FTE days available",
        num_kind="number",
        den_kind="number",
    )
    return [
        Table(
            key="monthly",
            title="Sickness absence by month",
            caption=f"Sickness absence rate each month, {window_label(window)}",
            columns=[Column("month", "Month end"), *rate_columns],
            rows=monthly,
            chart=charts.line(
                monthly,
                x="month",
                y="rate",
                title="Sickness absence rate by month",
                y_title="Sickness absence rate",
                percent=True,
            ),
            chart_alt=charts.describe_bars(monthly, "month", "rate", "sickness absence rate", percent=True),
        ),
        Table(
            key="reasons",
            title="Sickness absence by reason",
            caption=f"FTE days lost to each reason as a share of all FTE days available, {window_label(window)}",
            columns=[Column("reason", "Reason"), *rate_columns],
            rows=reasons,
            chart=charts.bar(
                reasons,
                category="reason",
                value="rate",
                title="Sickness absence rate by reason",
                category_title="Reason",
                value_title="Sickness absence rate",
                percent=True,
            ),
            chart_alt=charts.describe_bars(reasons, "reason", "rate", "sickness absence rate", percent=True),
        ),
        Table(
            key="groups",
            title=f"Sickness absence by {label.lower()}",
            caption=f"Sickness absence rate by {label.lower()}, {window_label(window)}",
            columns=[Column("group", label), *rate_columns],
            rows=group_rows,
            chart=charts.bar(
                group_rows,
                category="group",
                value="rate",
                title=f"Sickness absence rate by {label.lower()}",
                category_title=label,
                value_title="Sickness absence rate",
                percent=True,
            ),
            chart_alt=charts.describe_bars(
                group_rows, "group", "rate", "sickness absence rate", percent=True
            ),
            drill="group" if breakdown in ("organisation_code", "team") else None,
        ),
    ]


# The API ------------------------------------------------------------------------------------------------------
Builder = Callable[[duckdb.DuckDBPyConnection, Window, Scope, str, dt.date | None], list[Table]]
BUILDERS: dict[str, Builder] = {
    "overview": overview,
    "retention": retention,
    "progression": progression,
    "sickness": sickness,
    "fairness": fairness,
}


def window_label(window: Window) -> str:
    first = window.start + dt.timedelta(days=1)
    return f"{first.day} {first:%B %Y} to {window.end.day} {window.end:%B %Y}"


def build(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    scope: Scope,
    window: Window,
    breakdown: str,
    extract: dt.date | None,
    cost_per_leaver: Decimal | None = None,
) -> Dashboard:
    """One dashboard for a scope, on a connection from `scoped_connection`. `cost_per_leaver` is for the costs
    dashboard (the organisation's own replacement cost; there is no default)."""
    if name not in DASHBOARDS:
        raise DashboardError(f"There is no dashboard called {name!r}: choose one of {', '.join(DASHBOARDS)}.")
    if breakdown not in BREAKDOWNS:
        raise DashboardError(
            f"Cannot break the figures down by {breakdown!r}: choose one of {', '.join(BREAKDOWNS)}."
        )
    row = con.execute("SELECT count(*) FROM (SELECT 1 FROM assignments LIMIT 1)").fetchone()
    has_data = bool(row and row[0])
    if name == "costs":
        from .dashboard_costs import costs  # it builds on this module's tables, so it imports it

        builder: Builder = partial(costs, cost_per_leaver=cost_per_leaver)
    else:
        builder = BUILDERS[name]
    tables = builder(con, window, scope, breakdown, extract) if has_data else []
    return Dashboard(
        name=name,
        title=DASHBOARDS[name],
        window=window,
        breakdown=breakdown,
        tables=tables,
        suppressed=not scope.individual_level,
        extract_date=extract,
        has_data=has_data,
    )


def dashboard(
    store: Path,
    name: str,
    *,
    scope: Scope,
    window: Window | None = None,
    breakdown: str = "organisation_code",
    cost_per_leaver: Decimal | None = None,
) -> Dashboard | None:
    """A dashboard straight from a store (None when the store holds no dataset). The window defaults to the
    12 months to the last month end on or before the extract date."""
    if not has_datasets(store):
        return None
    extract = extract_date(store)
    if window is None:
        today = london_today()
        end = latest_month_end(store) or month_end(today.year, today.month)
        window = window_ending(end)
    with scoped_connection(store, scope) as con:
        return build(
            con,
            name,
            scope=scope,
            window=window,
            breakdown=breakdown,
            extract=extract,
            cost_per_leaver=cost_per_leaver,
        )
