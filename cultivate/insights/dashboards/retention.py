"""The retention dashboard: joiners, leavers and stability, reasons for leaving, retention curves and leaving
or moving up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import charts
from ..analyses import competing_risks, retention_curve
from ..measures import Frame, Window
from ..measures.compute import leaving_reason_share
from ..measures.families import stock
from ..scoping import Scope
from .cells import by_group, figure_columns, group_label, put_figure, safe_rows
from .tables import BREAKDOWNS, THRESHOLD, Column, Table
from .windows import months_before, window_label


def retention(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    with Frame(con, window, [breakdown], extract_date=extract, needs=set()) as frame:
        grouped = stock(frame, ["joiners", "leavers", "leaver_rate", "stability_index"])
    with Frame(con, window, [], extract_date=extract, needs={"reasons"}) as frame:
        reasons = leaving_reason_share(frame, by_group=True)
    grouped = safe_rows(grouped, scope)
    label = BREAKDOWNS[breakdown]
    joiners, leavers, rate, stability = (
        by_group(grouped, m, breakdown) for m in ("joiners", "leavers", "leaver_rate", "stability_index")
    )
    rows = []
    for name in rate:
        cells: dict[str, Any] = {"group": name}
        put_figure(cells, "joiners", joiners.get(name), parts=False)
        put_figure(cells, "leavers", leavers.get(name), parts=False)
        put_figure(cells, "leaver_rate", rate.get(name))
        put_figure(cells, "stability", stability.get(name))
        rows.append(cells)

    def draw(rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
        chart = charts.bar(
            rows,
            category="group",
            value="leaver_rate",
            title=f"Leaver rate by {label.lower()}",
            category_title=label,
            value_title="Leaver rate",
            percent=True,
        )
        return chart, charts.describe_bars(rows, "group", "leaver_rate", "leaver rate", percent=True)

    turnover = Table(
        key="turnover",
        title=f"Joiners, leavers and stability by {label.lower()}",
        caption=f"Joiners, leavers, leaver rate and stability index by {label.lower()}, {window_label(window)}",
        columns=[
            Column("group", label),
            Column("joiners", "Joiners", "count"),
            Column("leavers", "Leavers", "count"),
            *figure_columns(
                "leaver_rate",
                "Leaver rate",
                "percent",
                "Leavers (rate numerator)",
                "Mean headcount",
                den_kind="number",
            ),
            *figure_columns(
                "stability", "Stability index", "percent", "In post at start and end", "In post at start"
            ),
        ],
        rows=rows,
        chart=draw(rows)[0],
        chart_alt=draw(rows)[1],
        drill="group" if breakdown in ("organisation_code", "team") else None,
        redraw=draw,
    )
    reason_rows = []
    for r in sorted(safe_rows(reasons, scope), key=lambda r: -(r["numerator"] or 0)):
        cells = {"reason": r["group"]["leaving_reason_group"]}
        put_figure(cells, "share", r)
        reason_rows.append(cells)
    reason_table = Table(
        key="reasons",
        title="Reasons for leaving",
        caption=f"Leavers by group of reasons for leaving, {window_label(window)}",
        columns=[
            Column("reason", "Reason for leaving"),
            *figure_columns("share", "Share of leavers", "percent", "Leavers", "All leavers"),
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
        name = group_label(next(iter(curve["group"].values()))) if curve["group"] else "Everyone"
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
