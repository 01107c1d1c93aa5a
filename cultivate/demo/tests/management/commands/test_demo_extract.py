"""`cultivate demo-extract`: the synthetic national extract's command lives in the demo app, not in insights."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_cli_generates_and_rejects_bad_options(tmp_path):
    out = io.StringIO()
    call_command(
        "demo_extract",
        "--people",
        "500",
        "--years",
        "2",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "x"),
        "--no-progress",
        stdout=out,
    )
    assert "Wrote a synthetic extract" in out.getvalue() and "500 people" in out.getvalue()
    assert json.loads((tmp_path / "x" / "generator.json").read_text())["years"] == 2
    for bad in (["--end-date", "31/03/2025"], ["--years", "0"]):
        with pytest.raises(CommandError) as error:
            call_command(
                "demo_extract",
                "--people",
                "500",
                "--out",
                str(tmp_path / "y"),
                "--no-progress",
                *bad,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        assert error.value.returncode == 2


def test_insights_has_no_generate_subcommand():
    with pytest.raises(CommandError, match="invalid choice: 'generate'"):
        call_command("insights", "generate", "--people", "10", "--out", "x", stdout=io.StringIO())
