"""The board report: key figures, trends, retention and progression, fairness (and programme outcomes when
there are programmes) for one organisation, an alliance's list of organisations, or the whole store, over one
period. `build_report()` gives the figures as plain data; `render_html()` and `render_pdf()` turn them into one
standalone file that fetches nothing. See docs/insights-report.md."""

from .build import ReportError, build_report, organisations_in, parse_cost, protect
from .model import SUPPRESSED, Chart, Column, Figure, KeyFigure, Report, Section, Source, Table
from .period import PeriodError, parse_period, previous_period
from .render import render_html, render_pdf, write_report

__all__ = [
    "SUPPRESSED",
    "Chart",
    "Column",
    "Figure",
    "KeyFigure",
    "PeriodError",
    "Report",
    "ReportError",
    "Section",
    "Source",
    "Table",
    "build_report",
    "organisations_in",
    "parse_cost",
    "parse_period",
    "previous_period",
    "protect",
    "render_html",
    "render_pdf",
    "write_report",
]
