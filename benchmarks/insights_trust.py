"""Insights on one trust: the leaver rate three ways, on the same Parquet files, all giving the same answer.

Two synthetic stores are built with DuckDB `range()` SQL (`cultivate.insights.measures.bench`): a trust-sized
one (3,500 people, one organisation, 10 years) and a national-sized one (1.4 M people, 220 organisations,
10 years). On each, the leaver rate by organisation for the 12 months to the extract date is computed

    bench leaver_rate_cultivate_s        cultivate.insights.measures.compute_measures (connect, frame, measure)
    bench leaver_rate_plain_duckdb_s     one DuckDB query written directly over the Parquet files
    bench leaver_rate_pandas_s           a straightforward pandas version

(median of 3 runs each; the trust store's figures have these names, the national store's are prefixed
`national_`), and the three answers are asserted equal.
The national-sized store also gets the full standard measure set
(`bench synthetic_national_measures_s`, `..._peak_rss_mb`, in a child process with 2 DuckDB threads).

The trust store also times the dashboard pages (`bench trust_dashboard_<name>_ms` and the largest,
`bench trust_dashboard_max_ms`): each page's server time through the Django test client, signed in as the
trust's workforce analyst (figures suppressed, breakdown by team), median of DASHBOARD_RUNS requests, in a
child process with its own database. There is no result cache: every request recomputes from the Parquet
files on its own DuckDB connection to the process's base database (`dashboards.scoped_connection`). The first
request of the process (imports, templates, opening the base database) is printed as `..._first_ms`; the
medians are of the requests after it (a warm process and file cache, but no cached results)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from benchmarks._harness import django_env, run_child
from cultivate.insights.measures import compute_measures
from cultivate.insights.measures.bench import build_synthetic_store, default_window, measures_benchmark

GROUP = "insights-trust"
RUNS = 3
TRUST_PEOPLE = 3_500
NATIONAL_PEOPLE = 1_400_000
THREADS = 2

Answer = dict[str, tuple[int, float]]  # organisation → (leavers, mean headcount)


def _assignment_files(store: Path) -> list[str]:
    return sorted(str(p) for p in (store / "datasets").glob("*/assignments/**/*.parquet"))


def leaver_rate_cultivate(store: Path, window: tuple[dt.date, dt.date]) -> Answer:
    rows = compute_measures(
        store, window, by=["organisation_code"], measures=["leaver_rate"], threads=THREADS
    )
    return {r["group"]["organisation_code"]: (r["numerator"], r["denominator"]) for r in rows}


def leaver_rate_plain_duckdb(store: Path, window: tuple[dt.date, dt.date]) -> Answer:
    s, e = (f"DATE '{d.isoformat()}'" for d in window)
    files = ", ".join(f"'{f}'" for f in _assignment_files(store))
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET enable_progress_bar = false")
    rows = con.execute(
        f"""
        WITH flags AS (
            SELECT organisation_code, person_id,
                   bool_or(start_date <= {s} AND (end_date IS NULL OR end_date >= {s})) AS at_s,
                   bool_or(start_date <= {e} AND (end_date IS NULL OR end_date >= {e})) AS at_e
            FROM read_parquet([{files}])
            WHERE coalesce(contract_type, '') <> 'Bank'
              AND start_date <= {e} AND (end_date IS NULL OR end_date >= {s})
            GROUP BY organisation_code, person_id
        )
        SELECT organisation_code,
               count(*) FILTER (WHERE at_s AND NOT at_e),
               (count(*) FILTER (WHERE at_s) + count(*) FILTER (WHERE at_e)) / 2
        FROM flags GROUP BY organisation_code
        """
    ).fetchall()
    con.close()
    return {org: (int(leavers), float(mean)) for org, leavers, mean in rows}


def leaver_rate_pandas(store: Path, window: tuple[dt.date, dt.date]) -> Answer:
    frames = [
        pd.read_parquet(
            f, columns=["person_id", "organisation_code", "contract_type", "start_date", "end_date"]
        )
        for f in _assignment_files(store)
    ]
    spells = pd.concat(frames, ignore_index=True)
    s, e = (pd.Timestamp(d) for d in window)
    start, end = pd.to_datetime(spells["start_date"]), pd.to_datetime(spells["end_date"])
    not_bank = spells["contract_type"].fillna("") != "Bank"
    key = ["organisation_code", "person_id"]
    at_s = spells.loc[not_bank & (start <= s) & (end.isna() | (end >= s)), key].drop_duplicates()
    at_e = spells.loc[not_bank & (start <= e) & (end.isna() | (end >= e)), key].drop_duplicates()
    stayed = at_s.merge(at_e, on=key, how="left", indicator=True)
    leavers = stayed[stayed["_merge"] == "left_only"].groupby("organisation_code").size()
    count_s = at_s.groupby("organisation_code").size()
    count_e = at_e.groupby("organisation_code").size()
    organisations = count_s.index.union(count_e.index)
    return {
        str(org): (int(leavers.get(org, 0)), (int(count_s.get(org, 0)) + int(count_e.get(org, 0))) / 2)
        for org in organisations
    }


def _comparable(answer: Answer) -> Answer:
    # Groups with nobody at either date (spells only inside the window) have no rate to compare.
    return {org: (n, float(mean)) for org, (n, mean) in answer.items() if mean > 0}


def _timed(fn: Callable[[Path, tuple[dt.date, dt.date]], Answer], *args: Any) -> tuple[float, Answer]:
    seconds, answer = [], {}
    for _ in range(RUNS):
        began = time.perf_counter()
        answer = fn(*args)
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), answer


def compare(prefix: str, store: Path) -> None:
    window = default_window(store)
    ours_s, ours = _timed(leaver_rate_cultivate, store, window)
    plain_s, plain = _timed(leaver_rate_plain_duckdb, store, window)
    pandas_s, by_pandas = _timed(leaver_rate_pandas, store, window)
    assert _comparable(ours) == _comparable(plain) == _comparable(by_pandas), (
        f"{prefix or 'trust'}: the answers differ"
    )
    leavers = sum(n for n, _ in ours.values())
    mean = sum(m for _, m in ours.values())
    print(f"bench {prefix}leaver_rate_window: {window[0]}:{window[1]}", flush=True)
    print(f"bench {prefix}leaver_rate_organisations: {len(_comparable(ours))} organisations", flush=True)
    print(f"bench {prefix}leaver_rate_answer: {leavers} leavers / {mean:.1f} mean headcount", flush=True)
    print(f"bench {prefix}leaver_rate_cultivate_s: {ours_s:.3f} s", flush=True)
    print(f"bench {prefix}leaver_rate_plain_duckdb_s: {plain_s:.3f} s", flush=True)
    print(f"bench {prefix}leaver_rate_pandas_s: {pandas_s:.3f} s", flush=True)


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cultivate-insights-bench-") as tmp:
        trust = Path(tmp) / "trust"
        counts = build_synthetic_store(trust, people=TRUST_PEOPLE, organisations=1, name="trust")
        print(
            f"bench trust_store_rows: {counts['people']} people, {counts['assignments']} spells", flush=True
        )
        compare("", trust)
        dashboard_benchmark(trust, Path(tmp))
        national = Path(tmp) / "national"
        began = time.perf_counter()
        counts = build_synthetic_store(national, people=NATIONAL_PEOPLE)
        print(
            f"bench national_store_rows: {counts['people']} people, {counts['assignments']} spells, "
            f"{counts['absences']} absences ({time.perf_counter() - began:.0f} s to build)",
            flush=True,
        )
        compare("national_", national)
        measures_benchmark(national, prefix="synthetic_national")


# Dashboard pages ---------------------------------------------------------------------------------------------
DASHBOARD_RUNS = 5
DASHBOARD_TARGET_MS = 500


def dashboard_benchmark(store: Path, workdir: Path) -> dict[str, Any]:
    """Time every dashboard page of the trust in a child process (Django on a fresh SQLite database)."""
    env = django_env(workdir, workdir / "dashboards.sqlite3", CULTIVATE_INSIGHTS_STORE=str(store))
    figures = run_child("benchmarks.insights_trust", "dashboards", env=env)
    for name, page in figures["pages"].items():
        print(f"bench trust_dashboard_{name}_ms: {page['median_ms']:.0f} ms", flush=True)
        print(f"bench trust_dashboard_{name}_first_ms: {page['first_ms']:.0f} ms", flush=True)
    print(
        f"bench trust_dashboard_max_ms: {figures['max_ms']:.0f} ms (target < {DASHBOARD_TARGET_MS} ms)",
        flush=True,
    )
    return figures


def _dashboards_child() -> dict[str, Any]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.test import Client

    from cultivate.accounts.models import Role
    from cultivate.accounts.testing import make_organisation, make_user
    from cultivate.insights.dashboards import DASHBOARDS

    organisation = make_organisation("R000")
    client = Client()
    client.force_login(make_user(Role.ANALYST, organisation=organisation))
    pages: dict[str, dict[str, float]] = {}
    for name in DASHBOARDS:
        url = f"/insights/organisations/R000/dashboards/{name}/"
        times = []
        for _ in range(DASHBOARD_RUNS + 1):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200 or b"app-insight-table" not in response.content:
                raise RuntimeError(f"{url} answered {response.status_code} without figures")
        pages[name] = {"first_ms": times[0], "median_ms": statistics.median(times[1:])}
    return {"pages": pages, "max_ms": max(p["median_ms"] for p in pages.values())}


if __name__ == "__main__" and sys.argv[1:] == ["dashboards"]:
    print(json.dumps(_dashboards_child()))
