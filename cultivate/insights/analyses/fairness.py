"""Relative likelihoods in the style of the NHS Workforce Race and Disability Equality Standards (WRES, WDES).

A relative likelihood compares the rate of an outcome in two groups: (a ÷ n1) ÷ (b ÷ n2), where the group in
the ratio's numerator is fixed per indicator as the standards fix it, so that a value above 1 always reads the
same way (`adverse_when`). Its 95% confidence interval is Katz's log method for a ratio of two proportions:
exp(ln RR ± 1.96 × √(1/a − 1/n1 + 1/b − 1/n2)). Values within 0.80–1.25 are read as no adverse impact.

Ethnicity is White against BME (Mixed, Asian, Black and Other ethnic groups, from the measures' ethnic group
mapping); people whose ethnicity is not known are left out of both. Disability is N (non-disabled) against Y
(disabled); U (not declared) and empty are left out. Definitions: docs/measures.md, "Fairness"."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from cultivate.insights.measures.definitions import MeasureError, Window, parse_window
from cultivate.insights.measures.frame import date_sql, ethnic_group_sql

from .common import (
    BME,
    DISABLED,
    NO_GROUP,
    NON_DISABLED,
    WHITE,
    check_codes,
    check_organisation_by,
    disability_sql,
    group_dict,
    id_table,
    members_sql,
    people_attributes_sql,
    person_ids,
    quote,
    rounded,
    spells_sql,
    white_or_bme_sql,
)

BAND = (0.80, 1.25)
Z_95 = 1.959963984540054  # the standard normal quantile for a two-sided 95% interval
SMALL = 5


@dataclass(frozen=True)
class Indicator:
    name: str
    source: str
    outcome: str  # what the rate counts, for people reading the result
    comparison: str  # "ethnicity" or "disability"
    numerator_group: str  # the group whose rate is the ratio's numerator
    denominator_group: str
    adverse_when: str  # "above": a value above the band is adverse to `adverse_for`
    adverse_for: str


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator(
            "appointment_from_shortlisting_ethnicity",
            "WRES indicator 2",
            "appointed ÷ shortlisted",
            "ethnicity",
            WHITE,
            BME,
            "above",
            BME,
        ),
        Indicator(
            "appointment_from_shortlisting_disability",
            "WDES metric 2",
            "appointed ÷ shortlisted",
            "disability",
            NON_DISABLED,
            DISABLED,
            "above",
            DISABLED,
        ),
        Indicator(
            "formal_process_ethnicity",
            "WRES indicator 3",
            "people entering a formal disciplinary or capability process ÷ people in post",
            "ethnicity",
            BME,
            WHITE,
            "above",
            BME,
        ),
        Indicator(
            "formal_process_disability",
            "WDES metric 3",
            "people entering a formal disciplinary or capability process ÷ people in post",
            "disability",
            DISABLED,
            NON_DISABLED,
            "above",
            DISABLED,
        ),
        Indicator(
            "non_mandatory_training_ethnicity",
            "WRES indicator 4",
            "people completing non-mandatory training ÷ people in post",
            "ethnicity",
            WHITE,
            BME,
            "above",
            BME,
        ),
        Indicator(
            "progression_ethnicity",
            "band progression (measures)",
            "people in post at s at a higher band at e ÷ people in post at s",
            "ethnicity",
            WHITE,
            BME,
            "above",
            BME,
        ),
        Indicator(
            "programme_places_ethnicity",
            "development programmes",
            "programme participants ÷ people in post",
            "ethnicity",
            WHITE,
            BME,
            "above",
            BME,
        ),
        Indicator(
            "programme_places_disability",
            "development programmes",
            "programme participants ÷ people in post",
            "disability",
            NON_DISABLED,
            DISABLED,
            "above",
            DISABLED,
        ),
    )
}
PROGRAMME_INDICATORS = ("programme_places_ethnicity", "programme_places_disability")


def katz_interval(
    a: int, n1: int, b: int, n2: int, *, z: float = Z_95
) -> tuple[float | None, float | None, float | None]:
    """(a ÷ n1) ÷ (b ÷ n2) and its confidence interval by Katz's log method. None where it is undefined: the
    ratio when a denominator or the second rate is 0; the interval also when a is 0 (the log is undefined and
    no continuity correction is made, so nothing is invented)."""
    if n1 <= 0 or n2 <= 0 or b <= 0:
        return None, None, None
    ratio = (a / n1) / (b / n2)
    if a <= 0:
        return ratio, None, None
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / b - 1 / n2, 0.0))
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def read_likelihood(value: float | None, indicator: Indicator) -> tuple[bool | None, bool | None]:
    """(within the 0.80–1.25 band, adverse): None when there is no value."""
    if value is None:
        return None, None
    low, high = BAND
    within = low <= round(value, 6) <= high
    adverse = round(value, 6) > high if indicator.adverse_when == "above" else round(value, 6) < low
    return within, adverse


def _result(
    indicator: Indicator,
    window: Window,
    group: dict[str, Any],
    counts: dict[str, tuple[int, int]],
) -> dict[str, Any]:
    a, n1 = counts.get(indicator.numerator_group, (0, 0))
    b, n2 = counts.get(indicator.denominator_group, (0, 0))
    value, low, high = katz_interval(a, n1, b, n2)
    within, adverse = read_likelihood(value, indicator)
    groups = [
        {
            "name": name,
            "numerator": num,
            "denominator": den,
            "rate": rounded(num / den) if den else None,
        }
        for name, (num, den) in ((indicator.numerator_group, (a, n1)), (indicator.denominator_group, (b, n2)))
    ]
    return {
        "indicator": indicator.name,
        "source": indicator.source,
        "outcome": indicator.outcome,
        "window": window.as_json(),
        "group": group,
        "comparison": indicator.comparison,
        "numerator_group": indicator.numerator_group,
        "denominator_group": indicator.denominator_group,
        "adverse_when": indicator.adverse_when,
        "adverse_for": indicator.adverse_for,
        "groups": groups,
        "value": rounded(value),
        "ci_low": rounded(low),
        "ci_high": rounded(high),
        "within_band": within,
        "adverse": adverse,
        # Any count under 5 (zero included): the ratio rests on too few people to read, and a count from 1
        # to 4 must be suppressed for users without individual-level access.
        "small_count": any(c < SMALL for c in (a, n1, b, n2)),
    }


def compare(indicator: Indicator, window: Window, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """One relative likelihood from counts another app has made ({group: (with the outcome, in the group)}),
    read exactly as the analyses read theirs (the pathways app compares ready people's progression)."""
    return _result(indicator, window, {}, counts)


def _by_comparison(
    found: list[tuple[Any, ...]],
) -> dict[Any, dict[str, dict[str, tuple[int, int]]]]:
    """Rows (g, ethnicity, disability, numerator, denominator) → g → comparison → group → (num, den)."""
    out: dict[Any, dict[str, dict[str, tuple[int, int]]]] = {}
    for g, ethnicity, disability, num, den in found:
        by = out.setdefault(g, {"ethnicity": {}, "disability": {}})
        for comparison, name in (("ethnicity", ethnicity), ("disability", disability)):
            if name is None:
                continue
            old = by[comparison].get(name, (0, 0))
            by[comparison][name] = (old[0] + int(num), old[1] + int(den))
    return out


def _recruitment_counts(
    con: duckdb.DuckDBPyConnection, window: Window, by_org: bool, codes: tuple[str, ...] | None
) -> list[tuple[Any, ...]]:
    s, e = date_sql(window.start), date_sql(window.end)
    org = application_organisation_sql(con)
    scope = ""
    if codes is not None:
        scope = f" AND {org} IN ({', '.join(quote(c) for c in codes)})" if codes else " AND false"
    return con.execute(
        f"""
        SELECT {org if by_org else quote("")} AS g,
               {white_or_bme_sql(ethnic_group_sql())} AS ethnicity,
               {disability_sql("p.disability")} AS disability,
               count(*) FILTER (WHERE p.appointed) AS num,
               count(*) AS den
        FROM recruitment p
        WHERE coalesce(p.shortlisted, false)
          AND p.decided_on > {s} AND p.decided_on <= {e} {scope}
        GROUP BY ALL
        """
    ).fetchall()


def application_organisation_sql(
    con: duckdb.DuckDBPyConnection,
    *,
    alias: str = "p",
    recruitment: str = "recruitment",
    assignments: str = "assignments",
) -> str:
    """SQL for the organisation of an application (a row `alias` of the `recruitment` view): its
    `organisation_code` when the row has one. Rows without one (extracts in the design's format, which has no
    such column, and stores written before we added it) fall back to a guess: the part of `vacancy_id` before
    the first '-' when it is an organisation code of the `assignments`; when no such row's vacancy names one
    that way and the assignments hold one organisation, that one (a trust's own extract); else null (not
    known). A caller that narrows the `assignments` view should narrow `recruitment` with this expression
    computed on the whole store first (as the board report does): on the narrowed view the one-organisation rule
    would take another organisation's uncoded applications whose vacancy names nobody."""
    coded = f"{alias}.organisation_code"
    codes = [
        r[0] for r in con.execute(f"SELECT DISTINCT organisation_code FROM {assignments}").fetchall() if r[0]
    ]
    if not codes:
        return coded
    listed = ", ".join(quote(c) for c in codes)
    prefix = f"split_part({alias}.vacancy_id, '-', 1)"
    row = con.execute(
        f"SELECT count(*) FROM {recruitment} {alias} WHERE {coded} IS NULL AND {prefix} IN ({listed})"
    ).fetchone()
    named = int(row[0]) if row else 0
    only = quote(codes[0]) if len(codes) == 1 and not named else "CAST(NULL AS VARCHAR)"
    return f"coalesce({coded}, CASE WHEN {prefix} IN ({listed}) THEN {prefix} ELSE {only} END)"


def _in_post_counts(
    con: duckdb.DuckDBPyConnection,
    window: Window,
    by_org: bool,
    codes: tuple[str, ...] | None,
    events_sql: str,
) -> list[tuple[Any, ...]]:
    """People in post in the group on any day s+1 … e, and those of them with an event (`events_sql` gives
    person_id and day) on a day they were in post in the group."""
    s = date_sql(window.start)
    return con.execute(
        f"""
        WITH sp AS ({spells_sql(window, by_org=by_org, codes=codes)}),
        pop AS (SELECT DISTINCT g, person_id FROM sp WHERE end_date IS NULL OR end_date > {s}),
        hit AS (
            SELECT DISTINCT sp.g, sp.person_id
            FROM ({events_sql}) ev
            JOIN sp ON sp.person_id = ev.person_id
                   AND ev.day >= sp.start_date AND (sp.end_date IS NULL OR ev.day <= sp.end_date)
        ),
        who AS ({people_attributes_sql()})
        SELECT pop.g, who.ethnicity, who.disability,
               count(hit.person_id) AS num, count(*) AS den
        FROM pop
        LEFT JOIN hit ON hit.g = pop.g AND hit.person_id = pop.person_id
        LEFT JOIN who ON who.person_id = pop.person_id
        GROUP BY ALL
        """
    ).fetchall()


def _programme_counts(
    con: duckdb.DuckDBPyConnection,
    window: Window,
    by_org: bool,
    codes: tuple[str, ...] | None,
    table: str,
) -> list[tuple[Any, ...]]:
    """People in post in the group on any day s+1 … e, and how many of them are programme participants."""
    s = date_sql(window.start)
    return con.execute(
        f"""
        WITH sp AS ({spells_sql(window, by_org=by_org, codes=codes)}),
        pop AS (SELECT DISTINCT g, person_id FROM sp WHERE end_date IS NULL OR end_date > {s}),
        who AS ({people_attributes_sql()})
        SELECT pop.g, who.ethnicity, who.disability,
               count(*) FILTER (WHERE pop.person_id IN (SELECT person_id FROM {table})) AS num,
               count(*) AS den
        FROM pop LEFT JOIN who ON who.person_id = pop.person_id
        GROUP BY ALL
        """
    ).fetchall()


def _progression_counts(
    con: duckdb.DuckDBPyConnection, window: Window, by_org: bool, codes: tuple[str, ...] | None
) -> list[tuple[Any, ...]]:
    # "higher" exactly as the progression measure has it: in post at e, both bands on Agenda for Change, and
    # the band at e above the band at s (docs/measures.md, "Band progression").
    return con.execute(
        f"""
        WITH m AS ({members_sql(window, by_org=by_org, codes=codes)}),
        who AS ({people_attributes_sql()})
        SELECT m.g, who.ethnicity, who.disability,
               count(*) FILTER (WHERE m.at_e AND m.rank_s > 0 AND m.rank_e > m.rank_s) AS num,
               count(*) AS den
        FROM m LEFT JOIN who ON who.person_id = m.person_id
        WHERE m.at_s
        GROUP BY ALL
        """
    ).fetchall()


def relative_likelihoods(
    con: duckdb.DuckDBPyConnection,
    window: Window | str | tuple[Any, Any],
    *,
    by: Sequence[str] | None = None,
    participants: Collection[str] | None = None,
    organisation_codes: Collection[str] | None = None,
    indicators: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The relative likelihoods of `indicators` (all of them by default; the programme ones only when
    `participants`, the person_ids of development programme participants, are given) for the window, overall
    or per organisation (`by=["organisation_code"]`), within `organisation_codes` (None: all)."""
    window = parse_window(window)
    by_org = check_organisation_by(by)
    codes = check_codes(organisation_codes)
    if indicators is None:
        names = [n for n in INDICATORS if participants is not None or n not in PROGRAMME_INDICATORS]
    else:
        unknown = [n for n in indicators if n not in INDICATORS]
        if unknown:
            raise MeasureError(f"Unknown indicator {', '.join(unknown)}: they are {', '.join(INDICATORS)}.")
        names = list(dict.fromkeys(indicators))
        if participants is None and any(n in PROGRAMME_INDICATORS for n in names):
            raise MeasureError("The programme indicators need the participants' person_ids.")
    s, e = date_sql(window.start), date_sql(window.end)
    sources: dict[str, list[tuple[Any, ...]]] = {}
    wanted = {n.rsplit("_", 1)[0] for n in names}
    if "appointment_from_shortlisting" in wanted:
        sources["appointment_from_shortlisting"] = _recruitment_counts(con, window, by_org, codes)
    if "formal_process" in wanted:
        cases = (
            "SELECT person_id, opened_on AS day FROM casework "
            f"WHERE opened_on > {s} AND opened_on <= {e} "
            "AND lower(trim(kind)) IN ('disciplinary', 'capability')"
        )
        sources["formal_process"] = _in_post_counts(con, window, by_org, codes, cases)
    if "non_mandatory_training" in wanted:
        courses = (
            "SELECT person_id, completed_on AS day FROM training "
            f"WHERE mandatory = false AND completed_on > {s} AND completed_on <= {e}"
        )
        sources["non_mandatory_training"] = _in_post_counts(con, window, by_org, codes, courses)
    if "progression" in wanted:
        sources["progression"] = _progression_counts(con, window, by_org, codes)
    if "programme_places" in wanted:
        with id_table(con, {"person_id": person_ids(participants)}) as table:
            sources["programme_places"] = _programme_counts(con, window, by_org, codes, table)
    results = []
    for name in names:
        indicator = INDICATORS[name]
        counts = _by_comparison(sources[name.rsplit("_", 1)[0]])
        # A group asked for (the whole scope, or each organisation named) is reported even with no rows:
        # its counts are 0 and its ratio is None.
        for g in [NO_GROUP] if not by_org else list(codes or ()):
            counts.setdefault(g, {"ethnicity": {}, "disability": {}})
        for g in sorted(counts, key=lambda v: (v is None, v or "")):
            results.append(_result(indicator, window, group_dict(by_org, g), counts[g][indicator.comparison]))
    return results
