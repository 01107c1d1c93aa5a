"""The board report's investment in development: what the period's completed training cost, and how many hours it
took, per head of each staff group in post at the period's end, beside each group's share of the workforce.
Health Education England's Talent for Care found staff on bands 1–4 were 40% of the NHS workforce, gave 60% of
its care and had under 5% of its training budget; this puts the same three figures side by side for a trust.

It reads the store's `training` table, whoever wrote it: an extract's training.csv or the snapshot of the
service's own completions (the learning app). Bank spells are left out, as the measures leave them out; a person
holding several posts counts once, in their highest band. A group of fewer than 5 people is hidden with all its
figures, and then so is the next smallest group's, because the headcount elsewhere in the report would give the
hidden one away by subtraction; its shares of the workforce and of spend are hidden for the same reason."""

from __future__ import annotations

from typing import Any

import duckdb

from cultivate.insights import charts
from cultivate.insights.measures import Window
from cultivate.insights.measures.frame import band_rank_sql

from .model import SUPPRESSED, SUPPRESSION_THRESHOLD, Chart, Section, Table, heading

GROUPS = (
    ("support", "Bands 1 to 4 (clinical support and other support staff)"),
    ("registered", "Band 5 and above"),
    ("other", "Other pay scales (medical and dental, not on Agenda for Change)"),
)

_SQL = f"""
WITH posts AS (
    SELECT person_id, max({band_rank_sql("afc_band")}) AS rank
    FROM assignments
    WHERE coalesce(lower(trim(contract_type)), '') <> 'bank'
      AND start_date <= $end AND (end_date IS NULL OR end_date >= $end)
    GROUP BY person_id
), learnt AS (
    SELECT person_id, count(*) AS completions, sum(coalesce(hours, 0)) AS hours,
           sum(coalesce(cost_gbp, 0)) AS cost
    FROM training
    WHERE completed_on >= $start AND completed_on <= $end
    GROUP BY person_id
)
SELECT CASE WHEN p.rank BETWEEN 1 AND 4 THEN 'support' WHEN p.rank >= 5 THEN 'registered' ELSE 'other' END,
       count(*), count(l.person_id), coalesce(sum(l.completions), 0), coalesce(sum(l.hours), 0),
       coalesce(sum(l.cost), 0)
FROM posts p LEFT JOIN learnt l USING (person_id)
GROUP BY 1
"""  # noqa: S608 (the band ranks are our own constants; the dates are bound)


def development_investment(con: duckdb.DuckDBPyConnection, period: Window) -> Section | None:
    """The section, or None when no training was recorded in the period for anyone in post at its end."""
    found = {
        group: (people, learners, completions, float(hours), float(cost))
        for group, people, learners, completions, hours, cost in con.execute(
            _SQL, {"start": period.start, "end": period.end}
        ).fetchall()
    }
    if not any(row[2] for row in found.values()):
        return None
    hidden = {g for g, row in found.items() if row[0] < SUPPRESSION_THRESHOLD}
    if len(hidden) == 1 and len(found) > 1:
        # The headcount is on the report: one hidden group would be the headcount less the others.
        hidden.add(min((g for g in found if g not in hidden), key=lambda g: found[g][0]))
    total_people = sum(row[0] for row in found.values())
    total_cost = sum(row[4] for row in found.values())
    rows: list[list[Any]] = []
    chart_rows: list[dict[str, Any]] = []
    for key, label in GROUPS:
        if key not in found:
            continue
        people, learners, _completions, hours, cost = found[key]
        if key in hidden:
            rows.append([label, *[SUPPRESSED] * 7])
            continue
        shares: list[Any] = (
            [SUPPRESSED, SUPPRESSED]
            if hidden
            else [people / total_people, cost / total_cost if total_cost else None]
        )
        if not learners:
            # No completion recorded for anyone in the group: often a service that records only support staff's
            # training. Unknown, not nothing.
            rows.append([label, people, shares[0], None, None, None, None, None])
            continue
        per_head = cost / people
        rows.append([label, people, shares[0], learners / people, hours / people, cost, shares[1], per_head])
        chart_rows.append({"group": label, "per_head": per_head})
    table = Table.of_values(
        caption="Training completed in the period, by staff group at the period's end",
        columns=[
            heading("Staff group"),
            heading("People in post", "count"),
            heading("Share of the workforce", "percent"),
            heading("Completed any training", "percent"),
            heading("Hours per head", "number"),
            heading("Spend", "money"),
            heading("Share of spend", "percent"),
            heading("Spend per head", "money"),
        ],
        rows=rows,
        note=(
            "Spend is the recorded cost of each completion (a course's price per place); the time staff spent "
            "learning, and backfilling it, is not included. A group with no training recorded in the period is "
            "left blank: unknown, not nothing. [c]: a group of fewer than 5 people, hidden with the next "
            "smallest group."
        ),
    )
    spec = charts.bar(
        chart_rows,
        category="group",
        value="per_head",
        title="Spend on training per head",
        category_title="Staff group",
        value_title="Spend per head (£)",
        sort=False,
    )
    spec["width"] = 560  # a server-side drawing needs a width
    return Section(
        key="investment",
        title="Investment in development",
        intro=(
            "What the training completed during the period cost, and the hours it took, per head of each staff "
            "group in post at the end of the period. Nationally, staff on bands 1 to 4 are about 40% of the NHS "
            "workforce and give most hands-on care, but have had under 5% of its training budget (Health "
            "Education England, Talent for Care)."
        ),
        charts=[
            Chart(
                key="investment_per_head",
                title="Spend on training per head",
                description=spec["description"],
                spec=spec,
                table=table,
            )
        ]
        if chart_rows
        else [],
        tables=[] if chart_rows else [table],
    )
