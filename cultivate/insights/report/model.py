"""The board report as plain data: what `build_report` returns and the template renders. Numbers stay numbers
(fractions for rates); formatting is the renderer's job, so tests compare figures, not strings. Its tables are
the dashboards' table model (`cultivate.insights.tables`), built from rows by position (`Table.of_values`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from cultivate.insights.measures import Window
from cultivate.insights.tables import SUPPRESSED, Column, Kind, Table, heading

SUPPRESSION_THRESHOLD = 5

__all__ = ["SUPPRESSED", "Column", "Kind", "Table", "heading"]


@dataclass
class Chart:
    """A Vega-Lite spec and the table with the same figures, which always follows the chart."""

    key: str
    title: str
    description: str
    spec: dict[str, Any]
    table: Table


@dataclass(frozen=True)
class Figure:
    numerator: float | int | None
    denominator: float | int | None
    value: float | int | None
    suppressed: bool = False


@dataclass(frozen=True)
class KeyFigure:
    measure: str
    label: str
    kind: Kind
    current: Figure
    previous: Figure
    higher_is: Literal["better", "worse", "neutral"] = "neutral"
    # The data behind it was never supplied (no absence records at all): "Not recorded", never a 0.0%.
    not_recorded: bool = False

    @property
    def change(self) -> float | None:
        """Current value − previous value (in the measure's own unit), None when either is not shown."""
        now, before = self.current.value, self.previous.value
        if (
            self.not_recorded
            or now is None
            or before is None
            or self.current.suppressed
            or self.previous.suppressed
        ):
            return None
        return float(now) - float(before)


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    dataset: str
    extract_date: str | None
    imported_at: str | None
    rows: dict[str, int] | None = None


@dataclass
class Report:
    title: str
    organisation_codes: tuple[str, ...] | None  # None: every organisation in the store
    period: Window
    previous: Window
    trend: Window
    extract_date: dt.date | None
    sources: list[Source]
    individual_level: bool
    key_figures: list[KeyFigure]
    sections: list[Section]
    generated_at: dt.datetime
    warnings: list[str] = field(default_factory=list)
    # The author's words for the board (the report page's commentary field), shown first, as written.
    commentary: str = ""
    # ODS code → the organisation's name, so the report names trusts (set by whoever knows the names).
    organisation_names: dict[str, str] = field(default_factory=dict)

    @property
    def organisations_label(self) -> str:
        if not self.organisation_codes:
            return "All organisations"
        return ", ".join(
            f"{self.organisation_names[code]} ({code})" if code in self.organisation_names else code
            for code in self.organisation_codes
        )

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def key_figure(self, measure: str) -> KeyFigure:
        return next(k for k in self.key_figures if k.measure == measure)

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]
