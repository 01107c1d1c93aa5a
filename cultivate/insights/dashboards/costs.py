"""The costs dashboard: what leavers cost (turnover cost) and what delegation saves, for one scope.

Turnover cost is `analyses.turnover_cost`: the window's leavers (the measures' definition) × a replacement cost per
leaver. Cultivate ships no default cost (no published figure per leaver is in its sources, see docs/measures.md),
so the dashboard asks for the organisation's own figure and shows the leavers by band until one is given.
Delegation savings are `analyses.delegation_savings`: each protocol's published range, counted once per protocol,
read from the store's `delegation_savings` table (the snapshot writes it), never from the service's database.

Without individual-level access a band with 1–4 leavers is hidden, and so is the next smallest band when only
one would be, so that no hidden count can be worked out from the total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb

from .. import charts
from ..analyses import bands_to_hide, delegation_savings, turnover_cost
from ..measures import Window
from ..scoping import Scope
from .tables import THRESHOLD, Column, Table
from .windows import window_label

MONEY_COLUMNS = ("cost_per_leaver", "cost")


def _band_rows(found: dict[str, Any], cost_given: bool) -> list[dict[str, Any]]:
    rows = []
    for band in found["by_band"]:
        rows.append(
            {
                "band": "Not on Agenda for Change" if band["band"] == "NA" else f"Band {band['band']}",
                "leavers": band["leavers"],
                "cost_per_leaver": band["cost_per_leaver"] if cost_given else None,
                "cost": band["cost"] if cost_given else None,
            }
        )
    return rows


def _protect(rows: list[dict[str, Any]]) -> None:
    """Hide bands of 1–4 leavers (and the next smallest when only one would be); the total shows."""
    for position in bands_to_hide([r["leavers"] for r in rows], THRESHOLD):
        row = rows[position]
        for key in ("leavers", *MONEY_COLUMNS):
            if key == "leavers" or row[key] is not None:
                row[key] = None
                row.setdefault("_suppressed", set()).add(key)


def _turnover(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, cost_per_leaver: Decimal | None
) -> Table:
    given = cost_per_leaver is not None
    found = turnover_cost(
        con,
        window,
        cost_per_leaver=cost_per_leaver if cost_per_leaver is not None else 0,
        organisation_codes=list(scope.organisations),
        source="the cost per leaver entered on this page",
    )[0]
    rows = _band_rows(found, given)
    if not scope.individual_level:
        _protect(rows)
    total: dict[str, Any] = {
        "band": "All leavers",
        "leavers": found["leavers"],
        "cost_per_leaver": float(cost_per_leaver) if cost_per_leaver is not None else None,
        "cost": found["value"] if given else None,
    }
    if not scope.individual_level and 0 < found["leavers"] < THRESHOLD:
        total.update(leavers=None, cost=None, _suppressed={"leavers", "cost"})
    rows.append(total)
    chart = None
    shown: list[dict[str, Any]] = []
    if given:
        shown = [r for r in rows[:-1] if r["cost"] is not None]
        chart = charts.bar(
            shown,
            category="band",
            value="cost",
            title="Turnover cost by band",
            category_title="Band",
            value_title="Cost (£)",
            sort=False,
        )
    return Table(
        key="turnover_cost",
        title="Turnover cost",
        caption=f"Leavers by their band at the start, and what replacing them costs, {window_label(window)}",
        columns=[
            Column("band", "Band at the start"),
            Column("leavers", "Leavers", "count"),
            Column("cost_per_leaver", "Cost per leaver (£)", "money"),
            Column("cost", "Turnover cost (£)", "money"),
        ],
        rows=rows,
        chart=chart,
        chart_alt=charts.describe_bars(shown, "band", "cost", "turnover cost") if chart else "",
        note=(
            "Leavers are people in post at the start of the 12 months and not at the end. "
            + (
                f"Each is costed at £{cost_per_leaver:,.0f}, the figure entered above."
                if given
                else "Enter your organisation's cost of replacing one leaver above to see what they cost: "
                "Cultivate has no default, because no published figure per leaver is in its sources."
            )
        ),
    )


def _savings(con: duckdb.DuckDBPyConnection, scope: Scope) -> Table:
    rows: list[dict[str, Any]] = []
    for summary in delegation_savings(con, organisation_codes=list(scope.organisations)):
        for item in summary["items"]:
            rows.append(
                {
                    "activity": item["activity"],
                    "organisation": summary["organisation"],
                    "first_low": item["first_year"][0],
                    "first_high": item["first_year"][1],
                    "later_low": item["later_years"][0],
                    "later_high": item["later_years"][1],
                    "basis": item["unit_label"],
                    "source": item["source"]
                    + (f" (prices of {item['price_year']})" if item.get("price_year") else ""),
                }
            )
        if len(summary["items"]) > 1:
            rows.append(
                {
                    "activity": "All delegated activities",
                    "organisation": summary["organisation"],
                    "first_low": summary["first_year"][0],
                    "first_high": summary["first_year"][1],
                    "later_low": summary["later_years"][0],
                    "later_high": summary["later_years"][1],
                    "basis": "sum of the ranges above",
                    "source": "",
                }
            )
    return Table(
        key="delegation_savings",
        title="Savings from delegation",
        caption="Estimated savings of each delegation protocol in use, as published for it",
        columns=[
            Column("activity", "Delegated activity"),
            Column("organisation", "Organisation"),
            Column("first_low", "First year, from (£)", "money"),
            Column("first_high", "First year, to (£)", "money"),
            Column("later_low", "Each later year, from (£)", "money"),
            Column("later_high", "Each later year, to (£)", "money"),
            Column("basis", "Estimate for"),
            Column("source", "Source"),
        ],
        rows=rows,
        note=(
            "Each protocol's published range is counted once: the sources give one figure for a service, so it "
            "is not multiplied by the number of workers delegated. Savings are an organisation's, whichever "
            "team is shown."
        ),
    )


def costs(
    con: duckdb.DuckDBPyConnection,
    window: Window,
    scope: Scope,
    breakdown: str,
    extract: dt.date | None,
    *,
    cost_per_leaver: Decimal | None = None,
) -> list[Table]:
    return [_turnover(con, window, scope, cost_per_leaver), _savings(con, scope)]
