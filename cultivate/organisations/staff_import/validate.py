"""Read both files, check every row against the rules and against each other and the organisation's records,
and return a Plan: either every problem found, or everything the writer needs.

Existing rows are loaded once into dicts, so the number of queries does not depend on the number of rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from ..models import EmploymentSpell, JobTitle, Organisation, Person, Team
from .columns import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS_FILE,
    ASSIGNMENTS_KNOWN,
    ASSIGNMENTS_REQUIRED,
    END_DATE,
    ID_MAX_LENGTH,
    LEAVING_REASON,
    PEOPLE_COLUMNS,
    PEOPLE_FILE,
    PEOPLE_KNOWN,
    PEOPLE_REQUIRED,
    PERSON_FIELDS,
    SPELL_FIELDS,
    START_DATE,
    TEAM_NAME,
    Invalid,
    normalise_title,
)
from .problems import Problem, Problems, shorten
from .reader import Table, count_rows

# (stage, rows done, rows in all) — the command line draws a bar, the web updates the import record.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000
ONE_DAY = dt.timedelta(days=1)
# A file is "mostly unparseable" when, once this many rows have been read, more than half of them have a
# problem: checking stops there, rather than listing a problem for every row of a file that is not an extract.
GIVE_UP_AFTER_ROWS = 200
UNKNOWN_SHOWN = 20


@dataclass(slots=True)
class PersonRow:
    line: int
    values: dict[str, Any]


@dataclass(slots=True)
class SpellRow:
    line: int
    assignment_id: str
    staff_id: str
    values: dict[str, Any]
    team: str | None = None  # as written; None when the file has no team column
    line_manager: str | None = None  # a person_id; None when the file has no such column


@dataclass
class Existing:
    """What the organisation already holds, loaded once."""

    people: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # staff_id → (pk, *PERSON_FIELDS)
    spells: dict[tuple[int, str], tuple[Any, ...]] = field(default_factory=dict)  # → (pk, *SPELL_FIELDS)
    periods: dict[int, list[tuple[str, dt.date, dt.date | None]]] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)  # assignment_id → person pk
    teams: dict[str, int] = field(default_factory=dict)  # lower-case name → pk
    titles: dict[str, int] = field(default_factory=dict)  # normalised title → SupportRole pk


def _problems() -> Problems:
    return Problems(settings.IMPORT_MAX_PROBLEMS)


@dataclass
class Plan:
    organisation: Organisation
    problems: Problems = field(default_factory=_problems)
    warnings: list[str] = field(default_factory=list)
    people: dict[str, PersonRow] = field(default_factory=dict)
    spells: list[SpellRow] = field(default_factory=list)
    person_fields: tuple[str, ...] = ()
    spell_fields: tuple[str, ...] = ()
    existing: Existing = field(default_factory=Existing)
    new_teams: dict[str, str] = field(default_factory=dict)  # lower-case name → name as first written
    people_rows: int = 0
    assignment_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems.total

    @property
    def problem_count(self) -> int:
        """Every problem found; `problems` keeps only the first IMPORT_MAX_PROBLEMS."""
        return self.problems.total


def load_existing(organisation: Organisation) -> Existing:
    existing = Existing()
    people = Person.objects.filter(organisation=organisation).values_list("pk", "staff_id", *PERSON_FIELDS)
    for pk, staff_id, *values in people.iterator(chunk_size=5000):
        existing.people[staff_id] = (pk, *values)
    spells = EmploymentSpell.objects.filter(person__organisation=organisation).values_list(
        "pk", "person_id", "assignment_id", *SPELL_FIELDS
    )
    start_at, end_at = 1 + SPELL_FIELDS.index("start_date"), 1 + SPELL_FIELDS.index("end_date")
    periods: defaultdict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for pk, person_id, assignment_id, *values in spells.iterator(chunk_size=5000):
        row = (pk, *values)
        existing.spells[(person_id, assignment_id)] = row
        periods[person_id].append((assignment_id, row[start_at], row[end_at]))
        existing.owners.setdefault(assignment_id, person_id)
    existing.periods = dict(periods)
    existing.teams = {
        name.lower(): pk
        for pk, name in Team.objects.filter(organisation=organisation).values_list("pk", "name")
    }
    # The organisation's own titles win over the shared catalogue: shared first, then overwritten.
    titles = JobTitle.objects.filter(organisation__isnull=True).values_list("normalised", "role_id")
    existing.titles = dict(titles)
    existing.titles.update(
        JobTitle.objects.filter(organisation=organisation).values_list("normalised", "role_id")
    )
    return existing


class _Checker:
    def __init__(self, plan: Plan, progress: Progress | None, total: int) -> None:
        self.plan = plan
        self.problems = plan.problems
        self.progress = progress
        self.total = total
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0:
            self.progress("checking", self.done, self.total)

    def problem(self, file: str, line: int, column: str, value: str, message: str) -> None:
        self.problems.append(Problem(file, line, column, value, message))

    def rows(self, table: Table) -> Iterator[tuple[int, list[str]]]:
        """The table's rows, each counted for progress; the file is refused once most rows have a problem."""
        wrong = 0
        before = self.problems.total
        for read, (line, cells) in enumerate(table.rows(), start=1):  # reading a row may report problems
            self.tick()
            yield line, cells
            if self.problems.total > before:
                wrong += 1
            before = self.problems.total
            if read >= GIVE_UP_AFTER_ROWS and wrong * 2 > read:
                table.refuse(
                    line,
                    f"{wrong:,} of the first {read:,} rows have problems: the file does not look like "
                    f"{table.label}, so checking stopped at line {line:,}",
                )

    def _identifier(self, file: str, line: int, column: str, value: str) -> bool:
        if not value:
            self.problem(file, line, column, value, "is required")
            return False
        if len(value) > ID_MAX_LENGTH:
            self.problem(file, line, column, value, f"is longer than {ID_MAX_LENGTH} characters")
            return False
        return True

    def read_people(self, table: Table) -> None:
        plan = self.plan
        people = plan.people
        key = table.index["person_id"]
        spec = [
            (column, table.index[column], name, parse)
            for column, (name, parse) in PEOPLE_COLUMNS.items()
            if table.has(column)
        ]
        plan.person_fields = tuple(name for _column, _index, name, _parse in spec)
        for line, cells in self.rows(table):
            plan.people_rows += 1
            staff_id = cells[key].strip()
            usable = self._identifier(PEOPLE_FILE, line, "person_id", staff_id)
            if usable and staff_id in people:
                self.problem(
                    PEOPLE_FILE,
                    line,
                    "person_id",
                    staff_id,
                    f"is already used on line {people[staff_id].line}; each person_id must be unique",
                )
                usable = False
            values: dict[str, Any] = {}
            for column, index, name, parse in spec:
                raw = cells[index].strip()
                try:
                    values[name] = parse(raw)
                except Invalid as error:
                    self.problem(PEOPLE_FILE, line, column, raw, str(error))
            born, year = values.get("birth_date"), values.get("birth_year")
            if born is not None and year is not None and born.year != year:
                self.problem(PEOPLE_FILE, line, "birth_year", str(year), f"does not match birth_date {born}")
            if usable:
                people[staff_id] = PersonRow(line, values)

    def read_spells(self, table: Table) -> None:
        plan = self.plan
        ods_code = plan.organisation.ods_code
        titles = plan.existing.titles
        index = table.index
        key, person, code, start_at = (
            index["assignment_id"],
            index["person_id"],
            index["organisation_code"],
            index["start_date"],
        )
        end_at, reason_at = index.get("end_date"), index.get("leaving_reason")
        team_at, manager_at = index.get("team"), index.get("line_manager_person_id")
        spec = [
            (column, index[column], name, parse)
            for column, (name, parse) in ASSIGNMENT_COLUMNS.items()
            if column in index
        ]
        fields = ["start_date", *(name for _column, _index, name, _parse in spec)]
        for present, name in (
            (end_at, "end_date"),
            (reason_at, "leaving_reason"),
            (team_at, "team_id"),
            (manager_at, "line_manager_id"),
        ):
            if present is not None:
                fields.append(name)
        if "job_title" in index:
            fields.append("role_id")
        plan.spell_fields = tuple(fields)
        first_line: dict[str, int] = {}
        roles: dict[str, int | None] = {}
        for line, cells in self.rows(table):
            plan.assignment_rows += 1
            assignment_id = cells[key].strip()
            usable = self._identifier(ASSIGNMENTS_FILE, line, "assignment_id", assignment_id)
            if usable and assignment_id in first_line:
                self.problem(
                    ASSIGNMENTS_FILE,
                    line,
                    "assignment_id",
                    assignment_id,
                    f"is already used on line {first_line[assignment_id]}; each assignment_id must be unique",
                )
                usable = False
            elif usable:
                first_line[assignment_id] = line
            staff_id = cells[person].strip()
            usable = self._identifier(ASSIGNMENTS_FILE, line, "person_id", staff_id) and usable
            organisation_code = cells[code].strip()
            if not organisation_code:
                self.problem(ASSIGNMENTS_FILE, line, "organisation_code", "", f"is required: {ods_code}")
            elif organisation_code.upper() != ods_code:
                self.problem(
                    ASSIGNMENTS_FILE,
                    line,
                    "organisation_code",
                    organisation_code,
                    f"must be {ods_code}, the organisation being imported",
                )
            values: dict[str, Any] = {}
            for column, position, name, parse in spec:
                raw = cells[position].strip()
                try:
                    values[name] = parse(raw)
                except Invalid as error:
                    self.problem(ASSIGNMENTS_FILE, line, column, raw, str(error))
            raw_start = cells[start_at].strip()
            try:
                values["start_date"] = START_DATE(raw_start)
            except Invalid as error:
                self.problem(ASSIGNMENTS_FILE, line, "start_date", raw_start, str(error))
                values["start_date"] = None
            end_ok = True
            if end_at is not None:
                raw_end = cells[end_at].strip()
                try:
                    values["end_date"] = END_DATE(raw_end)
                except Invalid as error:
                    self.problem(ASSIGNMENTS_FILE, line, "end_date", raw_end, str(error))
                    values["end_date"] = None
                    end_ok = False
                start, end = values["start_date"], values["end_date"]
                if start is not None and end is not None and end < start:
                    self.problem(
                        ASSIGNMENTS_FILE, line, "end_date", raw_end, f"is before the start date {start}"
                    )
            if reason_at is not None:
                raw_reason = cells[reason_at].strip()
                try:
                    values["leaving_reason"] = LEAVING_REASON(raw_reason)
                except Invalid as error:
                    self.problem(ASSIGNMENTS_FILE, line, "leaving_reason", raw_reason, str(error))
                    values["leaving_reason"] = (
                        raw_reason  # a reason was given, so "is required" would mislead
                    )
                if raw_reason and end_ok and values.get("end_date") is None:
                    self.problem(
                        ASSIGNMENTS_FILE,
                        line,
                        "leaving_reason",
                        raw_reason,
                        "must be empty while the spell has no end date",
                    )
            row = SpellRow(line, assignment_id, staff_id, values)
            if team_at is not None:
                team = cells[team_at].strip()
                try:
                    row.team = TEAM_NAME(team)
                except Invalid as error:
                    self.problem(ASSIGNMENTS_FILE, line, "team", team, str(error))
                    row.team = ""
            if manager_at is not None:
                manager = cells[manager_at].strip()
                if len(manager) > ID_MAX_LENGTH:
                    self.problem(
                        ASSIGNMENTS_FILE,
                        line,
                        "line_manager_person_id",
                        manager,
                        f"is longer than {ID_MAX_LENGTH} characters",
                    )
                    manager = ""
                row.line_manager = manager
            if "job_title" in values:
                title = values["job_title"]
                if title not in roles:
                    roles[title] = titles.get(normalise_title(title)) if title else None
                values["role_id"] = roles[title]
            if usable:
                plan.spells.append(row)

    def cross_check(self) -> None:
        """People named by spells exist; assignments stay with their person; spells of one person do not
        overlap; leaving reasons sit on the spell that ends the employment."""
        plan = self.plan
        existing = plan.existing
        people, known = plan.people, existing.people
        name = plan.organisation.ods_code
        staff_ids = {row[0]: staff_id for staff_id, row in known.items()}
        by_person: defaultdict[str, list[SpellRow]] = defaultdict(list)
        for row in plan.spells:
            if row.staff_id not in people and row.staff_id not in known:
                self.problem(
                    ASSIGNMENTS_FILE,
                    row.line,
                    "person_id",
                    row.staff_id,
                    f"is not in people.csv and is not a person already held for {name}",
                )
                continue
            by_person[row.staff_id].append(row)
            manager = row.line_manager
            if manager:
                if manager == row.staff_id:
                    self.problem(
                        ASSIGNMENTS_FILE,
                        row.line,
                        "line_manager_person_id",
                        manager,
                        "is the person themselves; a person cannot be their own line manager",
                    )
                elif manager not in people and manager not in known:
                    self.problem(
                        ASSIGNMENTS_FILE,
                        row.line,
                        "line_manager_person_id",
                        manager,
                        f"is not in people.csv and is not a person already held for {name}",
                    )
            person_pk = known[row.staff_id][0] if row.staff_id in known else None
            owner = existing.owners.get(row.assignment_id)
            if (
                owner is not None
                and owner != person_pk
                and (person_pk, row.assignment_id) not in existing.spells
            ):
                self.problem(
                    ASSIGNMENTS_FILE,
                    row.line,
                    "assignment_id",
                    row.assignment_id,
                    f"already belongs to another person ({staff_ids.get(owner, '?')}) in {name}",
                )
        for staff_id, rows in by_person.items():
            self._check_history(staff_id, rows)

    def _check_history(self, staff_id: str, rows: list[SpellRow]) -> None:
        existing = self.plan.existing
        # (start, end, assignment_id, row or None for a spell already held and not in the file)
        spells: list[tuple[dt.date, dt.date | None, str, SpellRow | None]] = [
            (row.values["start_date"], row.values.get("end_date"), row.assignment_id, row)
            for row in rows
            if row.values["start_date"] is not None
        ]
        if staff_id in existing.people:
            in_file = {row.assignment_id for row in rows}
            spells.extend(
                (start, end, assignment_id, None)
                for assignment_id, start, end in existing.periods.get(existing.people[staff_id][0], [])
                if assignment_id not in in_file
            )
        if not spells:
            return
        spells.sort(key=lambda s: (s[0], s[1] or dt.date.max))
        overlapping = False
        latest = spells[0]
        for spell in spells[1:]:
            latest_end = latest[1]
            if latest_end is None or spell[0] <= latest_end:
                overlapping = True
                self._overlap(spell, latest)
            if latest_end is not None and (spell[1] is None or spell[1] > latest_end):
                latest = spell
        if overlapping:
            return  # the order of spells is in doubt, so which one ends the employment is too
        for position, (_start, end, _aid, row) in enumerate(spells):
            if row is None or end is None:
                continue  # spells already held are not the file's to fix; open spells were checked per row
            last = position + 1 == len(spells)
            reason = row.values.get("leaving_reason", "")
            if last:
                if not reason:
                    self.problem(
                        ASSIGNMENTS_FILE,
                        row.line,
                        "leaving_reason",
                        reason,
                        "is required: this is the person's last spell and it has an end date, so it "
                        "needs the ESR reason for leaving",
                    )
                continue
            following = spells[position + 1]
            if reason and following[0] <= end + ONE_DAY:
                # A gap before the next spell means the person left and came back: a reason may stand there.
                self.problem(
                    ASSIGNMENTS_FILE,
                    row.line,
                    "leaving_reason",
                    reason,
                    f"must be empty: the person's employment continues in assignment {following[2]} "
                    f"from {following[0]}",
                )

    def _overlap(
        self,
        spell: tuple[dt.date, dt.date | None, str, SpellRow | None],
        earlier: tuple[dt.date, dt.date | None, str, SpellRow | None],
    ) -> None:
        def describe(s: tuple[dt.date, dt.date | None, str, SpellRow | None]) -> str:
            held = f"line {s[3].line}" if s[3] is not None else "already held"
            return f"assignment {s[2]} ({s[0]} to {s[1] or 'no end date'}, {held})"

        reported, other = (spell, earlier) if spell[3] is not None else (earlier, spell)
        row = reported[3]
        assert row is not None  # at least one of two overlapping spells is in the file
        self.problem(
            ASSIGNMENTS_FILE,
            row.line,
            "start_date",
            str(reported[0]),
            f"overlaps {describe(other)}; spells of one person may not overlap",
        )


