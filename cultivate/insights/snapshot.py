"""A snapshot of the service's own staff records (people and employment spells) as an insights dataset, so the
dashboards work for an organisation that keeps its staff in Cultivate rather than sending extracts. It also holds
the published savings ranges of the organisation's delegation protocols (`delegation_savings`), so that the costs
analyses read the store and never the service's database, and its staff's places on development programmes
(`programme_participation`: cohort, dates, attendance, completion; never survey answers), for the board report,
and the training they completed (`training`, as an extract's training.csv: course, date, hours and cost), for the
board report's investment in development and the fairness dashboard's non-mandatory training.

One dataset per organisation, `service-<ODS>`, in the layout of DATA-FORMATS.md, written through the store's
staging folder and published in one rename: a new snapshot replaces the previous one whole, and readers never
see half of it. Names and emails never leave the database: person and assignment identifiers are keyed hashes
(HMAC-SHA256 with the SECRET_KEY), stable from one snapshot to the next, and dates of birth are reduced to the
year. Leaving reasons and bank spells are written as stored; measures leave bank spells out themselves."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.utils import timezone

from cultivate.learning.facts import training_facts
from cultivate.organisations.models import EmploymentSpell, Organisation, Person
from cultivate.portfolio.delegation import SAVINGS_UNITS, savings_clean
from cultivate.portfolio.models import DelegationProtocol
from cultivate.programmes.models import Participant
from cultivate.programmes.participation import cohort_dates, sessions_attended

from . import store as insights_store

DATASET_PREFIX = "service-"
# How many characters of the keyed hash identify a person: 80 bits, far from colliding in a trust or a nation.
PSEUDONYM_LENGTH = 20

SnapshotProgress = Callable[[str, int, int], None]


def dataset_name(organisation: Organisation) -> str:
    return f"{DATASET_PREFIX}{organisation.ods_code}"


def pseudonym(kind: str, *parts: str) -> str:
    """A keyed hash: stable for the same record while the SECRET_KEY is, and not reversible without it (a plain
    hash of a staff number could be reversed by hashing every staff number)."""
    message = "\x1f".join((kind, *parts)).encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def person_pseudonym(organisation: Organisation, staff_id: str) -> str:
    return pseudonym("person", organisation.ods_code, staff_id)


@dataclass(frozen=True)
class SnapshotResult:
    organisation: str
    dataset: str
    rows: dict[str, int]
    extract_date: dt.date
    title_counts: dict[str, int]  # distinct people per job title (bank spells left out), for the review queue


def _people(organisation: Organisation) -> tuple[pa.Table, dict[int, str]]:
    ids: dict[int, str] = {}
    columns: dict[str, list[Any]] = {name: [] for name in insights_store.TABLES["people"]}
    people = Person.objects.filter(organisation=organisation).order_by("pk")
    for person in people.only(
        "pk",
        "staff_id",
        "birth_date",
        "birth_year",
        "sex",
        "ethnic_category",
        "disability",
        "religion",
        "sexual_orientation",
        "nationality",
    ).iterator(chunk_size=2000):
        ids[person.pk] = person_pseudonym(organisation, person.staff_id)
        columns["person_id"].append(ids[person.pk])
        columns["birth_date"].append(None)  # the year is enough for age bands, and less identifying
        columns["birth_year"].append(person.year_of_birth)
        columns["sex"].append(person.sex or None)
        columns["ethnic_category"].append(person.ethnic_category or None)
        columns["disability"].append(person.disability or None)
        columns["religion"].append(person.religion or None)
        columns["sexual_orientation"].append(person.sexual_orientation or None)
        columns["nationality"].append(person.nationality or None)
    schema = pa.schema(
        [
            ("person_id", pa.string()),
            ("birth_date", pa.date32()),
            ("birth_year", pa.int32()),
            *[(name, pa.string()) for name in list(columns)[3:]],
        ]
    )
    return pa.table(columns, schema=schema), ids


def _assignments(organisation: Organisation, ids: dict[int, str]) -> tuple[pa.Table, dict[str, int]]:
    columns: dict[str, list[Any]] = {name: [] for name in insights_store.TABLES["assignments"]}
    holders: dict[str, set[int]] = {}
    spells = (
        EmploymentSpell.objects.filter(person__organisation=organisation)
        .select_related("team")
        .order_by("person_id", "start_date", "pk")
    )
    for spell in spells.iterator(chunk_size=2000):
        person_id = ids[spell.person_id]
        columns["assignment_id"].append(pseudonym("assignment", organisation.ods_code, str(spell.pk)))
        columns["person_id"].append(person_id)
        columns["organisation_code"].append(organisation.ods_code)
        columns["team"].append(spell.team.name if spell.team else None)
        columns["occupation_code"].append(spell.occupation_code or None)
        columns["job_role"].append(spell.job_role or None)
        columns["job_title"].append(spell.job_title or None)
        columns["afc_band"].append(spell.afc_band)
        columns["staff_group"].append(spell.staff_group or None)
        columns["area_of_work"].append(spell.area_of_work or None)
        columns["contract_type"].append(spell.contract_type)
        columns["fte"].append(float(spell.fte))
        columns["start_date"].append(spell.start_date)
        columns["end_date"].append(spell.end_date)
        columns["leaving_reason"].append(spell.leaving_reason or None)
        if spell.job_title.strip() and spell.contract_type != "Bank":
            holders.setdefault(spell.job_title, set()).add(spell.person_id)
    types = {"fte": pa.float64(), "start_date": pa.date32(), "end_date": pa.date32()}
    schema = pa.schema([(name, types.get(name, pa.string())) for name in columns])
    title_counts = {title: len(people) for title, people in holders.items()}
    return pa.table(columns, schema=schema), title_counts


SAVINGS_AMOUNTS = ("first_year_low", "first_year_high", "later_year_low", "later_year_high")


def _savings(organisation: Organisation) -> pa.Table:
    """The published savings range of each of the organisation's delegation protocols that has a savings model
    (checked and normalised by the portfolio's `savings_clean`), so that the costs analyses read them from the
    store like every other figure, never from the service's database."""
    columns: dict[str, list[Any]] = {name: [] for name in insights_store.TABLES["delegation_savings"]}
    protocols = (
        DelegationProtocol.objects.filter(organisation=organisation).exclude(savings={}).order_by("code")
    )
    for protocol in protocols:
        inputs = savings_clean(protocol.savings)
        values: dict[str, Any] = {
            "organisation_code": organisation.ods_code,
            "organisation": organisation.name,
            "protocol": protocol.code,
            "activity": protocol.activity,
            "is_active": protocol.is_active,
            "unit": inputs["unit"],
            "unit_label": SAVINGS_UNITS[inputs["unit"]],
            "currency": inputs["currency"],
            **{key: Decimal(str(inputs[key])) for key in SAVINGS_AMOUNTS},
            "price_year": inputs.get("price_year"),
            "source": inputs["source"],
            "source_url": inputs.get("source_url"),
            "note": inputs.get("note"),
        }
        for name, value in values.items():
            columns[name].append(value)
    types = {
        "is_active": pa.bool_(),
        "price_year": pa.int32(),
        **{key: pa.decimal128(18, 2) for key in SAVINGS_AMOUNTS},
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in columns])
    return pa.table(columns, schema=schema)


