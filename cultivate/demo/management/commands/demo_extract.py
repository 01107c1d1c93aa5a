"""`cultivate demo-extract --people N --years Y --seed S --out DIR [--format csv|parquet]
[--end-date YYYY-MM-DD]`: write a synthetic national extract in the extract format (docs/insights-import.md),
calibrated to the published figures in shared/design/CALIBRATION.md. The same arguments always give the same
files. Exit 2 for a bad option. A demo command: production does not install the demo app, so there it does not
exist."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from cultivate.demo.national import CSV, DEFAULT_END, PARQUET, generate

USAGE_ERROR = 2


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", type=int, required=True, help="distinct people over the whole history")
    parser.add_argument("--years", type=int, default=10, help="years of history (10 by default)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026 by default)")
    parser.add_argument("--out", required=True, help="the folder to write the files into")
    parser.add_argument("--format", choices=(CSV, PARQUET), default=CSV, help="csv (default) or parquet")
    parser.add_argument(
        "--end-date",
        default=DEFAULT_END.isoformat(),
        metavar="YYYY-MM-DD",
        help=f"the extract date, the last day of the history ({DEFAULT_END.isoformat()} by default)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run(options: dict[str, Any], stdout: OutputWrapper, stderr: OutputWrapper) -> int:
    try:
        end = dt.date.fromisoformat(options["end_date"])
    except ValueError:
        stderr.write(f"--end-date must be a date written YYYY-MM-DD, not {options['end_date']!r}.\n")
        return USAGE_ERROR
    bar: Any = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" regions", file=stderr, dynamic_ncols=True, leave=False)
        bar.set_description_str(stage)
        bar.update(done - bar.n)

    try:
        report = generate(
            Path(options["out"]),
            people=int(options["people"]),
            years=int(options["years"]),
            seed=int(options["seed"]),
            fmt=options.get("format") or CSV,
            end_date=end,
            progress=None if options.get("no_progress") else progress,
        )
    except ValueError as error:
        stderr.write(f"{error}\n")
        return USAGE_ERROR
    finally:
        if bar is not None:
            bar.close()
    rows = ", ".join(f"{n:,} {table}" for table, n in report.rows.items())
    stdout.write(
        f"Wrote a synthetic extract to {report.out} ({report.format}): {rows}; "
        f"{len(report.organisations)} organisations; {report.start_date.isoformat()} to "
        f"{report.extract_date.isoformat()}; {report.seconds:.1f} s.\n"
        f"Import it with: cultivate insights import {report.out} --store STORE "
        f"--extract-date {report.extract_date.isoformat()}\n"
    )
    return 0


class Command(BaseCommand):
    help = "Write a synthetic national extract, calibrated to the published figures, for `cultivate insights import`."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        _add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        code = _run(options, self.stdout, self.stderr)
        if code:
            raise CommandError("demo-extract failed.", returncode=code)
