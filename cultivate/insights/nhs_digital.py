"""NHS Digital's published workforce tables, kept in the store as reference figures to benchmark a trust against
(docs/nhs-digital-tables.md).

The first table read is "HCHS staff by staff group, nationality and organisation" (NHS Hospital and Community
Health Services workforce statistics, Open Government Licence): one row per month, organisation, staff group and
nationality with the full-time equivalent. It is read into a tidy table

    source, period, organisation_code, organisation_name, organisation_type, staff_group, nationality, measure, value

and written to `STORE/reference/nhs_digital/hchs_staff_group.parquet`, beside (not inside) `datasets/`, so the
extract views of `store.connect()` never count published aggregates as people. A JSON file beside it records where
it came from."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import statistics
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import load_workbook

from cultivate.core.clock import LONDON

REFERENCE_FOLDER = Path("reference") / "nhs_digital"
HCHS_STAFF_GROUP = "hchs_staff_group"
ALL_STAFF_GROUPS = "All staff groups"
FTE, HEADCOUNT = "FTE", "Headcount"

# NHS Digital's staff groups for support to clinical staff. "Support to doctors, nurses & midwives" holds the
# health care assistants and support workers Cultivate is for; the three together are the clinical support staff.
NURSING_SUPPORT = "Support to doctors, nurses & midwives"
CLINICAL_SUPPORT = (NURSING_SUPPORT, "Support to ST&T staff", "Support to ambulance staff")

SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("period", pa.date32()),
        ("organisation_code", pa.string()),
        ("organisation_name", pa.string()),
        ("organisation_type", pa.string()),
        ("staff_group", pa.string()),
        ("nationality", pa.string()),
        ("measure", pa.string()),
        ("value", pa.float64()),
    ]
)

# Header cell (lower case, single spaces) → column of the tidy table, or the measure a value column holds.
COLUMNS = {
    "month": "period",
    "period": "period",
    "date": "period",
    "organisation code": "organisation_code",
    "org code": "organisation_code",
    "organisation name": "organisation_name",
    "org name": "organisation_name",
    "staff group": "staff_group",
    "nationality": "nationality",
    "nationality group": "nationality",
}
MEASURES = {"fte": FTE, "full time equivalent": FTE, "headcount": HEADCOUNT}
REQUIRED = ("period", "organisation_code", "staff_group")
MAX_PROBLEMS = 50


class NhsDigitalFormatError(ValueError):
    """The workbook is not a table this module reads; `problems` lists (sheet, row, column, value, rule)."""

    def __init__(self, message: str, problems: Sequence[tuple[str, int, str, str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


# Reading ------------------------------------------------------------------------------------------------------


def _header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


_MONTH_FORMATS = ("%Y-%b", "%b-%y", "%b-%Y", "%B %Y", "%b %Y", "%Y-%m", "%Y %B")
_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_period(value: Any) -> dt.date:
    """A published period ("2017-SEP", "September 2017", "Sep-17", a date cell) → the date the figures are
    at: the given day, or the month's last day (the tables count staff "as at" the end of the month)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    # Periods are calendar dates in England, so read them as London's.
    for fmt in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=LONDON).date()
        except ValueError:
            pass
    for fmt in _MONTH_FORMATS:
        source = text.title() if "%b" in fmt or "%B" in fmt else text
        try:
            parsed = dt.datetime.strptime(source, fmt).replace(tzinfo=LONDON)
        except ValueError:
            continue
        return _month_end(parsed.year, parsed.month)
    raise ValueError(f"{text!r} is not a period")


def organisation_type(name: str) -> str:
    """NHS Digital's tables hold NHS trusts and clinical commissioning groups; CCGs say so in their names."""
    return "CCG" if re.search(r"\bCCG\b", name) else "Trust"


@dataclass(frozen=True)
class Workbook:
    title: str
    sheet: str
    columns: dict[str, int]  # tidy column → index
    measures: dict[str, int]  # measure → index
    header_row: int


