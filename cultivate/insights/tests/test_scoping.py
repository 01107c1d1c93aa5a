"""Scoping (`cultivate.insights.scoping`) for the dashboards (`scoped_connection`) and the board report
(`open_store`): the scoped views hold exactly the scope's rows, whatever the codes and team names hold (quotes,
SQL fragments, backslashes, other scripts), and a connection with no scope bound reads nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cultivate.insights import dashboards
from cultivate.insights.dashboards import Scope
from cultivate.insights.dashboards.scope import _base
from cultivate.insights.measures import compute_measures
from cultivate.insights.measures.compute import measures_on
from cultivate.insights.report import ReportError
from cultivate.insights.report.build import open_store
from cultivate.insights.store import TABLES, connect, extract_date

from .analyses.test_fairness import build_full_store
from .test_measures import absence, spell

D = dt.date
# Codes and team names that would end the string literal or the statement if they were written into the SQL.
ODD_CODES = ("R'1", 'R"2', "R3'); DROP TABLE PEOPLE; --", "R4\\", "RÉ5 ✓", "R6' OR '1'='1")
ODD_TEAMS = ("Ward 'A'", 'Ward "B"', "x' OR team <> '", "ward; --", "back\\slash", "Ünïcode ward ✓")
PLAIN = "RZZ"
# Fragments that select every row if they escape the filter.
ESCAPES = ("RZZ' OR '1'='1", "') OR TRUE --", "RZZ') OR (1=1", "RZZ'; DROP VIEW assignments; --")
PERSON_TABLES = ("people", "absences", "training", "casework")
WINDOW = (D(2024, 3, 31), D(2025, 3, 31))


def _tables() -> dict[str, list[dict[str, Any]]]:
    """Two people in each of two teams of every organisation (one of them a leaver, one off sick), with an
    application, training, a case and a savings row each: every scope's figures differ from the others'."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for i, code in enumerate((*ODD_CODES, PLAIN)):
        for j, team in enumerate(ODD_TEAMS[i % 3 : i % 3 + 2] if code != PLAIN else ODD_TEAMS[2:4]):
            for k in range(2 + i):
                pid = f"p{i}-{j}-{k}"
                end = D(2024, 9, 30) if k == 0 else None
                tables["assignments"].append(
                    spell(f"s-{pid}", pid, D(2020, 1, 1), end, org=code, team=team, reason="Retirement Age")
                )
                tables["absences"].append(absence(pid, D(2024, 5, 1), D(2024, 5, 1 + i + k)))
                tables["training"].append(
                    {"person_id": pid, "course_code": f"C{k}", "completed_on": D(2024, 6, 1)}
                )
                tables["casework"].append({"case_id": f"c-{pid}", "person_id": pid, "kind": "grievance"})
        tables["recruitment"].append(
            {"application_id": f"a{i}", "vacancy_id": f"v{i}", "organisation_code": code, "afc_band": "5"}
        )
        tables["delegation_savings"].append(
            {"organisation_code": code, "organisation": code, "protocol": "P"}
        )
    return tables


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_store(tmp_path_factory.mktemp("scoping") / "store", _tables())


