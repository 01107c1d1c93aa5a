"""The apprenticeship standards' reference data names where each fact was confirmed, and what it quotes from the
project's shared reference is there (skipped without ../shared)."""

import re
from pathlib import Path

import pytest

from cultivate.pathways import reference

SHARED = Path(__file__).resolve().parents[4] / "shared" / "reference" / "support-roles.csv"


def test_every_standard_says_what_confirms_it():
    rows = {row["code"]: row for row in reference.standards()}
    assert set(rows) >= {"ST0216", "ST0217", "ST0827", "ST0781", "ST0215", "ST0896"}
    for row in rows.values():
        assert row["confirmed_by"], row["code"]
        assert row["confirmed"] in {"yes", "no"}
    assert rows["ST0781"]["confirmed"] == "no" and "not confirmed" in rows["ST0781"]["confirmed_by"]


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared is not beside the project")
def test_what_the_standards_quote_from_the_shared_reference_is_there():
    text = SHARED.read_text(encoding="utf-8")
    quoted = [
        quote
        for row in reference.standards()
        if "support-roles.csv" in row["confirmed_by"]
        for quote in re.findall(r"'([^']+)'", row["confirmed_by"])
    ]
    assert len(quoted) == 5
    for quote in quoted:
        assert quote in text, quote
