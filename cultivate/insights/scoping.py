"""Analytics scoping in one place: the views a scope may read, for the dashboards and the board report.

A scope names organisations (ODS codes) and, for line managers and assessors, teams. `restrict()` replaces the
connection's table views by ones that hold only the scope's rows: `assignments` filtered on `organisation_code`
(and `team`), optionally people, absences, training and casework cut to the people holding a spell in scope,
recruitment to the applications placed in one of the organisations (none for a team's scope: applications name
no team), and the delegation savings to the organisations' own. Nothing outside the scope reaches a query on
those views, so no page, export or report can show it.

Codes are compared in capitals (the scope's are ODS codes, capitals; an extract's are stored so, but a store
written by hand may not be). The scope's values are never written into SQL: they are bound as parameters
into two temporary tables of the connection (`scope_organisations`, `scope_teams`) that the views join, so a code
or team name with a quote in it is data, not SQL (ADR insights-analytics-read-the-store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

PERSON_TABLES = ("people", "absences", "training", "casework")
IN_ORGANISATIONS = "(SELECT value FROM scope_organisations)"
IN_TEAMS = "(SELECT value FROM scope_teams)"


@dataclass(frozen=True)
class Scope:
    """Whose spells a dashboard may read: organisations by ODS code, optionally only some teams (by name)."""

    organisations: tuple[str, ...]
    teams: tuple[str, ...] | None = None
    individual_level: bool = False


def _bind(con: duckdb.DuckDBPyConnection, table: str, values: Sequence[str]) -> None:
    """A temporary one-column table `table` (column `value`) holding `values`, bound as a parameter."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT unnest($values::VARCHAR[]) AS value",
        {"values": list(values)},
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
    """Create the scoped views on `con` over the unscoped ones named `<prefix><table>` (which the caller has
    renamed out of the way). `people` cuts the person tables to the people holding a spell in scope;
    `application_organisation` is the SQL for an application's organisation (a row `r` of recruitment), the
    recorded code by default; `copy_spells` copies the scope's spells into a temporary table rather than a view.
    The views are the connection's own (temporary), so each cursor of a shared base
    database holds its own scope."""
    _bind(con, "scope_organisations", [code.upper() for code in organisations])
    condition = f"upper(organisation_code) IN {IN_ORGANISATIONS}"
    if teams is not None:
        _bind(con, "scope_teams", teams)
        condition += f" AND team IN {IN_TEAMS}"
    # A caller that runs very many queries (the board report) reads a copy of the scope's spells in memory faster
    # than the Parquet files through a join with the scope's table; a dashboard runs too few to pay for the copy.
    kind = "TABLE" if copy_spells else "VIEW"
    con.execute(f"CREATE TEMP {kind} assignments AS SELECT * FROM {prefix}assignments WHERE {condition}")  # noqa: S608 (table names from the store schema; the scope's values are bound into tables)
    for table in PERSON_TABLES:
        cut = " WHERE person_id IN (SELECT person_id FROM assignments)" if people else ""
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT * FROM {prefix}{table}{cut}")  # noqa: S608 (table names from the store schema; the scope's values are bound into tables)
    # A team's scope reads no applications: they name no team.
    applications = "false" if teams is not None else f"{application_organisation} IN {IN_ORGANISATIONS}"
    con.execute(f"CREATE TEMP VIEW recruitment AS SELECT r.* FROM {prefix}recruitment r WHERE {applications}")  # noqa: S608 (table names from the store schema; the scope's values are bound into tables)
    # Savings are an organisation's, whichever of its teams is shown.
    con.execute(
        f"CREATE TEMP VIEW delegation_savings AS SELECT * FROM {prefix}delegation_savings "  # noqa: S608 (table names from the store schema; the scope's values are bound into tables)
        f"WHERE upper(organisation_code) IN {IN_ORGANISATIONS}"
    )
