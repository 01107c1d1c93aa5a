"""`build_report()`: the board report's figures for one organisation, a list of them (an alliance) or the whole
store, over one period, compared with the same period a year earlier.

Every figure comes from the measures in `cultivate.insights.measures` run on the store's own views, narrowed to
the chosen organisations first, so a figure in the report is exactly what `compute_measures` gives for the same
window and organisation. Unless the reader has individual-level access, rows pass through `suppress()` and then
through `protect()` here, which hides a second figure wherever one hidden count could be worked out from a
total less the others."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

from cultivate.insights import charts as shared_charts
from cultivate.insights.analyses import bands_to_hide, competing_risks, turnover_cost
from cultivate.insights.analyses.fairness import application_organisation_sql
from cultivate.insights.measures import Window, measures_on, suppress
from cultivate.insights.measures.definitions import AGE_BANDS, BAND_ORDER, LEFT, NOT_AFC, NOT_KNOWN
from cultivate.insights.scoping import restrict
from cultivate.insights.store import TABLES, connect, manifest
from cultivate.insights.store import extract_date as store_extract_date

from . import charts
from .disclosure import protect_report
from .hooks import (
    CURVE_HORIZON_MONTHS,
    CURVE_STEP_MONTHS,
    fairness_likelihoods,
    programme_outcomes,
    retention_curves,
)
from .investment import development_investment
from .model import (
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    Chart,
    Figure,
    KeyFigure,
    Report,
    Section,
    Source,
    Table,
    heading,
)
from .period import months_before, months_between, points, previous_period

Row = dict[str, Any]
Progress = Callable[[str], None]


class ReportError(ValueError):
    """A report that cannot be built from this store (missing or empty store, unknown organisation)."""


# (measure, label, kind, which way is good)
KEY_MEASURES: tuple[tuple[str, str, Any, Any], ...] = (
    ("headcount", "Headcount", "count", "neutral"),
    ("fte", "Full-time equivalent (FTE)", "fte", "neutral"),
    ("leaver_rate", "Leaver rate", "percent", "worse"),
    ("stability_index", "Stability index", "percent", "better"),
    ("sickness_absence_rate", "Sickness absence rate", "percent", "worse"),
    ("joiner_rate", "Joiner rate", "percent", "neutral"),
)
OUTCOME_LABELS = {
    "same": "Same band",
    "higher": "Higher band",
    "lower": "Lower band",
    "other": "To or from a non-AfC post",
    LEFT: "Left",
}
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", NOT_KNOWN)
DISABILITY_LABELS = {"Y": "Disabled", "N": "Not disabled", "U": "Not declared"}
SEX_LABELS = {"F": "Female", "M": "Male", "X": "Other", "U": "Not known"}
ROLE_MOVES_SHOWN = 20
UNSCOPED = "all_"
REASONS_SHOWN = 15


def build_report(
    store: Path | str,
    period: Window,
    organisation_codes: Iterable[str] | None = None,
    *,
    individual_level: bool = False,
    title: str | None = None,
    cost_per_leaver: Decimal | None = None,
    progress: Progress | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Report:
    """The board report of `store` for `period` (see `parse_period`) and the organisations with these ODS codes
    (all in the store when None). Small numbers are suppressed unless `individual_level` says the reader may
    see individuals. With `cost_per_leaver` (the organisation's own figure; there is no default) the report adds
    the cost of turnover. `progress` is called with the name of each step as it starts. Raises ReportError."""
    store = Path(store)
    codes = _codes(organisation_codes)
    con = open_store(store, codes, memory_limit=memory_limit, threads=threads)
    try:
        builder = _Builder(con, store_extract_date(store), individual_level, progress or (lambda _step: None))
        builder.cost_per_leaver = cost_per_leaver
        return builder.build(store, period, codes, title)
    finally:
        con.close()


def parse_cost(text: str | None) -> Decimal | None:
    """The cost of replacing one leaver as typed (pounds, e.g. "5000" or "£5,000"); None when not given."""
    if text is None or not str(text).strip():
        return None
    cleaned = str(text).strip().removeprefix("£").replace(",", "")
    try:
        cost = Decimal(cleaned)
    except InvalidOperation:
        raise ReportError(f"The replacement cost is a number of pounds, like 5000, not {text!r}.") from None
    if not cost.is_finite() or cost < 0:
        raise ReportError(f"The replacement cost cannot be negative: {text!r}.")
    return cost


def _codes(organisation_codes: Iterable[str] | None) -> tuple[str, ...] | None:
    if organisation_codes is None:
        return None
    codes = tuple(dict.fromkeys(c.strip().upper() for c in organisation_codes if c and c.strip()))
    return codes or None


def open_store(
    store: Path,
    codes: tuple[str, ...] | None,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """The store's DuckDB views narrowed to the organisations (`scoping.restrict`), so every measure (and every
    analysis) run on the connection sees only them. A person who moves between two of the organisations is
    then neither a leaver nor a joiner of the group, as for an alliance's own figures. `recruitment` is
    narrowed to the organisations' applications: those naming one of them in `organisation_code`, and those
    without a code that the fairness analysis places in one of them from their vacancy, judged against the
    whole store (`application_organisation_sql`), so an uncoded application of another organisation never
    falls to the one left."""
    if not store.is_dir():
        raise ReportError(f"There is no insights store at {store}.")
    if not manifest(store)["datasets"]:
        raise ReportError(
            f"The store at {store} holds no datasets: import an extract into it first (cultivate insights import)."
        )
    con = connect(store, memory_limit=memory_limit, threads=threads)
    con.execute("SET enable_progress_bar = false")  # it would write into the command's output
    try:
        present = {
            str(code).upper()
            for (code,) in con.execute("SELECT DISTINCT organisation_code FROM assignments").fetchall()
            if code is not None
        }
        if not present:
            raise ReportError(f"The store at {store} holds no employment spells (assignments).")
        if codes is not None:
            missing = [c for c in codes if c not in present]
            if missing:
                raise ReportError(
                    f"The store has no organisation {', '.join(missing)}; it holds "
                    f"{len(present)} organisation{'s' if len(present) != 1 else ''}"
                    + (f": {', '.join(sorted(present))}." if len(present) <= 20 else ".")
                )
            placed = application_organisation_sql(con, alias="r")  # on the whole store's views
            for table in TABLES:
                con.execute(f"ALTER VIEW {table} RENAME TO {UNSCOPED}{table}")
            restrict(
                con,
                codes,
                prefix=UNSCOPED,
                people=False,
                application_organisation=f"upper({placed})",
                copy_spells=True,
            )
    except BaseException:
        con.close()
        raise
    return con


def organisations_in(store: Path | str) -> set[str]:
    """The ODS codes (upper case) of the organisations with employment spells in the store; empty for a store
    that is missing or holds no datasets."""
    store = Path(store)
    if not store.is_dir() or not manifest(store)["datasets"]:
        return set()
    con = connect(store)
    try:
        found = con.execute("SELECT DISTINCT organisation_code FROM assignments").fetchall()
    finally:
        con.close()
    return {str(code).upper() for (code,) in found if code is not None}


def protect(rows: list[Row], category: str) -> list[Row]:
    """Secondary suppression. Rows that share a measure and every group value but `category` add up to a total
    that is shown (their denominator, or a key figure): where exactly one of them has its count hidden, it
    could be worked out by subtraction, so the smallest other non-zero count is hidden too."""
    sets: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        rest = tuple(sorted((k, str(v)) for k, v in row["group"].items() if k != category))
        sets[(row["measure"], rest)].append(row)
    for members in sets.values():
        hidden = [r for r in members if r.get("suppressed") and r["numerator"] is None]
        if len(hidden) != 1:
            continue
        shown = [r for r in members if not r.get("suppressed") and r["numerator"]]
        if shown:
            smallest = min(shown, key=lambda r: float(r["numerator"]))
            smallest.update(numerator=None, value=None, suppressed=True)
    return rows


def _cell(row: Row | None, field: str = "value") -> Any:
    """A row's figure for a table: SUPPRESSED when hidden, None when there is no row or nothing to divide by."""
    if row is None:
        return None
    value = row.get(field)
    if value is None and row.get("suppressed"):
        return SUPPRESSED
    return value


