"""Workforce insights at national scale: the synthetic national extract imported into a Parquet store.

The extract (1.4 million people over 10 years, `cultivate demo-extract`) is generated once into
var/bench/national-extract and reused while its generator.json shows the same parameters. The import runs in a
child process into a fresh store (var/bench/national-store), so its time and peak resident memory are its own.
One run: at this size a run takes minutes and varies little.

    bench national_import_s               wall time of `import_extract` (read, check every rule, write)
    bench national_import_peak_rss_mb     the child's ru_maxrss
    bench national_rows_<table>           rows imported per table

Other groups reuse the imported store with `national_store()` (it imports only when the store does not already
hold this extract)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

GROUP = "insights-national"
PEOPLE, YEARS, SEED, FORMAT = 1_400_000, 10, 2026, "csv"
ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "var" / "bench"
EXTRACT = BENCH / "national-extract"
STORE = BENCH / "national-store"
DATASET = "national"

_CHILD = """
import json, sys, time
from pathlib import Path
from cultivate.insights.extract import import_extract
started = time.perf_counter()
report = import_extract(Path(sys.argv[1]), Path(sys.argv[2]), dataset=sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - started, "status": report.status, "rows": report.rows,
                  "problems": report.problem_count, "extract_date": str(report.extract_date)}))
"""


def ensure_extract() -> Path:
    """The national extract, generated unless var/bench holds one made with the same parameters."""
    from cultivate.demo.national import DEFAULT_END, description, generate, parameters

    wanted = parameters(PEOPLE, YEARS, SEED, FORMAT, DEFAULT_END)
    found = description(EXTRACT)
    if found is not None and all(found.get(key) == value for key, value in wanted.items()):
        print(f"# reusing the extract in {EXTRACT.relative_to(ROOT)}", flush=True)
        return EXTRACT
    print(f"# generating {PEOPLE:,} people over {YEARS} years into {EXTRACT.relative_to(ROOT)}", flush=True)
    report = generate(EXTRACT, people=PEOPLE, years=YEARS, seed=SEED, fmt=FORMAT)
    size = sum(p.stat().st_size for p in EXTRACT.iterdir()) / 1e9
    print(f"# generated in {report.seconds:.0f} s, {size:.1f} GB: {report.rows}", flush=True)
    return EXTRACT


def import_in_child(extract: Path, store: Path) -> tuple[dict[str, Any], float]:
    """Import in a child process; (its JSON report, its peak resident memory in MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(extract), str(store), DATASET],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"The import failed (exit {child.returncode}).")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def national_store() -> Path:
    """The store holding the national extract (imported now unless it already holds these files)."""
    from cultivate.insights.store import manifest

    extract = ensure_extract()
    description = json.loads((extract / "generator.json").read_text(encoding="utf-8"))
    held = manifest(STORE)["datasets"].get(DATASET) if STORE.exists() else None
    if held is None or held.get("rows") != description.get("rows"):
        shutil.rmtree(STORE, ignore_errors=True)
        import_in_child(extract, STORE)
    return STORE


def run() -> None:
    extract = ensure_extract()
    shutil.rmtree(STORE, ignore_errors=True)
    started = time.perf_counter()
    result, peak = import_in_child(extract, STORE)
    wall = time.perf_counter() - started
    if result["status"] != "imported":
        raise RuntimeError(f"The national extract was not imported: {result}")
    rows = result["rows"]
    print(
        f"# one run (minutes at this size); {sum(rows.values()):,} rows; child wall time {wall:.1f} s",
        flush=True,
    )
    print(f"bench national_import_s: {result['seconds']:.1f} s")
    print(f"bench national_import_peak_rss_mb: {peak:.0f} MB")
    for table, count in rows.items():
        print(f"bench national_rows_{table}: {count} rows")
    # The full standard measure set for one 12-month window, all organisations, on the store just imported.
    from cultivate.insights.measures.bench import measures_benchmark

    measures_benchmark(STORE)


if __name__ == "__main__":
    run()
