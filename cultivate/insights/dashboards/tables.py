"""The dashboards' plain data: a table of figures (rows of cells keyed by column) and a dashboard of tables,
and the names of the dashboards and breakdowns a page can ask for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..measures import Window

THRESHOLD = 5


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


class DashboardError(ValueError):
    """A request the dashboards cannot answer (unknown dashboard or breakdown)."""


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
