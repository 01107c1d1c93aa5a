"""`cultivate insights measures --store DIR --window START:END [--by col[,col]] [--measure name ...]
[--format json|csv]`: the standard measures of a store for one window (definitions in docs/measures.md).

Prints a JSON list, one object per measure and group:
    {"measure": "leaver_rate", "window": ["2019-06-30", "2020-06-30"], "group": {"organisation_code": "RXX"},
     "numerator": 120, "denominator": 1000.5, "value": 0.11994}
or the same as CSV. Nothing is suppressed: this is for people allowed to see the whole extract.
Exit 2 for a bad window, column, measure or store."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import IO, Any

from cultivate.core import exports
from cultivate.insights.measures import GROUP_COLUMNS, MEASURES, MeasureError, compute_measures, parse_window
from cultivate.insights.store import extract_date

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="the insights store folder")
    parser.add_argument(
        "--window",
        required=True,
        metavar="START:END",
        help="ISO dates; the window's days are the day after START to END (e.g. 2019-06-30:2020-06-30)",
    )
    parser.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="COL[,COL]",
        help=f"group by these columns: {', '.join(GROUP_COLUMNS)}",
    )
    parser.add_argument(
        "--measure",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help=f"only these measures (all by default): {', '.join(MEASURES)}",
    )
    parser.add_argument("--format", choices=("json", "csv"), default="json", help="json (default) or csv")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (all cores by default)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 4GB")


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run(options: dict[str, Any], stdout: IO[str], stderr: IO[str]) -> int:
    by, measures = _split(options.get("by") or []), _split(options.get("measure") or [])
    try:
        window = parse_window(options["window"])
        rows = compute_measures(
            options["store"],
            window,
            by=by,
            measures=measures or None,
            memory_limit=options.get("memory_limit"),
            threads=options.get("threads"),
        )
    except MeasureError as error:
        stderr.write(f"error: {error}\n")
        return USAGE_ERROR
    cut = extract_date(options["store"])
    if cut is not None and window.end > cut:
        stderr.write(
            f"warning: the window ends after the extract date ({cut.isoformat()}); "
            "days after it are not yet known.\n"
        )
    stdout.write(to_csv(rows, by) if options.get("format") == "csv" else to_json(rows))
    return 0


def to_json(rows: list[dict[str, Any]]) -> str:
    """A JSON list with one object a line."""
    if not rows:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"


def to_csv(rows: list[dict[str, Any]], by: list[str]) -> str:
    """measure, window_start, window_end, the --by columns, the measure's own group columns (from_band,
    outcome, …), numerator, denominator, value. An empty cell is a null."""
    extra: list[str] = []
    for row in rows:
        for key in row["group"]:
            if key not in by and key not in extra:
                extra.append(key)
    header = ["measure", "window_start", "window_end", *by, *extra, "numerator", "denominator", "value"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        group = row["group"]
        # Group values (team names, job titles) come from the extract: escaped for spreadsheets.
        writer.writerow(
            exports.csv_row(
                [
                    row["measure"],
                    *row["window"],
                    *(group.get(column) for column in (*by, *extra)),
                    row["numerator"],
                    row["denominator"],
                    row["value"],
                ]
            )
        )
    return buffer.getvalue()
