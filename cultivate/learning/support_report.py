"""An organisation's support at work in figures: the request, approval and follow-up rates for flexible working
and post-incident support, by band, ethnic group and disability. Aggregates only, read by analysts and HR.

For the people in post on the day (each in one group: the band of their latest post, the ethnic group of their
staff record, their declared disability), over the 12 months to that day:

- request rate: people who asked for flexible working, of the people in post;
- approval rate: requests approved (as asked or with changes), of the requests decided;
- follow-up rate: post-incident follow-ups done, of those due by the day.

Small numbers are hidden as in the workforce dashboards: primary suppression of counts of 1–4 people (and a
count that is 1–4 short of its denominator), `[s]` for a rate over fewer than 5, then complementary
(secondary) suppression (`insights.dashboards.disclosure`, ADR 0030) with this page's identities: the groups of
each breakdown add up to the "All people" row, so no hidden count can be worked out by subtraction."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cultivate.insights.charts import CONFIG, PALETTE, SCHEMA
from cultivate.insights.dashboards import disclosure
from cultivate.insights.tables import SUPPRESSED, Column, Table, cell
from cultivate.organisations.models import AfcBand, Disability, EmploymentSpell, Organisation, Person
from cultivate.organisations.reference import ethnic_categories
from cultivate.portfolio.services import add_months

from .support_models import APPROVALS, DECIDED, FlexibleWorkingRequest, IncidentSupport

THRESHOLD = 5
ALL = "All people"
BREAKDOWNS = (("band", "Band"), ("ethnic_group", "Ethnic group"), ("disability", "Disability"))
# (key, what the rate is, numerator heading, denominator heading)
RATES = (
    ("requested", "Request rate", "Asked for flexible working", "People in post"),
    ("approved", "Approval rate", "Approved", "Requests decided"),
    ("followed_up", "Follow-up rate", "Follow-ups done", "Follow-ups due"),
)
COLUMNS = [
    Column("group", "Group"),
    *[
        column
        for key, rate, numerator, denominator in RATES
        for column in (
            Column(f"{key}_den", denominator, "count"),
            Column(f"{key}_num", numerator, "count"),
            Column(key, rate, "percent"),
        )
    ],
]
COUNT_KEYS = [c.key for c in COLUMNS if c.kind == "count"]


@dataclass
class SupportFigures:
    organisation: Organisation
    on: dt.date
    since: dt.date
    tables: list[Table]


def _groups(organisation: Organisation, on: dt.date) -> dict[int, dict[str, str]]:
    """Each person in post on `on`: their band (latest post), ethnic group and disability, as labels."""
    bands = dict(AfcBand.choices)
    disabilities = dict(Disability.choices)
    ethnic = ethnic_categories()
    people: dict[int, dict[str, str]] = {}
    for person_id, band in (
        EmploymentSpell.objects.active_on(on)
        .filter(person__organisation=organisation)
        .order_by("person_id", "-start_date", "-pk")
        .values_list("person_id", "afc_band")
    ):
        if person_id not in people:
            people[person_id] = {"band": str(bands.get(band, band or "Not recorded"))}
    for person_id, category, disability in Person.objects.filter(pk__in=list(people)).values_list(
        "pk", "ethnic_category", "disability"
    ):
        people[person_id]["ethnic_group"] = ethnic.get(category, ("", "Not known"))[1] or "Not known"
        people[person_id]["disability"] = str(disabilities.get(disability, "Not declared"))
    return people


def _band_order(label: str) -> tuple[int, str]:
    order = [str(label) for _, label in AfcBand.choices]
    return (order.index(label) if label in order else len(order), label)


def figures(organisation: Organisation, on: dt.date | None = None) -> SupportFigures:
    """The three breakdowns as suppressed tables (four queries)."""
    on = on or timezone.localdate()
    since = add_months(on, -12)
    people = _groups(organisation, on)
    asked: set[int] = set()
    decided: list[tuple[int, bool]] = []
    for person_id, decision in FlexibleWorkingRequest.objects.filter(
        person__organisation=organisation, made_on__gt=since, made_on__lte=on
    ).values_list("person_id", "decision"):
        asked.add(person_id)
        if decision in DECIDED:
            decided.append((person_id, decision in APPROVALS))
    follow_ups = list(
        IncidentSupport.objects.filter(
            person__organisation=organisation, incident_on__gt=since, follow_up_on__lte=on
        ).values_list("person_id", "follow_up_done_on")
    )
    tables = []
    for breakdown, heading in BREAKDOWNS:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_KEYS, 0))
        for person_id, groups in people.items():
            counts[groups[breakdown]]["requested_den"] += 1
            counts[groups[breakdown]]["requested_num"] += person_id in asked
        for person_id, approved in decided:
            if person_id in people:
                counts[people[person_id][breakdown]]["approved_den"] += 1
                counts[people[person_id][breakdown]]["approved_num"] += approved
        for person_id, done_on in follow_ups:
            if person_id in people:
                counts[people[person_id][breakdown]]["followed_up_den"] += 1
                counts[people[person_id][breakdown]]["followed_up_num"] += done_on is not None
        order = sorted(counts, key=_band_order) if breakdown == "band" else sorted(counts)
        total = {key: sum(counts[g][key] for g in order) for key in COUNT_KEYS}
        rows = [_row(group, counts[group]) for group in order] + [_row(ALL, total)]
        table = Table(
            key=breakdown,
            title=f"By {heading.lower()}",
            caption=f"Flexible working and post-incident support by {heading.lower()}",
            columns=[Column("group", heading), *COLUMNS[1:]],
            rows=rows,
        )
        _primary(table)
        disclosure.protect("support", [table], breakdown, own=_adds_up)
        tables.append(table)
    return SupportFigures(organisation=organisation, on=on, since=since, tables=tables)


def _row(group: str, counts: dict[str, int]) -> dict[str, Any]:
    row: dict[str, Any] = {"group": group, **counts}
    for key, *_ in RATES:
        den = counts[f"{key}_den"]
        row[key] = counts[f"{key}_num"] / den if den else None
    return row


def _hide(row: dict[str, Any], key: str, *, small: bool = False) -> None:
    row[key] = None
    row.setdefault("_suppressed", set()).add(key)
    if small:
        row.setdefault("_small", set()).add(key.removesuffix("_num").removesuffix("_den"))


def _primary(table: Table) -> None:
    """Counts of 1–4 hidden; a rate over fewer than 5 hidden with its parts ([s]); a numerator 1–4 short of its
    denominator hidden with its rate (it gives the small remainder away)."""
    for row in table.rows:
        for key, *_ in RATES:
            num, den = row[f"{key}_num"], row[f"{key}_den"]
            if 0 < den < THRESHOLD:
                for part in (key, f"{key}_num", f"{key}_den"):
                    _hide(row, part, small=True)
            elif 0 < num < THRESHOLD or 0 < den - num < THRESHOLD:
                _hide(row, f"{key}_num")
                _hide(row, key)


def _adds_up(tables: dict[str, Table], breakdown: str) -> list[disclosure.Relation]:
    """Each count column: the groups' cells less the "All people" cell is 0 (every person is in one group)."""
    relations: list[disclosure.Relation] = []
    for key, table in tables.items():
        last = len(table.rows) - 1
        for column in COUNT_KEYS:
            relation = tuple(
                (disclosure.Ref(key, i, column), 1.0 if i < last else -1.0) for i in range(last + 1)
            )
            relations.append(relation)
    return relations


