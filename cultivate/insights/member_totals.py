"""Competence and mandatory training across an alliance's member trusts: totals per trust, never a person.

For an alliance admin, each member trust's share of required competences met (the portfolio's one meaning of
"met": held at the level the requirement needs, `portfolio.status.is_met`, ADR 0036) and its statutory and
mandatory training compliance (the share of required subjects in date, `learning.compliance`), with a row for
all members together. Figures are read from the relational records on the day, in a fixed number of queries per
trust (the batch reads of both apps), and only the totals leave this module.

Small numbers are hidden as on the dashboards: a trust counting fewer than 5 people shows none of its figures
(`[c]` for the people, `[s]` for the figures over them), and a count of 1–4 items met or not met is hidden with
its share (`[c]`). Then secondary suppression (`dashboards.disclosure`, ADR 0030) hides complementary cells, so
no hidden figure can be worked out from the members' total less the trusts shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cultivate.core.formatting import uk_date
from cultivate.learning import compliance
from cultivate.learning import selectors as learning_selectors
from cultivate.organisations.models import Organisation
from cultivate.portfolio import status

from . import charts
from .dashboards import THRESHOLD, disclosure
from .dashboards.names import organisation_label
from .tables import SMALL, SUPPRESSED, Column, Table

PAGE = "member_totals"
ALL_MEMBERS = "All member trusts"


@dataclass(frozen=True)
class MemberTotals:
    """One trust's totals on a day."""

    organisation: Organisation
    competence_people: int = 0  # people in post whose role requires at least one competence
    competences_required: int = 0  # required competences, counted once per person
    competences_met: int = 0
    training_people: int = 0  # people in post with at least one required training subject
    training_required: int = 0
    training_in_date: int = 0


def totals_for(organisation: Organisation, on: dt.date) -> MemberTotals:
    """A trust's totals: the portfolio's and learning's batch reads over its people in post (a fixed number of
    queries whatever its size)."""
    person_ids = learning_selectors.people_in_organisation(organisation, on)
    requirements = status.requirements_for(person_ids, on=on)
    competences = {r.competence.pk: r.competence for found in requirements.values() for r in found}
    states = status.statuses(person_ids, list(competences.values()), on=on)
    people = required = met = 0
    for person_id, found in requirements.items():
        if not found:
            continue
        people += 1
        for requirement in found:
            required += 1
            met += status.is_met(states[(person_id, requirement.competence.pk)], requirement)
    figures = compliance.compliance_figures(compliance.mandatory_status_for_people(person_ids, on), on=on)
    return MemberTotals(
        organisation,
        competence_people=people,
        competences_required=required,
        competences_met=met,
        training_people=figures.people,
        training_required=figures.required,
        training_in_date=figures.compliant,
    )


def member_totals(organisations: list[Organisation], on: dt.date | None = None) -> list[MemberTotals]:
    on = on or timezone.localdate()
    return [totals_for(organisation, on) for organisation in organisations]


# Tables ---------------------------------------------------------------------------------------------------------

# (table key, title, what each person is counted for, the share's heading, MemberTotals fields)
_TABLES = (
    (
        "competences",
        "Required competences met",
        "People with required competences",
        "Required competences met",
        ("competence_people", "competences_required", "competences_met"),
    ),
    (
        "training",
        "Mandatory training compliance",
        "People with mandatory training",
        "Mandatory training in date",
        ("training_people", "training_required", "training_in_date"),
    ),
)


def _row(label: str, people: int, required: int, met: int, *, suppress: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "organisation": label,
        "people": people,
        "share": met / required if required else None,
        "share_num": met,
        "share_den": required,
    }
    if not suppress:
        return row
    hidden: set[str] = set()
    if 0 < people < THRESHOLD:
        hidden |= {"people", "share", "share_num", "share_den"}
        row["_small"] = {"share"}
    elif 0 < met < THRESHOLD or 0 < required - met < THRESHOLD:
        hidden |= {"share", "share_num"}
    for key in hidden:
        row[key] = None
    if hidden:
        row["_suppressed"] = hidden
    return row


def _redraw(title: str, value_title: str) -> Any:
    def redraw(rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
        members = [r for r in rows if r["organisation"] != ALL_MEMBERS]
        chart = charts.bar(
            members,
            category="organisation",
            value="share",
            title=title,
            category_title="Member trust",
            value_title=value_title,
            percent=True,
            sort=False,
        )
        return chart, charts.describe_bars(
            members, "organisation", "share", value_title.lower(), percent=True
        )

    return redraw


def tables(totals: list[MemberTotals], *, suppress: bool = True) -> list[Table]:
    """The page's two tables (competences, training), one row per trust and one for all members, with small
    numbers hidden and then complementary cells, so that no hidden figure can be recovered (ADR 0030)."""
    built: list[Table] = []
    for key, title, people_heading, share_heading, (people_f, required_f, met_f) in _TABLES:
        rows = [
            _row(
                organisation_label(t.organisation.name, t.organisation.ods_code),
                getattr(t, people_f),
                getattr(t, required_f),
                getattr(t, met_f),
                suppress=suppress,
            )
            for t in totals
        ]
        rows.append(
            _row(
                ALL_MEMBERS,
                sum(getattr(t, people_f) for t in totals),
                sum(getattr(t, required_f) for t in totals),
                sum(getattr(t, met_f) for t in totals),
                suppress=suppress,
            )
        )
        table = Table(
            key=key,
            title=title,
            caption=f"{title}, by member trust",
            columns=[
                Column("organisation", "Member trust"),
                Column("people", people_heading, "count"),
                Column("share_den", "Required" if key == "training" else "Competences required", "count"),
                Column("share_num", "In date" if key == "training" else "Met", "count"),
                Column("share", share_heading, "percent"),
            ],
            rows=rows,
            redraw=_redraw(title, share_heading),
        )
        table.chart, table.chart_alt = table.redraw(rows) if table.redraw else (None, "")
        built.append(table)
    if suppress:
        disclosure.protect(PAGE, built, "organisation_code")
    return built


def about_lines(table: Table, alliance_name: str, on: dt.date) -> list[tuple[str, str]]:
    """The "About" sheet of a download: what the table holds, for whom, on which day, and what is hidden."""
    return [
        ("Table", table.title),
        ("Scope", f"The member trusts of {alliance_name}"),
        ("On", uk_date(on)),
        (
            "Counted",
            "People in post on the day. A required competence is met when it is signed off at the level the "
            "role needs and in date; mandatory training is in date until its renewal falls due.",
        ),
        (
            "Small numbers",
            f"{SUPPRESSED}: fewer than 5 people or items, hidden; {SMALL}: the trust counts fewer than 5 people. "
            "Other figures are hidden too where they would give a hidden one away.",
        ),
    ]
