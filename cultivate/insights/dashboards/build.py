"""One dashboard for a scope: the builder of each dashboard, run on a scoped connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb

from cultivate.core.clock import london_today

from ..measures import Window
from ..scoping import Scope
from ..store import extract_date
from .costs import costs
from .disclosure import protect
from .fairness import fairness
from .names import name_organisations
from .overview import overview
from .progression import progression
from .retention import retention
from .scope import scoped_connection
from .sickness import sickness
from .tables import BREAKDOWNS, DASHBOARDS, Dashboard, DashboardError, Table
from .windows import has_datasets, latest_month_end, month_end, window_ending

Builder = Callable[[duckdb.DuckDBPyConnection, Window, Scope, str, dt.date | None], list[Table]]
BUILDERS: dict[str, Builder] = {
    "overview": overview,
    "retention": retention,
    "progression": progression,
    "sickness": sickness,
    "fairness": fairness,
}


def build(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    scope: Scope,
    window: Window,
    breakdown: str,
    extract: dt.date | None,
    cost_per_leaver: Decimal | None = None,
    organisation_labels: Mapping[str, str] | None = None,
) -> Dashboard:
    """One dashboard for a scope, on a connection from `scoped_connection`. `cost_per_leaver` is for the costs
    dashboard (the organisation's own replacement cost; there is no default); `organisation_labels` names the
    organisations whose codes the figures are grouped by (`names.organisation_label`)."""
    if name not in DASHBOARDS:
        raise DashboardError(f"There is no dashboard called {name!r}: choose one of {', '.join(DASHBOARDS)}.")
    if breakdown not in BREAKDOWNS:
        raise DashboardError(
            f"Cannot break the figures down by {breakdown!r}: choose one of {', '.join(BREAKDOWNS)}."
        )
    row = con.execute("SELECT count(*) FROM (SELECT 1 FROM assignments LIMIT 1)").fetchone()
    has_data = bool(row and row[0])
    if name == "costs":
        builder: Builder = partial(costs, cost_per_leaver=cost_per_leaver)
    else:
        builder = BUILDERS[name]
    tables = builder(con, window, scope, breakdown, extract) if has_data else []
    if not scope.individual_level:
        # Secondary suppression: no hidden figure can be worked out from the rest of the page.
        protect(name, tables, breakdown)
    name_organisations(tables, organisation_labels or {})
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
