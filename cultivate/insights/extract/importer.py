"""`import_extract`: check an extract against every rule, then write it into the store as one dataset, or keep
nothing and report every problem.

The work is done in a DuckDB database in a temporary folder (memory-limited, spilling to disk), so a national
extract is checked and written in bounded memory. The dataset is written to a staging folder of the store and
moved into place in one rename (`store.publish_dataset`), so readers never see half of it, and a failure at any
point leaves the store as it was."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cultivate.core.bounds import BoundedList
from cultivate.insights import store as insights_store

from . import checks
from .problems import Problem
from .sources import Extract, ExtractError, Loaded, Loader, fingerprint, literal, locate, sources_in_order
from .spec import specs
from .write import latest_date as find_latest_date
from .write import write_extras, write_table

IMPORTED, UNCHANGED, REJECTED = "imported", "unchanged", "rejected"
PROBLEMS_KEPT = 1000
DEFAULT_MEMORY_LIMIT = "2GB"

# (stage, steps done, steps in all): the command line draws a bar; the web can show the stage.
Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    dataset: str
    status: str  # imported, unchanged or rejected
    source: str
    form: str
    sha256: str
    extract_date: dt.date | None = None
    rows: dict[str, int] = field(default_factory=dict)
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first PROBLEMS_KEPT, in file and line order
    summary: list[tuple[str, str, str, int]] = field(default_factory=list)  # (file, column, rule, rows)
    problems_file: Path | None = None
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)  # table → columns kept aside
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Checking stopped once `max_problems` were found: problem_count is then "at least".
    checking_stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.status != REJECTED


def default_dataset_name(path: Path) -> str:
    """The folder's or workbook's name, in lower case with anything but letters, digits, - and _ as -."""
    name = re.sub(r"[^a-z0-9_-]+", "-", Path(path).stem.lower()).strip("-")
    return name or "extract"


def default_problems_file(store: Path) -> Path:
    """Beside the store (not in it: a rejected import leaves the store untouched)."""
    store = Path(store).resolve()
    return store.parent / f"{store.name}-import-problems.csv"


class _Steps:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(stage, self.done, self.total)
        self.done += 1

    def finish(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(stage, self.total, self.total)


def import_extract(
    path: Path | str,
    store: Path | str,
    *,
    dataset: str | None = None,
    extract_date: dt.date | None = None,
    progress: Progress | None = None,
    problems_file: Path | str | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    max_problems: int | None = None,
    max_rows: int | None = None,
) -> ImportReport:
    """Import the extract at `path` into `store` as dataset `dataset` (by default named after the path).

    Returns a report whose status is `imported`, `unchanged` (the same files were imported under this name
    already: nothing is done) or `rejected` (some rule is broken: nothing is kept, and every problem is written
    to `problems_file`, by default beside the store). Raises ExtractError when `path` is not an extract at all.

    `max_problems` bounds the work a file full of mistakes can cause: checking stops once that many problems
    are found, and only they are kept and written. `max_rows` refuses a file with more rows than that."""
    started = time.perf_counter()
    path, store = Path(path), Path(store)
    extract = locate(path)
    name = dataset or default_dataset_name(path)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ExtractError(f"A dataset name is letters, digits, '-', '_' and '.', not {name!r}.")
    tables = sources_in_order(extract)
    steps = _Steps(progress, 2 + 3 * len(tables) + 1)
    steps("Reading the files")
    prints = fingerprint(extract)
    report = ImportReport(name, REJECTED, str(path), extract.form, prints.sha256)
    report.warnings = [
        f"{item} is not a file of the extract format and was not read." for item in extract.ignored
    ]

    existing = insights_store.manifest(store)["datasets"].get(name)
    if (
        existing
        and existing.get("sha256") == prints.sha256
        and (extract_date is None or existing.get("extract_date") == extract_date.isoformat())
    ):
        report.status = UNCHANGED
        report.rows = dict(existing.get("rows", {}))
        report.extract_date = _date(existing.get("extract_date"))
        report.unknown_columns = dict(existing.get("extras", {}))
        report.seconds = time.perf_counter() - started
        steps.finish("Already imported")
        return report

    with tempfile.TemporaryDirectory(prefix="cultivate-import-") as work_name:
        work = Path(work_name)
        # In memory, spilling to the temporary folder past the memory limit.
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET memory_limit = {literal(memory_limit)}")
            con.execute(f"SET temp_directory = {literal(str(work / 'spill'))}")
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            limits = _Limits(max_problems, max_rows)
            _run(con, work, extract, store, report, steps, prints.lines, extract_date, problems_file, limits)
        finally:
            con.close()
    report.seconds = time.perf_counter() - started
    return report


def _run(
    con: duckdb.DuckDBPyConnection,
    work: Path,
    extract: Extract,
    store: Path,
    report: ImportReport,
    steps: _Steps,
    lines: dict[str, int],
    extract_date: dt.date | None,
    problems_file: Path | str | None,
    limits: _Limits,
) -> None:
    # Problems found reading the files themselves stop the reading once there are enough.
    file_problems: BoundedList[tuple[str, Problem]] = BoundedList(
        sys.maxsize if limits.max_problems is None else limits.max_problems
    )
    loader = Loader(con, work, file_problems, max_rows=limits.max_rows)
    loaded: dict[str, Loaded] = {}
    for table, spec in specs().items():
        if table not in extract.sources and spec.required:
            expected = f"{table}.csv" if extract.form != "xlsx" else f"{extract.path.name}[{table}]"
            file_problems.append((table, Problem(expected, 0, "", "", f"the extract must have {table}")))
    checks.create_problems_table(con)

    def enough() -> bool:
        found = len(file_problems) + checks.count_problems(con)
        return limits.max_problems is not None and found >= limits.max_problems

    for source in sources_in_order(extract):
        if enough():
            report.checking_stopped = True
            break
        steps(f"Loading {source.label}")
        item = loader.load(source, lines.get(source.table))
        if item is not None:
            loaded[source.table] = item
            report.rows[source.table] = item.rows
            if item.unknown:
                report.unknown_columns[source.table] = list(item.unknown)

    checker = checks.Checker(con, loaded)
    for source in sources_in_order(extract):
        if report.checking_stopped or enough():
            report.checking_stopped = True
            break
        steps(f"Checking {source.label}")
        if source.table in loaded:
            checker.check(source.table)
    checks.add_problems(con, file_problems)

    report.problem_count = checks.count_problems(con)
    if report.problem_count:
        report.problems = checks.first_problems(con, limits.problems_kept)
        report.summary = checks.problem_summary(con)
        target = Path(problems_file) if problems_file else default_problems_file(store)
        target.parent.mkdir(parents=True, exist_ok=True)
        checks.write_problems(con, str(target), limit=limits.max_problems)
        report.problems_file = target
        report.rows = {}
        steps.finish("Rejected")
        return

    report.extract_date = extract_date or find_latest_date(con, loaded)
    with insights_store.staging(store) as staged:
        for source in sources_in_order(extract):
            steps(f"Writing {source.table}")
            item = loaded[source.table]
            report.rows[source.table] = write_table(con, item, staged)
            write_extras(con, item, staged)
        steps("Publishing")
        info: dict[str, Any] = {
            "sha256": report.sha256,
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "extract_date": report.extract_date.isoformat() if report.extract_date else None,
            "rows": report.rows,
            "source": extract.path.name,
            "form": extract.form,
            "files": {table: source.label for table, source in extract.sources.items()},
            "extras": report.unknown_columns,
            "warnings": report.warnings,
        }
        insights_store.publish_dataset(store, report.dataset, staged, info)
    report.status = IMPORTED
    steps.finish("Imported")


@dataclass(frozen=True)
class _Limits:
    max_problems: int | None
    max_rows: int | None

    @property
    def problems_kept(self) -> int:
        return PROBLEMS_KEPT if self.max_problems is None else min(self.max_problems, PROBLEMS_KEPT)


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
