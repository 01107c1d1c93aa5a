"""Streaming CSV reading with the header checked, columns matched case-insensitively and line numbers kept.

csv.reader is used rather than DictReader so that a record's line number is the line it starts on (blank lines
and quoted line breaks included) and cells are fetched by position without building a dict per row."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

NOT_UTF8 = 'is not UTF-8 text: save the file as "CSV UTF-8" and upload it again'


def normalise_column(name: str) -> str:
    """`Person ID`, `person-id` and `PERSON_ID` all name the column person_id."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def count_rows(path: Path) -> int:
    """Data rows, counted as lines after the header (a quoted line break counts twice; only used for progress)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(0, lines - 1)


@dataclass
class Table:
    """One CSV file: its header, checked against the known and required columns, and its rows."""

    label: str
    path: Path
    known: tuple[str, ...]
    required: tuple[str, ...]
    problems: list[Problem]
    index: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    width: int = 0
    header_ok: bool = True

    def __post_init__(self) -> None:
        self._handle = self.path.open(encoding="utf-8", errors="replace", newline="")
        self._lines = self._checked_lines(self._handle)
        self._reader = csv.reader(self._lines)
        self._read_header()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, column: str) -> bool:
        return column in self.index

    def _problem(self, line: int, column: str, value: str, message: str) -> None:
        self.problems.append(Problem(self.label, line, column, value, message))

    def _checked_lines(self, lines: Iterable[str]) -> Iterator[str]:
        for number, line in enumerate(lines, start=1):
            if "\ufffd" in line:
                self._problem(number, "", "", f"Line {number} {NOT_UTF8}")
            yield line

    def _read_header(self) -> None:
        try:
            header = next(self._reader)
        except StopIteration:
            self._problem(1, "", "", "The file is empty: it needs a header row naming the columns")
            self.header_ok = False
            return
        except csv.Error as error:
            self._problem(1, "", "", f"The header row cannot be read as CSV: {error}")
            self.header_ok = False
            return
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]  # a byte order mark, as Excel writes
        self.width = len(header)
        seen: dict[str, int] = {}
        for position, raw in enumerate(header):
            name = normalise_column(raw)
            if not name:
                self.unknown.append(f"(unnamed column {position + 1})")
                continue
            if name in seen:
                self._problem(
                    1,
                    raw,
                    raw,
                    f"Column {raw!r} appears more than once (columns {seen[name] + 1} "
                    f"and {position + 1}); column names are not case-sensitive",
                )
                self.header_ok = False
                continue
            seen[name] = position
            if name in self.known:
                self.index[name] = position
            else:
                self.unknown.append(raw.strip())
        for column in self.required:
            if column not in self.index:
                self._problem(1, column, "", f"The required column {column!r} is missing")
                self.header_ok = False

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each non-blank record; records with too many cells are reported."""
        reader = self._reader
        previous_end = reader.line_num
        width = self.width
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                self._problem(previous_end + 1, "", "", f"This row cannot be read as CSV: {error}")
                return
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) > width:
                extra = cells[width:]
                if any(value.strip() for value in extra):
                    self._problem(
                        start,
                        "",
                        "",
                        f"The row has {len(cells)} values but the header names only {width} columns",
                    )
            elif len(cells) < width:
                # Some tools drop trailing empty cells; the missing ones are read as empty.
                cells.extend([""] * (width - len(cells)))
            yield start, cells
