"""A problem found in an import file: where it is, what was there and which rule it breaks.

Values echoed back are made safe to show and store: control characters are written as escapes (PostgreSQL
refuses NUL in text and JSON), long values are cut short; the download (`core.jobs_problems`) quotes a value that a
spreadsheet would run as a formula."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cultivate.core.jobs import job_problem

# Values are echoed back in reports; a runaway cell must not swamp them.
MAX_VALUE_SHOWN = 100
# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(value: str) -> str:
    r"""The value with each control character written as an escape, such as \x00 or \n."""
    if not CONTROL.search(value):
        return value
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), value)


def shorten(value: str) -> str:
    value = visible(value)
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"


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
            return f"{where}: column '{shorten(self.column)}' value '{shorten(self.value)}': {self.message}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """As every job stores a problem, the column and value made safe to show."""
        return job_problem(self.file, self.line, shorten(self.column), shorten(self.value), self.message)


class Problems(list[Problem]):
    """The problems found, keeping only the first `limit` (the report and the CSV stay small) while counting
    them all."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    def append(self, problem: Problem, *, always: bool = False) -> None:
        """Keep the problem if there is room, or `always` (why a file was refused must be shown)."""
        self.total += 1
        if always or len(self) < self.limit:
            super().append(problem)
