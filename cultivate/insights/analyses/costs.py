"""What turnover costs, and what delegating care to support workers is estimated to save.

Turnover cost = leavers × the cost of replacing one leaver. No published per-leaver replacement cost is in
the project's seed documents or reference files (the Nuffield Trust report, seed 002, gives only a £2.4
billion a year total for turnover and absence together, NHS England & NHS Improvement 2011, which is no
per-leaver figure), so the caller must give the figure, for everyone or per Agenda for Change band; none is
invented here. Definitions: docs/measures.md, "Turnover cost" and "Delegation savings"."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb

from cultivate.insights.measures.definitions import BAND_LABEL, MeasureError, Window, parse_window

from .common import NO_GROUP, check_codes, check_organisation_by, group_dict, members_sql


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


SAVINGS_AMOUNTS = ("first_year_low", "first_year_high", "later_year_low", "later_year_high")


def delegation_savings(
    con: duckdb.DuckDBPyConnection,
    *,
    organisation_codes: Collection[str] | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """The estimated savings range of each organisation's delegation protocols that have a savings model, one
    summary per organisation with any (those whose ODS codes are given), read from the store's
    `delegation_savings` table (written by the snapshot from the portfolio's protocols). Each protocol's
    published range is counted once — the source gives one figure for a service, so it is never multiplied by
    workers, teams or patients — and listed with its source. Protocols not in use are left out unless
    `include_inactive`."""
    codes = check_codes(organisation_codes)
    if codes is None:
        raise MeasureError("Name the organisation codes whose savings to sum up.")
    found = con.execute(
        f"""
        SELECT organisation_code, organisation, protocol, activity, unit, unit_label, currency,
               {", ".join(SAVINGS_AMOUNTS)}, price_year, source, source_url, note
        FROM delegation_savings
        WHERE list_contains($codes, organisation_code) AND (is_active OR $inactive)
        ORDER BY organisation_code, protocol
        """,
        {"codes": list(codes), "inactive": include_inactive},
    )
    columns = [d[0] for d in found.description or []]
    by_organisation: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for values in found.fetchall():
        row = dict(zip(columns, values, strict=True))
        names[row["organisation_code"]] = row["organisation"]
        by_organisation.setdefault(row["organisation_code"], []).append(row)
    summaries = []
    for code, rows in by_organisation.items():
        totals = {key: sum((Decimal(r[key]) for r in rows), Decimal(0)) for key in SAVINGS_AMOUNTS}
        currencies = {r["currency"] for r in rows}
        if len(currencies) > 1:
            raise MeasureError(
                f"{code}'s protocols give savings in {', '.join(sorted(currencies))}: they cannot be added up."
            )
        items = [
            {
                "protocol": r["protocol"],
                "activity": r["activity"],
                "unit": r["unit"],
                "unit_label": r["unit_label"],
                "currency": r["currency"],
                "first_year": [_number(r["first_year_low"]), _number(r["first_year_high"])],
                "later_years": [_number(r["later_year_low"]), _number(r["later_year_high"])],
                "price_year": r["price_year"],
                "source": r["source"],
                "source_url": r["source_url"] or "",
                "note": r["note"] or "",
            }
            for r in rows
        ]
        summaries.append(
            {
                "organisation_code": code,
                "organisation": names[code],
                "protocols": len(items),
                "currency": currencies.pop(),
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