def _rows(con: Any, table: str) -> list[tuple[Any, ...]]:
    return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def _expected(
    store: Path, codes: tuple[str, ...], teams: tuple[str, ...] | None, *, people: bool
) -> dict[str, Any]:
    """Each table's rows for the scope, filtered in Python from the whole store."""
    con = connect(store)
    try:
        whole = {table: _rows(con, table) for table in TABLES}
        names = {
            table: [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
            for table in TABLES
        }
    finally:
        con.close()

    def column(table: str, row: tuple[Any, ...], name: str) -> Any:
        return row[names[table].index(name)]

    spells = [
        r
        for r in whole["assignments"]
        if str(column("assignments", r, "organisation_code")).upper() in codes
        and (teams is None or column("assignments", r, "team") in teams)
    ]
    expected = {"assignments": spells}
    in_scope = {column("assignments", r, "person_id") for r in spells}
    for table in PERSON_TABLES:
        expected[table] = [r for r in whole[table] if not people or column(table, r, "person_id") in in_scope]
    expected["recruitment"] = [
        r
        for r in whole["recruitment"]
        if teams is None and str(column("recruitment", r, "organisation_code")).upper() in codes
    ]
    expected["delegation_savings"] = [
        r
        for r in whole["delegation_savings"]
        if str(column("delegation_savings", r, "organisation_code")) in codes
    ]
    expected["programme_participation"] = [
        r
        for r in whole["programme_participation"]
        if str(column("programme_participation", r, "organisation_code")).upper() in codes
        and (teams is None or column("programme_participation", r, "person_id") in in_scope)
    ]
    return expected


@pytest.mark.parametrize("code", ODD_CODES)
def test_dashboards_read_exactly_an_odd_codes_rows(store: Path, code: str) -> None:
    teams = sorted({s["team"] for s in _tables()["assignments"] if s["organisation_code"] == code})
    for scope_teams in (None, (teams[0],), (teams[1], "no such team")):
        with dashboards.scoped_connection(store, Scope(organisations=(code,), teams=scope_teams)) as con:
            got = {table: _rows(con, table) for table in TABLES}
        expected = _expected(store, (code,), scope_teams, people=True)
        assert got == expected
        assert got["assignments"] and got["people"]


@pytest.mark.parametrize("code", ODD_CODES)
def test_the_report_reads_exactly_an_odd_codes_rows(store: Path, code: str) -> None:
    con = open_store(store, (code,))
    try:
        got = {table: _rows(con, table) for table in TABLES}
    finally:
        con.close()
    assert got == _expected(store, (code,), None, people=False)
    assert {r[2] for r in got["assignments"]} == {code}


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_scope_value_cannot_escape_the_filter(store: Path, escape: str) -> None:
    # Dashboards: the fragment is a code (or a team) no spell has, so nothing is read, and the views still exist.
    for scope in (Scope(organisations=(escape,)), Scope(organisations=(PLAIN,), teams=(escape,))):
        with dashboards.scoped_connection(store, scope) as con:
            assert all(_rows(con, table) == [] for table in ("assignments", "recruitment", *PERSON_TABLES))
    with dashboards.scoped_connection(store, Scope(organisations=(PLAIN,))) as con:
        assert {r[2] for r in _rows(con, "assignments")} == {PLAIN}
    # The report: a code the store lacks is refused before any view is built.
    with pytest.raises(ReportError, match="The store has no organisation"):
        open_store(store, (escape.upper(),))


def test_a_connection_with_no_scope_bound_reads_nothing(store: Path) -> None:
    with dashboards.scoped_connection(store, Scope(organisations=(PLAIN,))):
        pass
    con = _base(store, None)  # a cursor of the shared base that never bound a scope
    try:
        assert all(_rows(con, table) == [] for table in ("assignments", "recruitment", "delegation_savings"))
        assert all(_rows(con, table) == [] for table in PERSON_TABLES)
    finally:
        con.close()


def test_scoped_figures_equal_those_of_a_store_holding_only_the_scope(store: Path, tmp_path: Path) -> None:
    """The same figures as before: measures read through the scoped views equal the measures of a store that
    holds only the scope's rows."""
    code = ODD_CODES[2]
    only = {
        table: [r for r in rows if r.get("organisation_code", code) == code or table in PERSON_TABLES]
        for table, rows in _tables().items()
    }
    in_scope = {s["person_id"] for s in only["assignments"]}
    for table in PERSON_TABLES:
        only[table] = [r for r in only[table] if r["person_id"] in in_scope]
    alone = build_full_store(tmp_path / "alone", only)
    expected = compute_measures(alone, WINDOW, by=["team"])
    assert any(r["measure"] == "leaver_rate" and r["numerator"] for r in expected)
    with dashboards.scoped_connection(store, Scope(organisations=(code,))) as con:
        assert measures_on(con, WINDOW, by=["team"], extract_date=extract_date(store)) == expected
    report = open_store(store, (code,))
    try:
        assert measures_on(report, WINDOW, by=["team"], extract_date=extract_date(store)) == expected
    finally:
        report.close()
