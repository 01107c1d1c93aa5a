"""`rows.Columns` (the columns of a hand-written statement, read by name) and `rows.statement`'s cache."""

from __future__ import annotations

import pytest

from cultivate.core import rows


def test_columns_write_in_order_and_read_by_name() -> None:
    columns = rows.Columns("id", "name", "band")
    assert columns.sql({"band": "b", "id": "i", "name": "n"}) == "i, n, b"
    assert (columns["id"], columns["band"], len(columns)) == (0, 2, 3)
    assert columns.named(("x", 7, "Ann", "4"), 1) == {"id": 7, "name": "Ann", "band": "4"}
    with pytest.raises(AssertionError):
        columns.sql({"id": "i", "name": "n"})  # a column left out
    with pytest.raises(AssertionError):
        rows.Columns("id", "id")


def test_statements_are_kept_unless_asked_not_to() -> None:
    built: list[str] = []

    def build() -> str:
        built.append("x")
        return "SELECT 1"

    assert rows.statement(("test_kept", 1), build) == rows.statement(("test_kept", 1), build) == "SELECT 1"
    assert len(built) == 1
    rows.statement(("test_once", 2), build, keep=False)
    rows.statement(("test_once", 2), build, keep=False)
    assert len(built) == 3
