"""`cultivate insights measures`: the stable output format and its errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cultivate.insights.tests.test_measures import build_store, spell

D = dt.date
ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return build_store(
        tmp_path / "store",
        [
            spell("a", "a", D(2015, 1, 1), org="RXX", band="2"),
            spell("b", "b", D(2015, 1, 1), D(2019, 8, 31), org="RXX", band="2", reason="Retirement Age"),
            spell("c", "c", D(2015, 1, 1), org="RYY", band="3"),
            spell("d", "d", D(2019, 5, 1), org="RYY", band="3", fte=0.5),
        ],
    )


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("insights", "measures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_output_one_object_per_measure_and_group(store: Path) -> None:
    out, _ = run(
        "--store",
        str(store),
        "--window",
        "2019-03-31:2020-03-31",
        "--by",
        "organisation_code",
        "--measure",
        "leaver_rate",
        "headcount",
    )
    rows = json.loads(out)
    # RXX: on s a, b; on e a; 1 leaver ÷ mean(2, 1) = 1 / 1.5. RYY: on s c; on e c, d; 0 ÷ 1.5.
    assert rows == [
        {
            "measure": "leaver_rate",
            "window": ["2019-03-31", "2020-03-31"],
            "group": {"organisation_code": "RXX"},
            "numerator": 1,
            "denominator": 1.5,
            "value": 0.666667,
        },
        {
            "measure": "leaver_rate",
            "window": ["2019-03-31", "2020-03-31"],
            "group": {"organisation_code": "RYY"},
            "numerator": 0,
            "denominator": 1.5,
            "value": 0.0,
        },
        {
            "measure": "headcount",
            "window": ["2019-03-31", "2020-03-31"],
            "group": {"organisation_code": "RXX"},
            "numerator": 1,
            "denominator": None,
            "value": 1,
        },
        {
            "measure": "headcount",
            "window": ["2019-03-31", "2020-03-31"],
            "group": {"organisation_code": "RYY"},
            "numerator": 2,
            "denominator": None,
            "value": 2,
        },
    ]


def test_without_by_the_group_is_empty_and_progression_names_band_and_outcome(store: Path) -> None:
    out, _ = run("--store", str(store), "--window", "2019-03-31:2020-03-31", "--measure", "fte,progression")
    rows = json.loads(out)
    assert rows[0] == {
        "measure": "fte",
        "window": ["2019-03-31", "2020-03-31"],
        "group": {},
        "numerator": 2.5,  # a 1.0 + c 1.0 + d 0.5
        "denominator": None,
        "value": 2.5,
    }
    progression = [r for r in rows if r["measure"] == "progression"]
    # Band 2 at s: a (same), b (left) → 2; band 3 at s: c (same) → 1.
    assert {(r["group"]["from_band"], r["group"]["outcome"]): r["numerator"] for r in progression} == {
        ("2", "same"): 1,
        ("2", "higher"): 0,
        ("2", "lower"): 0,
        ("2", "other"): 0,
        ("2", "left"): 1,
        ("3", "same"): 1,
        ("3", "higher"): 0,
        ("3", "lower"): 0,
        ("3", "other"): 0,
        ("3", "left"): 0,
    }
    assert list(progression[0]["group"]) == ["from_band", "outcome"]


def test_the_default_is_every_standard_measure(store: Path) -> None:
    from cultivate.insights.measures import STANDARD_MEASURES

    out, _ = run("--store", str(store), "--window", "2019-03-31:2020-03-31")
    assert [m for m in dict.fromkeys(r["measure"] for r in json.loads(out))] == list(STANDARD_MEASURES)


def test_csv_output(store: Path) -> None:
    out, _ = run(
        "--store",
        str(store),
        "--window",
        "2019-03-31:2020-03-31",
        "--by",
        "organisation_code",
        "--measure",
        "stability_index",
        "--measure",
        "band_share",
        "--format",
        "csv",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        [
            "measure",
            "window_start",
            "window_end",
            "organisation_code",
            "band",
            "numerator",
            "denominator",
            "value",
        ],
        # RXX: a stays of a, b = 1 / 2; RYY: c stays = 1 / 1.
        ["stability_index", "2019-03-31", "2020-03-31", "RXX", "", "1", "2", "0.5"],
        ["stability_index", "2019-03-31", "2020-03-31", "RYY", "", "1", "1", "1.0"],
        ["band_share", "2019-03-31", "2020-03-31", "RXX", "2", "1", "1", "1.0"],
        ["band_share", "2019-03-31", "2020-03-31", "RYY", "3", "2", "2", "1.0"],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "2020-03-31"], "START:END"),
        (["--window", "2020-03-31:2019-03-31"], "must be before"),
        (["--window", "2019-03-31:2020-02-30"], "not a date"),
        (["--window", "2019-03-31:2020-03-31", "--by", "organisation_code,grade"], "Cannot group by grade"),
        (["--window", "2019-03-31:2020-03-31", "--measure", "turnover"], "Unknown measure turnover"),
    ],
)
def test_errors_exit_2_with_a_clear_message(store: Path, args: list[str], message: str) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("insights", "measures", "--store", str(store), *args, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 2
    assert message in err.getvalue()


def test_a_window_past_the_extract_date_warns(store: Path) -> None:
    _, err = run("--store", str(store), "--window", "2020-03-31:2021-03-31", "--measure", "headcount")
    assert "ends after the extract date (2020-03-31)" in err


def test_the_cultivate_command_exits_2_for_an_unknown_column(store: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cultivate",
            "insights",
            "measures",
            "--store",
            str(store),
            "--window",
            "2019-03-31:2020-03-31",
            "--by",
            "grade",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Cannot group by grade" in result.stderr
    assert result.stdout == ""
