"""Turn a clean Plan into the changes it makes (`diff`, which reads nothing and writes nothing: the preview
shows its counts), then write them (`Writer`), changing only the fields the files supply and only the rows whose
values differ. The caller holds the transaction.

Everything that can be worked out before writing is: `Writer.write` only runs batched INSERTs and UPDATEs,
written as SQL because the ORM's per-value preparation of 130,000 rows took seconds that would otherwise
be spent holding SQLite's write lock (ADR 0017). Rows are not `full_clean()`ed one by one: the checks in
`validate` apply the same rules to every cell, and the database constraints back them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models

from ..models import EmploymentSpell, Person, Team, TeamSetting
from .columns import PERSON_FIELDS, SPELL_FIELDS
from .validate import Plan, Progress

BATCH = 5000  # rows per statement (PostgreSQL's INSERT) or per executemany
# SQLite's page cache for the connection while it writes (in KiB, as PRAGMA cache_size takes a negative number):
# with the default 2 MB, index pages of a large import spill and are read back, lengthening the lock held.
SQLITE_WRITE_CACHE_KIB = 128 * 1024


@dataclass
class Counts:
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    spells_created: int = 0
    spells_updated: int = 0
    spells_unchanged: int = 0
    spells_ended: int = 0  # spells held open that the files give an end date: leavers and moves
    teams_created: int = 0
    new_teams: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: value for name, value in vars(self).items() if isinstance(value, int)}


@dataclass(frozen=True, slots=True)
class New:
    """A reference to a team or person the import creates, whose id is known only once it is written. It
    differs from every id held, so a spell moving to it counts as changed."""

    kind: str  # "team" or "person"
    key: str  # the team's lower-case name or the person's staff_id


# (pk, {field: new value}) per set of changed fields, so each UPDATE sets only what changed.
Updates = dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]]


@dataclass
class Changes:
    counts: Counts
    new_people: list[dict[str, Any]] = field(default_factory=list)
    people_updates: Updates = field(default_factory=dict)
    new_spells: list[dict[str, Any]] = field(default_factory=list)
    spell_updates: Updates = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return (
            len(self.new_people)
            + len(self.new_spells)
            + sum(
                len(group)
                for updates in (self.people_updates, self.spell_updates)
                for group in updates.values()
            )
        )


def _changed(
    held: tuple[Any, ...], values: dict[str, Any], fields: Iterable[tuple[str, int]]
) -> tuple[str, ...]:
    return tuple(name for name, position in fields if held[position] != values[name])


def diff(plan: Plan) -> Changes:
    """What writing the plan would create and change, with counts for the preview and the report."""
    assert plan.ok, "a plan with problems is never written"
    existing = plan.existing
    counts = Counts(teams_created=len(plan.new_teams))
    counts.new_teams = sorted(plan.new_teams.values(), key=str.lower)
    changes = Changes(counts)
    people_updates: defaultdict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    person_fields = [(name, 1 + PERSON_FIELDS.index(name)) for name in plan.person_fields]
    for staff_id, person_row in plan.people.items():
        held = existing.people.get(staff_id)
        if held is None:
            changes.new_people.append({"staff_id": staff_id, **person_row.values})
            continue
        changed = _changed(held, person_row.values, person_fields)
        if changed:
            people_updates[changed].append((held[0], {name: person_row.values[name] for name in changed}))
            counts.people_updated += 1
        else:
            counts.people_unchanged += 1
    counts.people_created = len(changes.new_people)

    def person(staff_id: str) -> int | New:
        held = existing.people.get(staff_id)
        return held[0] if held is not None else New("person", staff_id)

    spell_updates: defaultdict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    spell_fields = [(name, 1 + SPELL_FIELDS.index(name)) for name in plan.spell_fields]
    end_at = 1 + SPELL_FIELDS.index("end_date")
    for row in plan.spells:
        values = row.values
        if row.team is not None:
            lowered = row.team.lower()
            values["team_id"] = existing.teams.get(lowered) or New("team", lowered) if row.team else None
        if row.line_manager is not None:
            values["line_manager_id"] = person(row.line_manager) if row.line_manager else None
        person_id = person(row.staff_id)
        held = existing.spells.get((person_id, row.assignment_id)) if isinstance(person_id, int) else None
        if held is None:
            changes.new_spells.append({"person_id": person_id, "assignment_id": row.assignment_id, **values})
            continue
        changed = _changed(held, values, spell_fields)
        if changed:
            spell_updates[changed].append((held[0], {name: values[name] for name in changed}))
            counts.spells_updated += 1
            if held[end_at] is None and values.get("end_date") is not None:
                counts.spells_ended += 1
        else:
            counts.spells_unchanged += 1
    counts.spells_created = len(changes.new_spells)
    changes.people_updates = dict(people_updates)
    changes.spell_updates = dict(spell_updates)
    return changes


class _Table:
    """INSERT and UPDATE statements for one model, with the value every column not supplied takes."""

    def __init__(self, model: type[models.Model], now: dt.datetime) -> None:
        meta = model._meta
        self.name = connection.ops.quote_name(meta.db_table)
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        stamp = connection.ops.adapt_datetimefield_value(now)
        self.stamp = stamp
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = stamp
            elif not callable(f.default):
                self.defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
        self.insert_columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        # Table and column names come from the model, quoted; every value is a parameter.
        if connection.vendor == "postgresql":
            # One array parameter per column, as Django's own bulk_create does there: many rows per statement
            # (executemany costs a round trip per row), and the statement does not grow with them.
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in self.fields)
            self.insert_sql = (
                f"INSERT INTO {self.name} ({self.insert_columns}) SELECT * FROM UNNEST({arrays})"  # noqa: S608
            )
        else:
            # executemany of one prepared statement: the fastest way into SQLite, which runs in this process.
            marks = ", ".join(["%s"] * len(self.fields))
            self.insert_sql = f"INSERT INTO {self.name} ({self.insert_columns}) VALUES ({marks})"  # noqa: S608
        self.columns = {f.attname: connection.ops.quote_name(f.column) for f in self.fields}
        self.pk = connection.ops.quote_name(meta.pk.column)

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        # Values from the files are str, int, date, Decimal or None: every backend's driver takes them as they
        # are (Django registers SQLite's adapters for dates and decimals).
        defaults = self.defaults
        return tuple(
            values[f.attname]
            if f.attname in values
            else defaults[f.attname]
            if f.attname in defaults
            else f.get_db_prep_save(f.get_default(), connection)
            for f in self.fields
        )

    def updates(self, updates: Updates) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        """An UPDATE per set of changed fields, with its rows of parameters."""
        for changed, group in updates.items():
            sets = ", ".join(f"{self.columns[name]} = %s" for name in (*changed, "updated_at"))
            sql = f"UPDATE {self.name} SET {sets} WHERE {self.pk} = %s"  # noqa: S608
            yield sql, [(*(values[name] for name in changed), self.stamp, pk) for pk, values in group]


class Writer:
    """Built before the transaction: every row to insert or update is laid out as the SQL parameters it
    becomes, with the places that name a team or person not yet created noted. `write`, inside the
    transaction, only fills those in and runs the statements."""

    def __init__(self, plan: Plan, changes: Changes, *, now: dt.datetime, progress: Progress | None) -> None:
        self.plan = plan
        self.changes = changes
        self.progress = progress
        self.total = changes.rows
        self.done = 0
        self.ids: dict[str, dict[str, int]] = {"team": dict(plan.existing.teams), "person": {}}
        self.people = _Table(Person, now)
        self.spells = _Table(EmploymentSpell, now)
        organisation_id = plan.organisation.pk
        self.people_rows = [
            self.people.row({"organisation_id": organisation_id, **values}) for values in changes.new_people
        ]
        self.spell_rows, self.spell_refs = _laid_out(
            [self.spells.row(values) for values in changes.new_spells]
        )
        self.updates = [
            (sql, *_laid_out(rows))
            for table, updates in (
                (self.people, changes.people_updates),
                (self.spells, changes.spell_updates),
            )
            for sql, rows in table.updates(updates)
        ]

    def _fill(self, rows: list[list[Any]], refs: list[tuple[int, int, New]]) -> None:
        ids = self.ids
        for row, position, new in refs:
            rows[row][position] = ids[new.kind][new.key]

    def _advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress("saving", self.done, self.total)

    def insert(self, table: _Table, rows: list[list[Any]], refs: list[tuple[int, int, New]]) -> None:
        self._fill(rows, refs)
        postgresql = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                if postgresql:
                    cursor.execute(table.insert_sql, [list(column) for column in zip(*batch, strict=True)])
                else:
                    cursor.executemany(table.insert_sql, batch)
                self._advance(len(batch))

    def many(self, sql: str, rows: list[list[Any]], refs: list[tuple[int, int, New]]) -> None:
        self._fill(rows, refs)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                cursor.executemany(sql, batch)
                self._advance(len(batch))

    def write(self) -> Counts:
        plan, changes = self.plan, self.changes
        created = Team.objects.bulk_create(
            Team(organisation=plan.organisation, name=name, setting=TeamSetting.OTHER)
            for name in changes.counts.new_teams
        )
        self.ids["team"].update((team.name.lower(), team.pk) for team in created)
        self.insert(self.people, [list(row) for row in self.people_rows], [])
        if changes.new_people:
            self.ids["person"] = dict(
                Person.objects.filter(organisation_id=plan.organisation.pk).values_list("staff_id", "pk")
            )
        self.insert(self.spells, self.spell_rows, self.spell_refs)
        for sql, rows, refs in self.updates:
            self.many(sql, rows, refs)
        return changes.counts


@contextmanager
def roomy_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for the duration of the write; elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


def _laid_out(rows: Iterable[Sequence[Any]]) -> tuple[list[list[Any]], list[tuple[int, int, New]]]:
    """The rows as lists, and where each holds a reference to a team or person still to be created."""
    laid_out = [list(row) for row in rows]
    refs = [
        (number, position, value)
        for number, row in enumerate(laid_out)
        for position, value in enumerate(row)
        if type(value) is New
    ]
    return laid_out, refs
