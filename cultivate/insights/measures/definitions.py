"""The fixed vocabulary of the measures: measure names, grouping columns, band order, age bands, ethnic groups,
staff groups. The exact definitions are in `docs/measures.md`; the SQL that implements them is in `sql.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from cultivate.organisations.reference import ethnic_categories, leaving_reasons

# Spell attributes: a person is in the group on a day when one of their spells active that day has the value.
SPELL_COLUMNS = (
    "organisation_code",
    "team",
    "staff_group",
    "area_of_work",
    "occupation_code",
    "job_role",
    "afc_band",
    "contract_type",
)
# Person attributes: fixed for the window (age is taken at the window start).
PERSON_COLUMNS = ("age_band", "sex", "ethnic_category", "ethnic_group", "disability")
GROUP_COLUMNS = SPELL_COLUMNS + PERSON_COLUMNS

# Agenda for Change bands in order. `NA` (not on Agenda for Change, "other occupation") has rank 0: it is never
# the highest band while the person holds any AfC band, and a move between NA and a band is neither higher nor
# lower (outcome `other`).
BAND_ORDER = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
BAND_RANK = {band: rank for rank, band in enumerate(BAND_ORDER, start=1)}
NOT_AFC = "NA"
BAND_LABEL = {0: NOT_AFC, **{rank: band for band, rank in BAND_RANK.items()}}

PROGRESSION_OUTCOMES = ("same", "higher", "lower", "other", "left")
LEFT = "left"
NOT_KNOWN = "Not known"
NOT_RECORDED = "Not recorded"
UNKNOWN_REASON_GROUP = "Other/Unknown"

# Age bands at the window start: <25, 25-29, ..., 55-59, 60+.
AGE_BANDS = ("<25", *(f"{age}-{age + 4}" for age in range(25, 60, 5)), "60+")

# The staff groups compared by `support_to_registered_ratio` (FTE of the first ÷ FTE of the second). NHS Digital
# and ESR spell the registered nursing group in several ways; all are counted.
SUPPORT_STAFF_GROUPS = ("Support to doctors, nurses & midwives",)
REGISTERED_STAFF_GROUPS = (
    "Nurses & health visitors",
    "Midwives",
    "Nursing, midwifery & health visiting",
    "Nursing and Midwifery Registered",
)


def ethnic_group_of(category_group: str) -> str:
    """The six groups the measures report (White, Mixed, Asian, Black, Other, Not known) from the reference
    file's group ("Asian or Asian British" → "Asian"; "Not stated" joins "Not known")."""
    first = category_group.split(" ")[0]
    if first in {"White", "Mixed", "Asian", "Black", "Other"}:
        return first
    return NOT_KNOWN


def ethnic_groups() -> dict[str, str]:
    """Ethnic category code → reported group."""
    return {code: ethnic_group_of(group) for code, (_label, group) in ethnic_categories().items()}


def reason_groups() -> dict[str, str]:
    return leaving_reasons()


Kind = Literal["people", "fte", "fte_days", "none"]


@dataclass(frozen=True)
class Measure:
    name: str
    family: str
    numerator: Kind  # what the numerator counts (for small-number suppression)
    denominator: Kind
    summary: str


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("headcount", "stock", "people", "none", "distinct people active on the window end"),
        Measure("fte", "stock", "fte", "none", "sum of FTE of spells active on the window end"),
        Measure("mean_fte", "stock", "fte", "people", "FTE ÷ headcount on the window end"),
        Measure("joiners", "stock", "people", "none", "people active at the end and not at the start"),
        Measure("leavers", "stock", "people", "none", "people active at the start and not at the end"),
        Measure("leaver_rate", "stock", "people", "people", "leavers ÷ mean of headcount at start and end"),
        Measure("joiner_rate", "stock", "people", "people", "joiners ÷ mean of headcount at start and end"),
        Measure("stability_index", "stock", "people", "people", "1 − leavers ÷ headcount at the start"),
        Measure(
            "sickness_absence_rate", "sickness", "fte_days", "fte_days", "FTE days lost ÷ FTE days available"
        ),
        Measure("progression", "progression", "people", "people", "band at start → band at end, or left"),
        Measure(
            "progression_excluding_leavers",
            "progression",
            "people",
            "people",
            "band moves of those who stayed",
        ),
        Measure("role_transition", "progression", "people", "people", "job role at start → job role at end"),
        Measure("band_share", "progression", "people", "people", "people by band on the window end"),
        Measure("leaving_reason_share", "reasons", "people", "people", "leavers by reason for leaving"),
        Measure("leaving_reason_group_share", "reasons", "people", "people", "leavers by group of reasons"),
        Measure(
            "support_to_registered_ratio", "ratio", "fte", "fte", "support staff FTE ÷ registered nursing FTE"
        ),
    )
}
STANDARD_MEASURES = tuple(MEASURES)


class MeasureError(ValueError):
    """A request the measures cannot answer (bad window, unknown column or measure): the caller's mistake."""


@dataclass(frozen=True)
class Window:
    """[start, end]: its days are start+1 … end, so consecutive windows share no day."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def as_json(self) -> list[str]:
        return [self.start.isoformat(), self.end.isoformat()]


def parse_window(value: str | tuple[dt.date | str, dt.date | str] | Window) -> Window:
    """`START:END` (ISO dates) or a pair of dates → Window; the start must be before the end."""
    if isinstance(value, Window):
        return value
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 2:
            raise MeasureError(f"A window is START:END, two dates like 2019-06-30:2020-06-30, not {value!r}.")
        pair: tuple[dt.date | str, dt.date | str] = (parts[0].strip(), parts[1].strip())
    else:
        pair = value
    dates = []
    for item in pair:
        if isinstance(item, dt.datetime):
            item = item.date()
        if isinstance(item, dt.date):
            dates.append(item)
            continue
        try:
            dates.append(dt.date.fromisoformat(str(item)))
        except ValueError:
            raise MeasureError(f"{item!r} is not a date: write it as YYYY-MM-DD.") from None
    start, end = dates
    if start >= end:
        raise MeasureError(
            f"The window start ({start.isoformat()}) must be before its end ({end.isoformat()}); "
            "the days of a window are the day after the start to the end."
        )
    return Window(start, end)


def check_by(by: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    columns = tuple(by or ())
    unknown = [c for c in columns if c not in GROUP_COLUMNS]
    if unknown:
        raise MeasureError(
            f"Cannot group by {', '.join(unknown)}: the grouping columns are {', '.join(GROUP_COLUMNS)}."
        )
    if len(set(columns)) != len(columns):
        raise MeasureError("A grouping column is named twice.")
    return columns


def check_measures(measures: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if not measures:
        return STANDARD_MEASURES
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise MeasureError(f"Unknown measure {', '.join(unknown)}: the measures are {', '.join(MEASURES)}.")
    return tuple(dict.fromkeys(measures))
