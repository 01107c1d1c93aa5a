"""National-scale timing of the measures, and a quick synthetic store to time them on.

`measures_benchmark(store)` runs the full standard measure set for one 12-month window, grouped by
organisation_code, in a child process (2 DuckDB threads), three times, and prints

    bench national_measures_s             median wall time of compute_measures (connect + all measures)
    bench national_measures_cpu_s         median CPU time of the same (user + system, both threads)
    bench national_measures_peak_rss_mb   the largest peak resident memory of those children

The national benchmark module calls it on the generated national extract. Until that exists,
`build_synthetic_store()` writes a store of the same size with DuckDB `range()` SQL in well under a minute:
careers of 1–6 spells (band rises, moves between organisations, leavers who come back, bank spells, 5% with
a second part-time assignment elsewhere) and sickness episodes inside the spells.

    python -m cultivate.insights.measures.bench --build DIR [--people 1400000]   # write a synthetic store
    python -m cultivate.insights.measures.bench DIR                              # time the measures on it"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from cultivate.insights.store import extract_date, publish_dataset, staging

NATIONAL_PEOPLE = 1_400_000
ORGANISATIONS = 220
EXTRACT_DATE = dt.date(2025, 3, 31)
THREADS = 2
MEMORY_LIMIT = "3GB"
REASONS = (
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Relocation",
    "Voluntary Resignation - Promotion",
    "Voluntary Resignation - Other/Not Known",
    "Voluntary Resignation - To undertake further education or training",
    "Retirement Age",
    "Dismissal - Capability",
    "End of Fixed Term Contract",
)

# Anxiety and stress twice: about a quarter of days lost (CALIBRATION.md).
SICKNESS_REASONS = (
    "S10 Anxiety/stress/depression/other psychiatric illnesses",
    "S12 Other musculoskeletal problems",
    "S13 Cold, Cough, Flu - Influenza",
    "S11 Back Problems",
    "S25 Gastrointestinal problems",
    "S10 Anxiety/stress/depression/other psychiatric illnesses",
    "S28 Injury, fracture",
    "S98 Other known causes - not elsewhere classified",
    "S16 Headache / migraine",
)


def _day(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def build_synthetic_store(
    store: Path | str,
    *,
    people: int = NATIONAL_PEOPLE,
    years: int = 10,
    organisations: int = ORGANISATIONS,
    extract: dt.date = EXTRACT_DATE,
    seed: int = 7,
    name: str = "synthetic",
) -> dict[str, int]:
    """Write a synthetic dataset into `store` and return its row counts. Deterministic for a seed."""
    store = Path(store)
    history_start = extract.replace(year=extract.year - years)
    # Careers begin up to 12 years before the history starts, so the first window has a workforce in post,
    # and at least a year before the extract date, so most people are in post at the end.
    span = (extract - history_start).days + 11 * 365
    first_start = _day(history_start - dt.timedelta(days=12 * 365))
    x = _day(extract)
    reasons = "[" + ", ".join("'" + r.replace("'", "''") + "'" for r in REASONS) + "]"
    sickness_reasons = "[" + ", ".join("'" + r + "'" for r in SICKNESS_REASONS) + "]"
    bands = "['1','2','3','4','5','6','7','8a','8b','8c','8d','9']"
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    counts: dict[str, int] = {}
    with staging(store) as folder:
        for table in ("people", "assignments", "absences"):
            (folder / table).mkdir()
        con.execute(
            f"""
            CREATE TABLE persons AS
            SELECT i,
                   'P' || lpad(CAST(i AS VARCHAR), 8, '0') AS person_id,
                   {first_start} + CAST(hash(i, 1, {seed}) % {span} AS INTEGER) AS career_start,
                   CAST(hash(i, 2, {seed}) % {organisations} AS INTEGER) AS home_org,
                   2 + CAST(hash(i, 3, {seed}) % 3 AS INTEGER) AS first_band
            FROM range({people}) t(i)
            """
        )
        con.execute(
            f"""
            COPY (
                SELECT person_id,
                       DATE '1950-01-01' + CAST(hash(i, 20, {seed}) % 18000 AS INTEGER) AS birth_date,
                       CAST(NULL AS INTEGER) AS birth_year,
                       ['F','F','F','M','M','X','U'][1 + CAST(hash(i, 21, {seed}) % 7 AS INTEGER)] AS sex,
                       ['A','A','A','A','A','B','C','D','G','H','J','K','L','M','N','P','R','S','Z','99']
                           [1 + CAST(hash(i, 22, {seed}) % 20 AS INTEGER)] AS ethnic_category,
                       ['N','N','N','N','Y','U'][1 + CAST(hash(i, 23, {seed}) % 6 AS INTEGER)] AS disability,
                       CAST(NULL AS VARCHAR) AS religion,
                       CAST(NULL AS VARCHAR) AS sexual_orientation,
                       CAST(NULL AS VARCHAR) AS nationality
                FROM persons
            ) TO '{folder / "people" / "part-0.parquet"}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        con.execute(
            f"""
            CREATE TABLE spells AS
            WITH base AS (
                SELECT i, unnest(range(1 + CAST(hash(i, 4, {seed}) % 8 AS INTEGER))) AS j FROM persons
            ),
            sized AS (
                SELECT i, j,
                       60 + CAST(hash(i, j, 5, {seed}) % 2400 AS INTEGER) AS len,
                       CASE WHEN j > 0 AND hash(i, j, 6, {seed}) % 10 = 0
                            THEN 30 + CAST(hash(i, j, 7, {seed}) % 700 AS INTEGER) ELSE 0 END AS gap,
                       CASE WHEN j > 0 AND hash(i, j, 8, {seed}) % 6 = 0 THEN 1 ELSE 0 END AS promoted
                FROM base
            ),
            placed AS (
                SELECT *,
                       sum(len + gap) OVER w - len AS offset_days,
                       sum(promoted) OVER w AS promotions,
                       lead(gap) OVER w AS next_gap
                FROM sized
                WINDOW w AS (PARTITION BY i ORDER BY j)
            )
            SELECT p.person_id, s.i, s.j,
                   p.career_start + CAST(s.offset_days AS INTEGER) AS start_date,
                   p.career_start + CAST(s.offset_days + s.len - 1 AS INTEGER) AS end_raw,
                   s.next_gap,
                   CASE WHEN hash(s.i, s.j, 9, {seed}) % 12 = 0
                        THEN CAST(hash(s.i, s.j, 10, {seed}) % {organisations} AS INTEGER)
                        ELSE p.home_org END AS org,
                   CASE WHEN hash(s.i, s.j, 11, {seed}) % 50 = 0 THEN 'NA'
                        ELSE {bands}[least(p.first_band + CAST(s.promotions AS INTEGER), 7)] END AS afc_band
            FROM placed s JOIN persons p USING (i)
            """
        )
        con.execute(
            f"""
            CREATE TABLE assignment_rows AS
            WITH kept AS (
                SELECT *,
                       CASE WHEN end_raw >= {x} THEN NULL ELSE end_raw END AS end_date,
                       hash(i, j, 12, {seed}) AS h
                FROM spells WHERE start_date <= {x}
            ),
            main AS (
                SELECT 'A' || person_id || '-' || j AS assignment_id, person_id,
                       'R' || lpad(CAST(org AS VARCHAR), 3, '0') AS organisation_code,
                       'Team ' || CAST(h % 40 AS VARCHAR) AS team,
                       CASE WHEN h % 10 < 6 THEN 'H1D' WHEN h % 10 < 9 THEN 'N1A' ELSE 'S1B' END AS occupation_code,
                       CASE WHEN afc_band IN ('1','2','3') THEN 'Healthcare Assistant'
                            WHEN afc_band = '4' THEN 'Assistant Practitioner'
                            WHEN afc_band = 'NA' THEN 'Apprentice' ELSE 'Staff Nurse' END AS job_role,
                       afc_band,
                       CASE WHEN h % 10 < 6 THEN 'Support to doctors, nurses & midwives'
                            WHEN h % 10 < 9 THEN 'Nurses & health visitors'
                            ELSE 'Scientific, therapeutic & technical staff' END AS staff_group,
                       ['Mental Health','Community Services','Learning Disabilities','Acute']
                           [1 + CAST((h // 7) % 4 AS INTEGER)] AS area_of_work,
                       CASE WHEN (h // 11) % 16 = 0 THEN 'Bank'
                            WHEN (h // 11) % 16 = 1 THEN 'Fixed Term Temp' ELSE 'Permanent' END AS contract_type,
                       [1.0, 1.0, 1.0, 0.8, 0.6, 0.5][1 + CAST((h // 13) % 6 AS INTEGER)] AS fte,
                       start_date, end_date,
                       CASE WHEN end_date IS NOT NULL AND (next_gap IS NULL OR next_gap > 0)
                            THEN {reasons}[1 + CAST((h // 17) % {len(REASONS)} AS INTEGER)] END AS leaving_reason,
                       h
                FROM kept
            )
            SELECT * EXCLUDE (h) FROM main
            UNION ALL
            -- A second, part-time assignment in another organisation for the same period.
            SELECT assignment_id || 'b', person_id,
                   'R' || lpad(CAST((CAST(substr(organisation_code, 2) AS INTEGER) + 1) % {organisations}
                       AS VARCHAR), 3, '0'),
                   team, occupation_code, job_role, afc_band, staff_group, area_of_work, 'Permanent', 0.2,
                   start_date, end_date, leaving_reason
            FROM main WHERE (h // 19) % 20 = 0 AND {organisations} > 1
            """
        )
        con.execute(
            f"""
            COPY (
                SELECT assignment_id, person_id, organisation_code, team, occupation_code, job_role,
                       job_role AS job_title, afc_band, staff_group, area_of_work, contract_type,
                       CAST(fte AS DOUBLE) AS fte, start_date, end_date, leaving_reason
                FROM assignment_rows
            ) TO '{folder / "assignments" / "part-0.parquet"}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        con.execute(
            f"""
            COPY (
                WITH spans AS (
                    SELECT person_id, start_date, coalesce(end_date, {x}) AS last_day, assignment_id,
                           coalesce(end_date, {x}) - start_date + 1 AS days
                    FROM assignment_rows
                    WHERE contract_type <> 'Bank' AND NOT ends_with(assignment_id, 'b')
                ),
                episodes AS (
                    SELECT person_id, start_date, last_day, days, hash(assignment_id, k, {seed}) AS h
                    FROM (
                        SELECT *, unnest(range(CAST(floor(days / 365.0 * 0.9
                            + (hash(assignment_id, 30, {seed}) % 100) / 100.0) AS INTEGER))) AS k
                        FROM spans
                    )
                ),
                placed AS (
                    SELECT person_id,
                           start_date + CAST(h % days AS INTEGER) AS start_date,
                           CASE WHEN (h // 3) % 5 = 0 THEN 20 + CAST((h // 7) % 100 AS INTEGER)
                                ELSE 1 + CAST((h // 7) % 14 AS INTEGER) END AS len,
                           (h // 11) % 9 AS kind
                    FROM episodes
                )
                SELECT person_id, start_date,
                       CASE WHEN start_date + len - 1 > {x} THEN NULL ELSE start_date + len - 1 END AS end_date,
                       {sickness_reasons}[1 + CAST(kind AS INTEGER)] AS reason
                FROM placed
                WHERE start_date <= {x}
            ) TO '{folder / "absences" / "part-0.parquet"}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        for table in ("people", "assignments", "absences"):
            path = folder / table / "part-0.parquet"
            row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()
            counts[table] = int(row[0][0])
        con.close()
        publish_dataset(
            store,
            name,
            folder,
            {
                "sha256": "",
                "imported_at": dt.datetime.now(dt.UTC).isoformat(),
                "extract_date": extract.isoformat(),
                "rows": counts,
                "synthetic": True,
            },
        )
    return counts


def default_window(store: Path | str) -> tuple[dt.date, dt.date]:
    """The 12 months up to the store's extract date."""
    end = extract_date(Path(store)) or EXTRACT_DATE
    start = (
        end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29) else end - dt.timedelta(366)
    )
    return start, end


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(store: str, start: str, end: str) -> dict[str, Any]:
    from cultivate.insights.measures import compute_measures

    began, cpu = time.perf_counter(), _cpu_seconds()
    rows = compute_measures(
        store, (start, end), by=["organisation_code"], threads=THREADS, memory_limit=MEMORY_LIMIT
    )
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "rows": len(rows),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # kilobytes on Linux
    }


def run_child(store: Path | str, window: tuple[dt.date, dt.date]) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 - our own module with our own arguments
        [sys.executable, "-m", "cultivate.insights.measures.bench", "--child", str(store), *map(str, window)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"measures benchmark child failed:\n{result.stderr}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def measures_benchmark(
    store: Path | str,
    *,
    runs: int = 3,
    window: tuple[dt.date, dt.date] | None = None,
    prefix: str = "national",
) -> None:
    """Print the national measures figures for `store` (see the module docstring); `prefix` names them
    (`bench <prefix>_measures_s`), so a run on a synthetic store can say so."""
    window = window or default_window(store)
    con = duckdb.connect(":memory:")
    from cultivate.insights.store import connect

    connect(store, connection=con)
    people = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    spells = con.execute("SELECT count(*) FROM assignments").fetchall()[0][0]
    absences = con.execute("SELECT count(*) FROM absences").fetchall()[0][0]
    con.close()
    results = [run_child(store, window) for _ in range(runs)]
    print(f"bench {prefix}_measures_people: {people} people", flush=True)
    print(f"bench {prefix}_measures_spells: {spells} spells", flush=True)
    print(f"bench {prefix}_measures_absences: {absences} episodes", flush=True)
    print(f"bench {prefix}_measures_window: {window[0]}:{window[1]}", flush=True)
    print(f"bench {prefix}_measures_rows: {results[0]['rows']} rows", flush=True)
    runs_s = " ".join(f"{r['seconds']:.1f}" for r in results)
    print(f"bench {prefix}_measures_runs_s: {runs_s} s", flush=True)
    print(f"bench {prefix}_measures_s: {statistics.median(r['seconds'] for r in results):.1f} s", flush=True)
    # CPU seconds (both threads) tell a slow run on a busy machine from a slow computation.
    cpu_s = statistics.median(r["cpu_seconds"] for r in results)
    print(f"bench {prefix}_measures_cpu_s: {cpu_s:.1f} s", flush=True)
    print(f"bench {prefix}_measures_peak_rss_mb: {max(r['rss_mb'] for r in results):.0f} MB", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cultivate.insights.measures.bench", description=__doc__)
    parser.add_argument("store")
    parser.add_argument("window", nargs="*", help="START END (default: the 12 months to the extract date)")
    parser.add_argument("--build", action="store_true", help="write a synthetic store first")
    parser.add_argument("--people", type=int, default=NATIONAL_PEOPLE)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.store, *args.window)))
        return 0
    if args.build:
        began = time.perf_counter()
        counts = build_synthetic_store(args.store, people=args.people)
        print(f"built {counts} in {time.perf_counter() - began:.0f} s", flush=True)
        return 0
    window = tuple(dt.date.fromisoformat(d) for d in args.window) if args.window else None
    measures_benchmark(args.store, window=window)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
