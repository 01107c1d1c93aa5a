"""Reference data loaded once from the CSV files in `reference/` (see its README for sources)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def leaving_reasons() -> dict[str, str]:
    """Reason → group."""
    return {row["reason"]: row["group"] for row in _rows("esr_leaving_reasons.csv")}


@cache
def ethnic_categories() -> dict[str, tuple[str, str]]:
    """Code → (label, group)."""
    return {row["code"]: (row["label"], row["group"]) for row in _rows("nhs_ethnic_categories.csv")}


@cache
def support_roles() -> list[dict[str, str]]:
    return _rows("support_roles.csv")


@cache
def job_title_aliases() -> list[dict[str, str]]:
    return _rows("job_title_aliases.csv")


LEAVING_REASON_CHOICES = [(reason, reason) for reason in leaving_reasons()]
ETHNIC_CATEGORY_CHOICES = [(code, label) for code, (label, _group) in ethnic_categories().items()]
