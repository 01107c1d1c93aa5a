"""`cultivate insights report`: files written, progress shown, exit status and messages, and no database.

No test here has database access (pytest-django refuses any query from a test without the django_db mark, and
the blocker below makes that explicit), so the command is shown to work on an extract alone."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cultivate.insights.tests.test_measures import absence, build_store, spell

D = dt.date
ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(autouse=True)
def no_database(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.block():
        yield


@pytest.fixture
def store(tmp_path: Path) -> Path:
    spells = [spell(f"a{i}", f"a{i}", D(2018, 1, 1), org="RXX", band="3") for i in range(30)]
    spells += [
        spell(f"l{i}", f"l{i}", D(2018, 1, 1), D(2020, 1, 31), org="RXX", band="2", reason="Retirement Age")
        for i in range(8)
    ]
    spells += [spell(f"b{i}", f"b{i}", D(2018, 1, 1), org="RYY", band="4") for i in range(12)]
    return build_store(
        tmp_path / "store",
        spells,
        absences=[absence(f"a{i}", D(2019, 11, 1), D(2019, 11, 20)) for i in range(6)],
        extract_date="2020-06-30",
    )


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("insights", "report", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_writes_html_with_progress_on_stderr(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "rxx.html"
    code, stdout, stderr = run(
        "--store", str(store), "--period", "2019-06:2020-06", "--out", str(out), "--organisation", "RXX"
    )
    assert code == 0
    assert f"Wrote {out}" in stdout and "small numbers suppressed" in stdout
    for step in ("key figures", "trends", "retention and progression", "fairness", "charts"):
        assert f"{step}…" in stderr
    html = out.read_text(encoding="utf-8")
    assert "Workforce report: RXX" in html
    assert "30 June 2019 to 30 June 2020" in html  # a month means its last day
    assert "[c]" in html  # eight leavers of 38, but smaller groups inside are hidden
    assert not list(out.parent.glob(".*.part"))


def test_individual_level_and_several_organisations(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "both.html"
    code, stdout, _ = run(
        "--store",
        str(store),
        "--period",
        "2019-06-30:2020-06-30",
        "--out",
        str(out),
        "--organisation",
        "RXX",
        "--organisation",
        "ryy",
        "--individual-level",
        "--title",
        "North alliance",
    )
    assert code == 0 and "individual-level" in stdout
    html = out.read_text(encoding="utf-8")
    assert "North alliance" in html and "RXX, RYY" in html and "Not suppressed" in html


def test_pdf_when_the_file_ends_in_pdf(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.PDF"
    code, _, stderr = run("--store", str(store), "--period", "2019-06:2020-06", "--out", str(out))
    assert code == 0
    assert "PDF…" in stderr
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > 20_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2019-06"], "A period is START:END"),
        (["--period", "2019-06-31:2020-06"], "The period's start '2019-06-31' is not a date"),
        (["--period", "2020-06:2019-06"], "must be before its end"),
        (["--period", "2019-06:2020-06", "--organisation", "RZZ"], "The store has no organisation RZZ"),
    ],
)
def test_bad_requests_exit_1_with_a_message(
    store: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, stdout, stderr = run("--store", str(store), "--out", str(tmp_path / "r.html"), *args)
    assert code == 1
    assert stderr.startswith("error: ") and message in stderr
    assert stdout == "" and not (tmp_path / "r.html").exists()


def test_missing_and_empty_stores_exit_1(tmp_path: Path) -> None:
    code, _, stderr = run(
        "--store", str(tmp_path / "none"), "--period", "2019-06:2020-06", "--out", str(tmp_path / "r.html")
    )
    assert code == 1 and f"There is no insights store at {tmp_path / 'none'}" in stderr
    (tmp_path / "empty").mkdir()
    code, _, stderr = run(
        "--store", str(tmp_path / "empty"), "--period", "2019-06:2020-06", "--out", str(tmp_path / "r.html")
    )
    assert code == 1 and "holds no datasets: import an extract into it first" in stderr


def test_the_process_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cultivate",
            "insights",
            "report",
            "--store",
            str(tmp_path / "none"),
            "--period",
            "2019-06:2020-06",
            "--out",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "There is no insights store" in result.stderr
