"""A problem found in an extract: where it is, what was there and which rule it breaks."""

from __future__ import annotations

from dataclasses import dataclass

# Values are echoed back in reports; a runaway cell must not swamp them.
MAX_VALUE_SHOWN = 100
CSV_HEADER = ("file", "line", "column", "value", "rule")


@dataclass(frozen=True, slots=True)
class Problem:
    """`line` counts the header as line 1 (as a text editor shows a CSV file; the row number in a workbook);
    line 0 means the file as a whole."""

    file: str
    line: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.column:
            shown = f" value '{shorten(self.value)}'" if self.value else " (empty)"
            return f"{where}: column {self.column}{shown}: {self.rule}"
        if self.value:
            return f"{where}: {self.rule}: {shorten(self.value)}"
        return f"{where}: {self.rule}"


def shorten(value: str) -> str:
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"
