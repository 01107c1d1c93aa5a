"""The columns of people.csv and assignments.csv, the model field each fills, and how each cell is read.

A parser takes the stripped cell text and returns the value to store, or raises Invalid with the rule it
breaks, worded to follow "column 'x' value 'y': "."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from .. import reference
from ..models import AfcBand, ContractType, Disability, Sex

PEOPLE_FILE = "people.csv"
ASSIGNMENTS_FILE = "assignments.csv"
ID_MAX_LENGTH = 40  # Person.staff_id and EmploymentSpell.assignment_id

Parser = Callable[[str], Any]


class Invalid(ValueError):
    """A cell that breaks its column's rule; the message says which."""


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise Invalid(f"is longer than {max_length} characters")
        return value

    return parse


def choice(options: dict[str, str], wording: str, *, default: str | None = None) -> Parser:
    """A code matched without regard to case and stored in its canonical spelling. An empty cell takes the
    default ("not known") where there is one and is an error otherwise."""
    lookup = {key.lower(): canonical for key, canonical in options.items()}

    def parse(value: str) -> str:
        if not value:
            if default is None:
                raise Invalid(f"is required: {wording}")
            return default
        try:
            return lookup[value.lower()]
        except KeyError:
            raise Invalid(wording) from None

    return parse


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d matches any script's
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def date(*, required: bool) -> Parser:
    cache: dict[str, dt.date] = {}  # an extract repeats the same few thousand dates

    def parse(value: str) -> dt.date | None:
        if not value:
            if required:
                raise Invalid("is required: a date in the form YYYY-MM-DD")
            return None
        day = cache.get(value)
        if day is not None:
            return day
        if not _ISO_DATE.fullmatch(value):
            raise Invalid("is not a date in the form YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid("is not a real date") from None
        if not EARLIEST <= day <= LATEST:
            raise Invalid("must be between 1900 and 2100")
        cache[value] = day
        return day

    return parse


_ANY_DATE: Callable[[str], dt.date | None] = date(required=False)


def birth_date(value: str) -> dt.date | None:
    day = _ANY_DATE(value)
    if day is not None and day > timezone.localdate():
        raise Invalid("is in the future")
    return day


_YEAR = re.compile(r"[0-9]{4}")


def birth_year(value: str) -> int | None:
    if not value:
        return None
    if not _YEAR.fullmatch(value):
        raise Invalid("must be a year of four digits, such as 1985")
    year, this_year = int(value), timezone.localdate().year
    if not 1900 <= year <= this_year:
        raise Invalid(f"must be between 1900 and {this_year}")
    return year


FTE_MAX = Decimal("1.5")
_CENT = Decimal("0.01")
# Plain decimals only: no exponent (1e308), infinity, NaN or underscores, which Decimal() would accept.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def fte(value: str) -> Decimal:
    if not value:
        raise Invalid("is required: contracted hours ÷ 37.5, more than 0 and at most 1.5")
    if not _NUMBER.fullmatch(value):
        raise Invalid("is not a number written with digits and a decimal point, such as 0.8")
    number = Decimal(value)
    # ESR gives four decimal places; two are kept, as the model stores them. The range is checked first, so
    # the rounding never meets a number too large for it.
    if not Decimal(0) < number <= FTE_MAX or (number := number.quantize(_CENT, ROUND_HALF_UP)) == 0:
        raise Invalid("must be more than 0 and at most 1.5 (contracted hours ÷ 37.5)")
    return number


def email(value: str) -> str:
    if not value:
        return ""
    if len(value) > 254:
        raise Invalid("is longer than 254 characters")
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid("is not an email address") from None
    return value


def _listing(codes: list[str]) -> str:
    return ", ".join(codes[:-1]) + " or " + codes[-1]


SEX = choice({c: c for c in Sex.values}, "must be F, M, X (other) or U (not known)", default=Sex.UNKNOWN)
ETHNIC_CATEGORY = choice(
    {code: code for code in reference.ethnic_categories()},
    f"must be an NHS ethnic category code: {_listing(list(reference.ethnic_categories()))} (not known)",
    default="99",
)
DISABILITY = choice(
    {c: c for c in Disability.values}, "must be Y, N or U (not declared)", default=Disability.UNDECLARED
)
AFC_BAND = choice(
    {c: c for c in AfcBand.values}, "must be an Agenda for Change band: 1 to 9, 8a to 8d, or NA"
)
CONTRACT_TYPE = choice(
    {c: c for c in ContractType.values}, "must be Permanent, Fixed Term Temp, Locum or Bank"
)
LEAVING_REASON = choice(
    {r: r for r in reference.leaving_reasons()}, "is not one of the ESR reasons for leaving", default=""
)

# column → (model field, parser). person_id is read separately: it is the key.
PEOPLE_COLUMNS: dict[str, tuple[str, Parser]] = {
    "given_name": ("given_name", text(100)),
    "family_name": ("family_name", text(100)),
    "email": ("email", email),
    "birth_date": ("birth_date", birth_date),
    "birth_year": ("birth_year", birth_year),
    "sex": ("sex", SEX),
    "ethnic_category": ("ethnic_category", ETHNIC_CATEGORY),
    "disability": ("disability", DISABILITY),
    "religion": ("religion", text(100)),
    "sexual_orientation": ("sexual_orientation", text(100)),
    "nationality": ("nationality", text(100)),
}
PEOPLE_KNOWN = ("person_id", *PEOPLE_COLUMNS)
PEOPLE_REQUIRED = ("person_id",)

# Columns read straight into a field. team, job_title (→ role) and line_manager_person_id are resolved
# against the organisation, and the keys and dates are checked across rows, so they are read separately.
ASSIGNMENT_COLUMNS: dict[str, tuple[str, Parser]] = {
    "occupation_code": ("occupation_code", text(10)),
    "job_role": ("job_role", text(100)),
    "job_title": ("job_title", text(200)),
    "afc_band": ("afc_band", AFC_BAND),
    "staff_group": ("staff_group", text(100)),
    "area_of_work": ("area_of_work", text(100)),
    "contract_type": ("contract_type", CONTRACT_TYPE),
    "fte": ("fte", fte),
}
ASSIGNMENTS_KNOWN = (
    "assignment_id",
    "person_id",
    "organisation_code",
    "team",
    "start_date",
    "end_date",
    "leaving_reason",
    "line_manager_person_id",
    *ASSIGNMENT_COLUMNS,
)
ASSIGNMENTS_REQUIRED = (
    "assignment_id",
    "person_id",
    "organisation_code",
    "afc_band",
    "contract_type",
    "fte",
    "start_date",
)
START_DATE = date(required=True)
END_DATE = date(required=False)
TEAM_NAME = text(200)

PERSON_FIELDS = tuple(field for field, _ in PEOPLE_COLUMNS.values())
SPELL_FIELDS = (
    "team_id",
    "role_id",
    "line_manager_id",
    "start_date",
    "end_date",
    "leaving_reason",
    *(field for field, _ in ASSIGNMENT_COLUMNS.values()),
)


def normalise_title(title: str) -> str:
    """The same normal form as JobTitle.normalised (see migration 0002): lower case, runs of anything but
    letters and digits as one space."""
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()
