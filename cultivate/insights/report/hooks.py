"""Parts of the report drawn from other parts of Cultivate.

- `programme_outcomes`: the development programmes whose cohorts ran in the period with people of the
  organisations, from the store's `programme_participation` (written by the snapshot of the service's records):
  participants, attendance, completion and retention 6 and 12 months after starting against matched
  non-participants (`cultivate.programmes.outcome_stats.matched_retention`, the Kaplan–Meier code of
  `cultivate.insights.analyses`). None when there is none, and the report leaves the section out. It reads only
  what the connection holds, so the command line keeps working without the service's database; survey answers
  never reach the store, so their figures are on the programmes app's own outcomes report.
- `retention_curves`, `fairness_likelihoods`: Kaplan–Meier retention and relative likelihoods from
  `cultivate.insights.analyses`, drawn with the shared chart builders in `cultivate.insights.charts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb

from cultivate.insights.measures import Window

if TYPE_CHECKING:
    from .model import Chart, Section


def programme_outcomes(
    con: duckdb.DuckDBPyConnection, period: Window, organisation_codes: tuple[str, ...] | None
) -> Section | None:
    """The programme outcomes section, or None when no cohort with people in scope ran in the period. A figure
    resting on fewer than 5 people is hidden, whoever reads the report: programme groups are small."""
    from cultivate.programmes import outcome_charts, outcome_stats

    from .model import SUPPRESSED, Chart, Section, Table, heading

    rows = con.execute(
        """
        SELECT programme_id, any_value(programme) AS programme, count(DISTINCT cohort_id) AS cohorts,
               count(*) AS people, sum(attended) AS attended, sum(sessions) AS sessions,
               count(*) FILTER (WHERE completed) AS completed,
               list(person_id) AS people_ids, list(started_on) AS starts
        FROM programme_participation
        WHERE started_on <= $end AND (ended_on IS NULL OR ended_on > $start)
        GROUP BY programme_id ORDER BY programme, programme_id
        """,
        {"start": period.start, "end": period.end},
    ).fetchall()
    if not rows:
        return None

    def share(part: int | None, whole: int | None, people: int) -> Any:
        if outcome_stats.suppressed(people):
            return SUPPRESSED
        return (part or 0) / whole if whole else None

    table_rows: list[list[Any]] = []
    points: list[outcome_stats.RetentionPoint] = []
    for _, title, cohorts, people, attended, sessions, completed, ids, starts in rows:
        index = {str(p): d for p, d in zip(ids, starts, strict=True) if d is not None}
        found = outcome_stats.matched_retention(con, index, organisation_codes=organisation_codes)
        if len(rows) == 1:
            points = found
        by = {(p.months, p.group): p for p in found}
        retention = []
        for months in outcome_stats.RETENTION_MONTHS:
            for group in (outcome_stats.PARTICIPANT, outcome_stats.COMPARISON):
                point = by.get((months, group))
                retention.append(
                    SUPPRESSED
                    if point is not None and point.suppressed
                    else (point.still_in_post if point else None)
                )
        table_rows.append(
            [
                title,
                cohorts,
                SUPPRESSED if outcome_stats.suppressed(people) else people,
                share(attended, sessions, people),
                share(completed, people, people),
                *retention,
            ]
        )
    charts = []
    if points:
        spec = outcome_charts.retention_chart(points)
        spec["width"] = 560  # a server-side drawing needs a width
        charts.append(
            Chart(
                key="programme_retention",
                title="Still in post after the programme",
                description=spec["description"],
                spec=spec,
                table=Table.of_values(
                    caption="Still in post after starting the programme",
                    columns=[
                        heading("After (months)", "count"),
                        heading("Group"),
                        heading("Still in post", "percent"),
                        heading("95% interval, low", "percent"),
                        heading("95% interval, high", "percent"),
                        heading("People under observation", "count"),
                    ],
                    rows=[
                        [
                            p.months,
                            outcome_charts.GROUP_LABELS.get(p.group, p.group),
                            *_retention_cells(p, SUPPRESSED),
                        ]
                        for p in points
                    ],
                ),
            )
        )
    return Section(
        key="programmes",
        title="Development programmes",
        intro=(
            "Programmes whose cohorts ran during the period with staff of these organisations: attendance, "
            "completion, and how many were still in post 6 and 12 months after starting, against staff of the "
            "same organisation, pay band and length of service who did not take part."
        ),
        charts=charts,
        tables=[
            Table.of_values(
                caption="Programme outcomes",
                columns=[
                    heading("Programme"),
                    heading("Cohorts", "count"),
                    heading("Participants", "count"),
                    heading("Attendance", "percent"),
                    heading("Completion", "percent"),
                    heading("In post after 6 months: participants", "percent"),
                    heading("In post after 6 months: matched non-participants", "percent"),
                    heading("In post after 12 months: participants", "percent"),
                    heading("In post after 12 months: matched non-participants", "percent"),
                ],
                rows=table_rows,
                note=(
                    "Attendance is sessions attended over sessions held. Retention is a Kaplan–Meier estimate "
                    "from each participant's start; matched non-participants were in post on a participant's "
                    "start day in the same organisation, pay band and length of service band (under a year, "
                    "one to three years, three years or more). [c]: fewer than 5 people, hidden."
                ),
            )
        ],
        notes=[
            "Self-assessment and feedback results are on the programme's own outcomes report in Cultivate: "
            "survey answers are not copied into the analytics store."
        ],
    )


def _retention_cells(point: Any, suppressed: str) -> list[Any]:
    if point.suppressed:
        return [suppressed] * 4
    return [point.still_in_post, point.ci_low, point.ci_high, point.at_risk]


CURVE_STEP_MONTHS = 3
CURVE_HORIZON_MONTHS = 60


def retention_curves(
    con: duckdb.DuckDBPyConnection,
    period: Window,
    organisation_codes: tuple[str, ...] | None,
    *,
    individual_level: bool,
) -> Chart:
    """Kaplan–Meier retention in post by months of tenure, observed over the period (people already in post
    enter at their tenure then). For a board audience a point resting on
    fewer than 5 people under observation is hidden."""
    from cultivate.insights import analyses as module
    from cultivate.insights import charts as shared_charts

    from .model import SUPPRESSED, SUPPRESSION_THRESHOLD, Chart, Table, heading

    result = module.retention_curve(
        con,
        start=period.start,
        end=period.end,
        organisation_codes=list(organisation_codes) if organisation_codes else None,
        step=CURVE_STEP_MONTHS,
        horizon=CURVE_HORIZON_MONTHS,
    )
    curve = result["curves"][0] if result["curves"] else None
    rows: list[list[Any]] = []
    values: list[dict[str, Any]] = []
    for point in curve["points"] if curve else []:
        hidden = not individual_level and 0 < point["at_risk"] < SUPPRESSION_THRESHOLD
        shown = (
            [SUPPRESSED] * 4
            if hidden
            else [point["survival"], point["ci_low"], point["ci_high"], point["at_risk"]]
        )
        rows.append([point["time"], *shown])
        if not hidden and point["survival"] is not None:
            values.append({**point, "group": "Everyone"})
    title = "Retention in post by months since joining"
    spec = shared_charts.survival(values, title=title)
    spec["width"] = 560  # the shared spec fills its container; a server-side drawing needs a width
    spec.pop("autosize", None)
    median = curve.get("median") if curve else None
    note = (
        "Kaplan–Meier estimate of the share still in post at each tenure, from people's employment observed "
        "during the period; people already in post at its start count from their tenure then."
    )
    if median is not None and not (
        curve and 0 < curve["people"] < SUPPRESSION_THRESHOLD and not individual_level
    ):
        note += f" Half of those who join are still in post after about {median:.0f} months."
    return Chart(
        key="retention_curve",
        title=title,
        description="The share of people still in post by months since they joined, with a 95% interval.",
        spec=spec,
        table=Table.of_values(
            caption="Share still in post by months since joining",
            columns=[
                heading("Months since joining", "count"),  # whole months: 3, 6, 9…
                heading("Still in post", "percent"),
                heading("95% interval, low", "percent"),
                heading("95% interval, high", "percent"),
                heading("People under observation", "count"),
            ],
            rows=rows,
            note=note,
        ),
    )


def fairness_likelihoods(
    con: duckdb.DuckDBPyConnection,
    period: Window,
    organisation_codes: tuple[str, ...] | None,
    *,
    individual_level: bool,
) -> Chart:
    """WRES/WDES-style relative likelihoods with 95% intervals, the 0.80–1.25 band of no adverse impact marked
    in the chart and read out in the table. For a board audience an
    indicator resting on a count from 1 to 4 is hidden."""
    from cultivate.insights import analyses as module
    from cultivate.insights import charts as shared_charts

    from .model import SUPPRESSED, SUPPRESSION_THRESHOLD, Chart, Table, heading

    low, high = module.BAND
    results = module.relative_likelihoods(
        con, period, organisation_codes=list(organisation_codes) if organisation_codes else None
    )
    rows: list[list[Any]] = []
    shown: list[dict[str, Any]] = []
    for result in results:
        counts = [n for g in result["groups"] for n in (g["numerator"], g["denominator"])]
        hidden = not individual_level and any(0 < n < SUPPRESSION_THRESHOLD for n in counts)
        first, second = result["groups"]
        label = f"{result['source']}: {result['outcome']}"
        comparison = f"{first['name']} ÷ {second['name']}"
        if hidden:
            rows.append(
                [label, comparison, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED]
            )
            continue
        reading = _reading(result, low, high)
        rows.append(
            [
                label,
                comparison,
                first["rate"],
                second["rate"],
                result["value"],
                result["ci_low"],
                result["ci_high"],
                reading,
            ]
        )
        if result["value"] is not None:
            shown.append({**result, "indicator": f"{result['source']} ({first['name']} ÷ {second['name']})"})
    spec = shared_charts.likelihoods(shown, band=(low, high))
    spec["width"] = 560
    spec.pop("autosize", None)
    return Chart(
        key="relative_likelihoods",
        title="Relative likelihoods",
        description=(
            f"Each relative likelihood with its 95% interval; the shaded band from {low:.2f} to {high:.2f} is "
            "read as no adverse impact."
        ),
        spec=spec,
        table=Table.of_values(
            caption=f"Relative likelihoods (within {low:.2f} to {high:.2f}: no adverse impact)",
            columns=[
                heading("Indicator"),
                heading("Groups compared"),
                heading("Rate, first group", "percent"),
                heading("Rate, second group", "percent"),
                heading("Relative likelihood", "ratio"),
                heading("95% interval, low", "ratio"),
                heading("95% interval, high", "ratio"),
                heading("Reading"),
            ],
            rows=rows,
            note=(
                "A relative likelihood divides the first group's rate by the second's. Ethnicity compares White "
                "with Black and minority ethnic staff (ethnicity not known is left out); disability compares "
                "non-disabled with disabled staff (not declared is left out)."
            ),
        ),
    )


def _reading(result: dict[str, Any], low: float, high: float) -> str:
    value = result["value"]
    if value is None:
        return "no figure: a group has nobody in it"
    if result.get("within_band"):
        return f"within {low:.2f}–{high:.2f}: no adverse impact"
    side = "above" if value > high else "below"
    if result.get("adverse"):
        return f"{side} the band: adverse to {result['adverse_for']}"
    return f"{side} the band: favours {result['adverse_for']}"
