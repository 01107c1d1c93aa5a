"""Measure rows → table cells: suppression for the scope, a figure with its numerator and denominator, group
labels and band order."""

from __future__ import annotations

from typing import Any

from ..measures import suppress
from ..measures.definitions import BAND_ORDER, NOT_AFC
from ..scoping import Scope
from ..tables import Kind
from .tables import THRESHOLD, Column


def safe_rows(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    """Measure rows as the scope's reader may see them: suppressed unless it has individual-level access."""
    if scope.individual_level:
        return [{**r, "suppressed": False, "small_denominator": False} for r in rows]
    return suppress(rows, THRESHOLD)


def put_figure(cells: dict[str, Any], key: str, row: dict[str, Any] | None, *, parts: bool = True) -> None:
    """Put a measure row's value (and numerator and denominator) into a table row under `key`."""
    if row is None:
        cells[key] = None
        if parts:
            cells[f"{key}_num"] = cells[f"{key}_den"] = None
        return
    cells[key] = row["value"]
    if parts:
        cells[f"{key}_num"] = row["numerator"]
        cells[f"{key}_den"] = row["denominator"]
    if row.get("suppressed"):
        keys = (key, f"{key}_num", f"{key}_den") if parts else (key,)
        cells.setdefault("_suppressed", set()).update(k for k in keys if cells[k] is None)
        if row.get("small_denominator"):
            cells.setdefault("_small", set()).add(key)


def group_label(value: Any) -> str:
    return "Not known" if value is None or value == "" else str(value)


def by_group(rows: list[dict[str, Any]], measure: str, column: str) -> dict[str, dict[str, Any]]:
    return {group_label(r["group"].get(column)): r for r in rows if r["measure"] == measure}


def figure_columns(
    key: str, heading: str, kind: Kind, num: str, den: str, num_kind: Kind = "count", den_kind: Kind = "count"
) -> list[Column]:
    """A figure's value column, then its numerator and denominator (people counts unless said otherwise)."""
    return [
        Column(key, heading, kind),
        Column(f"{key}_num", num, num_kind),
        Column(f"{key}_den", den, den_kind),
    ]


def band_order(band: str) -> int:
    return BAND_ORDER.index(band) if band in BAND_ORDER else len(BAND_ORDER)


def band_label(band: str) -> str:
    return "Not on Agenda for Change" if band == NOT_AFC else f"Band {band}"
