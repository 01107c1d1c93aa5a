"""The workforce analyses (cultivate.insights.analyses) on one trust, timed.

Two stores: the trust-sized synthetic store of the insights-trust group (3,500 people, one organisation, 10
years, built with DuckDB `range()` SQL by `cultivate.insights.measures.bench`), and the national synthetic
generator's output (`cultivate demo-extract`, 30,000 people in 8 organisations over 10 years, imported),
on which the analyses are scoped to its largest organisation. For each, median of 3 runs:

    bench <store>_retention_curve_s          Kaplan–Meier over the whole history, monthly points
    bench <store>_retention_by_band_s        the same, one curve per band at entry
    bench <store>_competing_risks_s          Aalen–Johansen, leaving and moving up, with intervals
    bench <store>_relative_likelihoods_s     every fairness indicator for the last 3 years
    bench <store>_turnover_cost_s            turnover cost for the last year

with the number of employment periods followed (`bench <store>_periods`)."""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cultivate.insights.analyses import competing_risks, relative_likelihoods, retention_curve, turnover_cost
from cultivate.insights.measures.bench import build_synthetic_store
from cultivate.insights.store import connect

GROUP = "insights-analyses"
RUNS = 3
TRUST_PEOPLE = 3_500
GENERATED_PEOPLE = 30_000


def _median_seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _time_store(name: str, store: Path, organisation: str, end: dt.date) -> None:
    con = connect(store)
    con.execute("SET threads = 2")
    codes = [organisation]
    three_years = (end.replace(year=end.year - 3), end)
    one_year = (end.replace(year=end.year - 1), end)
    cases: dict[str, Callable[[], Any]] = {
        "retention_curve": lambda: retention_curve(con, organisation_codes=codes),
        "retention_by_band": lambda: retention_curve(con, organisation_codes=codes, by=["afc_band"]),
        "competing_risks": lambda: competing_risks(con, organisation_codes=codes),
        "relative_likelihoods": lambda: relative_likelihoods(con, three_years, organisation_codes=codes),
        "turnover_cost": lambda: turnover_cost(con, one_year, cost_per_leaver=1, organisation_codes=codes),
    }
    for case, work in cases.items():
        seconds, result = _median_seconds(work)
        print(f"bench {name}_{case}_s {seconds:.3f}", flush=True)
        if case == "retention_curve":
            print(f"bench {name}_periods {sum(c['people'] for c in result['curves'])}", flush=True)
    con.close()


def run() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cultivate.config.settings.test")
    django.setup()
    from cultivate.demo.national import PARQUET, generate
    from cultivate.insights.extract import import_extract

    with tempfile.TemporaryDirectory() as tmp:
        trust = Path(tmp) / "trust"
        counts = build_synthetic_store(trust, people=TRUST_PEOPLE, organisations=1, name="trust")
        print(
            f"bench trust_store_rows: {counts['people']} people, {counts['assignments']} spells", flush=True
        )
        code = connect(trust).execute("SELECT any_value(organisation_code) FROM assignments").fetchall()[0][0]
        _time_store("trust", trust, code, dt.date(2025, 3, 31))

        end = dt.date(2025, 3, 31)
        generate(
            Path(tmp) / "extract", people=GENERATED_PEOPLE, years=10, seed=2026, fmt=PARQUET, end_date=end
        )
        import_extract(Path(tmp) / "extract", Path(tmp) / "generated", extract_date=end)
        con = connect(Path(tmp) / "generated")
        code, people = con.execute(
            "SELECT organisation_code, count(DISTINCT person_id) FROM assignments "
            "GROUP BY ALL ORDER BY 2 DESC LIMIT 1"
        ).fetchall()[0]
        con.close()
        print(f"bench generated_organisation: {code}, {people} people over 10 years", flush=True)
        _time_store("generated", Path(tmp) / "generated", code, end)