def check(
    *, organisation: Organisation, people_path: Path, assignments_path: Path, progress: Progress | None = None
) -> Plan:
    plan = Plan(organisation=organisation)
    total = count_rows(people_path) + count_rows(assignments_path)
    checker = _Checker(plan, progress, total)
    limit = settings.STAFF_IMPORT_MAX_ROWS
    with (
        Table(
            PEOPLE_FILE, people_path, PEOPLE_KNOWN, PEOPLE_REQUIRED, plan.problems, max_rows=limit
        ) as people,
        Table(
            ASSIGNMENTS_FILE,
            assignments_path,
            ASSIGNMENTS_KNOWN,
            ASSIGNMENTS_REQUIRED,
            plan.problems,
            max_rows=limit,
        ) as assignments,
    ):
        for table in (people, assignments):
            if table.unknown:
                # Named, cut short and escaped, up to a point: a file that is not an extract may have thousands.
                names = ", ".join(shorten(name) for name in table.unknown[:UNKNOWN_SHOWN])
                more = len(table.unknown) - UNKNOWN_SHOWN
                names += f" and {more:,} more" if more > 0 else ""
                plan.warnings.append(f"{table.label}: columns not recognised and not imported: {names}")
        if not (people.header_ok and assignments.header_ok):
            # Without the columns the rows cannot be read meaningfully; the header problems say what to fix.
            return plan
        checker.read_people(people)
        plan.existing = load_existing(organisation)
        checker.read_spells(assignments)
        if people.refused or assignments.refused:
            # Rows were left unread, so references between the files would be reported wrongly.
            plan.problems.sort(key=lambda p: (p.file != PEOPLE_FILE, p.line))
            return plan
    checker.cross_check()
    if progress is not None:
        progress("checking", checker.done, max(checker.done, total))
    _note_teams_and_titles(plan)
    plan.problems.sort(key=lambda p: (p.file != PEOPLE_FILE, p.line))
    return plan


def _note_teams_and_titles(plan: Plan) -> None:
    teams = plan.existing.teams
    unmapped: Counter[str] = Counter()
    for row in plan.spells:
        if row.team:
            lowered = row.team.lower()
            if lowered not in teams and lowered not in plan.new_teams:
                plan.new_teams[lowered] = row.team
        title = row.values.get("job_title")
        if title and row.values.get("role_id") is None:
            unmapped[title] += 1
    if unmapped:
        common = ", ".join(f"{title} ({count})" for title, count in unmapped.most_common(5))
        plan.warnings.append(
            f"{sum(unmapped.values())} spells have a job title that maps to no support role and will have no "
            f"role; the most common: {common}. Add these titles to the role catalogue to map them."
        )
