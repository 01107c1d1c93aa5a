"""What turnover costs, and what delegating care to support workers is estimated to save.

Turnover cost = leavers × the cost of replacing one leaver. No published per-leaver replacement cost is in
the project's seed documents or reference files (the Nuffield Trust report, seed 002, gives only a £2.4
billion a year total for turnover and absence together, NHS England & NHS Improvement 2011, which is no
per-leaver figure), so the caller must give the figure, for everyone or per Agenda for Change band; none is
invented here. Definitions: docs/measures.md, "Turnover cost" and "Delegation savings"."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from cultivate.insights.measures.definitions import BAND_LABEL, MeasureError, Window, parse_window

from .common import NO_GROUP, check_codes, check_organisation_by, group_dict, members_sql

if TYPE_CHECKING:
    from cultivate.organisations.models import Organisation


def _cost_table(cost_per_leaver: float | int | Decimal | Mapping[str, float | int | Decimal]) -> Any:
    if isinstance(cost_per_leaver, Mapping):
        table = {str(band): Decimal(str(cost)) for band, cost in cost_per_leaver.items()}
        costs = list(table.values())
    else:
        table = None
        costs = [Decimal(str(cost_per_leaver))]
    if not costs or any(not c.is_finite() or c < 0 for c in costs):
        raise MeasureError("A replacement cost per leaver must be a number of 0 or more.")
    return table if table is not None else costs[0]


def _money(value: Decimal) -> float:
    return float(round(value, 2))


def turnover_cost(
    con: duckdb.DuckDBPyConnection,
    window: Window | str | tuple[Any, Any],
    *,
    cost_per_leaver: float | int | Decimal | Mapping[str, float | int | Decimal],
    by: Sequence[str] | None = None,
    organisation_codes: Collection[str] | None = None,
    currency: str = "GBP",
    source: str = "",
) -> list[dict[str, Any]]:
    """Leavers of the window (the measures' definition: in post in the group at s, not at e) × the replacement
    cost per leaver: one figure, or a mapping from band ("2", "3", … "8a", "NA") to the cost for a leaver whose
    band at s was that band. Every band a leaver held must be priced; MeasureError names those that are not.

    Rows in the measures' shape: numerator = the cost, denominator = the leavers, value = the cost (the
    numerator: a total, not a rate), plus `leavers`, `currency`, `source` and per-band `by_band` rows."""
    window = parse_window(window)
    by_org = check_organisation_by(by)
    codes = check_codes(organisation_codes)
    prices = _cost_table(cost_per_leaver)
    found = con.execute(
        f"""
        SELECT g, coalesce(rank_s, 0) AS rank_s, count(*) FILTER (WHERE NOT at_e)
        FROM ({members_sql(window, by_org=by_org, codes=codes)})
        WHERE at_s
        GROUP BY ALL
        """
    ).fetchall()
    leavers: dict[Any, dict[str, int]] = {}
    for g, rank, n in found:
        leavers.setdefault(g, {})[BAND_LABEL[int(rank)]] = int(n)
    for g in [NO_GROUP] if not by_org else list(codes or ()):
        leavers.setdefault(g, {})  # a group asked for is reported even with nobody in it
    if isinstance(prices, dict):
        held = {band for bands in leavers.values() for band, n in bands.items() if n}
        missing = sorted(held - set(prices), key=_band_order)
        if missing:
            raise MeasureError(f"No replacement cost is given for leavers at band {', '.join(missing)}.")
    rows = []
    for g in sorted(leavers, key=lambda v: (v is None, v or "")):
        by_band = []
        total = Decimal(0)
        for band, n in sorted(leavers[g].items(), key=lambda item: _band_order(item[0])):
            if not n:
                continue
            price = prices[band] if isinstance(prices, dict) else prices
            total += price * n
            by_band.append(
                {"band": band, "leavers": n, "cost_per_leaver": _money(price), "cost": _money(price * n)}
            )
        count = sum(leavers[g].values())
        rows.append(
            {
                "measure": "turnover_cost",
                "window": window.as_json(),
                "group": group_dict(by_org, g),
                "numerator": _money(total),
                "denominator": count,
                "value": _money(total),
                "leavers": count,
                "currency": currency,
                "source": source,
                "by_band": by_band,
            }
        )
    return rows


def _band_order(band: str) -> int:
    ranks = {label: rank for rank, label in BAND_LABEL.items()}
    return ranks.get(band, 0) or 99  # NA after the bands


def delegation_savings(
    organisation: Organisation | None = None,
    *,
    organisation_codes: Collection[str] | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """The estimated savings range of each organisation's delegation protocols that have a savings model
    (`DelegationProtocol.savings`, cultivate/portfolio/delegation.py), one summary per organisation: the
    organisation given, or those whose ODS codes are given. Each protocol's published range is counted once
    — the source gives one figure for a service, so it is never multiplied by workers, teams or patients —
    and listed with its source. Protocols not in use are left out unless `include_inactive`."""
    from cultivate.organisations.models import Organisation
    from cultivate.portfolio.delegation import SAVINGS_UNITS, savings_clean
    from cultivate.portfolio.models import DelegationProtocol

    if organisation is None and organisation_codes is None:
        raise MeasureError("Name the organisation, or the organisation codes, whose savings to sum up.")
    organisations = []
    if organisation is not None:
        organisations.append(organisation)
    codes = check_codes(organisation_codes)
    if codes:
        organisations += [
            o
            for o in Organisation.objects.filter(ods_code__in=codes).order_by("ods_code")
            if o not in organisations
        ]
    summaries = []
    for org in organisations:
        protocols = DelegationProtocol.objects.filter(organisation=org).exclude(savings={}).order_by("code")
        if not include_inactive:
            protocols = protocols.filter(is_active=True)
        items = []
        totals = {
            key: Decimal(0)
            for key in ("first_year_low", "first_year_high", "later_year_low", "later_year_high")
        }
        currencies = set()
        for protocol in protocols:
            inputs = savings_clean(protocol.savings)
            for key in totals:
                totals[key] += Decimal(str(inputs[key]))
            currencies.add(inputs["currency"])
            items.append(
                {
                    "protocol": protocol.code,
                    "activity": protocol.activity,
                    "unit": inputs["unit"],
                    "unit_label": SAVINGS_UNITS[inputs["unit"]],
                    "currency": inputs["currency"],
                    "first_year": [inputs["first_year_low"], inputs["first_year_high"]],
                    "later_years": [inputs["later_year_low"], inputs["later_year_high"]],
                    "price_year": inputs.get("price_year"),
                    "source": inputs["source"],
                    "source_url": inputs.get("source_url", ""),
                    "note": inputs.get("note", ""),
                }
            )
        if len(currencies) > 1:
            raise MeasureError(
                f"{org.ods_code}'s protocols give savings in {', '.join(sorted(currencies))}: "
                "they cannot be added up."
            )
        summaries.append(
            {
                "organisation_code": org.ods_code,
                "organisation": org.name,
                "protocols": len(items),
                "currency": currencies.pop() if currencies else "GBP",
                "first_year": [_number(totals["first_year_low"]), _number(totals["first_year_high"])],
                "later_years": [_number(totals["later_year_low"]), _number(totals["later_year_high"])],
                "items": items,
                "sources": sorted({item["source"] for item in items}),
            }
        )
    return summaries


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def bands_to_hide(leavers: list[int], threshold: int = 5) -> set[int]:
    """Positions of the per-band leaver counts to hide from readers without individual-level access: counts of
    1 to threshold − 1, and, when that is only one band, the next smallest too, so that no hidden count can be
    worked out from the total shown beside them."""
    small = {i for i, n in enumerate(leavers) if 0 < n < threshold}
    if len(small) == 1:
        larger = sorted((n, i) for i, n in enumerate(leavers) if n >= threshold)
        small |= {i for _n, i in larger[:1]}
    return small
