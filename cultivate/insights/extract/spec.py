"""The extract format (shared/design/DATA-FORMATS.md) as data: each file's columns, their kinds and rules.

Every check and every typed write is generated from these specs, so a rule lives in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cultivate.insights.store import EXTRACT_TABLES, REQUIRED_TABLES
from cultivate.organisations.reference import ethnic_categories, leaving_reasons

TEXT, DATE, INTEGER, DECIMAL, CODE, FLAG = "text", "date", "integer", "decimal", "code", "flag"

SEX_CODES = ("F", "M", "X", "U")
DISABILITY_CODES = ("Y", "N", "U")
BAND_CODES = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "NA")
CONTRACT_TYPES = ("Permanent", "Fixed Term Temp", "Locum", "Bank")
CASE_KINDS = ("disciplinary", "capability")
FLAG_CODES = ("Y", "N")

FTE_MIN_EXCLUSIVE, FTE_MAX = 0.0, 1.5
EARLIEST_BIRTH_YEAR = 1900
# ODS organisation codes are letters and digits: three for a trust, five for a site, six for a practice.
ORGANISATION_CODE_PATTERN = "^[A-Za-z0-9]{3,10}$"
# NHS occupation codes are three characters: staff group, occupation and area of work (e.g. H1D).
OCCUPATION_CODE_PATTERN = "^[A-Za-z0-9]{3}$"


@cache
def ethnic_codes() -> tuple[str, ...]:
    return tuple(ethnic_categories())


@cache
def leaving_reason_codes() -> tuple[str, ...]:
    return tuple(leaving_reasons())


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    unique: bool = False
    person_ref: bool = False  # must be a person_id in people
    codes: tuple[str, ...] = ()  # canonical values, matched whatever their case
    pattern: str = ""  # a regular expression the value must match in full
    pattern_rule: str = ""
    minimum: float | None = None
    minimum_exclusive: bool = False
    maximum: float | None = None
    range_rule: str = ""
    upper: bool = False  # stored in capitals (codes written in any case)


@dataclass(frozen=True)
class FileSpec:
    table: str
    columns: tuple[Column, ...]
    sort: tuple[str, ...]  # the order rows are written in (and the files split along)
    key: str  # the column kept beside unknown columns, to find the row again

    @property
    def required(self) -> bool:
        return self.table in REQUIRED_TABLES

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _person(required: bool = True) -> Column:
    return Column("person_id", required=required, person_ref=True)


def _organisation(*, required: bool) -> Column:
    return Column(
        "organisation_code",
        required=required,
        pattern=ORGANISATION_CODE_PATTERN,
        pattern_rule="must be an ODS code: 3 to 10 letters and digits",
        upper=True,
    )


def _code(name: str, codes: tuple[str, ...], *, required: bool = False) -> Column:
    return Column(name, CODE, required=required, codes=codes)


def specs() -> dict[str, FileSpec]:
    """The files of an extract, in the order they are read and checked (people first: others refer to it)."""
    return _specs()


@cache
def _specs() -> dict[str, FileSpec]:
    band = _code("afc_band", BAND_CODES)
    files = (
        FileSpec(
            "people",
            (
                Column("person_id", required=True, unique=True),
                Column("birth_date", DATE),
                Column(
                    "birth_year",
                    INTEGER,
                    minimum=EARLIEST_BIRTH_YEAR,
                    range_rule=f"must be a year from {EARLIEST_BIRTH_YEAR} to this year",
                ),
                _code("sex", SEX_CODES),
                _code("ethnic_category", ethnic_codes()),
                _code("disability", DISABILITY_CODES),
                Column("religion"),
                Column("sexual_orientation"),
                Column("nationality"),
            ),
            sort=("person_id",),
            key="person_id",
        ),
        FileSpec(
            "assignments",
            (
                Column("assignment_id", required=True, unique=True),
                _person(),
                _organisation(required=True),
                Column("team"),
                Column(
                    "occupation_code",
                    pattern=OCCUPATION_CODE_PATTERN,
                    pattern_rule="must be an NHS occupation code: 3 letters and digits, such as H1D",
                    upper=True,
                ),
                Column("job_role"),
                Column("job_title"),
                band,
                Column("staff_group"),
                Column("area_of_work"),
                _code("contract_type", CONTRACT_TYPES),
                Column(
                    "fte",
                    DECIMAL,
                    minimum=FTE_MIN_EXCLUSIVE,
                    minimum_exclusive=True,
                    maximum=FTE_MAX,
                    range_rule="must be more than 0 and at most 1.5 (contracted hours ÷ 37.5)",
                ),
                Column("start_date", DATE, required=True),
                Column("end_date", DATE),
                _code("leaving_reason", leaving_reason_codes()),
            ),
            sort=("organisation_code", "person_id", "start_date", "assignment_id"),
            key="assignment_id",
        ),
        FileSpec(
            "absences",
            (
                _person(),
                Column("start_date", DATE, required=True),
                Column("end_date", DATE, required=True),
                Column("reason"),
            ),
            sort=("person_id", "start_date", "end_date", "reason"),
            key="person_id",
        ),
        FileSpec(
            "training",
            (
                _person(),
                Column("course_code", required=True),
                Column("course_title", required=True),
                Column("completed_on", DATE, required=True),
                Column("mandatory", FLAG, required=True, codes=FLAG_CODES),
                Column("hours", DECIMAL, minimum=0, range_rule="must be 0 or more"),
                Column("cost_gbp", DECIMAL, minimum=0, range_rule="must be 0 or more"),
            ),
            sort=(
                "person_id",
                "completed_on",
                "course_code",
                "course_title",
                "mandatory",
                "hours",
                "cost_gbp",
            ),
            key="person_id",
        ),
        FileSpec(
            "recruitment",
            (
                Column("application_id", required=True, unique=True),
                Column("vacancy_id", required=True),
                # Our extension of the design's format: optional, so extracts without it still load.
                _organisation(required=False),
                band,
                _code("ethnic_category", ethnic_codes()),
                _code("disability", DISABILITY_CODES),
                _code("sex", SEX_CODES),
                Column("shortlisted", FLAG, required=True, codes=FLAG_CODES),
                Column("appointed", FLAG, required=True, codes=FLAG_CODES),
                Column("decided_on", DATE),
            ),
            sort=("organisation_code", "vacancy_id", "application_id"),
            key="application_id",
        ),
        FileSpec(
            "casework",
            (
                Column("case_id", required=True, unique=True),
                _person(),
                _code("kind", CASE_KINDS, required=True),
                Column("opened_on", DATE),
            ),
            sort=("case_id",),
            key="case_id",
        ),
    )
    result = {spec.table: spec for spec in files}
    # The specs and the store's schema must describe the same tables and columns.
    for table, columns in EXTRACT_TABLES.items():
        if tuple(columns) != result[table].names:
            raise RuntimeError(f"The extract spec for {table} does not match the store schema.")
    return result


def normalise_column(name: str) -> str:
    """`Person ID`, `person-id` and `PERSON_ID` all name the column person_id."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())
