"""The sickness absence dashboard: the rate by month, by reason and by the breakdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import charts
from ..measures import Frame, Window
from ..measures.compute import sickness_absence_rate
from ..measures.frame import date_sql
from ..scoping import Scope
from .cells import by_group, figure_columns, put_figure, safe_rows
from .tables import BREAKDOWNS, THRESHOLD, Column, Table
from .windows import months_before, window_label


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
    """  # noqa: S608 (dates written by date_sql from date objects; partitions are constants)


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
    safe = safe_rows([row], scope)[0]
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
        """  # noqa: S608 (dates written by date_sql from date objects; partitions are constants)
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
        put_figure(cells, "rate", row)
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
        """  # noqa: S608 (dates written by date_sql from date objects; partitions are constants)
    ).fetchall()
    rows = []
    for reason, lost, people in found:
        row = _sickness_row(
            window.as_json(), {"reason": reason}, float(lost or 0), available, int(people), scope
        )
        cells: dict[str, Any] = {"reason": reason}
        put_figure(cells, "rate", row)
        rows.append(cells)
    return rows


NOT_RECORDED = (
    "Not recorded. The workforce data imported for these staff has no sickness absence records, so their "
    "sickness absence is unknown (not zero). The figures appear here once an extract with absence records is "
    "imported."
)


def sickness(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    found = con.execute("SELECT count(*) FROM (SELECT 1 FROM absences LIMIT 1)").fetchone()
    if not (found and found[0]):
        return [
            Table(
                key="sickness",
                title="Sickness absence",
                caption="Sickness absence",
                columns=[],
                rows=[],
                not_recorded=NOT_RECORDED,
            )
        ]
    with Frame(con, window, [breakdown], extract_date=extract, needs=set()) as frame:
        grouped = safe_rows(sickness_absence_rate(frame), scope)
    label = BREAKDOWNS[breakdown]
    monthly, available = _sickness_monthly(con, window, scope, extract)
    reasons = _sickness_reasons(con, window, scope, available, extract)
    group_rows = []
    for name, r in by_group(grouped, "sickness_absence_rate", breakdown).items():
        cells: dict[str, Any] = {"group": name}
        put_figure(cells, "rate", r)
        group_rows.append(cells)
    rate_columns = figure_columns(
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