NOT_RECORDED = (
    "Sickness absence is not recorded: the workforce records supplied for these organisations hold no absence "
    "records, so it is unknown (not zero) and left out of this report."
)


def _figure(row: Row | None) -> Figure:
    if row is None:
        return Figure(None, None, None)
    return Figure(row["numerator"], row["denominator"], row["value"], bool(row.get("suppressed")))


def _label_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


class _Builder:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        extract_date: dt.date | None,
        individual_level: bool,
        progress: Progress,
    ) -> None:
        self.con = con
        self.extract_date = extract_date
        self.individual_level = individual_level
        self.progress = progress
        self.cost_per_leaver: Decimal | None = None

    # Measures ---------------------------------------------------------------------------------------------
    def raw(self, window: Window, by: list[str], measures: list[str]) -> list[Row]:
        return measures_on(self.con, window, by, measures, extract_date=self.extract_date)

    def safe(self, rows: list[Row], category: str | None = None) -> list[Row]:
        """Rows as this reader may see them."""
        if self.individual_level:
            return [{**row, "suppressed": False, "small_denominator": False} for row in rows]
        safe = suppress(rows, SUPPRESSION_THRESHOLD)
        return protect(safe, category) if category else safe

    def rows(
        self, window: Window, by: list[str], measures: list[str], category: str | None = None
    ) -> list[Row]:
        return self.safe(self.raw(window, by, measures), category)

    # The report -------------------------------------------------------------------------------------------
    def build(self, store: Path, period: Window, codes: tuple[str, ...] | None, title: str | None) -> Report:
        previous = previous_period(period)
        trend = Window(previous.start, period.end)
        warnings = []
        if self.extract_date is not None and period.end > self.extract_date:
            warnings.append(
                f"The period ends after the extract date ({_label_date(self.extract_date)}): the days after it "
                "are not yet known, so the last figures are incomplete."
            )
        self.progress("key figures")
        key_figures = self.key_figures(period, previous)
        self.progress("trends")
        trends = self.trends(trend)
        self.progress("retention and progression")
        retention = self.retention(period, codes)
        self.progress("fairness")
        fairness = self.fairness(period, codes)
        sections = [trends, retention, fairness]
        if self.cost_per_leaver is not None:
            self.progress("costs")
            sections.append(self.costs(period, codes, self.cost_per_leaver))
        outcomes = programme_outcomes(self.con, period, codes)
        if outcomes is not None:
            sections.append(outcomes)
        investment = development_investment(self.con, period)
        if investment is not None:
            sections.append(investment)
        sources = [
            Source(
                dataset=name,
                extract_date=info.get("extract_date"),
                imported_at=info.get("imported_at"),
                rows=info.get("rows"),
            )
            for name, info in sorted(manifest(store)["datasets"].items())
        ]
        report = Report(
            title=title or _default_title(codes),
            organisation_codes=codes,
            period=period,
            previous=previous,
            trend=trend,
            extract_date=self.extract_date,
            sources=sources,
            individual_level=self.individual_level,
            key_figures=key_figures,
            sections=sections,
            generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            warnings=warnings,
        )
        if not self.individual_level:
            protect_report(report, self.cost_per_leaver)
        return report

    @cached_property
    def absences_recorded(self) -> bool:
        """Whether any absence record was ever supplied for these organisations (none: sickness unknown)."""
        found = self.con.execute("SELECT count(*) FROM (SELECT 1 FROM absences LIMIT 1)").fetchone()
        return bool(found and found[0])

    def key_figures(self, period: Window, previous: Window) -> list[KeyFigure]:
        names = [m[0] for m in KEY_MEASURES]
        now = {r["measure"]: r for r in self.rows(period, [], names)}
        before = {r["measure"]: r for r in self.rows(previous, [], names)}
        return [
            KeyFigure(
                measure=name,
                label=label,
                kind=kind,
                current=_figure(now.get(name)),
                previous=_figure(before.get(name)),
                higher_is=higher_is,
                not_recorded=name == "sickness_absence_rate" and not self.absences_recorded,
            )
            for name, label, kind, higher_is in KEY_MEASURES
        ]

    # Trends -----------------------------------------------------------------------------------------------
    def trends(self, trend: Window) -> Section:
        months = months_between(trend.start, trend.end)
        step = 1 if months <= 36 else 3 if months <= 120 else 12
        step_name = {1: "month", 3: "quarter", 12: "year"}[step]
        stock: list[tuple[dt.date, Row | None, Row | None, Row | None]] = []
        rolling: list[tuple[dt.date, Row | None]] = []
        for day in points(trend, step):
            sub = Window(months_before(day, step), day)
            found = {
                r["measure"]: r for r in self.rows(sub, [], ["headcount", "fte", "sickness_absence_rate"])
            }
            stock.append((day, found.get("headcount"), found.get("fte"), found.get("sickness_absence_rate")))
            year = {
                r["measure"]: r for r in self.rows(Window(months_before(day, 12), day), [], ["leaver_rate"])
            }
            rolling.append((day, year.get("leaver_rate")))
        section = Section(
            key="trends",
            title="Trends",
            intro=(
                f"From {_label_date(trend.start)} to {_label_date(trend.end)}, by {step_name}: the comparison "
                "period and the period of the report."
            ),
        )
        section.charts.append(self._index_chart(stock))
        section.charts.append(self._leaver_chart(rolling))
        if self.absences_recorded:
            section.charts.append(self._sickness_chart(stock, step_name))
        else:
            section.notes.append(NOT_RECORDED)
        return section

    def _index_chart(self, stock: list[tuple[dt.date, Row | None, Row | None, Row | None]]) -> Chart:
        def base(first: Row | None) -> float | None:
            """The index base: the first date's figure, unless it is hidden or zero."""
            if first is None or first.get("suppressed") or not first.get("value"):
                return None
            return float(first["value"])

        head_base = base(stock[0][1]) if stock else None
        fte_base = base(stock[0][2]) if stock else None
        table_rows, values = [], []
        for day, head, fte, _sick in stock:
            head_index = _index(head, head_base)
            fte_index = _index(fte, fte_base)
            table_rows.append([day, _cell(head), _cell(fte), head_index, fte_index])
            for series, index in (("Headcount", head_index), ("FTE", fte_index)):
                if isinstance(index, float):
                    values.append({"date": day.isoformat(), "series": series, "index": round(index, 1)})
        first = stock[0][0] if stock else None
        title = "Headcount and FTE, indexed"
        description = (
            f"Headcount and FTE at each date as an index, {_label_date(first)} = 100." if first else title
        )
        return Chart(
            key="headcount_fte_index",
            title=title,
            description=description,
            spec=charts.line_chart(
                values,
                title=title,
                description=description,
                x="date",
                y="index",
                y_title=f"Index ({_label_date(first)} = 100)" if first else "Index",
                y_format=".1f",
                series="series",
                series_order=["Headcount", "FTE"],
                rule_at=100.0,
            ),
            table=Table.of_values(
                caption="Headcount and FTE at each date, and as an index",
                columns=[
                    heading("Date", "date"),
                    heading("Headcount", "count"),
                    heading("FTE", "fte"),
                    heading("Headcount index", "index"),
                    heading("FTE index", "index"),
                ],
                rows=table_rows,
            ),
        )

    def _leaver_chart(self, rolling: list[tuple[dt.date, Row | None]]) -> Chart:
        values = [
            {"date": day.isoformat(), "rate": row["value"]}
            for day, row in rolling
            if row is not None and row.get("value") is not None
        ]
        title = "Leaver rate over the 12 months to each date"
        description = "The leaver rate of the 12 months ending at each date (leavers ÷ mean headcount)."
        return Chart(
            key="leaver_rate_rolling",
            title=title,
            description=description,
            spec=charts.line_chart(
                values,
                title=title,
                description=description,
                x="date",
                y="rate",
                y_title="Leaver rate",
                y_format=".1%",
                zero=True,
            ),
            table=Table.of_values(
                caption="Leaver rate over the 12 months to each date",
                columns=[
                    heading("12 months to", "date"),
                    heading("Leavers", "count"),
                    heading("Mean headcount", "fte"),
                    heading("Leaver rate", "percent"),
                ],
                rows=[
                    [day, _cell(row, "numerator"), _cell(row, "denominator"), _cell(row)]
                    for day, row in rolling
                ],
            ),
        )

    def _sickness_chart(
        self, stock: list[tuple[dt.date, Row | None, Row | None, Row | None]], step_name: str
    ) -> Chart:
        values = [
            {"date": day.isoformat(), "rate": sick["value"]}
            for day, _h, _f, sick in stock
            if sick is not None and sick.get("value") is not None
        ]
        title = f"Sickness absence rate by {step_name}"
        description = f"FTE days lost to sickness ÷ FTE days available, in each {step_name}."
        return Chart(
            key="sickness_by_month",
            title=title,
            description=description,
            spec=charts.line_chart(
                values,
                title=title,
                description=description,
                x="date",
                y="rate",
                y_title="Sickness absence rate",
                y_format=".1%",
                zero=True,
            ),
            table=Table.of_values(
                caption=f"Sickness absence by {step_name}",
                columns=[
                    heading(f"{step_name.capitalize()} to", "date"),
                    heading("FTE days lost", "fte"),
                    heading("FTE days available", "fte"),
                    heading("Sickness absence rate", "percent"),
                ],
                rows=[
                    [day, _cell(sick, "numerator"), _cell(sick, "denominator"), _cell(sick)]
                    for day, _h, _f, sick in stock
                ],
            ),
        )

    # Retention and progression ----------------------------------------------------------------------------
    def retention(self, period: Window, codes: tuple[str, ...] | None) -> Section:
        section = Section(
            key="retention",
            title="Retention and progression",
            intro=(
                f"Everyone in post on {_label_date(period.start)}, compared with where they were on "
                f"{_label_date(period.end)}: their band, their role, or that they had left."
            ),
        )
        section.charts.append(self._band_matrix(period))
        section.tables.append(self._role_moves(period))
        for column, label, order in (
            ("age_band", "Age band", [*AGE_BANDS, NOT_KNOWN]),
            ("ethnic_group", "Ethnic group", list(ETHNIC_GROUPS)),
        ):
            section.charts.append(self._progression_by(period, column, label, order))
        section.charts.append(self._reason_groups(period))
        section.tables.append(self._reasons(period))
        section.charts.append(
            retention_curves(self.con, period, codes, individual_level=self.individual_level)
        )
        section.charts.append(self._leaving_or_moving_up(period, codes))
        return section

    def _leaving_or_moving_up(self, period: Window, codes: tuple[str, ...] | None) -> Chart:
        """Competing risks (Aalen–Johansen): of the people observed in the period, the cumulative share who had
        left and who had moved up a band by months since joining, whichever came first."""
        result = competing_risks(
            self.con,
            start=period.start,
            end=period.end,
            organisation_codes=list(codes) if codes else None,
            step=CURVE_STEP_MONTHS,
            horizon=CURVE_HORIZON_MONTHS,
            confidence_intervals=False,
        )
        curve = result["curves"][0] if result["curves"] else None
        rows: list[list[Any]] = []
        values: list[dict[str, Any]] = []
        if curve is not None:
            left = curve["incidence"]["left"]["points"]
            moved = curve["incidence"]["progressed"]["points"]
            for a, b in zip(left, moved, strict=True):
                if not a["at_risk"]:
                    rows.append([a["time"], None, None, 0])
                    continue
                if not self.individual_level and a["at_risk"] < SUPPRESSION_THRESHOLD:
                    rows.append([a["time"], SUPPRESSED, SUPPRESSED, SUPPRESSED])
                    continue
                rows.append([a["time"], a["incidence"], b["incidence"], a["at_risk"]])
                values += [
                    {"time": a["time"], "outcome": "Left", "incidence": a["incidence"]},
                    {"time": a["time"], "outcome": "Moved up a band", "incidence": b["incidence"]},
                ]
        title = "Leaving or moving up a band, by months since joining"
        spec = shared_charts.incidence(values, title=title)
        spec["width"] = 560  # the shared spec fills its container; a drawing on the server needs a width
        return Chart(
            key="leaving_or_moving_up",
            title=title,
            description="The share of people who had left, and who had moved up a band, by months since joining.",
            spec=spec,
            table=Table.of_values(
                caption="Share who had left, and who had moved up a band, by months since joining",
                columns=[
                    heading("Months since joining", "count"),  # whole months: 3, 6, 9…
                    heading("Had left", "percent"),
                    heading("Had moved up a band", "percent"),
                    heading("People under observation", "count"),
                ],
                rows=rows,
                note=(
                    "Aalen–Johansen estimates: each person counts once, for whichever came first, leaving the "
                    "organisation or moving to a higher band. Staff not on Agenda for Change are left out."
                ),
            ),
        )

    def costs(self, period: Window, codes: tuple[str, ...] | None, cost: Decimal) -> Section:
        """The cost of turnover: the period's leavers by band at its start × the cost of replacing one leaver."""
        found = turnover_cost(
            self.con,
            period,
            cost_per_leaver=cost,
            organisation_codes=list(codes) if codes else None,
            source="given for this report",
        )[0]
        bands = [
            [
                "Not on Agenda for Change" if b["band"] == "NA" else f"Band {b['band']}",
                b["leavers"],
                b["cost"],
            ]
            for b in found["by_band"]
        ]
        if not self.individual_level:
            for position in bands_to_hide([row[1] for row in bands], SUPPRESSION_THRESHOLD):
                bands[position][1:] = [SUPPRESSED, SUPPRESSED]
        total_hidden = not self.individual_level and 0 < found["leavers"] < SUPPRESSION_THRESHOLD
        total = [
            "All leavers",
            SUPPRESSED if total_hidden else found["leavers"],
            SUPPRESSED if total_hidden else found["value"],
        ]
        return Section(
            key="costs",
            title="Cost of turnover",
            intro=(
                f"Each leaver of the period costed at £{cost:,.0f}, the cost of replacing one leaver given for "
                "this report (advertising, recruitment, induction and cover until the post is filled)."
            ),
            tables=[
                Table.of_values(
                    caption="Leavers by their band at the start of the period, and what replacing them costs",
                    columns=[heading("Band"), heading("Leavers", "count"), heading("Cost", "money")],
                    rows=[*bands, total],
                )
            ],
        )

    def _band_matrix(self, period: Window) -> Chart:
        rows = self.rows(period, [], ["progression"], category="outcome")
        by_band: dict[str, dict[str, Row]] = defaultdict(dict)
        for row in rows:
            by_band[row["group"]["from_band"]][row["group"]["outcome"]] = row
        bands = [b for b in (*BAND_ORDER, NOT_AFC) if b in by_band]
        outcomes = list(OUTCOME_LABELS)
        table_rows, values = [], []
        for band in bands:
            cells = by_band[band]
            any_row = next(iter(cells.values()))
            label = f"Band {band}" if band != NOT_AFC else "Not on AfC"
            line: list[Any] = [label, _cell(any_row, "denominator")]
            for outcome in outcomes:
                cell = cells.get(outcome)
                line.append((_cell(cell, "numerator"), _cell(cell)))
                if cell is not None and cell.get("value") is not None:
                    values.append(
                        {"from_band": label, "outcome": OUTCOME_LABELS[outcome], "share": cell["value"]}
                    )
            table_rows.append(line)
        title = "Band at the end of the period, by band at the start"
        description = (
            "For each band at the start, the share of people in the same band, a higher or lower band, "
            "or who had left, at the end."
        )
        return Chart(
            key="band_transitions",
            title=title,
            description=description,
            spec=charts.stacked_share_chart(
                values,
                title=title,
                description=description,
                category="from_band",
                series="outcome",
                value="share",
                series_order=list(OUTCOME_LABELS.values()),
                category_order=[row[0] for row in table_rows],
            ),
            table=Table.of_values(
                caption="Band transitions: people and share of those in post at the start",
                columns=[
                    heading("Band at start"),
                    heading("In post at start", "count"),
                    *(heading(OUTCOME_LABELS[o], "count_share") for o in outcomes),
                ],
                rows=table_rows,
            ),
        )

    def _role_moves(self, period: Window) -> Table:
        rows = self.rows(period, [], ["role_transition"], category="to_role")
        moves = [r for r in rows if r["group"]["to_role"] not in (LEFT, r["group"]["from_role"])]
        moves.sort(key=lambda r: (r["numerator"] is None, -(r["numerator"] or 0), r["group"]["from_role"]))
        shown = moves[:ROLE_MOVES_SHOWN]
        note = "People in post at the start who were in a different job role at the end (the main post of each day)."
        if len(moves) > len(shown):
            note += f" The {len(shown)} largest of {len(moves)} moves between roles are shown."
        if not moves:
            note += " Nobody moved between roles in this period."
        return Table.of_values(
            caption="Moves between job roles",
            columns=[
                heading("Role at start"),
                heading("Role at end"),
                heading("People", "count"),
                heading("Share of the role at start", "percent"),
            ],
            rows=[
                [r["group"]["from_role"], r["group"]["to_role"], _cell(r, "numerator"), _cell(r)]
                for r in shown
            ],
            note=note,
        )

    def _progression_by(self, period: Window, column: str, label: str, order: list[str]) -> Chart:
        raw = self.raw(period, [column], ["progression"])
        total: dict[str, int] = defaultdict(int)
        higher: dict[str, int] = defaultdict(int)
        left: dict[str, int] = defaultdict(int)
        for row in raw:
            group = row["group"]
            key = str(group[column])
            if group["outcome"] == "same":  # every band at the start has one row per outcome
                total[key] += int(row["denominator"] or 0)
            if group["outcome"] == "higher":
                higher[key] += int(row["numerator"] or 0)
            if group["outcome"] == LEFT:
                left[key] += int(row["numerator"] or 0)
        window = period.as_json()
        combined: list[Row] = []
        for key in total:
            for measure, denominator in (
                ("progression", total[key]),
                ("progression_excluding_leavers", total[key] - left[key]),
            ):
                combined.append(
                    {
                        "measure": measure,
                        "window": window,
                        "group": {column: key, "outcome": "higher"},
                        "numerator": higher[key],
                        "denominator": denominator,
                        "value": round(higher[key] / denominator, 6) if denominator else None,
                    }
                )
        safe = self.safe(combined, column)
        by_key: dict[tuple[str, str], Row] = {(r["measure"], r["group"][column]): r for r in safe}
        keys = [k for k in order if k in total] + sorted(k for k in total if k not in order)
        table_rows, values = [], []
        for key in keys:
            everyone = by_key[("progression", key)]
            stayers = by_key[("progression_excluding_leavers", key)]
            table_rows.append(
                [
                    key,
                    _cell(everyone, "denominator"),
                    _cell(everyone, "numerator"),
                    _cell(everyone),
                    _cell(stayers, "denominator"),
                    _cell(stayers),
                ]
            )
            if everyone.get("value") is not None:
                values.append({column: key, "share": everyone["value"]})
        title = f"Moved to a higher band, by {label.lower()}"
        description = (
            "The share of people in post at the start who were in a higher band at the end, "
            f"by {label.lower()}."
        )
        return Chart(
            key=f"progression_by_{column}",
            title=title,
            description=description,
            spec=charts.bar_chart(
                values,
                title=title,
                description=description,
                category=column,
                value="share",
                value_title="Share moved to a higher band",
                value_format=".1%",
                category_title=label,
                sort=keys,
            ),
            table=Table.of_values(
                caption=f"Progression to a higher band by {label.lower()}",
                columns=[
                    heading(label),
                    heading("In post at start", "count"),
                    heading("In a higher band at end", "count"),
                    heading("Share", "percent"),
                    heading("Still in post at end", "count"),
                    heading("Share of those still in post", "percent"),
                ],
                rows=table_rows,
            ),
        )

    def _reason_groups(self, period: Window) -> Chart:
        rows = self.rows(period, [], ["leaving_reason_group_share"], category="leaving_reason_group")
        rows.sort(
            key=lambda r: (r["numerator"] is None, -(r["numerator"] or 0), r["group"]["leaving_reason_group"])
        )
        values = [
            {"reason": r["group"]["leaving_reason_group"], "share": r["value"]}
            for r in rows
            if r["value"] is not None
        ]
        title = "Reasons for leaving"
        description = "The share of leavers in the period by group of reasons for leaving."
        return Chart(
            key="leaving_reason_groups",
            title=title,
            description=description,
            spec=charts.bar_chart(
                values,
                title=title,
                description=description,
                category="reason",
                value="share",
                value_title="Share of leavers",
                value_format=".0%",
                sort=[v["reason"] for v in values],
            ),
            table=Table.of_values(
                caption="Leavers by group of reasons for leaving",
                columns=[
                    heading("Reason for leaving"),
                    heading("Leavers", "count"),
                    heading("Share of leavers", "percent"),
                ],
                rows=[[r["group"]["leaving_reason_group"], _cell(r, "numerator"), _cell(r)] for r in rows],
                note="" if rows else "Nobody left in this period.",
            ),
        )

    def _reasons(self, period: Window) -> Table:
        rows = self.rows(period, [], ["leaving_reason_share"], category="leaving_reason")
        rows.sort(
            key=lambda r: (r["numerator"] is None, -(r["numerator"] or 0), r["group"]["leaving_reason"])
        )
        shown = rows[:REASONS_SHOWN]
        note = "The ESR reason recorded on each leaver's last post."
        if len(rows) > len(shown):
            note += f" The {len(shown)} most common of {len(rows)} reasons are shown."
        return Table.of_values(
            caption="Leavers by recorded reason for leaving",
            columns=[
                heading("Reason for leaving"),
                heading("Leavers", "count"),
                heading("Share of leavers", "percent"),
            ],
            rows=[[r["group"]["leaving_reason"], _cell(r, "numerator"), _cell(r)] for r in shown],
            note=note,
        )

    # Fairness ---------------------------------------------------------------------------------------------
    def fairness(self, period: Window, codes: tuple[str, ...] | None) -> Section:
        section = Section(
            key="fairness",
            title="Fairness",
            intro=(
                "Whether people's experience differs by ethnicity, disability and sex: relative likelihoods in "
                "the style of the Workforce Race and Disability Equality Standards, and leaver rates by group. "
                "Progression by ethnic group and age is in the section above."
            ),
        )
        section.charts.append(
            fairness_likelihoods(self.con, period, codes, individual_level=self.individual_level)
        )
        for column, label, order, names in (
            ("ethnic_group", "Ethnic group", list(ETHNIC_GROUPS), {}),
            ("disability", "Disability", list(DISABILITY_LABELS), DISABILITY_LABELS),
            ("sex", "Sex", list(SEX_LABELS), SEX_LABELS),
        ):
            section.charts.append(self._leavers_by(period, column, label, order, names))
        return section

    def _leavers_by(
        self, period: Window, column: str, label: str, order: list[str], names: dict[str, str]
    ) -> Chart:
        rows = self.rows(period, [column], ["leaver_rate"], category=column)
        by_key = {str(r["group"][column]): r for r in rows}
        keys = [k for k in order if k in by_key] + sorted(k for k in by_key if k not in order)
        table_rows, values = [], []
        for key in keys:
            row = by_key[key]
            name = names.get(key, key if key != "None" else NOT_KNOWN)
            table_rows.append([name, _cell(row, "numerator"), _cell(row, "denominator"), _cell(row)])
            if row.get("value") is not None:
                values.append({column: name, "rate": row["value"]})
        title = f"Leaver rate by {label.lower()}"
        description = f"Leavers ÷ mean headcount over the period, by {label.lower()}."
        return Chart(
            key=f"leaver_rate_by_{column}",
            title=title,
            description=description,
            spec=charts.bar_chart(
                values,
                title=title,
                description=description,
                category=column,
                value="rate",
                value_title="Leaver rate",
                value_format=".1%",
                category_title=label,
                sort=[row[0] for row in table_rows],
            ),
            table=Table.of_values(
                caption=f"Leaver rate by {label.lower()}",
                columns=[
                    heading(label),
                    heading("Leavers", "count"),
                    heading("Mean headcount", "fte"),
                    heading("Leaver rate", "percent"),
                ],
                rows=table_rows,
            ),
        )


def _index(row: Row | None, base: float | None) -> float | str | None:
    if row is None:
        return None
    if row.get("suppressed") and row.get("value") is None:
        return SUPPRESSED
    if base is None or row.get("value") is None:
        return None
    return 100.0 * float(row["value"]) / base


def _default_title(codes: tuple[str, ...] | None) -> str:
    if codes is None:
        return "Workforce report: every organisation in the extract"
    if len(codes) == 1:
        return f"Workforce report: {codes[0]}"
    return f"Workforce report: {len(codes)} organisations ({', '.join(codes)})"