def _locate(path: Path) -> Workbook:
    """Find the sheet and header row of the data table; the title is the first line of a notes sheet."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        title = ""
        for sheet in book.worksheets:
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            if not title and first and first[0] and sheet.title.lower() in {"notes", "title", "contents"}:
                title = str(first[0]).strip()
            for number, row in enumerate(sheet.iter_rows(max_row=30, values_only=True), start=1):
                headers = [_header(cell) for cell in row]
                columns = {COLUMNS[h]: i for i, h in reversed(list(enumerate(headers))) if h in COLUMNS}
                measures = {MEASURES[h]: i for i, h in enumerate(headers) if h in MEASURES}
                if all(column in columns for column in REQUIRED) and measures:
                    return Workbook(title, sheet.title, columns, measures, number)
    finally:
        book.close()
    raise NhsDigitalFormatError(
        f"{path.name} has no sheet with the columns month, organisation code, staff group and FTE or headcount."
    )


def _rows(path: Path, layout: Workbook) -> Iterator[tuple[int, tuple[Any, ...]]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[layout.sheet]
        for number, row in enumerate(
            sheet.iter_rows(min_row=layout.header_row + 1, values_only=True), start=layout.header_row + 1
        ):
            if any(cell is not None and str(cell).strip() for cell in row):
                yield number, row
    finally:
        book.close()


def read_hchs_staff_group(path: Path | str) -> pa.Table:
    """The workbook as the tidy table (SCHEMA). Every row is checked; the first problems are reported together,
    and nothing is returned if there are any."""
    path = Path(path)
    layout = _locate(path)
    columns: dict[str, list[Any]] = {field.name: [] for field in SCHEMA}
    problems: list[tuple[str, int, str, str, str]] = []
    source = path.name

    def cell(row: tuple[Any, ...], name: str) -> Any:
        index = layout.columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    seen_periods: dict[Any, dt.date] = {}
    kinds: dict[str, str] = {}
    for number, row in _rows(path, layout):
        raw_period = cell(row, "period")
        period = seen_periods.get(raw_period)
        if period is None:
            try:
                period = seen_periods[raw_period] = parse_period(raw_period)
            except ValueError:
                problems.append((layout.sheet, number, "period", str(raw_period), "a month or a date"))
                continue
        code = str(cell(row, "organisation_code") or "").strip()
        name = str(cell(row, "organisation_name") or "").strip()
        group = str(cell(row, "staff_group") or "").strip()
        nationality = cell(row, "nationality")
        if not code or not group:
            column = "organisation_code" if not code else "staff_group"
            problems.append((layout.sheet, number, column, "", "required"))
            continue
        for measure, index in layout.measures.items():
            raw = row[index] if index < len(row) else None
            if raw is None or (isinstance(raw, str) and raw.strip() in {"", "*", "-"}):
                continue  # suppressed or not published
            try:
                value = float(raw)
            except (TypeError, ValueError):
                problems.append((layout.sheet, number, measure, str(raw), "a number"))
                continue
            if value < 0:
                problems.append((layout.sheet, number, measure, str(raw), "not negative"))
                continue
            columns["source"].append(source)
            columns["period"].append(period)
            columns["organisation_code"].append(code)
            columns["organisation_name"].append(name)
            kind = kinds.get(name)
            if kind is None:
                kind = kinds[name] = organisation_type(name)
            columns["organisation_type"].append(kind)
            columns["staff_group"].append(group)
            columns["nationality"].append(str(nationality).strip() if nationality is not None else None)
            columns["measure"].append(measure)
            columns["value"].append(value)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise NhsDigitalFormatError(
            f"{path.name}: {len(problems)} rows cannot be read (the first are listed).", problems
        )
    if not columns["value"]:
        raise NhsDigitalFormatError(f"{path.name} has no figures.")
    return pa.Table.from_pydict(columns, schema=SCHEMA)


# The store ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    path: Path  # the Parquet file written
    rows: int
    periods: list[dt.date]
    sha256: str


def reference_path(store: Path | str, table: str = HCHS_STAFF_GROUP) -> Path:
    return Path(store) / REFERENCE_FOLDER / f"{table}.parquet"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def nhs_digital_import(path: Path | str, store: Path | str) -> ImportResult:
    """Read the workbook and write it into the store, replacing an earlier import of the same table. Written
    beside and renamed, so a reader never sees half a file."""
    path = Path(path)
    table = read_hchs_staff_group(path)
    target = reference_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    try:
        pq.write_table(table, staged, compression="zstd")
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    periods = sorted(set(table.column("period").to_pylist()))
    sha256 = _sha256(path)
    title = _locate(path).title
    info = {
        "source_file": path.name,
        "title": title,
        "sha256": sha256,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": table.num_rows,
        "periods": [p.isoformat() for p in periods],
        "licence": "Open Government Licence v3.0",
    }
    about = target.with_suffix(".json")
    staged_about = about.with_name(f".{about.name}.{uuid.uuid4().hex}")
    staged_about.write_text(json.dumps(info, indent=2), encoding="utf-8")
    os.replace(staged_about, about)
    return ImportResult(target, table.num_rows, periods, sha256)


def about(store: Path | str) -> dict[str, Any] | None:
    """Where the store's copy of the table came from, or None if it has none."""
    path = reference_path(store).with_suffix(".json")
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def connect(
    store: Path | str, connection: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view `nhs_digital_staff_group` over the imported table."""
    path = reference_path(store)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: import the NHS Digital table first.")
    con = connection or duckdb.connect(":memory:")
    # DuckDB's relational API names the file itself: no path is quoted into SQL by hand.
    con.read_parquet(str(path)).create_view("nhs_digital_staff_group", replace=True)
    return con


# Queries ------------------------------------------------------------------------------------------------------


def published(value: float) -> int:
    """Rounded as the published tables round: to the nearest whole number, halves up."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class GroupTotal:
    period: dt.date
    staff_group: str  # ALL_STAFF_GROUPS for the total over every group
    value: float

    @property
    def rounded(self) -> int:
        return published(self.value)


def periods(store: Path | str) -> list[dt.date]:
    con = connect(store)
    return [
        row[0]
        for row in con.execute("SELECT DISTINCT period FROM nhs_digital_staff_group ORDER BY 1").fetchall()
    ]


def totals(
    store: Path | str,
    *,
    organisation_code: str | None = None,
    period: dt.date | None = None,
    measure: str = FTE,
) -> list[GroupTotal]:
    """FTE (or headcount) by period and staff group, nationally or for one organisation, each period's total
    over all staff groups first. Headcount does not add across organisations; FTE does."""
    where = ["measure = ?"]
    params: list[Any] = [measure]
    if organisation_code is not None:
        where.append("organisation_code = ?")
        params.append(organisation_code)
    if period is not None:
        where.append("period = ?")
        params.append(period)
    con = connect(store)
    rows = con.execute(
        f"""
        SELECT period, coalesce(staff_group, ?) AS staff_group, sum(value) AS value,
               grouping(staff_group) AS is_total
        FROM nhs_digital_staff_group WHERE {" AND ".join(where)}
        GROUP BY GROUPING SETS ((period, staff_group), (period))
        ORDER BY period, is_total DESC, staff_group
        """,  # noqa: S608 (conditions of constant text with ? placeholders)
        [ALL_STAFF_GROUPS, *params],
    ).fetchall()
    return [GroupTotal(p, group, float(value)) for p, group, value, _total in rows]


def total(
    store: Path | str,
    *,
    period: dt.date,
    staff_groups: Iterable[str] = (),
    organisation_code: str | None = None,
    measure: str = FTE,
) -> float:
    """The sum over the given staff groups (all of them if none are given) for one period."""
    wanted = set(staff_groups)
    found = totals(store, organisation_code=organisation_code, period=period, measure=measure)
    if not wanted:
        return sum(t.value for t in found if t.staff_group == ALL_STAFF_GROUPS)
    return sum(t.value for t in found if t.staff_group in wanted)


# Benchmarks ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareBenchmark:
    """A share of FTE (e.g. clinical support staff ÷ all staff) for one organisation against the country and its
    peers (trusts, not CCGs), with numerators and denominators beside every rate."""

    period: dt.date
    staff_groups: tuple[str, ...]
    organisation_code: str | None
    organisation_name: str
    numerator: float
    denominator: float
    national_numerator: float
    national_denominator: float
    peer_count: int
    peer_quartiles: tuple[float, float, float]  # lower quartile, median, upper quartile of the trusts' shares
    peer_rank: float | None  # share of trusts with a lower share than this organisation (0-1)

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def national_share(self) -> float:
        return self.national_numerator / self.national_denominator if self.national_denominator else 0.0

    @property
    def difference_points(self) -> float | None:
        """Percentage points above (positive) or below the national share."""
        share = self.share
        return None if share is None else 100 * (share - self.national_share)


def share_benchmark(
    store: Path | str,
    *,
    period: dt.date,
    organisation_code: str | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    staff_groups: Sequence[str] = CLINICAL_SUPPORT,
) -> ShareBenchmark:
    """Benchmark one organisation's share of FTE in the staff groups against the national share and the spread
    across trusts in the same period. The organisation is either one in the table (`organisation_code`) or the
    caller's own figures (`numerator`, `denominator`, e.g. from the trust's extract)."""
    groups = tuple(staff_groups)
    if not groups:
        raise ValueError("Name at least one staff group.")
    con = connect(store)
    marks = ", ".join("?" for _ in groups)
    by_organisation = con.execute(
        f"""
        SELECT organisation_code, any_value(organisation_name), any_value(organisation_type),
               sum(value) FILTER (WHERE staff_group IN ({marks})) AS part, sum(value) AS whole
        FROM nhs_digital_staff_group WHERE measure = ? AND period = ?
        GROUP BY organisation_code
        """,  # noqa: S608 (conditions of constant text with ? placeholders)
        [*groups, FTE, period],
    ).fetchall()
    if not by_organisation:
        raise LookupError(f"The table has no figures for {period.isoformat()}.")
    national_part = sum(float(part or 0) for _code, _name, _type, part, _whole in by_organisation)
    national_whole = sum(float(whole or 0) for _code, _name, _type, _part, whole in by_organisation)
    peer_shares = sorted(
        float(part or 0) / float(whole)
        for _code, _name, kind, part, whole in by_organisation
        if kind == "Trust" and whole
    )
    name = ""
    if organisation_code is not None:
        row = next((r for r in by_organisation if r[0] == organisation_code), None)
        if row is None:
            raise LookupError(f"The table has no organisation {organisation_code} in {period.isoformat()}.")
        name, numerator, denominator = str(row[1]), float(row[3] or 0), float(row[4] or 0)
    if numerator is None or denominator is None:
        raise ValueError("Give an organisation code, or a numerator and a denominator.")
    quartiles = (
        tuple(statistics.quantiles(peer_shares, n=4, method="inclusive"))
        if len(peer_shares) >= 2
        else (peer_shares[0],) * 3
        if peer_shares
        else (0.0, 0.0, 0.0)
    )
    share = numerator / denominator if denominator else None
    rank = (
        sum(s < share for s in peer_shares) / len(peer_shares) if share is not None and peer_shares else None
    )
    return ShareBenchmark(
        period=period,
        staff_groups=groups,
        organisation_code=organisation_code,
        organisation_name=name,
        numerator=numerator,
        denominator=denominator,
        national_numerator=national_part,
        national_denominator=national_whole,
        peer_count=len(peer_shares),
        peer_quartiles=(quartiles[0], quartiles[1], quartiles[2]),
        peer_rank=rank,
    )
