"""Finding an extract's files and loading each into a DuckDB table of text columns with their line numbers.

An extract is a folder of CSV files, a folder of Parquet files with the same names, or one XLSX workbook with a
sheet per file. Every form ends up as the same thing: a DuckDB table `raw_<table>` whose columns are the file's
columns (names normalised, values trimmed, empty values NULL) plus `_line`, the line a CSV file would show the
row on (the header is line 1), so problems point at the same place whatever the form.

CSV files are read by DuckDB directly (fast, in bounded memory). When a file's physical lines do not match its
records one to one (blank lines, values spanning lines, a malformed row) the file is re-read with Python's csv
module into a normalised copy that carries each record's real line number, so line numbers are always true."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from cultivate.core.bounds import BoundedList

from .problems import Problem
from .spec import normalise_column, specs

logger = logging.getLogger(__name__)

CSV, PARQUET, XLSX = "csv", "parquet", "xlsx"
LINE = "_line"
CHUNK = 1 << 20
# A malformed row is quoted in its problem up to this many characters (the report shortens it further).
MAX_VALUE_KEPT = 1000
# Characters trimmed from both ends of every value (space, tab, CR, LF, no-break space).
_TRIM = "' ' || chr(9) || chr(13) || chr(10) || chr(160)"
_SPACES = "(32, 9, 13, 10, 160)"


def clean(value: str) -> str:
    """The value trimmed, and NULL when empty. Trimming a set of characters is slow in DuckDB, and almost no
    value needs it, so only values that start or end with one of them are trimmed."""
    return (
        f"CASE WHEN {value} = '' THEN NULL WHEN ascii({value}) IN {_SPACES} OR ascii(right({value}, 1)) IN "
        f"{_SPACES} THEN nullif(trim({value}, {_TRIM}), '') ELSE {value} END"
    )


class ExtractError(Exception):
    """The path is not an extract at all (missing, not a folder or workbook, ambiguous files)."""


@dataclass
class Source:
    table: str
    form: str
    path: Path
    label: str  # how problems name it: people.csv, people.parquet, extract.xlsx[people]
    sheet: str = ""


@dataclass
class Extract:
    path: Path
    form: str  # csv, parquet, xlsx or mixed
    sources: dict[str, Source]
    ignored: list[str] = field(default_factory=list)


@dataclass
class Loaded:
    """A table loaded into DuckDB: its columns in file order (normalised names)."""

    table: str
    label: str
    relation: str  # a view with _line and every column of the spec (absent ones NULL) and the unknown ones
    columns: list[str]
    unknown: list[str]
    missing: list[str]  # spec columns the file does not have
    rows: int


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def locate(path: Path | str) -> Extract:
    path = Path(path)
    if not path.exists():
        raise ExtractError(f"{path} does not exist.")
    tables = specs()
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            raise ExtractError(
                f"{path.name} is not an XLSX workbook; give a folder of CSV or Parquet files, or a workbook."
            )
        return _locate_workbook(path, tables)
    if not path.is_dir():
        raise ExtractError(f"{path} is neither a folder nor a workbook.")
    sources: dict[str, Source] = {}
    ignored: list[str] = []
    for candidate in sorted(path.iterdir()):
        if not candidate.is_file() or candidate.name.startswith("."):
            continue
        stem, suffix = candidate.stem.lower(), candidate.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            continue
        if stem not in tables:
            ignored.append(candidate.name)
            continue
        if stem in sources:
            raise ExtractError(
                f"The folder has both {sources[stem].path.name} and {candidate.name}; keep one of them."
            )
        sources[stem] = Source(stem, suffix[1:], candidate, candidate.name)
    forms = {source.form for source in sources.values()}
    form = forms.pop() if len(forms) == 1 else ("mixed" if forms else CSV)
    return Extract(path, form, sources, ignored)


def _locate_workbook(path: Path, tables: Mapping[str, object]) -> Extract:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        # Its message can name folders on the server: it goes to the log, not to whoever uploaded the file.
        logger.warning("Workbook %s cannot be opened: %r", path.name, error)
        raise ExtractError(
            f"{path.name} cannot be opened as an XLSX workbook: it is damaged, protected by a password or not a "
            "workbook."
        ) from error
    try:
        names = list(book.sheetnames)
    finally:
        book.close()
    sources: dict[str, Source] = {}
    ignored: list[str] = []
    for name in names:
        table = name.strip().lower()
        if table.endswith(".csv"):
            table = table[:-4]
        if table not in tables:
            ignored.append(f"sheet {name}")
            continue
        if table in sources:
            raise ExtractError(f"{path.name} has two sheets for {table}; keep one of them.")
        sources[table] = Source(table, XLSX, path, f"{path.name}[{name}]", sheet=name)
    return Extract(path, XLSX, sources, ignored)


@dataclass
class Fingerprint:
    sha256: str
    lines: dict[str, int]  # CSV files: physical lines (a last line without a newline counts)


def fingerprint(extract: Extract) -> Fingerprint:
    """One hash over the files the import reads (in table order), and each CSV file's line count, in one pass."""
    digest = hashlib.sha256()
    lines: dict[str, int] = {}
    seen: set[Path] = set()
    for table in sorted(extract.sources):
        source = extract.sources[table]
        digest.update(table.encode() + b"\0")
        if source.path in seen:  # the sheets of one workbook
            continue
        seen.add(source.path)
        count, last = 0, b"\n"
        with source.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                if source.form == CSV:
                    count += chunk.count(b"\n")
                    last = chunk[-1:]
        if source.form == CSV:
            lines[table] = count + (0 if last == b"\n" else 1)
        digest.update(b"\0")
    return Fingerprint(digest.hexdigest(), lines)