def chart(table: Table) -> dict[str, Any]:
    """The three rates as grouped bars per group (hidden figures left out; the table says why)."""
    labels = {key: rate for key, rate, *_ in RATES}
    values = [
        {"group": row["group"], "measure": labels[key], "value": row[key]}
        for row in table.rows
        for key in labels
        if row.get(key) is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": table.caption,
        "description": (
            f"Bar chart: the request, approval and follow-up rates {table.title.lower()}. The table below gives "
            "each figure, and says which are hidden."
        ),
        "width": "container",
        "height": {"step": 12},
        "data": {"values": values},
        "config": CONFIG,
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"labelLimit": 160},
            },
            "yOffset": {"field": "measure", "type": "nominal", "sort": list(labels.values())},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": "Rate",
                "axis": {"format": ".0%"},
                "scale": {"domain": [0, 1]},
            },
            "color": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "scale": {"domain": list(labels.values()), "range": PALETTE[:3]},
                "legend": {"orient": "bottom", "columns": 1},
            },
            "tooltip": [
                {"field": "group", "type": "nominal", "title": "Group"},
                {"field": "measure", "type": "nominal", "title": "Measure"},
                {"field": "value", "type": "quantitative", "title": "Rate", "format": ".1%"},
            ],
        },
    }


def display(table: Table) -> list[list[dict[str, Any]]]:
    """The table's cells for the page: text, whether numeric, whether hidden."""
    rows = []
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = cell(row, column)
            hidden = isinstance(value, str) and value.startswith("[") and column.kind != "label"
            if hidden or column.kind == "label":
                text = str(value)
            elif value is None:
                text = "–"
            elif column.kind == "percent":
                text = f"{value:.0%}"
            else:
                text = f"{value:,}"
            cells.append({"text": text, "numeric": column.kind != "label", "hidden": hidden})
        rows.append(cells)
    return rows


def _about(report: SupportFigures) -> list[list[str]]:
    return [
        ["Support at work in figures", report.organisation.name],
        [
            f"People in post on {report.on.isoformat()}; requests and incidents after {report.since.isoformat()}."
        ],
        [f"{SUPPRESSED}: fewer than {THRESHOLD} people, or a figure that would give one away, hidden."],
        ["[s]: a rate over fewer than 5, hidden with its parts."],
        ["Rates are fractions (0.25 is 25%)."],
    ]


def csv_file(report: SupportFigures) -> bytes:
    from cultivate.core import exports

    rows: list[list[Any]] = [[table.title, *values] for table in report.tables for values in table.values()]
    header = ["Breakdown", "Group", *[c.heading for c in COLUMNS[1:]]]
    return exports.csv_bytes(header, [*rows, [], *_about(report)])


def xlsx_file(report: SupportFigures) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cultivate.core import exports

    book = Workbook(write_only=True)
    for table in report.tables:
        sheet = book.create_sheet(table.title)
        sheet.append(exports.xlsx_row(sheet, [c.heading for c in table.columns], font=Font(bold=True)))
        for values in table.values():
            sheet.append(exports.xlsx_row(sheet, values))
    about = book.create_sheet("About")
    for line in _about(report):
        about.append(exports.xlsx_row(about, line))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
