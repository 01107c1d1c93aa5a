"""Analytics scoping in one place: the views a scope may read, for the dashboards and the board report.

A scope names organisations (ODS codes) and, for line managers and assessors, teams. `scoped_views()` replaces
the connection's table views by ones that hold only the scope's rows: `assignments` filtered on
`organisation_code` (and `team`), optionally people, absences, training and casework cut to the people holding a
spell in scope, recruitment to the applications placed in one of the organisations (none for a team's scope:
applications name no team), the delegation savings to the organisations' own, and programme participation to
the organisations' participants. Nothing outside the scope
reaches a query on those views, so no page, export or report can show it.

The scope itself is the connection's: `bind_scope()` binds the codes and team names as parameters into two
DuckDB variables (`scope_organisations`, `scope_teams`, lists of text) that the views read with `getvariable()`.
So the scope's values are never written into SQL (a code or team name with a quote in it is data), and DuckDB
folds the variables into constants when it plans a query, so the filter is pushed into the Parquet scan as a
literal list would be (a join on a table of the values is not; ADR 0024).
Variables belong to a connection (each cursor of a shared base database has its own), so the dashboards define
the views once on their base database and each request's cursor only binds its scope; a connection that binds
none reads no rows. `restrict()` does both, for a connection with one scope (the board report).

Codes are compared in capitals (the scope's are ODS codes, capitals; an extract's are stored so, but a store
written by hand may not be)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only to name the connection: the access rules import `Scope` in every process
    import duckdb

PERSON_TABLES = ("people", "absences", "training", "casework")
# Unset (no team scope), `getvariable` is NULL and the test folds to true; set, to `team IN (<the teams>)`.
TEAMS_UNSCOPED = "getvariable('scope_teams') IS NULL"
IN_TEAMS = f"({TEAMS_UNSCOPED} OR list_contains(getvariable('scope_teams'), team))"


def _in_organisations(expression: str) -> str:
    """`expression IN (<the scope's codes>)` once planned; NULL (no row) on a connection with no scope bound."""
    return f"list_contains(getvariable('scope_organisations'), {expression})"


@dataclass(frozen=True)
class Scope:
    """Whose spells a dashboard may read: organisations by ODS code, optionally only some teams (by name)."""

    organisations: tuple[str, ...]
    teams: tuple[str, ...] | None = None
    individual_level: bool = False


def bind_scope(
    con: duckdb.DuckDBPyConnection, organisations: Sequence[str], teams: Sequence[str] | None = None
) -> None:
    """Set the scope the connection's scoped views read: the codes (in capitals) and, if given, the team names,
    bound as parameters into the connection's variables."""
    con.execute(
        "SET VARIABLE scope_organisations = $values::VARCHAR[]",
        {"values": [c.upper() for c in organisations]},
    )
    if teams is None:
        con.execute("RESET VARIABLE scope_teams")
    else:
        con.execute("SET VARIABLE scope_teams = $values::VARCHAR[]", {"values": list(teams)})


def scoped_views(
    con: duckdb.DuckDBPyConnection,
    *,
    prefix: str,
    people: bool = True,
    application_organisation: str = "upper(r.organisation_code)",
    copy_spells: bool = False,
) -> None:
    """Create the scoped views on `con` over the unscoped ones named `<prefix><table>` (which the caller has
    renamed out of the way); they read the scope of the connection that queries them (`bind_scope`).
    `people` cuts the person tables to the people holding a spell in scope; `application_organisation` is the
    SQL for an application's organisation (a row `r` of recruitment), the recorded code by default;
    `copy_spells` copies the scope's spells into a table rather than a view, so the scope must be bound first
    and stays the connection's."""
    condition = f"{_in_organisations('upper(organisation_code)')} AND {IN_TEAMS}"
    # A caller that runs very many queries (the board report) reads a copy of the scope's spells in memory faster
    # than the Parquet files; a dashboard runs too few to pay for the copy.
    kind = "TABLE" if copy_spells else "VIEW"
    con.execute(f"CREATE {kind} assignments AS SELECT * FROM {prefix}assignments WHERE {condition}")  # noqa: S608 (table names from the store schema; the scope's values are bound into variables)
    for table in PERSON_TABLES:
        cut = " WHERE person_id IN (SELECT person_id FROM assignments)" if people else ""
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {prefix}{table}{cut}")  # noqa: S608 (table names from the store schema; the scope's values are bound into variables)
    # A team's scope reads no applications: they name no team.
    applications = f"{TEAMS_UNSCOPED} AND {_in_organisations(application_organisation)}"
    con.execute(f"CREATE VIEW recruitment AS SELECT r.* FROM {prefix}recruitment r WHERE {applications}")  # noqa: S608 (table names from the store schema; the scope's values are bound into variables)
    # Savings are an organisation's, whichever of its teams is shown.
    con.execute(
        f"CREATE VIEW delegation_savings AS SELECT * FROM {prefix}delegation_savings "  # noqa: S608 (table names from the store schema; the scope's values are bound into variables)
        f"WHERE {_in_organisations('upper(organisation_code)')}"
    )
    # Programme participants: their employing organisation's, and within a team's scope only the team's people.
    con.execute(
        f"CREATE VIEW programme_participation AS SELECT * FROM {prefix}programme_participation "  # noqa: S608 (table names from the store schema; the scope's values are bound into variables)
        f"WHERE {_in_organisations('upper(organisation_code)')} "
        f"AND ({TEAMS_UNSCOPED} OR person_id IN (SELECT person_id FROM assignments))"
    )


def restrict(
    con: duckdb.DuckDBPyConnection,
    organisations: Sequence[str],
    *,
    teams: Sequence[str] | None = None,
    prefix: str,
    people: bool = True,
    application_organisation: str = "upper(r.organisation_code)",
    copy_spells: bool = False,
) -> None:
    """Bind the scope on `con` and create its scoped views (`bind_scope`, `scoped_views`): for a connection
    that serves one scope."""
    bind_scope(con, organisations, teams)
    scoped_views(
        con,
        prefix=prefix,
        people=people,
        application_organisation=application_organisation,
        copy_spells=copy_spells,
    )