def csv_error_rule(error: csv.Error) -> str:
    """A plain rule for what Python's csv module could not read (its own words are a programmer's)."""
    text = str(error)
    logger.info("CSV not readable: %s", text)
    if "NUL" in text:
        return "cannot be read as CSV: it contains a NUL character (the file may not be text)"
    if "field larger than field limit" in text:
        return "cannot be read as CSV: a value is too long, perhaps because a quote mark is not closed"
    return "cannot be read as CSV: check the quote marks on this line"


class Loader:
    """Loads sources into the work database; problems with the file itself are added to `problems`, which
    keeps a bounded number: once it is full, reading stops. A file with more than `max_rows` rows is refused
    before it is read."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        work: Path,
        problems: BoundedList[tuple[str, Problem]],
        max_rows: int | None = None,
    ) -> None:
        self.con = con
        self.work = work
        self.problems = problems
        self.max_rows = max_rows

    def _too_many_rows(self, source: Source, rows: int) -> bool:
        if self.max_rows is None or rows <= self.max_rows:
            return False
        self._file_problem(
            source,
            0,
            f"has more than {self.max_rows:,} rows, more than one import may hold: split the extract, or ask "
            "your system administrator about the limit",
        )
        return True

    def load(self, source: Source, physical_lines: int | None = None) -> Loaded | None:
        raw = f"raw_{source.table}"
        if physical_lines is not None and self._too_many_rows(source, physical_lines - 1):
            return None
        if source.form == PARQUET:
            header = self._load_parquet(source, raw)
        elif source.form == XLSX:
            copy = self.work / f"{source.table}.sheet.csv"
            header = self._sheet_to_csv(source, copy)
            if header is not None:
                self._load_numbered_csv(copy, header, raw)
        else:
            header = self._load_csv(source, raw, physical_lines)
        if header is None:
            return None
        return self._view(source, raw, header)

    # --- CSV -----------------------------------------------------------------------------------------------

    def _read_header(self, source: Source) -> list[str] | None:
        with source.path.open("rb") as handle:
            first = handle.readline()
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._file_problem(source, 1, "the header is not UTF-8 text: save the file as CSV UTF-8")
            return None
        try:
            header = next(csv.reader([text]), None)
        except csv.Error as error:
            self._file_problem(source, 1, f"the header {csv_error_rule(error)}")
            return None
        if not header or not any(name.strip() for name in header):
            self._file_problem(source, 1, "the file is empty: it needs a header row")
            return None
        return header

    def _load_csv(self, source: Source, raw: str, physical_lines: int | None) -> list[str] | None:
        header = self._read_header(source)
        if header is None:
            return None
        names = self._names(source, header)
        if names is None:
            return None
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
        select = ", ".join(f"{clean(f'c{i}')} AS {quote(n)}" for i, n in enumerate(names))
        path = literal(str(source.path))
        try:
            self.con.execute(
                f"CREATE OR REPLACE TABLE {raw} AS SELECT {select} FROM read_csv({path}, header = true, "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
                f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
                f"encoding = 'utf-8')"
            )
            rows = self._count(raw)
            if physical_lines is not None and rows + 1 == physical_lines:
                return names
        except duckdb.Error:
            pass
        # Lines and records do not match one to one (or DuckDB could not parse the file): read it record by
        # record, so that every line number is the one the file shows.
        self.con.execute(f"DROP TABLE IF EXISTS {raw}")
        copy = self.work / f"{source.table}.numbered.csv"
        if not self._renumber_csv(source, len(names), copy):
            return None
        self._load_numbered_csv(copy, names, raw)
        return names

    def _renumber_csv(self, source: Source, width: int, copy: Path) -> bool:
        ok = True

        def lines(handle: BinaryIO) -> Iterator[str]:
            # Decoded line by line, so a line that is not UTF-8 is reported with its own number.
            nonlocal ok
            for number, raw in enumerate(handle, start=1):
                try:
                    yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    ok = False
                    self._file_problem(source, number, "is not UTF-8 text: save the file as CSV UTF-8")
                    if self.problems.full:
                        return
                    yield raw.decode("utf-8", errors="replace")

        with source.path.open("rb") as handle, copy.open("w", encoding="utf-8", newline="") as out:
            reader = csv.reader(lines(handle))
            writer = csv.writer(out, lineterminator="\n")
            line = 1
            try:
                next(reader)
                line = reader.line_num + 1
                for record in reader:
                    if not record or (len(record) == 1 and not record[0].strip()):
                        line = reader.line_num + 1
                        continue
                    if len(record) != width:
                        ok = False
                        self._file_problem(
                            source,
                            line,
                            f"has {len(record)} values but the header has {width} columns",
                            value=",".join(record)[:MAX_VALUE_KEPT],
                        )
                        if self.problems.full:  # enough to show what is wrong; reading on helps no one
                            return False
                    else:
                        writer.writerow([line, *record])
                    line = reader.line_num + 1
            except csv.Error as error:
                self._file_problem(source, line, csv_error_rule(error))
                return False
        return ok

    def _load_numbered_csv(self, path: Path, names: list[str], raw: str) -> None:
        types = [f"'{LINE}': 'BIGINT'", *(f"'c{i}': 'VARCHAR'" for i in range(len(names)))]
        columns = "{" + ", ".join(types) + "}"
        select = ", ".join([LINE, *(f"{clean(f'c{i}')} AS {quote(n)}" for i, n in enumerate(names))])
        self.con.execute(
            f"CREATE OR REPLACE TABLE {raw} AS SELECT {select} FROM read_csv({literal(str(path))}, "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"header = false, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', "
            "escape = '\"')"
        )

    # --- XLSX ----------------------------------------------------------------------------------------------

    def _sheet_to_csv(self, source: Source, copy: Path) -> list[str] | None:
        """The sheet as a numbered CSV file (openpyxl in read-only mode, so a large sheet streams)."""
        from openpyxl import load_workbook

        book = load_workbook(source.path, read_only=True, data_only=True)
        try:
            sheet = book[source.sheet]
            rows = sheet.iter_rows(values_only=True)
            header: list[str] | None = None
            names: list[str] | None = None
            with copy.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, lineterminator="\n")
                for number, row in enumerate(rows, start=1):
                    cells = [_cell_text(value) for value in row]
                    if header is None:
                        if not any(cells):
                            continue
                        while cells and not cells[-1]:
                            cells.pop()
                        header = cells
                        names = self._names(source, header)
                        if names is None:
                            return None
                        continue
                    if not any(cells):
                        continue
                    if self._too_many_rows(source, number - 1):
                        return None
                    extra = [cell for cell in cells[len(header) :] if cell]
                    if extra:
                        self._file_problem(
                            source, number, "has values in columns without a heading", value=extra[0]
                        )
                        if self.problems.full:
                            return None
                        continue
                    cells = (cells + [""] * len(header))[: len(header)]
                    writer.writerow([number, *cells])
            if header is None or names is None:
                self._file_problem(source, 1, "the sheet is empty: it needs a header row")
                return None
            return names
        finally:
            book.close()

    # --- Parquet -------------------------------------------------------------------------------------------

    def _load_parquet(self, source: Source, raw: str) -> list[str] | None:
        path = literal(str(source.path))
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            counted = self.con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchone()  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        except duckdb.Error as error:
            # DuckDB's message names the file's folder on the server: it goes to the log only.
            logger.warning("Parquet file %s cannot be read: %s", source.label, error)
            self._file_problem(
                source, 0, "cannot be read as Parquet: the file is damaged or not a Parquet file"
            )
            return None
        if self._too_many_rows(source, int(counted[0]) if counted else 0):
            return None
        header = [str(row[0]) for row in described]
        names = self._names(source, header)
        if names is None:
            return None
        select = [f"file_row_number + 2 AS {LINE}"]
        for (original, kind, *_rest), name in zip(described, names, strict=True):
            column, kind = quote(str(original)), str(kind).upper()
            if kind == "BOOLEAN":
                text = f"CASE WHEN {column} THEN 'Y' WHEN NOT {column} THEN 'N' END"
            elif kind == "DATE" or kind.startswith("TIMESTAMP"):
                text = f"strftime(CAST({column} AS DATE), '%Y-%m-%d')"
            else:
                text = f"CAST({column} AS VARCHAR)"
            select.append(f"{clean(text)} AS {quote(name)}")
        self.con.execute(
            f"CREATE OR REPLACE TABLE {raw} AS SELECT {', '.join(select)} "  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
            f"FROM read_parquet({path}, file_row_number = true) ORDER BY file_row_number"
        )
        return names

    # --- common --------------------------------------------------------------------------------------------

    def _names(self, source: Source, header: list[str]) -> list[str] | None:
        names: list[str] = []
        seen: dict[str, int] = {}
        ok = True
        for position, heading in enumerate(header, start=1):
            name = normalise_column(heading) or f"column_{position}"
            if name == LINE:
                name = f"{LINE}_{position}"
            if name in seen:
                ok = False
                self._file_problem(
                    source,
                    1,
                    f"column {name} appears twice (columns {seen[name]} and {position}); "
                    "names are compared ignoring case",
                    column=name,
                )
            seen[name] = position
            names.append(name)
        return names if ok else None

    def _view(self, source: Source, raw: str, names: list[str]) -> Loaded:
        spec = specs()[source.table]
        has_line = LINE in {str(r[0]) for r in self.con.execute(f"DESCRIBE {raw}").fetchall()}
        select = [LINE if has_line else f"rowid + 2 AS {LINE}"]
        missing = [column for column in spec.names if column not in names]
        for column in spec.names:
            select.append(quote(column) if column in names else f"CAST(NULL AS VARCHAR) AS {quote(column)}")
        unknown = [name for name in names if name not in spec.names]
        # A column with no heading and no values is an artefact of the spreadsheet, not data.
        unknown = [
            name
            for name in unknown
            if not name.startswith("column_") or self._count(raw, f"{quote(name)} IS NOT NULL") > 0
        ]
        select.extend(quote(name) for name in unknown)
        view = f"v_{source.table}"
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT {', '.join(select)} FROM {raw}")  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        for column in missing:
            if spec.column(column).required:
                self._file_problem(source, 1, "required column is missing", column=column)
        return Loaded(source.table, source.label, view, names, unknown, missing, self._count(raw))

    def _count(self, relation: str, where: str = "true") -> int:
        row = self.con.execute(f"SELECT count(*) FROM {relation} WHERE {where}").fetchone()  # noqa: S608 (identifiers from the extract spec and quoted paths; values are bound)
        return int(row[0]) if row else 0

    def _file_problem(
        self, source: Source, line: int, rule: str, *, column: str = "", value: str = ""
    ) -> None:
        self.problems.append((source.table, Problem(source.label, line, column, value, rule)))


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def sources_in_order(extract: Extract) -> list[Source]:
    order = list(specs())
    return sorted(extract.sources.values(), key=lambda source: order.index(source.table))
