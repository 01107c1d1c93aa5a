"""The fairness dashboard: WRES/WDES-style relative likelihoods."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .. import charts
from ..analyses import INDICATORS, relative_likelihoods
from ..analyses.fairness import BAND
from ..measures import Window
from ..scoping import Scope
from .cells import group_label
from .tables import THRESHOLD, Column, Table
from .windows import window_label

FAIRNESS_INDICATORS = {
    "appointment_from_shortlisting_ethnicity": "Appointment from shortlisting, by ethnicity (WRES indicator 2)",
    "appointment_from_shortlisting_disability": "Appointment from shortlisting, by disability (WDES metric 2)",
    "progression_ethnicity": "Moving to a higher band, by ethnicity",
    "non_mandatory_training_ethnicity": "Non-mandatory training, by ethnicity (WRES indicator 4)",
    "formal_process_ethnicity": "Entering a formal disciplinary or capability process, by ethnicity (WRES 3)",
    "formal_process_disability": "Entering a formal disciplinary or capability process, by disability (WDES 3)",
}
APPOINTMENT_INDICATORS = (
    "appointment_from_shortlisting_ethnicity",
    "appointment_from_shortlisting_disability",
)


def fair_reading(result: dict[str, Any], hidden: bool) -> str:
    # An empty comparison says why (a zero names nobody and is shown to every reader): a group nobody is
    # recorded in, or an outcome nobody in the comparison group had, gives no ratio at all, which "too few
    # people to read" would misread as a small group.
    first, second = result["groups"]
    empty = [g["name"] for g in (first, second) if not g["denominator"]]
    if empty:
        return f"No comparison: nobody is recorded in the {' or '.join(empty)} group"
    if not first["numerator"] and not second["numerator"]:
        return "No comparison: neither group had this outcome"
    if not second["numerator"]:
        return f"No comparison: nobody in the {second['name']} group had this outcome"
    if hidden or result["small_count"]:
        return "Too few people to read"
    if result["value"] is None:
        return "No figure"
    if result["within_band"]:
        return "No adverse impact (within 0.80–1.25)"
    if result["adverse"]:
        return f"Adverse to {result['adverse_for']}"
    return f"Outside 0.80–1.25, favouring {result['adverse_for']}"


def likelihood_cells(result: dict[str, Any], *, individual_level: bool) -> dict[str, Any]:
    """The cells of one relative likelihood (`analyses.fairness` result) as a reader may see them: without
    individual-level access a group of 1 to 4 people, or an outcome count (or its complement) of 1 to 4, is
    hidden, and so are the ratio and interval that rest on it (`_suppressed` names what was hidden)."""
    cells: dict[str, Any] = {}
    hidden = False
    for side, group in zip(("a", "b"), result["groups"], strict=True):
        cells[f"{side}_name"] = group["name"]
        num, den, rate = group["numerator"], group["denominator"], group["rate"]
        if not individual_level:
            if 0 < den < THRESHOLD:
                num = den = rate = None
            elif 0 < num < THRESHOLD or 0 < den - num < THRESHOLD:
                num = rate = None
        for key, value, original in (
            ("num", num, group["numerator"]),
            ("den", den, group["denominator"]),
            ("rate", rate, group["rate"]),
        ):
            cells[f"{side}_{key}"] = value
            if value is None and original is not None:
                cells.setdefault("_suppressed", set()).add(f"{side}_{key}")
                hidden = True
    for key in ("value", "ci_low", "ci_high"):
        show = individual_level or not (hidden or result["small_count"])
        cells[key] = result[key] if show else None
        if not show and result[key] is not None:
            cells.setdefault("_suppressed", set()).add(key)
    cells["reading"] = fair_reading(result, hidden and not individual_level)
    return cells


def fairness(
    con: duckdb.DuckDBPyConnection, window: Window, scope: Scope, breakdown: str, extract: dt.date | None
) -> list[Table]:
    by_org = breakdown == "organisation_code" and len(scope.organisations) > 1
    # The appointment indicators only where the scope's applications carry their organisation's code (the
    # scoped view holds no others): a scope without any would show rows of zeros that say nothing.
    row = con.execute("SELECT count(*) FROM (SELECT 1 FROM recruitment LIMIT 1)").fetchone()
    with_applications = bool(row and row[0])
    found = relative_likelihoods(
        con,
        window,
        by=["organisation_code"] if by_org else None,
        organisation_codes=list(scope.organisations),
        indicators=[n for n in FAIRNESS_INDICATORS if with_applications or n not in APPOINTMENT_INDICATORS],
    )
    rows = []
    for result in found:
        indicator = INDICATORS[result["indicator"]]
        cells: dict[str, Any] = {}
        if by_org:
            cells["organisation"] = group_label(result["group"].get("organisation_code"))
        cells.update(
            indicator=FAIRNESS_INDICATORS[indicator.name],
            outcome=indicator.outcome,
            comparison=indicator.comparison.capitalize(),
        )
        cells.update(likelihood_cells(result, individual_level=scope.individual_level))
        rows.append(cells)
    columns = [Column("organisation", "Organisation")] if by_org else []
    columns += [
        Column("indicator", "Indicator"),
        Column("outcome", "Rate counted"),
        Column("a_name", "Group"),
        Column("a_num", "With outcome", "count"),
        Column("a_den", "In group", "count"),
        Column("a_rate", "Rate", "percent"),
        Column("b_name", "Compared with"),
        Column("b_num", "With outcome", "count"),
        Column("b_den", "In group", "count"),
        Column("b_rate", "Rate", "percent"),
        Column("value", "Relative likelihood", "ratio"),
        Column("ci_low", "95% interval from", "ratio"),
        Column("ci_high", "95% interval to", "ratio"),
        Column("reading", "Reading"),
    ]
    return [
        Table(
            key="likelihoods",
            title="Relative likelihoods",
            caption=f"Relative likelihood of each outcome for the first group against the second (WRES/WDES style), "
            f"{window_label(window)}; 0.80 to 1.25 reads as no adverse impact",
            columns=columns,
            rows=rows,
            chart=charts.likelihoods(rows, band=BAND, label="organisation" if by_org else None),
            chart_alt=charts.describe_likelihoods(rows),
            drill="organisation" if by_org else None,
            note="Relative likelihoods compare groups across the whole scope (by organisation on an alliance's "
            "page when broken down by organisation); the other breakdowns do not apply to them. Appointment from "
            "shortlisting counts the applications whose recruitment record names an organisation in the scope, "
            "and is left out where there are none (and on a team's page: applications name no team).",
        )
    ]
