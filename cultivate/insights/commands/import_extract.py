"""`cultivate insights import PATH --store DIR [--dataset NAME] [--extract-date YYYY-MM-DD] [--problems FILE]`:
import an ESR-style extract (a folder of CSV files, a folder of Parquet files or an XLSX workbook) into the
insights store as one dataset (docs/insights-import.md).

Exit 0 when imported, or when the same files were already imported under that name (nothing is done); 1 when a
file breaks a rule (a summary and the first problems are printed, every problem is written to the problems
file, and nothing is kept); 2 when PATH is not an extract or an option is wrong."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from cultivate.insights.extract import IMPORTED, UNCHANGED, ExtractError, ImportReport, import_extract
from cultivate.insights.extract.importer import DEFAULT_MEMORY_LIMIT

USAGE_ERROR = 2
REJECTED_EXIT = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a folder of CSV or Parquet files, or an XLSX workbook")
    parser.add_argument("--store", required=True, help="the insights store folder (created if need be)")
    parser.add_argument("--dataset", default=None, help="the dataset's name (by default the folder's name)")
    parser.add_argument(
        "--extract-date",
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the extract was taken (by default the latest date in the data)",
    )
    parser.add_argument(
        "--problems",
        default=None,
        metavar="FILE",
        help="where to write every problem as CSV (by default <store>-import-problems.csv beside the store)",
    )
    parser.add_argument("--show", type=int, default=20, metavar="N", help="problems to print (20 by default)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (all cores by default)")
    parser.add_argument(
        "--memory-limit", default=DEFAULT_MEMORY_LIMIT, help=f"DuckDB memory limit ({DEFAULT_MEMORY_LIMIT})"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


class _Bar:
    """One tqdm bar on stderr over the import's stages."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, unit=" steps", file=self.stream, dynamic_ncols=True, leave=False)
        self.bar.set_description_str(stage)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _count(n: int) -> str:
    return f"{n:,}"


def _print_report(report: ImportReport, show: int, stdout: IO[str]) -> None:
    rows = ", ".join(f"{_count(n)} {table}" for table, n in report.rows.items())
    when = report.extract_date.isoformat() if report.extract_date else "none"
    if report.status == UNCHANGED:
        stdout.write(
            f"Already imported: dataset {report.dataset} holds these files (sha256 {report.sha256[:12]}); "
            "nothing was changed.\n"
        )
        return
    if report.status == IMPORTED:
        stdout.write(
            f"Imported dataset {report.dataset} ({report.form}): {rows}; extract date {when}; "
            f"{report.seconds:.1f} s.\n"
        )
        for table, columns in report.unknown_columns.items():
            stdout.write(
                f"Columns the format does not know, kept aside in extras/{table}.parquet: {', '.join(columns)}\n"
            )
        for warning in report.warnings:
            stdout.write(f"Note: {warning}\n")
        return
    files = sorted({problem[0] for problem in report.summary})
    stdout.write(
        f"Not imported: {_count(report.problem_count)} problem{'s' if report.problem_count != 1 else ''} in "
        f"{', '.join(files)}. Nothing was kept; fix the files and import again.\n\n"
    )
    stdout.write("Problems by kind:\n")
    for file, column, rule, n in report.summary[:15]:
        where = f"{file} {column}" if column else file
        stdout.write(f"  {_count(n):>10}  {where}: {rule}\n")
    if len(report.summary) > 15:
        stdout.write(f"  … and {len(report.summary) - 15} more kinds\n")
    shown = report.problems[: max(0, show)]
    if shown:
        stdout.write(f"\nThe first {len(shown)}:\n")
        for problem in shown:
            stdout.write(f"  {problem}\n")
    stdout.write(f"\nEvery problem (file, line, column, value, rule) is in {report.problems_file}\n")
    for table, columns in report.unknown_columns.items():
        stdout.write(f"Columns the format does not know in {table}: {', '.join(columns)}\n")


def run(options: dict[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    extract_date = None
    if options.get("extract_date"):
        try:
            extract_date = dt.date.fromisoformat(options["extract_date"])
        except ValueError:
            stderr.write(
                f"--extract-date must be a date written YYYY-MM-DD, not {options['extract_date']!r}.\n"
            )
            return USAGE_ERROR
    bar = None if options.get("no_progress") else _Bar(stderr)
    try:
        report = import_extract(
            Path(options["path"]),
            Path(options["store"]),
            dataset=options.get("dataset"),
            extract_date=extract_date,
            progress=bar,
            problems_file=Path(options["problems"]) if options.get("problems") else None,
            memory_limit=options.get("memory_limit") or DEFAULT_MEMORY_LIMIT,
            threads=options.get("threads"),
        )
    except ExtractError as error:
        stderr.write(f"{error}\n")
        return USAGE_ERROR
    finally:
        if bar is not None:
            bar.close()
    _print_report(report, int(options.get("show", 20)), stdout)
    return 0 if report.ok else REJECTED_EXIT
