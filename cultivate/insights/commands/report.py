"""`cultivate insights report --store DIR --period START:END --out FILE [--organisation CODE ...]
[--individual-level]`: the board report of an insights store as a standalone HTML file, or as PDF when FILE ends
in .pdf (docs/insights-report.md).

START and END are YYYY-MM-DD, or YYYY-MM for the month's last day: `2019-06:2020-06` is 2019-06-30 to
2020-06-30. Small numbers are suppressed unless --individual-level says the readers may see individuals. It
reads the store only, never the service's database. Exit 1 with a message for a bad period, a missing or empty
store, or an organisation the store does not hold."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import IO, Any

from cultivate.insights.report import PeriodError, ReportError, build_report, parse_cost, parse_period
from cultivate.insights.report.render import render_html, render_pdf

FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="the insights store folder")
    parser.add_argument(
        "--period",
        required=True,
        metavar="START:END",
        help="YYYY-MM or YYYY-MM-DD each; a month means its last day (2019-06:2020-06 is 2019-06-30 to 2020-06-30)",
    )
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="the report file: .html, or .pdf for PDF"
    )
    parser.add_argument(
        "--organisation",
        action="extend",
        nargs="+",
        default=[],
        metavar="CODE",
        help="ODS codes of the organisations to report on together (repeatable; every one in the store by default)",
    )
    parser.add_argument(
        "--individual-level",
        action="store_true",
        help="do not suppress small numbers: only for readers allowed to see individual-level data",
    )
    parser.add_argument(
        "--replacement-cost",
        default=None,
        metavar="POUNDS",
        help="the cost of replacing one leaver, e.g. 5000: adds the cost of turnover (there is no default)",
    )
    parser.add_argument(
        "--title", default=None, help="the report's title (by default it names the organisations)"
    )
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (all cores by default)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 4GB")


def run(options: dict[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    started = time.perf_counter()

    def step(name: str) -> None:
        stderr.write(f"[{time.perf_counter() - started:6.1f} s] {name}…\n")
        stderr.flush()

    out = Path(options["out"])
    try:
        period = parse_period(options["period"])
        if out.exists() and out.is_dir():
            raise ReportError(f"--out {out} is a folder: give the report's file name, ending .html or .pdf.")
        cost = parse_cost(options.get("replacement_cost"))
        report = build_report(
            options["store"],
            period,
            options.get("organisation") or None,
            individual_level=bool(options.get("individual_level")),
            title=options.get("title"),
            cost_per_leaver=cost,
            progress=step,
            memory_limit=options.get("memory_limit"),
            threads=options.get("threads"),
        )
    except (PeriodError, ReportError) as error:
        stderr.write(f"error: {error}\n")
        return FAILED
    for warning in report.warnings:
        stderr.write(f"warning: {warning}\n")
    step("charts")
    html = render_html(report)
    if out.suffix.lower() == ".pdf":
        step("PDF")
        data = render_pdf(html)
    else:
        data = html.encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.part")
    part.write_bytes(data)
    part.replace(out)  # never a half-written report under the real name
    suppressed = (
        "with all figures (individual-level)" if report.individual_level else "small numbers suppressed"
    )
    stdout.write(
        f"Wrote {out} ({len(data):,} bytes; {suppressed}) in {time.perf_counter() - started:.1f} s.\n"
    )
    return 0
