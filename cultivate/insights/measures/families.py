"""The measure families: each reads a Frame in one SQL pass and returns rows for the measures it was asked for.

A row is exactly a JSON object of `cultivate insights measures`:
    {"measure", "window": [s, e], "group": {...}, "numerator", "denominator", "value"}
People counts are ints; FTE, FTE days and mean headcounts are floats rounded to 6 places; `value` is
numerator ÷ denominator (a fraction, or the count itself when there is no denominator), None when the
denominator is 0."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .definitions import (
    BAND_LABEL,
    LEFT,
    NOT_RECORDED,
    PROGRESSION_OUTCOMES,
    REGISTERED_STAFF_GROUPS,
    SUPPORT_STAFF_GROUPS,
    UNKNOWN_REASON_GROUP,
    reason_groups,
)
from .frame import Frame, date_sql

Row = dict[str, Any]
PLACES = 6


def _number(value: float | int | None, *, whole: bool = False) -> float | int | None:
    if value is None:
        return None
    if whole:
        return int(value)
    return round(float(value), PLACES)


def make_row(
    frame: Frame,
    measure: str,
    group: dict[str, Any],
    numerator: float | int | None,
    denominator: float | int | None,
    *,
    whole_numerator: bool = False,
    whole_denominator: bool = False,
) -> Row:
    num = _number(numerator, whole=whole_numerator)
    den = _number(denominator, whole=whole_denominator)
    if den is None:
        value = num
    elif den == 0 or num is None:
        value = None
    else:
        value = round(float(numerator or 0) / float(denominator or 0), PLACES)
    return {
        "measure": measure,
        "window": frame.window.as_json(),
        "group": group,
        "numerator": num,
        "denominator": den,
        "value": value,
    }


def _key(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else "")


def _group_key(group: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple(_key(v) for v in group)


def _rows_by_group(frame: Frame, sql: str) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Run a query whose first columns are the group values; return (group, rest) pairs sorted by group."""
    n = len(frame.by)
    found = [(tuple(r[:n]), tuple(r[n:])) for r in frame.con.execute(sql).fetchall()]
    return sorted(found, key=lambda pair: _group_key(pair[0]))


# Headcount, FTE, joiners, leavers and their rates -----------------------------------------------------------
STOCK = (
    "headcount",
    "fte",
    "mean_fte",
    "joiners",
    "leavers",
    "leaver_rate",
    "joiner_rate",
    "stability_index",
)


def stock(frame: Frame, measures: Iterable[str] = STOCK) -> list[Row]:
    wanted = [m for m in STOCK if m in set(measures)]
    sql = f"""
        SELECT {frame.g}
               count(*) FILTER (WHERE at_s) AS at_start,
               count(*) FILTER (WHERE at_e) AS at_end,
               count(*) FILTER (WHERE at_s AND NOT at_e) AS leavers,
               count(*) FILTER (WHERE at_e AND NOT at_s) AS joiners,
               coalesce(fsum(fte_e), 0) AS fte
        FROM {frame.members}
        GROUP BY ALL
    """
    out: dict[str, list[Row]] = {m: [] for m in wanted}
    for group_values, (at_start, at_end, leavers, joiners, fte) in _rows_by_group(frame, sql):
        group = frame.group_of(group_values)
        mean_headcount = (at_start + at_end) / 2
        # measure → (numerator, denominator, numerator is whole, denominator is whole)
        parts: dict[str, tuple[float | int, float | int | None, bool, bool]] = {
            "headcount": (at_end, None, True, False),
            "fte": (fte, None, False, False),
            "mean_fte": (fte, at_end, False, True),
            "joiners": (joiners, None, True, False),
            "leavers": (leavers, None, True, False),
            "leaver_rate": (leavers, mean_headcount, True, False),
            "joiner_rate": (joiners, mean_headcount, True, False),
            # 1 − leavers ÷ headcount at start, given as stayers ÷ headcount at start.
            "stability_index": (at_start - leavers, at_start, True, True),
        }
        for measure in wanted:
            num, den, whole_num, whole_den = parts[measure]
            out[measure].append(
                make_row(
                    frame, measure, group, num, den, whole_numerator=whole_num, whole_denominator=whole_den
                )
            )
    return [row for m in wanted for row in out[m]]


