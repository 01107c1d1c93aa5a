"""One table model for the dashboards and the board report: columns with a key, a heading and a kind of figure,
and rows of cells keyed by column. Numbers stay numbers (fractions for rates); formatting is the page's or the
report's, through the one number formatter (`cultivate.core.formatting.figure`).

A hidden cell (a figure that could identify people) is None with its key in the row's `_suppressed` set (and in
`_small` when it is hidden for a small denominator); `values()` gives the rows by position with the hidden cells
as `[c]` or `[s]`, the shorthand both the pages and the report print."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# A figure hidden because it could identify people (the GSS shorthand for "confidential"), and one over a
# denominator of fewer than 5 people.
SUPPRESSED = "[c]"
SMALL = "[s]"

# label (text), count (people), number (FTE, days), fte, percent (a fraction shown ×100), ratio, index, money,
# date, and count_share (a pair: a count and its share).
Kind = Literal["label", "count", "number", "fte", "percent", "ratio", "index", "money", "date", "count_share"]


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: Kind = "label"


@dataclass
class Table:
    key: str
    title: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None
    chart_alt: str = ""
    # The column whose values lead to a narrower dashboard (organisation → team), if any.
    drill: str | None = None
    note: str = ""
    # Set when the data behind the table was never supplied (no absence records at all): the page says so in
    # these words instead of showing figures (a 0.0% would claim there was no sickness).
    not_recorded: str = ""
    # Draws the chart and its text alternative again from the rows, after secondary suppression hid more cells
    # (`dashboards.disclosure`), so the chart never shows a figure the table hides.
    redraw: Callable[[list[dict[str, Any]]], tuple[dict[str, Any] | None, str]] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def of_values(
        cls,
        *,
        caption: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Any]],
        note: str = "",
        key: str = "",
        title: str = "",
    ) -> Table:
        """A table from rows given by position (the board report's), a cell of SUPPRESSED being hidden. Columns
        without a key get one from their position."""
        keyed = [c if c.key else dataclasses.replace(c, key=f"c{i}") for i, c in enumerate(columns)]
        table_rows: list[dict[str, Any]] = []
        for values in rows:
            row: dict[str, Any] = {}
            for column, value in zip(keyed, values, strict=True):
                if isinstance(value, str) and value == SUPPRESSED:
                    row[column.key] = None
                    row.setdefault("_suppressed", set()).add(column.key)
                else:
                    row[column.key] = value
            table_rows.append(row)
        return cls(
            key=key, title=title or caption, caption=caption, columns=keyed, rows=table_rows, note=note
        )

    def values(self) -> list[list[Any]]:
        """The rows by position, a hidden cell as SUPPRESSED (or SMALL for a small denominator)."""
        return [[cell(row, column) for column in self.columns] for row in self.rows]


def hidden(row: dict[str, Any], key: str) -> str | None:
    """SUPPRESSED or SMALL when the row's cell `key` is hidden, None when it is shown."""
    if row.get(key) is not None or key not in row.get("_suppressed", ()):
        return None
    base = key.removesuffix("_num").removesuffix("_den")
    return SMALL if base in row.get("_small", ()) else SUPPRESSED


def cell(row: dict[str, Any], column: Column) -> Any:
    """A row's value in `column`, or the shorthand of a hidden one."""
    return hidden(row, column.key) or row.get(column.key)


def heading(text: str, kind: Kind = "label") -> Column:
    """A column keyed by its position once in a table (`Table.of_values`)."""
    return Column("", text, kind)