def _participation(organisation: Organisation, ids: dict[int, str]) -> pa.Table:
    """One row per programme place held by the organisation's staff: the programme and cohort, the cohort's
    first and last day, sessions held and attended, and whether the person completed. The person is the same
    keyed hash as in `people`; no survey answer is copied."""
    columns: dict[str, list[Any]] = {name: [] for name in insights_store.TABLES["programme_participation"]}
    places = list(
        Participant.objects.filter(person__organisation=organisation)
        .select_related("cohort__programme")
        .order_by("cohort_id", "pk")
    )
    cohorts = {p.cohort for p in places}
    starts = cohort_dates(cohorts)
    held, attended = sessions_attended(places)
    for place in places:
        cohort, programme = place.cohort, place.cohort.programme
        first, last = starts.get(cohort.pk, (programme.starts_on, programme.ends_on))
        values: dict[str, Any] = {
            "organisation_code": organisation.ods_code,
            "person_id": ids.get(place.person_id),
            "programme_id": str(programme.pk),
            "programme": programme.title,
            "cohort_id": str(cohort.pk),
            "cohort": cohort.name,
            "started_on": first,
            "ended_on": cohort.closed_on or last,
            "sessions": held.get(place.pk, 0),
            "attended": attended.get(place.pk, 0),
            "completed": bool(place.completed),
        }
        for name, value in values.items():
            columns[name].append(value)
    types = {
        "started_on": pa.date32(),
        "ended_on": pa.date32(),
        "sessions": pa.int32(),
        "attended": pa.int32(),
        "completed": pa.bool_(),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in columns])
    return pa.table(columns, schema=schema)