# Sickness absence -------------------------------------------------------------------------------------------
def sickness(frame: Frame, measures: Iterable[str] = ("sickness_absence_rate",)) -> list[Row]:
    """FTE days lost ÷ FTE days available over the days s+1 … e, both from interval overlaps (no day rows).

    Episodes are cut to the window and at the extract date (an open episode ends there), and a person's
    overlapping episodes are counted once a day."""
    if "sickness_absence_rate" not in set(measures):
        return []
    first, e = frame.first_day, frame.e
    cut = min(frame.window.end, frame.extract_date) if frame.extract_date else frame.window.end
    cut_sql = date_sql(cut)
    available_sql = f"""
        SELECT {frame.g}
               coalesce(fsum(fte * greatest(0,
                   least(coalesce(end_date, {e}), {e}) - greatest(start_date, {first}) + 1)), 0) AS available
        FROM {frame.spells}
        GROUP BY ALL
    """
    lost_sql = f"""
        WITH clipped AS (
            SELECT person_id,
                   greatest(start_date, {first}) AS a0,
                   least(coalesce(end_date, {cut_sql}), {cut_sql}) AS a1
            FROM absences
            WHERE start_date <= {cut_sql} AND (end_date IS NULL OR end_date >= {first})
        ),
        -- Days already covered by a person's earlier episodes are dropped, so overlapping episodes count each
        -- day once: an episode keeps only its days after the furthest end of the episodes sorted before it.
        episodes AS (
            SELECT person_id, greatest(a0, coalesce(reach + 1, a0)) AS a0, a1
            FROM (
                SELECT *, max(a1) OVER (
                    PARTITION BY person_id ORDER BY a0, a1 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS reach
                FROM clipped
                WHERE a0 <= a1
            )
            WHERE greatest(a0, coalesce(reach + 1, a0)) <= a1
        )
        SELECT {"".join(f"w.{c}, " for c in frame.group_columns)}
               fsum(w.fte * (least(ep.a1, coalesce(w.end_date, ep.a1)) - greatest(ep.a0, w.start_date) + 1))
        FROM episodes ep
        JOIN {frame.spells} w
          ON w.person_id = ep.person_id
         AND w.start_date <= ep.a1
         AND (w.end_date IS NULL OR w.end_date >= ep.a0)
        GROUP BY ALL
    """
    lost = dict(_rows_by_group(frame, lost_sql))
    rows = []
    for group_values, (available,) in _rows_by_group(frame, available_sql):
        days_lost = lost.get(group_values, (0,))[0] or 0
        rows.append(
            make_row(frame, "sickness_absence_rate", frame.group_of(group_values), days_lost, available)
        )
    return rows


# Band progression, role transitions and band mix ------------------------------------------------------------
PROGRESSION = ("progression", "progression_excluding_leavers", "role_transition", "band_share")


def _outcome_sql() -> str:
    return (
        f"CASE WHEN NOT at_e THEN '{LEFT}' WHEN rank_e = rank_s THEN 'same' "
        "WHEN rank_s = 0 OR rank_e = 0 THEN 'other' WHEN rank_e > rank_s THEN 'higher' ELSE 'lower' END"
    )


def progression(frame: Frame, measures: Iterable[str] = PROGRESSION) -> list[Row]:
    wanted = set(measures)
    rows: list[Row] = []
    if wanted & {"progression", "progression_excluding_leavers"}:
        frame.require("progression")
        sql = f"""
            SELECT {frame.g} rank_s, {_outcome_sql()} AS outcome, count(*)
            FROM {frame.members} WHERE at_s GROUP BY ALL
        """
        counts: dict[tuple[Any, ...], dict[int, dict[str, int]]] = {}
        for group_values, (rank, outcome, n) in _rows_by_group(frame, sql):
            counts.setdefault(group_values, {}).setdefault(rank, {})[outcome] = n
        for measure in ("progression", "progression_excluding_leavers"):
            if measure not in wanted:
                continue
            outcomes = [o for o in PROGRESSION_OUTCOMES if measure == "progression" or o != LEFT]
            for group_values in sorted(counts, key=_group_key):
                for rank in sorted(counts[group_values]):
                    by_outcome = counts[group_values][rank]
                    total = sum(by_outcome.get(o, 0) for o in outcomes)
                    for outcome in outcomes:
                        group = {
                            **frame.group_of(group_values),
                            "from_band": BAND_LABEL[rank],
                            "outcome": outcome,
                        }
                        rows.append(
                            make_row(
                                frame,
                                measure,
                                group,
                                by_outcome.get(outcome, 0),
                                total,
                                whole_numerator=True,
                                whole_denominator=True,
                            )
                        )
    if "role_transition" in wanted:
        frame.require("roles")
        sql = f"""
            SELECT {frame.g} role_s, CASE WHEN at_e THEN role_e ELSE '{LEFT}' END AS role_e, count(*)
            FROM {frame.members} WHERE at_s GROUP BY ALL
        """
        found = _rows_by_group(frame, sql)
        totals: dict[tuple[Any, ...], int] = {}
        for group_values, (role_s, _role_e, n) in found:
            totals[(*group_values, role_s)] = totals.get((*group_values, role_s), 0) + n
        found.sort(key=lambda pair: (_group_key(pair[0]), pair[1][0], pair[1][1] == LEFT, pair[1][1]))
        for group_values, (role_s, role_e, n) in found:
            group = {**frame.group_of(group_values), "from_role": role_s, "to_role": role_e}
            rows.append(
                make_row(
                    frame,
                    "role_transition",
                    group,
                    n,
                    totals[(*group_values, role_s)],
                    whole_numerator=True,
                    whole_denominator=True,
                )
            )
    if "band_share" in wanted:
        frame.require("band_share")
        sql = f"SELECT {frame.g} rank_e, count(*) FROM {frame.members} WHERE at_e GROUP BY ALL"
        found = _rows_by_group(frame, sql)
        band_totals: dict[tuple[Any, ...], int] = {}
        for group_values, (_rank, n) in found:
            band_totals[group_values] = band_totals.get(group_values, 0) + n
        found.sort(key=lambda pair: (_group_key(pair[0]), pair[1][0] == 0, pair[1][0]))
        for group_values, (rank, n) in found:
            group = {**frame.group_of(group_values), "band": BAND_LABEL[rank]}
            rows.append(
                make_row(
                    frame,
                    "band_share",
                    group,
                    n,
                    band_totals[group_values],
                    whole_numerator=True,
                    whole_denominator=True,
                )
            )
    order = {m: i for i, m in enumerate(PROGRESSION)}
    return sorted(rows, key=lambda r: order[r["measure"]])  # stable: keeps each measure's own order


