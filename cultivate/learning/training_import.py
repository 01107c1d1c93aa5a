"""Import completions from a learning system's export: `training.csv` of the shared DATA-FORMATS (person_id,
course_code, course_title, completed_on, mandatory, hours, cost_gbp), or an XLSX workbook whose first sheet has
those columns. Column names are case-insensitive; unknown columns are reported, never silently dropped.

Every row is checked before anything is written, and every bad row and column is listed (file, row, column, value,
problem); nothing is written unless every row is good, and then every completion in one transaction. A row
already recorded (same person, course and day) is counted and skipped, so importing the same export twice adds
nothing. `person_id` is the person's staff ID in the organisation; `course_code` is the code of an offer open to
the organisation (its own or its alliance's) or of one of its mandatory subjects. Imported completions count for
compliance and spend; they do not make portfolio evidence (a worker's certificate does)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from cultivate.core import rows
from cultivate.core.bounds import BoundedList
from cultivate.core.jobs import job_problem
from cultivate.organisations.models import Organisation, Person

from .models import Completion, CompletionSource, MandatorySubject, Offer
from .selectors import offers_for

REQUIRED = ("person_id", "course_code", "course_title", "completed_on")
OPTIONAL = ("mandatory", "hours", "cost_gbp")
COLUMNS = REQUIRED + OPTIONAL
FILE = "training.csv"
BATCH = 5000
ZERO = Decimal("0")

Progress = Callable[[str | None, int, int | None], None]
Row = tuple[int, int | None, int | None, dt.date, Decimal, Decimal]


@dataclass
class Checked:
    """The outcome of checking a file: the completions to write, or the problems (and how many)."""

    rows: int = 0
    problems: BoundedList[dict[str, Any]] = field(default_factory=lambda: BoundedList(1000))
    problem_count: int = 0
    # (person, offer, subject, completed_on, hours, cost) for each completion to write.
    completions: list[Row] = field(default_factory=list)
    already: int = 0
    unknown_columns: list[str] = field(default_factory=list)

    def problem(self, row: int | None, column: str, value: str, text: str) -> None:
        self.problem_count += 1
        self.problems.append(job_problem(FILE, row, column, value[:200], text))


def read_rows(path: Path) -> Iterator[list[str]]:
    """The rows of the file (the header first), as text: CSV (UTF-8, with or without a byte-order mark) or the
    first sheet of an XLSX workbook."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(b"PK"):
        yield from _xlsx_rows(path)
        return
    with path.open(encoding="utf-8-sig", newline="") as text:
        yield from csv.reader(text)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def check(
    organisation: Organisation,
    lines: Iterator[list[str]],
    *,
    progress: Progress | None = None,
    total: int = 0,
) -> Checked:
    """Check every row against the organisation's people, offers and subjects (three queries, whatever the
    number of rows, plus one per batch for completions already recorded)."""
    checked = Checked()
    header = next(lines, None)
    if header is None:
        checked.problem(None, "", "", "The file is empty: it needs a header row and a row per completion")
        return checked
    names = [name.strip().lower() for name in header]
    position = {name: index for index, name in enumerate(names) if name}
    for name in REQUIRED:
        if name not in position:
            checked.problem(1, name, "", f"The column {name} is missing")
    checked.unknown_columns = [name for name in names if name and name not in COLUMNS]
    for name in checked.unknown_columns:
        checked.problem(
            1, name, "", "Unknown column: remove it, or rename it to one of " + ", ".join(COLUMNS)
        )
    if checked.problem_count:
        return checked
    people = dict(Person.objects.filter(organisation=organisation).values_list("staff_id", "pk"))
    offers = {
        o.code: o for o in Offer.objects.filter(offers_for(organisation)).only("pk", "code", "subject_id")
    }
    subjects = {
        s.code: s.pk for s in MandatorySubject.objects.filter(organisation=organisation).only("pk", "code")
    }
    today = timezone.localdate()
    seen: set[tuple[int, int | None, int | None, dt.date]] = set()
    pending: list[Row] = []
    get = {name: position.get(name) for name in COLUMNS}

    def value(row: list[str], name: str) -> str:
        index = get[name]
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in enumerate(lines, start=2):
        if not any(cell.strip() for cell in row):
            continue
        checked.rows += 1
        if progress is not None and checked.rows % BATCH == 0:
            progress("Checking the rows", checked.rows, total or None)
        bad = checked.problem_count
        staff_id = value(row, "person_id")
        person = people.get(staff_id)
        if not staff_id:
            checked.problem(number, "person_id", "", "Enter the person's staff ID")
        elif person is None:
            checked.problem(number, "person_id", staff_id, "No person in the organisation has this staff ID")
        code = value(row, "course_code")
        offer = offers.get(code)
        subject = subjects.get(code)
        if not code:
            checked.problem(number, "course_code", "", "Enter the course code")
        elif offer is None and subject is None:
            checked.problem(
                number,
                "course_code",
                code,
                "No offer or mandatory subject has this course code: add it first",
            )
        if not value(row, "course_title"):
            checked.problem(number, "course_title", "", "Enter the course title")
        day_text = value(row, "completed_on")
        day: dt.date | None = None
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            checked.problem(
                number, "completed_on", day_text, "Enter the date as YYYY-MM-DD, for example 2026-03-14"
            )
        if day is not None and day > today:
            checked.problem(number, "completed_on", day_text, "The completion date is in the future")
            day = None
        mandatory = value(row, "mandatory").upper()
        if mandatory not in {"", "Y", "N"}:
            checked.problem(number, "mandatory", mandatory, "Enter Y or N")
        amounts: dict[str, Decimal | None] = {}
        for name in ("hours", "cost_gbp"):
            text = value(row, name)
            amounts[name] = None
            if text:
                amount = _decimal(text)
                if amount is None:
                    checked.problem(number, name, text, "Enter a number, for example 3.5")
                elif amount < 0 or amount >= 10**6:
                    checked.problem(number, name, text, "Enter a number from 0 to 999999")
                else:
                    amounts[name] = amount
        if checked.problem_count > bad or person is None or day is None:
            continue
        subject_id = offer.subject_id if offer is not None else subject
        if mandatory == "Y" and subject_id is None:
            checked.problem(
                number, "mandatory", mandatory, "The course is marked mandatory but satisfies no subject"
            )
            continue
        key = (person, offer.pk if offer else None, subject_id, day)
        if key in seen:
            checked.already += 1
            continue
        seen.add(key)
        hours = amounts["hours"]
        cost = amounts["cost_gbp"]
        pending.append(
            (
                person,
                offer.pk if offer else None,
                subject_id,
                day,
                hours if hours is not None else ZERO,
                cost if cost is not None else ZERO,
            )
        )
    if checked.problem_count:
        return checked
    checked.completions = _new_only(pending, checked)
    return checked


