"""The reference files (`reference/`), read once: standards, their KSBs, the off-the-job rules and the pathways."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def standards() -> tuple[dict[str, str], ...]:
    return tuple(_rows("standards.csv"))


@cache
def ksbs() -> dict[str, list[dict[str, str]]]:
    by_standard: dict[str, list[dict[str, str]]] = {}
    for row in _rows("ksbs.csv"):
        by_standard.setdefault(row["standard"], []).append({"code": row["code"], "text": row["text"]})
    return by_standard


@dataclass(frozen=True)
class Rule:
    """An off-the-job rule as the calculation reads it, from the database or the reference file."""

    starts_from: dt.date
    basis: str
    percent: Decimal | None
    weekly_hours: Decimal | None
    threshold_hours: Decimal | None
    floor_hours: int | None
    minimum_months: int | None
    source: str


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def off_the_job_rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            starts_from=dt.date.fromisoformat(row["starts_from"]),
            basis=row["basis"],
            percent=_decimal(row["percent"]),
            weekly_hours=_decimal(row["weekly_hours"]),
            threshold_hours=_decimal(row["threshold_hours"]),
            floor_hours=_int(row["floor_hours"]),
            minimum_months=_int(row["minimum_months"]),
            source=row["source"],
        )
        for row in _rows("off_the_job_rules.csv")
    )


@cache
def pathways() -> list[dict[str, Any]]:
    with (FOLDER / "pathways.json").open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)["pathways"]
    return data
