"""Every rule of the extract format, as DuckDB queries over the loaded text tables.

Each check inserts one row per offending cell into the `problems` table, so a national extract is checked in a
few scans of each table, in the work database's bounded memory, and every problem is listed, not just the first.
Checks across rows (unique ids, people who exist, overlapping spells, leaving reasons) read values with
`try_cast`, and skip values that a row check has already reported."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from cultivate.core import exports
from cultivate.core.clock import london_today

from .problems import Problem
from .sources import LINE, Loaded, literal, quote
from .spec import (
    CODE,
    DATE,
    DECIMAL,
    FLAG,
    INTEGER,
    Column,
    FileSpec,
    leaving_reason_codes,
    specs,
)

PROBLEMS = "problems"
FAR_FUTURE = "DATE '9999-12-31'"


def create_problems_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE {PROBLEMS} (file_order INTEGER, file VARCHAR, line BIGINT, "
        'column_order INTEGER, "column" VARCHAR, value VARCHAR, rule VARCHAR)'
    )


def add_problems(con: duckdb.DuckDBPyConnection, problems: Iterable[tuple[str, Problem]]) -> None:
    """Problems found outside SQL (with the files themselves), each with its table."""
    order = list(specs())
    rows = []
    for table, p in problems:
        columns = specs()[table].names
        column_order = columns.index(p.column) if p.column in columns else -1
        rows.append((order.index(table), p.file, p.line, column_order, p.column, p.value, p.rule))
    if rows:
        # One scan of an Arrow table: executemany inserts a row at a time, minutes for a file of broken rows.
        names = ("file_order", "file", "line", "column_order", "column", "value", "rule")
        con.register(
            "found_problems", pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
        )
        try:
            con.execute(f"INSERT INTO {PROBLEMS} SELECT * FROM found_problems")  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        finally:
            con.unregister("found_problems")


def is_date(c: str) -> str:
    return (
        f"(regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND try_cast({c} AS DATE) IS NOT NULL)"
    )


def as_date(c: str) -> str:
    """The value as a date where it is a valid one, otherwise NULL."""
    return f"CASE WHEN {is_date(c)} THEN try_cast({c} AS DATE) END"


def canonical(column: Column, c: str) -> str:
    """The code as the format writes it (codes are matched whatever their case), or NULL if it is not one."""
    whens = " ".join(f"WHEN {literal(code.lower())} THEN {literal(code)}" for code in column.codes)
    return f"CASE lower({c}) {whens} END"


def codes_rule(column: Column) -> str:
    if column.codes == leaving_reason_codes():
        return "must be one of the ESR reasons for leaving (listed in docs/insights-import.md)"
    return "must be one of " + ", ".join(column.codes)


def _row_rules(column: Column, c: str, *, this_year: int) -> list[tuple[str, str]]:
    """(condition on a non-empty value, rule) pairs, checked in order; the first that holds is reported."""
    rules: list[tuple[str, str]] = []
    if column.kind == DATE:
        rules.append((f"NOT {is_date(c)}", "must be a date written YYYY-MM-DD, such as 2024-03-31"))
    elif column.kind == INTEGER:
        rules.append((f"NOT regexp_full_match({c}, '[+-]?[0-9]{{1,9}}')", "must be a whole number"))
    elif column.kind == DECIMAL:
        rules.append(
            (
                f"NOT regexp_full_match({c}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)')",
                "must be a number, such as 0.8",
            )
        )
    elif column.kind in (CODE, FLAG):
        rules.append((f"{canonical(column, c)} IS NULL", codes_rule(column)))
    if column.pattern:
        rules.append((f"NOT regexp_full_match({c}, {literal(column.pattern)})", column.pattern_rule))
    number = f"try_cast({c} AS DOUBLE)"
    maximum = column.maximum
    if column.name == "birth_year":
        maximum = this_year
    if column.minimum is not None:
        op = ">" if column.minimum_exclusive else ">="
        rules.append((f"NOT ({number} {op} {column.minimum})", column.range_rule))
    if maximum is not None:
        rules.append((f"NOT ({number} <= {maximum})", column.range_rule))
    if column.name == "birth_date":
        rules.append((f"try_cast({c} AS DATE) > current_date", "must not be in the future"))
        rules.append((f"try_cast({c} AS DATE) < DATE '1900-01-01'", "must not be before 1900"))
    return rules


class Checker:
    def __init__(self, con: duckdb.DuckDBPyConnection, loaded: dict[str, Loaded]) -> None:
        self.con = con
        self.loaded = loaded
        self.order = list(specs())
        self.this_year = london_today().year

    def check(self, table: str) -> None:
        spec, loaded = specs()[table], self.loaded[table]
        self._row_checks(spec, loaded)
        for column in spec.columns:
            if column.unique and column.name not in loaded.missing:
                self._unique(spec, loaded, column)
            if column.person_ref and column.name not in loaded.missing:
                self._person_exists(spec, loaded, column)
        if "end_date" in spec.names and "start_date" in spec.names:
            self._end_after_start(spec, loaded)
        if table == "people":
            self._birth_year_matches(spec, loaded)
        if table == "assignments":
            self._spells(spec, loaded)
        if table == "recruitment":
            self._appointed_shortlisted(spec, loaded)

    # --- helpers -------------------------------------------------------------------------------------------

    def _insert(self, spec: FileSpec, loaded: Loaded, column: str, query: str) -> None:
        """`query` selects (_line, value, rule) for offending rows."""
        self.con.execute(
            f"INSERT INTO {PROBLEMS} SELECT {self.order.index(spec.table)}, {literal(loaded.label)}, "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"q.line, {spec.names.index(column)}, {literal(column)}, q.value, q.rule "
            f"FROM ({query}) AS q(line, value, rule)"
        )

    def _row_checks(self, spec: FileSpec, loaded: Loaded) -> None:
        """Each value on its own, every column in one statement: one rule (the first broken) per cell."""
        parts = []
        for column in spec.columns:
            if column.name in loaded.missing:
                continue
            c = quote(column.name)
            rules = _row_rules(column, c, this_year=self.this_year)
            if not rules and not column.required:
                continue
            required = "'is required'" if column.required else "NULL"
            whens = " ".join(f"WHEN {condition} THEN {literal(rule)}" for condition, rule in rules)
            parts.append(
                f"SELECT {spec.names.index(column.name)} AS column_order, {literal(column.name)} AS name, "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
                f"{LINE} AS line, {c} AS value, CASE WHEN {c} IS NULL THEN {required} {whens} END AS rule "
                f"FROM {loaded.relation}"
            )
        if not parts:
            return
        self.con.execute(
            f"INSERT INTO {PROBLEMS} SELECT {self.order.index(spec.table)}, {literal(loaded.label)}, line, "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"column_order, name, value, rule FROM ({' UNION ALL '.join(parts)}) WHERE rule IS NOT NULL"
        )

    def _unique(self, spec: FileSpec, loaded: Loaded, column: Column) -> None:
        c, view = quote(column.name), loaded.relation
        self._insert(
            spec,
            loaded,
            column.name,
            f"SELECT t.{LINE}, t.{c}, 'must be unique: the same value is on line ' || d.first_line "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"FROM {view} t JOIN (SELECT {c} AS v, min({LINE}) AS first_line FROM {view} "
            f"WHERE {c} IS NOT NULL GROUP BY {c} HAVING count(*) > 1) d ON t.{c} = d.v "
            f"WHERE t.{LINE} > d.first_line",
        )

    def _person_exists(self, spec: FileSpec, loaded: Loaded, column: Column) -> None:
        people = self.loaded.get("people")
        if people is None or spec.table == "people" or "person_id" in people.missing:
            return
        c = quote(column.name)
        self._insert(
            spec,
            loaded,
            column.name,
            f"SELECT t.{LINE}, t.{c}, {literal(f'must be a person_id in {people.label}')} "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"FROM {loaded.relation} t ANTI JOIN (SELECT DISTINCT person_id FROM {people.relation} "
            f"WHERE person_id IS NOT NULL) p ON t.{c} = p.person_id WHERE t.{c} IS NOT NULL",
        )

    def _end_after_start(self, spec: FileSpec, loaded: Loaded) -> None:
        start, end = as_date("start_date"), as_date("end_date")
        self._insert(
            spec,
            loaded,
            "end_date",
            f"SELECT {LINE}, end_date, 'must not be before start_date (' || start_date || ')' "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"FROM {loaded.relation} WHERE {end} < {start}",
        )

    def _birth_year_matches(self, spec: FileSpec, loaded: Loaded) -> None:
        if "birth_year" in loaded.missing or "birth_date" in loaded.missing:
            return
        self._insert(
            spec,
            loaded,
            "birth_year",
            f"SELECT {LINE}, birth_year, 'does not match birth_date (' || birth_date || ')' "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"FROM {loaded.relation} WHERE regexp_full_match(birth_year, '[+-]?[0-9]{{1,9}}') "
            f"AND try_cast(birth_year AS INTEGER) <> year({as_date('birth_date')})",
        )

    def _appointed_shortlisted(self, spec: FileSpec, loaded: Loaded) -> None:
        self._insert(
            spec,
            loaded,
            "appointed",
            f"SELECT {LINE}, appointed, 'cannot be Y when shortlisted is N: an appointment is made from the "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"shortlist' FROM {loaded.relation} WHERE upper(appointed) = 'Y' AND upper(shortlisted) = 'N'",
        )

    def _spells(self, spec: FileSpec, loaded: Loaded) -> None:
        """Overlapping spells of a person within one organisation, and the leaving reason rule: required on the
        spell that ends the person's employment with the organisation (no later spell there starts the next
        day), empty on every other."""
        if {"person_id", "organisation_code", "start_date"} & set(loaded.missing):
            return
        self.con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE spell_order AS
            WITH s AS (
                SELECT {LINE} AS line, assignment_id, person_id, upper(organisation_code) AS org,
                       {as_date("start_date")} AS s, {as_date("end_date")} AS e, leaving_reason AS r
                FROM {loaded.relation}
                WHERE person_id IS NOT NULL AND organisation_code IS NOT NULL AND {is_date("start_date")}
                  AND (end_date IS NULL OR {is_date("end_date")})
            )
            SELECT *,
                lead(s) OVER spells AS next_s,
                max(coalesce(e, {FAR_FUTURE})) OVER (spells ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                    AS prev_e
            FROM s WHERE e IS NULL OR e >= s
            WINDOW spells AS (PARTITION BY person_id, org ORDER BY s, line)
            """  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        )
        # Overlaps are rare: the spell each one overlaps is looked up for those rows only.
        self._insert(
            spec,
            loaded,
            "start_date",
            f"""
            SELECT o.line, CAST(o.s AS VARCHAR), 'overlaps the spell on line ' || min(x.line)
                   || coalesce(' (assignment ' || arg_min(x.assignment_id, x.line) || ')', '')
                   || ': spells of one person at one organisation may not overlap'
            FROM (SELECT * FROM spell_order WHERE prev_e >= s) o
            JOIN spell_order x ON x.person_id = o.person_id AND x.org = o.org AND x.line <> o.line
                 AND (x.s < o.s OR (x.s = o.s AND x.line < o.line)) AND coalesce(x.e, {FAR_FUTURE}) >= o.s
            GROUP BY o.line, o.s
            """,  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        )
        self._insert(
            spec,
            loaded,
            "leaving_reason",
            """
            SELECT line, r, CASE
                WHEN e IS NULL AND r IS NOT NULL
                    THEN 'must be empty: the spell is current (no end_date)'
                WHEN e IS NOT NULL AND next_s = e + 1 AND r IS NOT NULL
                    THEN 'must be empty: the person''s next spell at this organisation starts the day after'
                WHEN e IS NOT NULL AND (next_s IS NULL OR next_s > e + 1) AND r IS NULL
                    THEN 'is required: this spell ends the person''s employment with the organisation'
                END AS rule
            FROM spell_order WHERE (prev_e IS NULL OR prev_e < s) AND rule IS NOT NULL
            """,
        )
        self.con.execute("DROP TABLE spell_order")


