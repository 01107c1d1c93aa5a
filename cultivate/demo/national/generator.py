"""`generate()`: write a synthetic national extract in the DATA-FORMATS layout, a region at a time.

Each region is simulated on its own random stream (so the output depends only on the seed and the sizes, never on
how the work is split), turned into Arrow tables and appended to the CSV or Parquet files; memory holds one region
at a time. `generator.json` beside the files records the parameters, the extract date and every organisation
(code, name, kind, region), which the extract format itself does not carry."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import activity
from . import calibration as cal
from .organisations import Organisation, build
from .simulate import ETHNIC_CODES, NONE, Model, Simulation, build_model, to_date

CSV, PARQUET = "csv", "parquet"
DEFAULT_END = dt.date(2025, 3, 31)
DESCRIPTION = "generator.json"
# Raised whenever the same arguments would give different files, so a cached extract is made again.
VERSION = 4  # 4: recruitment carries organisation_code
SEX_CODES = ("F", "M", "X", "U")
DISABILITY_CODES = ("Y", "N", "U")
MAX_PER_REGION = 10**8

STRING = pa.string()
SCHEMAS: dict[str, pa.Schema] = {
    "people": pa.schema(
        [
            ("person_id", STRING),
            ("birth_year", pa.int32()),
            ("sex", STRING),
            ("ethnic_category", STRING),
            ("disability", STRING),
        ]
    ),
    "assignments": pa.schema(
        [
            ("assignment_id", STRING),
            ("person_id", STRING),
            ("organisation_code", STRING),
            ("team", STRING),
            ("occupation_code", STRING),
            ("job_role", STRING),
            ("job_title", STRING),
            ("afc_band", STRING),
            ("staff_group", STRING),
            ("area_of_work", STRING),
            ("contract_type", STRING),
            ("fte", pa.float64()),
            ("start_date", pa.date32()),
            ("end_date", pa.date32()),
            ("leaving_reason", STRING),
        ]
    ),
    "absences": pa.schema(
        [("person_id", STRING), ("start_date", pa.date32()), ("end_date", pa.date32()), ("reason", STRING)]
    ),
    "training": pa.schema(
        [
            ("person_id", STRING),
            ("course_code", STRING),
            ("course_title", STRING),
            ("completed_on", pa.date32()),
            ("mandatory", STRING),
            ("hours", pa.float64()),
            ("cost_gbp", pa.float64()),
        ]
    ),
    "recruitment": pa.schema(
        [
            ("application_id", STRING),
            ("vacancy_id", STRING),
            ("organisation_code", STRING),
            ("afc_band", STRING),
            ("ethnic_category", STRING),
            ("disability", STRING),
            ("sex", STRING),
            ("shortlisted", STRING),
            ("appointed", STRING),
            ("decided_on", pa.date32()),
        ]
    ),
    "casework": pa.schema(
        [("case_id", STRING), ("person_id", STRING), ("kind", STRING), ("opened_on", pa.date32())]
    ),
}

# (stage, done, total): regions simulated and written.
Progress = Callable[[str, int, int], None]


@dataclass
class GenerateReport:
    out: Path
    people: int
    years: int
    seed: int
    format: str
    start_date: dt.date
    extract_date: dt.date
    organisations: list[Organisation]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def parameters(people: int, years: int, seed: int, fmt: str, end_date: dt.date) -> dict[str, Any]:
    return {
        "people": people,
        "years": years,
        "seed": seed,
        "format": fmt,
        "end_date": end_date.isoformat(),
        "version": VERSION,
    }


def description(out: Path) -> dict[str, Any] | None:
    """What generator.json in `out` says, or None when there is none."""
    path = Path(out) / DESCRIPTION
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _strings(values: tuple[str, ...] | list[str]) -> pa.Array:
    return pa.array(list(values), type=STRING)


def _take(table: pa.Array, index: np.ndarray) -> pa.Array:
    return table.take(pa.array(np.asarray(index, dtype=np.int64)))


def _dates(days: np.ndarray) -> pa.Array:
    days = np.asarray(days)
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=days == NONE)


def _yes_no(values: np.ndarray) -> pa.Array:
    return _take(_strings(["N", "Y"]), np.asarray(values, dtype=np.int64))


def _ids(prefix: str, numbers: np.ndarray, width: int, base: int = 10) -> pa.Array:
    """`prefix` and each number written with `width` digits in `base` (10 or 16), built as bytes in numpy:
    formatting millions of identifiers one by one in Python would dominate the run."""
    numbers = np.asarray(numbers, dtype=np.uint64)
    digits = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    chars[:, : len(head)] = head
    rest = numbers.copy()
    for position in range(width - 1, -1, -1):
        chars[:, len(head) + position] = digits[(rest % np.uint64(base)).astype(np.int64)]
        rest //= np.uint64(base)
    if rest.any():
        raise ValueError(f"An identifier does not fit in {width} digits.")
    return pa.array(chars.view(f"S{chars.shape[1]}").ravel(), type=pa.binary()).cast(STRING)


class Lookups:
    """String tables the index columns are turned into."""

    def __init__(self, model: Model) -> None:
        m = model
        self.org_codes = _strings([o.code for o in m.orgs])
        self.teams = _strings(m.teams)
        self.titles = _strings(m.titles)
        self.job_roles = _strings([r.job_role for r in m.roles])
        self.staff_groups = _strings([r.staff_group for r in m.roles])
        self.occupations = _strings([r.occupation + letter for r in m.roles for letter in cal.AREA_CODES])
        self.bands = _strings(cal.BANDS)
        self.areas = _strings(cal.AREAS)
        self.contracts = _strings(cal.CONTRACTS)
        self.reasons = _strings(m.reasons)
        self.sex = _strings(SEX_CODES)
        self.ethnic = _strings(ETHNIC_CODES)
        self.disability = _strings(DISABILITY_CODES)
        self.sickness = _strings(cal.SICKNESS_REASONS)
        courses = activity.ALL_COURSES
        self.course_codes = _strings([c[0] for c in courses])
        self.course_titles = _strings([c[1] for c in courses])
        self.course_mandatory = np.array([c[2] for c in courses])
        self.course_hours = np.array([c[3] for c in courses])
        self.course_cost = np.array([c[4] for c in courses])


def person_ids(global_index: np.ndarray, seed: int) -> pa.Array:
    """Pseudonymous identifiers: a bijection of the person's number onto 40 bits, so they are unique, stable for
    a seed and show nothing of the order people were made in."""
    shift = (seed * 0x5851F42D4C957F2D + 0x14057B7EF767814F) % (1 << 40)
    mixed = (global_index.astype(np.uint64) * np.uint64(0x9E3779B1) + np.uint64(shift)) % np.uint64(1 << 40)
    return _ids("P", mixed, 10, base=16)


def region_tables(
    model: Model, sim: Simulation, region: int, offset: int, seed: int, look: Lookups
) -> dict[str, pa.Table]:
    people = sim.people
    n = sim.n
    ids = person_ids(offset + np.arange(n), seed)
    tables: dict[str, pa.Table] = {}
    tables["people"] = pa.table(
        {
            "person_id": ids,
            "birth_year": pa.array(people["birth_year"].astype(np.int32)),
            "sex": _take(look.sex, people["sex"]),
            "ethnic_category": _take(look.ethnic, people["ethnic"]),
            "disability": _take(look.disability, people["disability"]),
        },
        schema=SCHEMAS["people"],
    )
    spells = sim.spells.get()
    order = np.lexsort((spells["start"], spells["person"]))
    spells = {k: v[order] for k, v in spells.items()}
    count = len(order)
    if count >= MAX_PER_REGION:
        raise ValueError("Too many assignments in one region for the identifier scheme.")
    reason = spells["reason"]
    tables["assignments"] = pa.table(
        {
            "assignment_id": _ids(f"A{region}", np.arange(count), 8),
            "person_id": _take(ids, spells["person"]),
            "organisation_code": _take(look.org_codes, spells["org"]),
            "team": _take(look.teams, spells["team"]),
            "occupation_code": _take(look.occupations, spells["role"] * len(cal.AREA_CODES) + spells["area"]),
            "job_role": _take(look.job_roles, spells["role"]),
            "job_title": _take(look.titles, spells["title"]),
            "afc_band": _take(look.bands, spells["band"]),
            "staff_group": _take(look.staff_groups, spells["role"]),
            "area_of_work": _take(look.areas, spells["area"]),
            "contract_type": _take(look.contracts, spells["contract"]),
            "fte": pa.array(np.round(spells["fte"], 2)),
            "start_date": _dates(spells["start"]),
            "end_date": _dates(spells["end"]),
            "leaving_reason": _reasons(look, reason),
        },
        schema=SCHEMAS["assignments"],
    )
    periods = sim.periods.get()
    absences = activity.absences(sim, periods)
    tables["absences"] = pa.table(
        {
            "person_id": _take(ids, absences["person"]),
            "start_date": _dates(absences["start"]),
            "end_date": _dates(absences["end"]),
            "reason": _take(look.sickness, absences["reason"]),
        },
        schema=SCHEMAS["absences"],
    )
    training = activity.training(sim, periods)
    course = training["course"]
    tables["training"] = pa.table(
        {
            "person_id": _take(ids, training["person"]),
            "course_code": _take(look.course_codes, course),
            "course_title": _take(look.course_titles, course),
            "completed_on": _dates(training["completed"]),
            "mandatory": _yes_no(look.course_mandatory[course]),
            "hours": pa.array(look.course_hours[course]),
            "cost_gbp": pa.array(look.course_cost[course]),
        },
        schema=SCHEMAS["training"],
    )
    joins = sim.joins.get()
    recruitment = activity.recruitment(sim, joins)
    vacancy_numbers = region * MAX_PER_REGION + recruitment["vacancy"]
    recruiting = _take(look.org_codes, recruitment["org"])
    tables["recruitment"] = pa.table(
        {
            "application_id": _ids("R", region * MAX_PER_REGION + np.arange(len(vacancy_numbers)), 9),
            # The vacancy keeps its organisation prefix, as a trust's recruitment system might write it, but
            # the organisation is also given in its own column (our extension of the format).
            "vacancy_id": pc.binary_join_element_wise(recruiting, _ids("V", vacancy_numbers, 9), "-"),
            "organisation_code": recruiting,
            "afc_band": _take(look.bands, recruitment["band"]),
            "ethnic_category": _take(look.ethnic, recruitment["ethnic"]),
            "disability": _take(look.disability, recruitment["disability"]),
            "sex": _take(look.sex, recruitment["sex"]),
            "shortlisted": _yes_no(recruitment["shortlisted"]),
            "appointed": _yes_no(recruitment["appointed"]),
            "decided_on": _dates(recruitment["decided"]),
        },
        schema=SCHEMAS["recruitment"],
    )
    cases = activity.casework(sim, periods, sim.dismissals.get())
    tables["casework"] = pa.table(
        {
            "case_id": _ids(f"C{region}", np.arange(len(cases["person"])), 8),
            "person_id": _take(ids, cases["person"]),
            "kind": _take(_strings(["disciplinary", "capability"]), cases["capability"].astype(np.int64)),
            "opened_on": _dates(cases["opened"]),
        },
        schema=SCHEMAS["casework"],
    )
    return tables


def _reasons(look: Lookups, reason: np.ndarray) -> pa.Array:
    taken = look.reasons.take(pa.array(np.where(reason == NONE, 0, reason).astype(np.int64)))
    return pc.if_else(pa.array(reason == NONE), pa.scalar(None, STRING), taken)


class _Writers:
    def __init__(self, out: Path, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.writers: dict[str, Any] = {}
        self.rows: dict[str, int] = {name: 0 for name in SCHEMAS}

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            path = self.out / f"{name}.{self.fmt}"
            if self.fmt == CSV:
                options = pa_csv.WriteOptions(include_header=True, batch_size=65536, quoting_style="needed")
                self.writers[name] = pa_csv.CSVWriter(str(path), SCHEMAS[name], write_options=options)
            else:
                self.writers[name] = pq.ParquetWriter(str(path), SCHEMAS[name], compression="zstd")
        self.writers[name].write_table(table)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        for name, schema in SCHEMAS.items():
            if name not in self.writers:
                self.write(name, schema.empty_table())
        for writer in self.writers.values():
            writer.close()


def generate(
    out: Path | str,
    *,
    people: int,
    years: int,
    seed: int,
    fmt: str = CSV,
    end_date: dt.date = DEFAULT_END,
    progress: Progress | None = None,
) -> GenerateReport:
    """Write people, assignments, absences, training, recruitment and casework for `people` distinct people over
    `years` years to `end_date`, in `out` (CSV or Parquet), and generator.json. The same arguments always give
    the same files."""
    if people < 100:
        raise ValueError("The synthetic extract needs at least 100 people.")
    if not 1 <= years <= 40:
        raise ValueError("Years must be from 1 to 40.")
    if fmt not in (CSV, PARQUET):
        raise ValueError(f"The format is csv or parquet, not {fmt!r}.")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        for suffix in (CSV, PARQUET):
            (out / f"{name}.{suffix}").unlink(missing_ok=True)
    (out / DESCRIPTION).unlink(missing_ok=True)

    orgs = build(people, seed)
    model = build_model(orgs, end_date, years, seed)
    look = Lookups(model)
    writers = _Writers(out, fmt)
    regions = len(cal.REGIONS)
    offset = 0
    try:
        for region in range(regions):
            if progress is not None:
                progress(f"Region {cal.REGIONS[region]}", region, regions)
            sim = Simulation(model, region, seed)
            if not sim.n:
                continue
            sim.run()
            sim.second_assignments()
            for name, table in region_tables(model, sim, region, offset, seed, look).items():
                writers.write(name, table)
            offset += sim.n
            del sim
    finally:
        writers.close()
    if progress is not None:
        progress("Written", regions, regions)
    report = GenerateReport(
        out=out,
        people=people,
        years=years,
        seed=seed,
        format=fmt,
        start_date=to_date(model.start),
        extract_date=end_date,
        organisations=orgs,
        rows=dict(writers.rows),
        seconds=time.perf_counter() - started,
    )
    info = {
        **parameters(people, years, seed, fmt, end_date),
        "start_date": report.start_date.isoformat(),
        "extract_date": end_date.isoformat(),
        "rows": report.rows,
        "organisations": [org.describe() for org in orgs],
        "note": "Synthetic data: every person, organisation and code is invented (cultivate demo-extract).",
    }
    (out / DESCRIPTION).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return report
