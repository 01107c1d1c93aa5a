"""A problem found in an import file: where it is, what was there and which rule it breaks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Values are echoed back in reports; a runaway cell must not swamp them.
MAX_VALUE_SHOWN = 100
CSV_HEADER = ("file", "line", "column", "value", "problem")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column:
            return f"{where}: column '{self.column}' value '{shorten(self.value)}': {self.message}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": shorten(self.value),
            "message": self.message,
        }


def shorten(value: str) -> str:
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"


def problem_rows(problems: Iterable[Problem]) -> Iterator[tuple[str, int, str, str, str]]:
    for p in problems:
        yield (p.file, p.line, p.column, p.value, p.message)


def problems_csv(problems: Iterable[Problem]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(problem_rows(problems))
    return buffer.getvalue()
