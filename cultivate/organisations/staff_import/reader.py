"""Streaming CSV reading with the header checked, columns matched case-insensitively and line numbers kept.

csv.reader is used rather than DictReader so that a record's line number is the line it starts on (blank lines
and quoted line breaks included) and cells are fetched by position without building a dict per row.

A file is refused whole, and not read further, when it is not CSV text (binary, a zip or workbook, UTF-16, or
not UTF-8), cannot be parsed as CSV, or has more rows than STAFF_IMPORT_MAX_ROWS; the checker also refuses a file once
most of its rows have problems (see validate.py)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .problems import CONTROL, Problem, Problems

SAVE_AS = 'save it as "CSV UTF-8" and try again'
NOT_UTF8 = f"is not UTF-8 text: {SAVE_AS}"
SNIFF_BYTES = 64 * 1024
CONTROL_NAMES = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}


def sniff(path: Path) -> str | None:
    """Why the file is not CSV text, judged from its first bytes, or None."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return f"The file is a zip file or an Excel workbook, not CSV: {SAVE_AS}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"The file is UTF-16 (Unicode) text, not UTF-8: {SAVE_AS}"
    if head.count(b"\x00") > max(8, len(head) // 100):  # a stray NUL is reported where it is
        return f"The file holds binary data, not CSV text: {SAVE_AS}"
    return None


def control_problem(value: str) -> str | None:
    """What is wrong with a name or code holding a control character or line break, or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    char = found.group()
    name = CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")
    return (
        f"contains {name} at character {found.start() + 1}; values must be plain text on one line, "
        "without control characters"
    )


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
    problems: Problems
    index: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # each column's name as read, by position
    width: int = 0
    header_ok: bool = True
    max_rows: int = 0  # 0: no limit
    refused: bool = False  # the file is not read further; its problem says why
    rows_read: int = 0

    def __post_init__(self) -> None:
        self._suspect: set[int] = set()  # lines holding a control character
        self._handle = self.path.open(encoding="utf-8", errors="replace", newline="")
        self._lines = self._checked_lines(self._handle)
        self._reader = csv.reader(self._lines)
        why = sniff(self.path)
        if why is not None:
            self.refuse(1, why)
            self.header_ok = False
            return
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

    def refuse(self, line: int, message: str) -> None:
        """Report why the file cannot be imported and read no more of it."""
        self.problems.append(Problem(self.label, line, "", "", message), always=True)
        self.refused = True

    def _checked_lines(self, lines: Iterable[str]) -> Iterator[str]:
        control = CONTROL.search
        for number, line in enumerate(lines, start=1):
            if "\ufffd" in line:
                # One such line means the whole file is in another encoding: say so once.
                self.refuse(number, f"Line {number} {NOT_UTF8}")
                return
            if control(line.rstrip("\r\n")):
                self._suspect.add(number)
            yield line

    def _read_header(self) -> None:
        try:
            header = next(self._reader)
        except StopIteration:
            if not self.refused:
                self._problem(1, "", "", "The file is empty: it needs a header row naming the columns")
            self.header_ok = False
            return
        except csv.Error as error:
            self.refuse(1, f"The header row cannot be read as CSV: {error}")
            self.header_ok = False
            return
        if self.refused:
            return
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]  # a byte order mark, as Excel writes
        if self._reader.line_num > 1 or 1 in self._suspect:
            for raw in header:
                why = control_problem(raw)
                if why is not None:
                    self._problem(1, raw, raw, f"The column name {why}")
                    self.header_ok = False
            if not self.header_ok:
                return
        self.width = len(header)
        self.names = [normalise_column(raw) or f"column {n + 1}" for n, raw in enumerate(header)]
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
        while not self.refused:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if not self.refused:  # a file cut short for its encoding may leave a quote open
                    self.refuse(previous_end + 1, f"This row cannot be read as CSV: {error}")
                return
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            self.rows_read += 1
            if self.max_rows and self.rows_read > self.max_rows:
                self.refuse(
                    start,
                    f"The file has more than {self.max_rows:,} rows, the most this service imports at once",
                )
                return
            if previous_end > start or self._suspect:
                self._clean(start, previous_end, cells)
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

    def _clean(self, start: int, end: int, cells: list[str]) -> None:
        """Report each cell holding a line break or control character, and check it without them."""
        if end == start and start not in self._suspect:
            return
        self._suspect.difference_update(range(start, end + 1))
        for position, value in enumerate(cells):
            why = control_problem(value)
            if why is None:
                continue
            name = self.names[position] if position < len(self.names) else f"column {position + 1}"
            self._problem(start, name, value, why)
            cells[position] = CONTROL.sub("", value)
