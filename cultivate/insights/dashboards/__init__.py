"""Workforce insights dashboards as plain data: tables of figures (each with numerator and denominator) and the
Vega-Lite chart drawn from the same rows, computed with DuckDB from the insights store for one scope.

A scope (`Scope`, `cultivate.insights.scoping`) names the organisations (ODS codes) and, for line managers and
assessors, the teams whose spells may be read. `scoped_connection()` enforces it in SQL (`scoping.restrict`): the
`assignments` view the measures read is replaced by one filtered on `organisation_code` (and `team`), people,
absences, training and casework are cut to the people holding a spell in scope, recruitment to the applications
whose own `organisation_code` is in scope (none for a team's scope, and never a row without a code), and the
delegation savings to the organisations' own. Nothing outside the scope reaches a
query result, so no page or export can show it.

Unless the scope has individual-level access (an organisation's own admins), every figure goes through
`measures.suppress()` (counts of 1–4 people hidden, small denominators flagged); the figures that are not
standard measures (sickness by month and by reason, retention-curve points, relative likelihoods) are blanked
when fewer than 5 people stand behind them.

The definitions of the figures are those of `docs/measures.md`; what each dashboard shows is described in
`docs/insights-dashboards.md`.

The package by what it holds: `tables` (the plain data and the names of dashboards and breakdowns), `windows`,
`scope` (the scoped connection), `cells` (measure rows → cells), one module per dashboard (`overview`,
`retention`, `progression`, `sickness`, `fairness`, `costs`) and `build` (which runs them). Each dashboard module
imports only the shared modules, so there is no import cycle."""

from __future__ import annotations

from ..scoping import Scope
from .build import BUILDERS, Builder, build, dashboard
from .names import organisation_label
from .scope import scoped_connection
from .tables import BREAKDOWNS, DASHBOARDS, THRESHOLD, Column, Dashboard, DashboardError, Table
from .windows import has_datasets, latest_month_end, month_end, months_before, window_ending, window_label

__all__ = [
    "BREAKDOWNS",
    "BUILDERS",
    "DASHBOARDS",
    "THRESHOLD",
    "Builder",
    "Column",
    "Dashboard",
    "DashboardError",
    "Scope",
    "Table",
    "build",
    "dashboard",
    "has_datasets",
    "latest_month_end",
    "month_end",
    "months_before",
    "organisation_label",
    "scoped_connection",
    "window_ending",
    "window_label",
]
