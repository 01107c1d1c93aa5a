"""The reference data learning ships with: the Core Skills Training Framework's subjects
(`reference/cstf_subjects.csv`; its README names the source). Read once, never fetched at run time."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent / "reference"


@dataclass(frozen=True)
class CstfSubject:
    code: str
    name: str
    suggested_renewal_months: int


@cache
def cstf_subjects() -> tuple[CstfSubject, ...]:
    with (REFERENCE_DIR / "cstf_subjects.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            CstfSubject(row["code"], row["name"], int(row["suggested_renewal_months"]))
            for row in csv.DictReader(handle)
        )
