"""A window and a grouping prepared on a DuckDB connection, from which every measure family reads.

Two temporary relations are made once per (window, grouping):

- `spells` (a view): the non-bank spells that touch [s, e] (start ≤ e, end empty or ≥ s) with their group
  values, band rank and whether they are active on s and on e.
- `members` (a table): one row per person and group value: active in the group at s / at e, FTE at e, and
  (when a requested measure needs them) band rank and job role at s and at e within the group, and the
  reason on their last spell in the group that ended in [s, e).

Every date is a literal built from a `datetime.date`, so nothing the caller types reaches the SQL."""

from __future__ import annotations

import datetime as dt
import uuid
from types import TracebackType
from typing import Any

import duckdb

from .definitions import (
    AGE_BANDS,
    BAND_RANK,
    NOT_KNOWN,
    PERSON_COLUMNS,
    SPELL_COLUMNS,
    Window,
    check_by,
    ethnic_groups,
    parse_window,
)


def date_sql(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def band_rank_sql(column: str) -> str:
    """Agenda for Change band → rank 1…12; NA, empty or anything else → 0 (see definitions.BAND_ORDER)."""
    cases = " ".join(f"WHEN {_quote(band)} THEN {rank}" for band, rank in BAND_RANK.items())
    return f"(CASE lower(trim({column})) {cases} ELSE 0 END)"


def age_sql(start: dt.date) -> str:
    """Whole years of age on the window start, from birth_date, or from birth_year taking the birthday as
    1 July (the middle of the year)."""
    mmdd = start.strftime("%m-%d")
    before_mid_year = 1 if start < dt.date(start.year, 7, 1) else 0
    return (
        f"CASE WHEN birth_date IS NOT NULL THEN {start.year} - year(birth_date)"
        f" - (CASE WHEN strftime(birth_date, '%m-%d') > '{mmdd}' THEN 1 ELSE 0 END)"
        f" WHEN birth_year IS NOT NULL THEN {start.year} - birth_year - {before_mid_year} END"
    )


def age_band_sql() -> str:
    cases = [f"WHEN p.age IS NULL THEN {_quote(NOT_KNOWN)}", f"WHEN p.age < 25 THEN {_quote(AGE_BANDS[0])}"]
    for label in AGE_BANDS[1:-1]:
        low, high = (int(x) for x in label.split("-"))
        cases.append(f"WHEN p.age BETWEEN {low} AND {high} THEN {_quote(label)}")
    cases.append(f"ELSE {_quote(AGE_BANDS[-1])}")
    return f"(CASE {' '.join(cases)} END)"


def people_sql(start: dt.date) -> str:
    """One row per person (the first if a store's datasets repeat one) with their age on the window start."""
    return (
        f"(SELECT person_id, sex, ethnic_category, disability, {age_sql(start)} AS age "
        "FROM (SELECT DISTINCT ON (person_id) * FROM people))"
    )


def ethnic_group_sql() -> str:
    cases = " ".join(f"WHEN {_quote(code)} THEN {_quote(group)}" for code, group in ethnic_groups().items())
    return f"(CASE upper(trim(p.ethnic_category)) {cases} ELSE {_quote(NOT_KNOWN)} END)"


def group_sql(column: str) -> str:
    if column in SPELL_COLUMNS:
        return f"CAST(a.{column} AS VARCHAR)"
    if column == "age_band":
        return age_band_sql()
    if column == "ethnic_group":
        return ethnic_group_sql()
    return f"CAST(p.{column} AS VARCHAR)"


# What a frame's person-group rows can carry beyond presence and FTE: band ranks (for progression and band
# mix), job roles (for role transitions) and leaving reasons. What no requested measure reads is left out:
# on a national extract the full set costs about three times the bare aggregation.
ALL_NEEDS = frozenset({"progression", "band_share", "roles", "reasons"})


def needs_of(measures: list[str] | tuple[str, ...]) -> frozenset[str]:
    needs = set()
    for name in measures:
        if name in {"progression", "progression_excluding_leavers"}:
            needs.add("progression")
        elif name == "band_share":
            needs.add("band_share")
        elif name == "role_transition":
            needs.add("roles")
        elif name in {"leaving_reason_share", "leaving_reason_group_share"}:
            needs.add("reasons")
    return frozenset(needs)


class Frame:
    """The spells and person-group rows of one window and grouping (see the module docstring). Use as a context
    manager, or call `close()`, to drop its temporary tables. `needs` (see `needs_of`) says which optional
    columns the person-group rows carry; by default all."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        window: Window | str | tuple[Any, Any],
        by: list[str] | tuple[str, ...] | None = None,
        *,
        extract_date: dt.date | None = None,
        needs: set[str] | frozenset[str] = ALL_NEEDS,
    ) -> None:
        self.con = con
        self.needs = frozenset(needs)
        self.window = parse_window(window)
        self.by = check_by(by)
        self.extract_date = extract_date
        prefix = f"measures_{uuid.uuid4().hex[:12]}"
        self.spells = f"{prefix}_spells"
        self.members = f"{prefix}_members"
        # Group value columns are g0, g1, … so that any grouping column name is safe in SQL.
        self.group_columns = [f"g{i}" for i in range(len(self.by))]
        self._build()

    # SQL fragments for the families -----------------------------------------------------------------------
    @property
    def g(self) -> str:
        """`g0, g1, ` (with a trailing comma) or nothing: the group columns at the head of a SELECT."""
        return "".join(f"{c}, " for c in self.group_columns)

    @property
    def s(self) -> str:
        return date_sql(self.window.start)

    @property
    def e(self) -> str:
        return date_sql(self.window.end)

    @property
    def first_day(self) -> str:
        return date_sql(self.window.start + dt.timedelta(days=1))

    def group_of(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self.by, row[: len(self.by)], strict=True))

    # Building ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        s, e = self.s, self.e
        needs_people = any(c in PERSON_COLUMNS for c in self.by)
        groups = "".join(f"{group_sql(column)} AS g{i}, " for i, column in enumerate(self.by))
        people = (
            f"LEFT JOIN {people_sql(self.window.start)} p ON p.person_id = a.person_id"
            if needs_people
            else ""
        )
        # A view, not a table: reading the Parquet again (with the date filters pushed down) is cheaper than
        # holding a year of spells in memory.
        self.con.execute(
            f"""
            CREATE TEMP VIEW {self.spells} AS
            SELECT {groups}
                   a.person_id,
                   coalesce(a.fte, 0) AS fte,
                   a.start_date,
                   a.end_date,
                   {band_rank_sql("a.afc_band")} AS band_rank,
                   coalesce(a.job_role, {_quote(NOT_KNOWN)}) AS job_role,
                   a.leaving_reason,
                   lower(trim(a.staff_group)) AS staff_group_key,
                   (a.start_date <= {s} AND (a.end_date IS NULL OR a.end_date >= {s})) AS on_s,
                   (a.start_date <= {e} AND (a.end_date IS NULL OR a.end_date >= {e})) AS on_e
            FROM assignments a {people}
            WHERE coalesce(lower(trim(a.contract_type)), '') <> 'bank'
              AND a.start_date <= {e}
              AND (a.end_date IS NULL OR a.end_date >= {s})
            """
        )
        columns = [
            "bool_or(on_s) AS at_s",
            "bool_or(on_e) AS at_e",
            "coalesce(fsum(fte) FILTER (WHERE on_e), 0) AS fte_e",
        ]
        if self.needs & {"progression", "band_share"}:
            columns += [
                "max(band_rank) FILTER (WHERE on_s) AS rank_s",
                "max(band_rank) FILTER (WHERE on_e) AS rank_e",
            ]
        if "roles" in self.needs:
            # The main spell of a day (for the job role): highest band, then largest FTE, then role name.
            main = "struct_pack(r := band_rank, f := fte, j := job_role)"
            columns += [
                f"arg_max(job_role, {main}) FILTER (WHERE on_s) AS role_s",
                f"arg_max(job_role, {main}) FILTER (WHERE on_e) AS role_e",
            ]
        if "reasons" in self.needs:
            # The reason on the person's last spell in the group that ended in [s, e); a recorded reason wins
            # a tie between spells ending the same day.
            columns.append(
                "arg_max_null(leaving_reason, struct_pack(d := end_date, known := leaving_reason IS NOT NULL))"
                f" FILTER (WHERE end_date >= {s} AND end_date < {e}) AS reason"
            )
        group_by = ", ".join([*self.group_columns, "person_id"])
        self.con.execute(
            f"""
            CREATE TEMP TABLE {self.members} AS
            SELECT {self.g} {", ".join(columns)}
            FROM {self.spells}
            GROUP BY {group_by}
            """
        )

    def require(self, need: str) -> None:
        if need not in self.needs:
            raise ValueError(f"This frame was built without {need!r}: pass it in `needs`.")

    def close(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {self.members}")
        self.con.execute(f"DROP VIEW IF EXISTS {self.spells}")

    def __enter__(self) -> Frame:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