def _training(organisation: Organisation, ids: dict[int, str]) -> pa.Table:
    """One row per completion recorded in the service, in the columns of an extract's training.csv."""
    columns: dict[str, list[Any]] = {name: [] for name in insights_store.TABLES["training"]}
    for fact in training_facts(organisation):
        columns["person_id"].append(ids[fact.person_id])
        columns["course_code"].append(fact.course_code)
        columns["course_title"].append(fact.course_title)
        columns["completed_on"].append(fact.completed_on)
        columns["mandatory"].append(fact.mandatory)
        columns["hours"].append(float(fact.hours))
        columns["cost_gbp"].append(float(fact.cost))
    types = {
        "completed_on": pa.date32(),
        "mandatory": pa.bool_(),
        "hours": pa.float64(),
        "cost_gbp": pa.float64(),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in columns])
    return pa.table(columns, schema=schema)


def _content_hash(con: duckdb.DuckDBPyConnection, tables: list[str]) -> str:
    """A hash of the snapshot's rows, so that the manifest says whether two snapshots hold the same data."""
    digest = hashlib.sha256()
    for table in tables:
        rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608 (table names of the snapshot)
        digest.update(json.dumps(rows, default=str).encode())
    return digest.hexdigest()


def snapshot_organisation(
    *, organisation: Organisation, store: Path | str, progress: SnapshotProgress | None = None
) -> SnapshotResult:
    """Write the organisation's people and spells as dataset `service-<ODS>`, replacing the previous snapshot."""

    def step(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, 4)

    store = Path(store)
    step("Reading people", 0)
    people, ids = _people(organisation)
    step("Reading employment spells", 1)
    assignments, title_counts = _assignments(organisation, ids)
    today = timezone.localdate()
    con = duckdb.connect(":memory:")
    try:
        con.register("snapshot_people", people)
        con.register("snapshot_assignments", assignments)
        con.register("snapshot_savings", _savings(organisation))
        con.register("snapshot_participation", _participation(organisation, ids))
        con.register("snapshot_training", _training(organisation, ids))
        rows: dict[str, int] = {}
        with insights_store.staging(store) as staged:
            step("Writing the dataset", 2)
            rows["people"] = insights_store.write_table(
                staged, "people", "SELECT * FROM snapshot_people", con
            )
            rows["assignments"] = insights_store.write_table(
                staged, "assignments", "SELECT * FROM snapshot_assignments", con
            )
            # Counted apart: `rows` is what the import pages and the command report of the staff records.
            training = insights_store.write_table(staged, "training", "SELECT * FROM snapshot_training", con)
            savings = insights_store.write_table(
                staged, "delegation_savings", "SELECT * FROM snapshot_savings", con
            )
            participation = insights_store.write_table(
                staged, "programme_participation", "SELECT * FROM snapshot_participation", con
            )
            step("Publishing", 3)
            info: dict[str, Any] = {
                "sha256": _content_hash(
                    con,
                    [
                        "snapshot_people",
                        "snapshot_assignments",
                        "snapshot_training",
                        "snapshot_savings",
                        "snapshot_participation",
                    ],
                ),
                "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "extract_date": today.isoformat(),
                "rows": {
                    **rows,
                    "training": training,
                    "delegation_savings": savings,
                    "programme_participation": participation,
                },
                "source": "service",
                "form": "snapshot",
                "organisation_code": organisation.ods_code,
                "files": {},
                "extras": {},
                "warnings": [],
            }
            insights_store.publish_dataset(store, dataset_name(organisation), staged, info)
    finally:
        con.close()
    step("Done", 4)
    return SnapshotResult(organisation.ods_code, dataset_name(organisation), rows, today, title_counts)