def _new_only(pending: list[Row], checked: Checked) -> list[Row]:
    """Leave out completions already recorded (same person, course, subject and day): one query per batch of
    people."""
    people = sorted({row[0] for row in pending})
    existing: set[tuple[int, int | None, int | None, dt.date]] = set()
    for start in range(0, len(people), BATCH):
        existing.update(
            Completion.objects.filter(person_id__in=people[start : start + BATCH]).values_list(
                "person_id", "offer_id", "subject_id", "completed_on"
            )
        )
    fresh = [row for row in pending if row[:4] not in existing]
    checked.already += len(pending) - len(fresh)
    return fresh


WRITTEN = (
    "person",
    "offer",
    "subject",
    "completed_on",
    "hours",
    "cost",
    "source",
    "session",
    "evidence",
    "recorded_by",
    "created_at",
    "updated_at",
)


def write(completions: list[Row], evidence: Sequence[int | None] | None = None) -> int:
    """Write every completion in one transaction, with one hand-written INSERT run for batches of rows
    (`executemany`): building 100,000 model instances for `bulk_create` took most of the import's time. The
    values are converted as the fields would (dates, decimals, the timestamps); the database checks each row's
    constraints. A test compares the rows with those the ORM writes. `evidence`, when given, is the portfolio
    evidence each row stands as (None where its course develops no competence), in the order of the rows."""
    evidence = evidence if evidence is not None else [None] * len(completions)
    ops = connection.ops
    columns = ", ".join(rows.quote(_column(name)) for name in WRITTEN)
    sql = rows.statement(
        "learning_import_completion",
        lambda: (
            # Table and column names come from the model's metadata, never from input.
            f"INSERT INTO {rows.table(Completion)} ({columns}) VALUES ({', '.join(['%s'] * len(WRITTEN))})"  # noqa: S608
        ),
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    hours_field = Completion._meta.get_field("hours")
    cost_field = Completion._meta.get_field("cost")
    assert isinstance(hours_field, models.DecimalField) and isinstance(cost_field, models.DecimalField)
    days: dict[dt.date, Any] = {}

    def day(value: dt.date) -> Any:
        found = days.get(value)
        if found is None:
            found = days[value] = ops.adapt_datefield_value(value)
        return found

    values = [
        (
            person,
            offer,
            subject,
            day(completed_on),
            ops.adapt_decimalfield_value(hours, hours_field.max_digits, hours_field.decimal_places),
            ops.adapt_decimalfield_value(cost, cost_field.max_digits, cost_field.decimal_places),
            CompletionSource.IMPORT.value,
            None,
            evidence_id,
            None,
            now,
            now,
        )
        for (person, offer, subject, completed_on, hours, cost), evidence_id in zip(
            completions, evidence, strict=True
        )
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(values)


def _column(name: str) -> str:
    found = getattr(Completion._meta.get_field(name), "column", None)
    assert isinstance(found, str), name
    return found


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "training-imports"


def store_upload(handle: IO[bytes], name: str) -> str:
    """Save an upload under MEDIA_ROOT (outside the web root) with a random name; returns its relative path."""
    import uuid

    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"training-imports/{uuid.uuid4().hex}{Path(name).suffix.lower()[:6]}"
    with (Path(settings.MEDIA_ROOT) / relative).open("wb") as out:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            out.write(chunk)
    return relative


def count_rows(path: Path) -> int:
    """Rows in a CSV file (for the progress bar), without parsing them; 0 for a workbook (unknown)."""
    with path.open("rb") as handle:
        if handle.read(2) == b"PK":
            return 0
        handle.seek(0)
        return max(sum(1 for _ in handle) - 1, 0)
