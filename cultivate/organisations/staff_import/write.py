"""Apply a clean Plan: create the missing teams, then people, then spells, in batches, changing only the
fields the files supply and only the rows whose values differ. The caller holds the transaction.

Rows are not `full_clean()`ed one by one: the checks in `validate` apply the same rules to every cell without a
query per row, and the database constraints back them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from ..models import EmploymentSpell, Person, Team, TeamSetting
from .columns import PERSON_FIELDS, SPELL_FIELDS
from .validate import Plan, Progress

CREATE_BATCH = 2000
UPDATE_BATCH = 500
M = TypeVar("M", bound=models.Model)


@dataclass
class Counts:
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    spells_created: int = 0
    spells_updated: int = 0
    spells_unchanged: int = 0
    teams_created: int = 0
    new_teams: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: value for name, value in vars(self).items() if isinstance(value, int)}


def _changed(
    held: tuple[Any, ...], values: dict[str, Any], fields: Iterable[tuple[str, int]]
) -> tuple[str, ...]:
    return tuple(name for name, position in fields if held[position] != values[name])


def _update(model: type[M], groups: dict[tuple[str, ...], list[M]], now: dt.datetime) -> None:
    # One bulk_update per set of changed fields, so a row's other columns are left exactly as they were.
    for changed, objects in groups.items():
        for obj in objects:
            obj.updated_at = now  # type: ignore[attr-defined]  # bulk_update does not run auto_now
        model._default_manager.bulk_update(objects, [*changed, "updated_at"], batch_size=UPDATE_BATCH)


class _Writer:
    def __init__(self, plan: Plan, progress: Progress | None, now: dt.datetime) -> None:
        self.plan = plan
        self.progress = progress
        self.now = now
        self.counts = Counts()
        self.total = len(plan.people) + len(plan.spells)
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress("saving", self.done, self.total)

    def teams(self) -> dict[str, int]:
        plan = self.plan
        team_ids = dict(plan.existing.teams)
        created = [
            Team(organisation=plan.organisation, name=name, setting=TeamSetting.OTHER)
            for name in sorted(plan.new_teams.values(), key=str.lower)
        ]
        Team.objects.bulk_create(created, batch_size=CREATE_BATCH)
        for team in created:
            team_ids[team.name.lower()] = team.pk
        self.counts.teams_created = len(created)
        self.counts.new_teams = [team.name for team in created]
        return team_ids

    def people(self) -> dict[str, int]:
        plan, counts = self.plan, self.counts
        held_people = plan.existing.people
        person_ids = {staff_id: held[0] for staff_id, held in held_people.items()}
        fields = [(name, 1 + PERSON_FIELDS.index(name)) for name in plan.person_fields]
        organisation_id = plan.organisation.pk
        batch: list[Person] = []
        updates: defaultdict[tuple[str, ...], list[Person]] = defaultdict(list)

        def create() -> None:
            Person.objects.bulk_create(batch)
            for person in batch:
                person_ids[person.staff_id] = person.pk
            counts.people_created += len(batch)
            self.advance(len(batch))
            batch.clear()

        for staff_id, row in plan.people.items():
            held = held_people.get(staff_id)
            if held is None:
                batch.append(Person(organisation_id=organisation_id, staff_id=staff_id, **row.values))
                if len(batch) >= CREATE_BATCH:
                    create()
                continue
            changed = _changed(held, row.values, fields)
            if changed:
                updates[changed].append(Person(pk=held[0], **{name: row.values[name] for name in changed}))
                counts.people_updated += 1
            else:
                counts.people_unchanged += 1
        create()
        _update(Person, updates, self.now)
        self.advance(counts.people_updated + counts.people_unchanged)
        return person_ids

    def spells(self, person_ids: dict[str, int], team_ids: dict[str, int]) -> None:
        plan, counts = self.plan, self.counts
        held_spells = plan.existing.spells
        fields = [(name, 1 + SPELL_FIELDS.index(name)) for name in plan.spell_fields]
        batch: list[EmploymentSpell] = []
        updates: defaultdict[tuple[str, ...], list[EmploymentSpell]] = defaultdict(list)

        def create() -> None:
            EmploymentSpell.objects.bulk_create(batch)
            counts.spells_created += len(batch)
            self.advance(len(batch))
            batch.clear()

        for row in plan.spells:
            values = row.values
            if row.team is not None:
                values["team_id"] = team_ids[row.team.lower()] if row.team else None
            if row.line_manager is not None:
                values["line_manager_id"] = person_ids[row.line_manager] if row.line_manager else None
            person_id = person_ids[row.staff_id]
            held = held_spells.get((person_id, row.assignment_id))
            if held is None:
                batch.append(EmploymentSpell(person_id=person_id, assignment_id=row.assignment_id, **values))
                if len(batch) >= CREATE_BATCH:
                    create()
                continue
            changed = _changed(held, values, fields)
            if changed:
                updates[changed].append(
                    EmploymentSpell(pk=held[0], **{name: values[name] for name in changed})
                )
                counts.spells_updated += 1
            else:
                counts.spells_unchanged += 1
        create()
        _update(EmploymentSpell, updates, self.now)
        self.advance(counts.spells_updated + counts.spells_unchanged)


def apply(plan: Plan, *, now: dt.datetime, progress: Progress | None = None) -> Counts:
    assert plan.ok, "a plan with problems is never written"
    writer = _Writer(plan, progress, now)
    team_ids = writer.teams()
    person_ids = writer.people()
    writer.spells(person_ids, team_ids)
    return writer.counts
