"""The board report: how long one trust's report takes to build and render, as HTML and as PDF.

A synthetic extract of 28,000 people over 10 years is generated with the national generator
(`cultivate.demo.national`; eight trusts of about 3,500 people each) and imported into a store; the report is
built for the trust whose people number closest to 3,500, for the 12 months to the extract date:

    bench report_trust_people                 distinct people of the trust in the extract
    bench report_trust_build_s                build_report (every figure; median of RUNS)
    bench report_trust_html_s                 render_html (charts drawn by vl-convert; median of RUNS)
    bench report_trust_pdf_s                  render_pdf of that HTML (WeasyPrint; median of RUNS)
    bench report_trust_pdf_pages              pages of the PDF

When a national synthetic store is at /tmp/nat-store (or CULTIVATE_NATIONAL_STORE), the whole-store report is
timed once each (`bench report_national_*`); otherwise that is skipped and said so."""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from cultivate.demo.national import PARQUET, generate
from cultivate.insights.extract import import_extract
from cultivate.insights.measures import Window
from cultivate.insights.report import build_report, render_html, render_pdf
from cultivate.insights.report.period import months_before
from cultivate.insights.store import extract_date

GROUP = "insights-report"
RUNS = 3
PEOPLE = 28_000
YEARS = 10
TRUST_PEOPLE = 3_500
END = dt.date(2025, 3, 31)
THREADS = 2


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _pages(pdf: bytes) -> int:
    inflated = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", b"\n".join(inflated)))


def _trust(store: Path) -> tuple[str, int]:
    files = sorted(str(p) for p in (store / "datasets").glob("*/assignments/**/*.parquet"))
    listed = ", ".join(f"'{f}'" for f in files)
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT organisation_code, count(DISTINCT person_id) FROM read_parquet([{listed}]) GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    code, people = min(rows, key=lambda r: abs(r[1] - TRUST_PEOPLE))
    return str(code), int(people)


def _report(prefix: str, store: Path, codes: list[str] | None, runs: int) -> None:
    end = extract_date(store) or END
    period = Window(months_before(end, 12), end)  # the 12 months to the extract date
    build_s, report = _timed(lambda: build_report(store, period, codes, threads=THREADS), runs)
    print(f"bench {prefix}_build_s {build_s:.2f}", flush=True)
    html_s, html = _timed(lambda: render_html(report), runs)
    print(f"bench {prefix}_html_s {html_s:.2f}", flush=True)
    print(f"bench {prefix}_html_bytes {len(html.encode('utf-8'))}", flush=True)
    pdf_s, pdf = _timed(lambda: render_pdf(html), runs)
    print(f"bench {prefix}_pdf_s {pdf_s:.2f}", flush=True)
    print(f"bench {prefix}_pdf_pages {_pages(pdf)}", flush=True)
    print(f"bench {prefix}_pdf_bytes {len(pdf)}", flush=True)


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="report-bench-") as folder:
        root = Path(folder)
        generate(root / "extract", people=PEOPLE, years=YEARS, seed=2026, fmt=PARQUET, end_date=END)
        import_extract(root / "extract", root / "store", extract_date=END, threads=THREADS)
        code, people = _trust(root / "store")
        print(f"bench report_trust_people {people}  # organisation {code}, {YEARS} years", flush=True)
        _report("report_trust", root / "store", [code], RUNS)
    national = Path(os.environ.get("CULTIVATE_NATIONAL_STORE", "/tmp/nat-store"))  # noqa: S108 - read only
    if not (national / "manifest.json").exists():
        print(f"# no national store at {national}: report_national_* skipped", flush=True)
        return
    _report("report_national", national, None, 1)
