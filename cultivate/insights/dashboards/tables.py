"""The dashboards' plain data: a dashboard of tables (`cultivate.insights.tables`, the model the board report
shares), and the names of the dashboards and breakdowns a page can ask for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..measures import Window
from ..tables import Column, Table

THRESHOLD = 5

__all__ = ["BREAKDOWNS", "DASHBOARDS", "THRESHOLD", "Column", "Dashboard", "DashboardError", "Table"]


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