def count_problems(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute(f"SELECT count(*) FROM {PROBLEMS}").fetchall()  # all: no result left open  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
    return int(rows[0][0])


ORDER = "file_order, file, line, column_order, rule"


def first_problems(con: duckdb.DuckDBPyConnection, limit: int) -> list[Problem]:
    rows = con.execute(
        f"SELECT file, line, \"column\", coalesce(value, ''), rule FROM {PROBLEMS} ORDER BY {ORDER} LIMIT ?",  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        [limit],
    ).fetchall()
    return [Problem(str(f), int(line), str(c), str(v), str(r)) for f, line, c, v, r in rows]


def problem_summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(file, column, rule, rows) for each kind of problem, most frequent first."""
    rows = con.execute(
        f'SELECT file, "column", rule, count(*) AS n FROM {PROBLEMS} '  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        "GROUP BY ALL ORDER BY n DESC, min(file_order), file, min(column_order), rule"
    ).fetchall()
    return [(str(f), str(c), str(r), int(n)) for f, c, r, n in rows]


def write_problems(con: duckdb.DuckDBPyConnection, path: str, limit: int | None = None) -> None:
    """Every problem, or the first `limit`, in file and line order, as CSV. File and column names and values
    come from the upload, so they are escaped for spreadsheets (cultivate.core.exports)."""
    file, column, value = (exports.sql_text(e) for e in ("file", '"column"', "coalesce(value, '')"))
    bound = f" LIMIT {int(limit)}" if limit is not None else ""
    con.execute(
        f'COPY (SELECT {file} AS file, line, {column} AS "column", {value} AS value, rule FROM {PROBLEMS} '  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        f"ORDER BY {ORDER}{bound}) TO {literal(path)} (HEADER, DELIMITER ',')"
    )