# Reasons for leaving ----------------------------------------------------------------------------------------
REASONS = ("leaving_reason_share", "leaving_reason_group_share")


def reason_group(reason: str) -> str:
    if reason == NOT_RECORDED:
        return NOT_RECORDED
    return reason_groups().get(reason, UNKNOWN_REASON_GROUP)


def leaving_reasons(frame: Frame, measures: Iterable[str] = REASONS) -> list[Row]:
    wanted = set(measures)
    frame.require("reasons")
    sql = f"""
        SELECT {frame.g} coalesce(reason, '{NOT_RECORDED}') AS reason, count(*)
        FROM {frame.members} WHERE at_s AND NOT at_e GROUP BY ALL
    """
    found = _rows_by_group(frame, sql)
    leavers: dict[tuple[Any, ...], int] = {}
    by_reason: dict[tuple[Any, ...], dict[str, int]] = {}
    by_group: dict[tuple[Any, ...], dict[str, int]] = {}
    for group_values, (reason, n) in found:
        leavers[group_values] = leavers.get(group_values, 0) + n
        by_reason.setdefault(group_values, {})[reason] = n
        named = by_group.setdefault(group_values, {})
        named[reason_group(reason)] = named.get(reason_group(reason), 0) + n
    rows: list[Row] = []
    for measure, table, key in (
        ("leaving_reason_share", by_reason, "leaving_reason"),
        ("leaving_reason_group_share", by_group, "leaving_reason_group"),
    ):
        if measure not in wanted:
            continue
        for group_values in sorted(table, key=_group_key):
            for name in sorted(table[group_values]):
                rows.append(
                    make_row(
                        frame,
                        measure,
                        {**frame.group_of(group_values), key: name},
                        table[group_values][name],
                        leavers[group_values],
                        whole_numerator=True,
                        whole_denominator=True,
                    )
                )
    return rows


# Support staff to registered nursing staff --------------------------------------------------------------------
def _in_list(names: tuple[str, ...]) -> str:
    return ", ".join("'" + n.lower().replace("'", "''") + "'" for n in names)


def support_ratio(frame: Frame, measures: Iterable[str] = ("support_to_registered_ratio",)) -> list[Row]:
    if "support_to_registered_ratio" not in set(measures):
        return []
    sql = f"""
        SELECT {frame.g}
               coalesce(fsum(fte) FILTER (WHERE on_e AND staff_group_key IN ({_in_list(SUPPORT_STAFF_GROUPS)})), 0),
               coalesce(fsum(fte) FILTER (WHERE on_e AND staff_group_key IN ({_in_list(REGISTERED_STAFF_GROUPS)})), 0)
        FROM {frame.spells}
        GROUP BY ALL
    """
    return [
        make_row(frame, "support_to_registered_ratio", frame.group_of(group_values), support, registered)
        for group_values, (support, registered) in _rows_by_group(frame, sql)
    ]


FAMILIES = {
    "stock": stock,
    "sickness": sickness,
    "progression": progression,
    "reasons": leaving_reasons,
    "ratio": support_ratio,
}
