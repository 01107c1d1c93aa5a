"""The progression dashboard: band moves, role transitions and moving to a higher band by group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import charts
from ..measures import Frame, Window
from ..measures.compute import band_progression, role_transitions
from ..measures.definitions import LEFT, PERSON_COLUMNS, PROGRESSION_OUTCOMES
from ..scoping import Scope
from .cells import band_label, band_order, figure_columns, group_label, put_figure, safe_rows
from .tables import BREAKDOWNS, Column, Table

OUTCOME_LABELS = {
    "same": "Same band",
    "higher": "Higher band",
    "lower": "Lower band",
    "other": "Moved on or off Agenda for Change",
    "left": "Left",
}


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
                pair = totals[column].setdefault(group_label(r["group"].get(column)), [0, 0])
                pair[0] += r["numerator"]
                pair[1] += r["denominator"]
    return {
        column: safe_rows(
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
        with_leavers = safe_rows(band_progression(frame), scope)
        stayers = safe_rows(band_progression(frame, excluding_leavers=True), scope)
        roles = safe_rows(role_transitions(frame), scope)
    staying = {(r["group"]["from_band"], r["group"]["outcome"]): r for r in stayers}
    band_rows = []
    for r in sorted(
        with_leavers,
        key=lambda r: (
            band_order(r["group"]["from_band"]),
            PROGRESSION_OUTCOMES.index(r["group"]["outcome"]),
        ),
    ):
        band, outcome = r["group"]["from_band"], r["group"]["outcome"]
        cells: dict[str, Any] = {"from_band": band_label(band), "outcome": OUTCOME_LABELS[outcome]}
        put_figure(cells, "all", r)
        put_figure(cells, "stayed", staying.get((band, outcome)) if outcome != LEFT else None)
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
            *figure_columns("all", "Share of all", "percent", "People", "In band at start"),
            *figure_columns("stayed", "Share of those still in post", "percent", "People", "Still in post"),
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
        put_figure(cells, "share", r)
        role_rows.append(cells)
    role_table = Table(
        key="roles",
        title="Role transitions",
        caption=f"Job role on {window.start.isoformat()} and on {window.end.isoformat()} (or left)",
        columns=[
            Column("from_role", "Role at start"),
            Column("to_role", "Role at end"),
            *figure_columns("share", "Share", "percent", "People", "In role at start"),
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
            put_figure(cells, "higher", r)
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
                    *figure_columns(
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
