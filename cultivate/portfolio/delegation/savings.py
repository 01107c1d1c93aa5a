"""The savings model of a delegation protocol: its published inputs (`DelegationProtocol.savings`), checked by
`savings_clean`, and `savings_estimate`, the range applied to who is authorised on a day. Insights reads the
estimate of each protocol through `savings_estimate` (or the inputs through `savings_clean`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import DelegationProtocol
from .team import Authorisations, protocol_authorisations

SAVINGS_KEYS: dict[str, str] = {
    "source": "Where the figures come from, as it should be cited (required when there are figures).",
    "source_url": "A link to the source (optional).",
    "unit": (
        "What one range is for: 'service' (one service of the organisation that delegates the activity: the "
        "range counts once when anyone is authorised), 'team' (each team with an authorised worker) or "
        "'worker' (each authorised worker)."
    ),
    "currency": "ISO 4217 code; 'GBP' if left out.",
    "first_year_low": "Lowest estimated saving in the first year (a number; includes the cost of training).",
    "first_year_high": "Highest estimated saving in the first year.",
    "later_year_low": "Lowest estimated saving in each later year (training already paid for).",
    "later_year_high": "Highest estimated saving in each later year.",
    "price_year": "The year the prices are from (optional); figures are shown as published, not inflated.",
    "note": "What the saving depends on, in plain words (optional).",
}
"""The keys of `DelegationProtocol.savings`, a JSON object; `{}` means the protocol has no savings model.
All four amounts are required together, low ≤ high, and none negative. `savings_clean` checks a value and
`savings_estimate` applies it. `LEEDS_DIABETES_SAVINGS` is the published example."""

SAVINGS_UNITS = {"service": "service", "team": "team", "worker": "authorised worker"}
SAVINGS_UNIT_CHOICES = [
    ("service", "One service (counted once when anyone is authorised)"),
    ("team", "Each team with an authorised worker"),
    ("worker", "Each authorised worker"),
]
_AMOUNTS = ("first_year_low", "first_year_high", "later_year_low", "later_year_high")

LEEDS_DIABETES_SAVINGS: dict[str, Any] = {
    "source": (
        "NHS Employers case study: NHS Leeds Community Healthcare, “Supporting and developing community support "
        "workers” (25 October 2010)"
    ),
    "unit": "service",
    "currency": "GBP",
    "first_year_low": 5294,
    "first_year_high": 12800,
    "later_year_low": 8500,
    "later_year_high": 16000,
    "price_year": 2010,
    "note": (
        "Support workers delivering diabetes care in place of a registered nurse, in the trust's district "
        "nursing service. The first year includes the cost of training the support workers. The saving depends "
        "on how many patients on the caseload need diabetes care and are suitable for delegation; the case "
        "study gives one range for the service, not a figure per worker or per patient."
    ),
}
"""The Leeds diabetes example (seed 001), in the `SAVINGS_KEYS` format, for the demo's diabetes protocols."""


def _amount(data: dict[str, Any], key: str, errors: list[str]) -> Decimal | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{key} must be a number.")
        return None
    if not number.is_finite() or number < 0:
        errors.append(f"{key} must be a number of 0 or more.")
        return None
    return number


def savings_clean(data: dict[str, Any] | None) -> dict[str, Any]:
    """The savings inputs checked and normalised (amounts as plain numbers); ValidationError otherwise."""
    if not data:
        return {}
    if not isinstance(data, dict):
        raise ValidationError({"savings": "The savings model must be an object."})
    errors: list[str] = []
    unknown = sorted(set(data) - set(SAVINGS_KEYS))
    if unknown:
        errors.append(f"Unknown keys: {', '.join(unknown)}.")
    amounts = {key: _amount(data, key, errors) for key in _AMOUNTS}
    if any(v is None for v in amounts.values()) and not errors:
        errors.append("Give all four amounts: first year low and high, later years low and high.")
    unit = data.get("unit") or ""
    if unit not in SAVINGS_UNITS:
        errors.append("unit must be one of: service, team, worker.")
    source = str(data.get("source") or "").strip()
    if not source:
        errors.append("Say where the figures come from (source).")
    for low, high in (("first_year_low", "first_year_high"), ("later_year_low", "later_year_high")):
        a, b = amounts.get(low), amounts.get(high)
        if a is not None and b is not None and a > b:
            errors.append(f"{low} is more than {high}.")
    raw_year: Any = data.get("price_year")
    price_year: int | None = None
    if raw_year not in (None, ""):
        try:
            price_year = int(raw_year)
        except (TypeError, ValueError):
            errors.append("price_year must be a year.")
    if errors:
        raise ValidationError({"savings": errors})
    cleaned: dict[str, Any] = {
        "source": source,
        "unit": unit,
        "currency": str(data.get("currency") or "GBP").upper(),
    }
    for key, number in amounts.items():
        assert number is not None
        cleaned[key] = int(number) if number == number.to_integral_value() else float(number)
    for key in ("source_url", "note"):
        if str(data.get(key) or "").strip():
            cleaned[key] = str(data[key]).strip()
    if price_year is not None:
        cleaned["price_year"] = price_year
    return cleaned


@dataclass(frozen=True)
class SavingsEstimate:
    inputs: dict[str, Any]
    unit: str
    unit_label: str
    units: int
    authorised: Authorisations
    first_year: tuple[Decimal, Decimal]
    later_years: tuple[Decimal, Decimal]
    on: dt.date

    @property
    def source(self) -> str:
        return str(self.inputs.get("source", ""))

    @property
    def source_url(self) -> str:
        return str(self.inputs.get("source_url", ""))

    @property
    def note(self) -> str:
        return str(self.inputs.get("note", ""))

    @property
    def price_year(self) -> int | None:
        value = self.inputs.get("price_year")
        return int(value) if value else None

    @property
    def published_first_year(self) -> tuple[Decimal, Decimal]:
        return Decimal(str(self.inputs["first_year_low"])), Decimal(str(self.inputs["first_year_high"]))

    @property
    def published_later_years(self) -> tuple[Decimal, Decimal]:
        return Decimal(str(self.inputs["later_year_low"])), Decimal(str(self.inputs["later_year_high"]))


def savings_estimate(protocol: DelegationProtocol, *, on: dt.date | None = None) -> SavingsEstimate | None:
    """The protocol's published range applied to who is authorised today (None without a savings model).

    'service': the range once if anyone in the organisation is authorised (the source gives one figure for a
    service and nothing per worker); 'team': once per team with an authorised worker; 'worker': per worker."""
    if not protocol.savings:
        return None
    on = on or timezone.localdate()
    inputs = savings_clean(protocol.savings)
    authorised = protocol_authorisations(protocol, on=on)
    unit = inputs["unit"]
    units = {
        "service": 1 if authorised.people else 0,
        "team": authorised.teams,
        "worker": authorised.people,
    }[unit]
    first = (Decimal(str(inputs["first_year_low"])), Decimal(str(inputs["first_year_high"])))
    later = (Decimal(str(inputs["later_year_low"])), Decimal(str(inputs["later_year_high"])))
    return SavingsEstimate(
        inputs=inputs,
        unit=unit,
        unit_label=SAVINGS_UNITS[unit],
        units=units,
        authorised=authorised,
        first_year=(first[0] * units, first[1] * units),
        later_years=(later[0] * units, later[1] * units),
        on=on,
    )
