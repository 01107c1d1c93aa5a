"""The overview dashboard: headcount and FTE over time, by the breakdown, and the band mix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import charts
from ..measures import Frame, Window
from ..measures.compute import band_share, sickness_absence_rate, support_to_registered_ratio
from ..measures.families import stock
from ..measures.frame import date_sql
from ..scoping import Scope
from .cells import band_label, band_order, by_group, figure_columns, put_figure, safe_rows
from .tables import BREAKDOWNS, THRESHOLD, Column, Table
from .windows import months_before, window_ending, window_label

TREND_MONTHS = 60  # the overview's headcount and FTE trend: up to five years to the window end


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
        """  # noqa: S608 (dates written by date_sql from date objects)
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
    safe = safe_rows(measure_rows, scope)
    rows: list[dict[str, Any]] = []
    base: dict[str, float | None] = {"headcount": None, "fte": None}
    for i in range(0, len(safe), 2):
        head, fte_row = safe[i], safe[i + 1]
        cells: dict[str, Any] = {"month": head["group"]["month"]}
        for key, row in (("headcount", head), ("fte", fte_row)):
            put_figure(cells, key, row, parts=False)
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


HEADLINE = ("headcount", "fte", "leaver_rate", "stability_index")


def _people_absent(con: duckdb.DuckDBPyConnection, period: Window) -> int:
    found = con.execute(
        f"""
        SELECT count(DISTINCT person_id) FROM absences
        WHERE start_date <= {date_sql(period.end)} AND (end_date IS NULL OR end_date > {date_sql(period.start)})
        """  # noqa: S608 (dates written by date_sql from date objects)
    ).fetchone()
    return int(found[0]) if found else 0


def _headline(con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, extract: dt.date | None) -> Table:
    """The scope's headline figures for the window and the 12 months before it, one row each, so each reads
    against last year: headcount and FTE at the end, leaver rate, stability and sickness absence over the year.
    Sickness reads "Not recorded" (no figure) where no absence records were ever supplied."""
    found = con.execute("SELECT count(*) FROM (SELECT 1 FROM absences LIMIT 1)").fetchone()
    absences = bool(found and found[0])
    rows: list[dict[str, Any]] = []
    for period in (window, window_ending(months_before(window.end, 12))):
        with Frame(con, period, [], extract_date=extract, needs=set()) as frame:
            measured = stock(frame, HEADLINE) + (sickness_absence_rate(frame) if absences else [])
        by_measure = {r["measure"]: r for r in safe_rows(measured, scope)}
        sick = by_measure.get("sickness_absence_rate")
        if sick and not scope.individual_level and 0 < _people_absent(con, period) < THRESHOLD:
            # As on the sickness dashboard: days lost by one or two people could point at someone's illness.
            by_measure["sickness_absence_rate"] = {**sick, "value": None, "suppressed": True}
        cells: dict[str, Any] = {"period": f"12 months to {period.end.day} {period.end:%B %Y}"}
        for key, measure in (
            ("headcount", "headcount"),
            ("fte", "fte"),
            ("leaver_rate", "leaver_rate"),
            ("stability", "stability_index"),
            ("sickness", "sickness_absence_rate"),
        ):
            put_figure(cells, key, by_measure.get(measure), parts=False)
        if not absences:
            cells["sickness"] = "Not recorded"
        rows.append(cells)
    return Table(
        key="headline",
        title="Headline figures",
        caption="Headcount and FTE at the end of each 12 months, and leaver rate, stability and sickness absence "
        "over them, against the 12 months before",
        columns=[
            Column("period", "Period"),
            Column("headcount", "Headcount", "count"),
            Column("fte", "FTE", "fte"),
            Column("leaver_rate", "Leaver rate", "percent"),
            Column("stability", "Stability index", "percent"),
            Column("sickness", "Sickness absence rate", "percent"),
        ],
        rows=rows,
        note=""
        if absences
        else "Sickness absence is not recorded: the workforce data imported for these staff "
        "has no absence records, so it is unknown rather than zero.",
    )


def overview(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [breakdown], extract_date=extract, needs={"band_share"}) as frame:
        grouped = stock(frame, ["headcount", "fte", "mean_fte"]) + support_to_registered_ratio(frame)
    with Frame(con, window, [], extract_date=extract, needs={"band_share"}) as frame:
        bands = band_share(frame)
    grouped = safe_rows(grouped, scope)
    label = BREAKDOWNS[breakdown]
    rows = []
    head, fte, mean, ratio = (
        by_group(grouped, m, breakdown)
        for m in ("headcount", "fte", "mean_fte", "support_to_registered_ratio")
    )
    for name in head:
        cells: dict[str, Any] = {"group": name}
        put_figure(cells, "headcount", head.get(name), parts=False)
        put_figure(cells, "fte", fte.get(name), parts=False)
        put_figure(cells, "mean_fte", mean.get(name))
        put_figure(cells, "ratio", ratio.get(name))
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
            *figure_columns("mean_fte", "Mean FTE", "ratio", "FTE", "Headcount", num_kind="number"),
            *figure_columns(
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
    for r in sorted(safe_rows(bands, scope), key=lambda r: band_order(r["group"]["band"])):
        cells = {"band": band_label(r["group"]["band"])}
        put_figure(cells, "share", r)
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
            *figure_columns("share", "Share", "percent", "People", "Headcount"),
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
    return [_headline(con, window, scope, extract), _trend(con, window, scope), summary, band_table]
