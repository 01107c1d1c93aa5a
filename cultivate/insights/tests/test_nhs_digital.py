"""NHS Digital's published "HCHS staff by staff group, nationality and organisation" table: reading it (in place,
from the shared fixtures), the tidy Parquet copy in the store, national and organisation totals, benchmarks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from cultivate.core.testing import shared_dir
from cultivate.insights import nhs_digital, store
from cultivate.insights.nhs_digital import (
    ALL_STAFF_GROUPS,
    CLINICAL_SUPPORT,
    NURSING_SUPPORT,
    NhsDigitalFormatError,
    nhs_digital_import,
    parse_period,
    published,
    share_benchmark,
    totals,
)

SEPTEMBER_2017, JUNE_2018 = dt.date(2017, 9, 30), dt.date(2018, 6, 30)
WORKBOOK_NAME = "hchs-staff-by-staff-group-nationality-and-organisation-sep2017-jun2018.xlsx"


def shared_data() -> Path:
    """The third-party fixtures live in `shared/` beside the repository (never copied into it)."""
    return shared_dir() / "data"


WORKBOOK = shared_data() / "nhs-digital" / WORKBOOK_NAME


@pytest.fixture(scope="module")
def published_store(tmp_path_factory):
    if not WORKBOOK.exists():
        pytest.fail(f"the NHS Digital workbook is not at {WORKBOOK}: set CULTIVATE_SHARED_DIR")
    folder = tmp_path_factory.mktemp("store")
    result = nhs_digital_import(WORKBOOK, folder)
    return folder, result


# The published table -----------------------------------------------------------------------------------------


def test_the_national_totals_are_those_published(published_store):
    folder, result = published_store
    assert result.periods == [SEPTEMBER_2017, JUNE_2018]
    september = {t.staff_group: t for t in totals(folder, period=SEPTEMBER_2017)}
    # NHS Digital, HCHS workforce statistics, 30 September 2017 (FTE, rounded to whole numbers).
    assert september[ALL_STAFF_GROUPS].rounded == 1_052_963
    assert september[NURSING_SUPPORT].rounded == 243_762
    # The rows are unrounded, so the published whole numbers are the rounded sums, not sums of rounded rows.
    assert september[ALL_STAFF_GROUPS].value == pytest.approx(1_052_963.09, abs=0.01)
    groups = [t for t in september.values() if t.staff_group != ALL_STAFF_GROUPS]
    assert len(groups) == 13
    assert sum(t.value for t in groups) == pytest.approx(september[ALL_STAFF_GROUPS].value)


def test_the_tidy_table_keeps_every_row_and_nothing_is_copied_into_the_repository(published_store):
    folder, result = published_store
    assert result.path == folder / "reference" / "nhs_digital" / "hchs_staff_group.parquet"
    table = pq.read_table(result.path)
    assert table.num_rows == result.rows == 81_603
    assert table.schema.names == [
        "source",
        "period",
        "organisation_code",
        "organisation_name",
        "organisation_type",
        "staff_group",
        "nationality",
        "measure",
        "value",
    ]
    assert set(table.column("measure").to_pylist()) == {"FTE"}
    assert set(table.column("organisation_type").to_pylist()) == {"Trust", "CCG"}
    assert len(set(table.column("organisation_code").to_pylist())) == 438
    info = nhs_digital.about(folder)
    assert info is not None
    assert info["source_file"] == WORKBOOK_NAME and info["rows"] == 81_603
    assert info["title"].startswith("NHS Hospital and Community Health Services (HCHS)")
    assert len(info["sha256"]) == 64
    package = Path(nhs_digital.__file__).resolve().parents[1]
    assert not list(package.glob(f"**/{WORKBOOK_NAME}"))


def test_the_extract_views_do_not_see_the_published_table(published_store):
    folder, _result = published_store
    con = store.connect(folder)
    assert con.execute("SELECT count(*) FROM assignments").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM people").fetchone() == (0,)


def test_organisation_totals_add_up_to_the_national_ones(published_store):
    folder, _result = published_store
    tees = {t.staff_group: t.value for t in totals(folder, organisation_code="RX3", period=SEPTEMBER_2017)}
    assert tees[ALL_STAFF_GROUPS] == pytest.approx(sum(v for g, v in tees.items() if g != ALL_STAFF_GROUPS))
    con = nhs_digital.connect(folder)
    codes = [
        row[0]
        for row in con.execute("SELECT DISTINCT organisation_code FROM nhs_digital_staff_group").fetchall()
    ]
    national = nhs_digital.total(folder, period=JUNE_2018, staff_groups=[NURSING_SUPPORT])
    by_organisation = con.execute(
        "SELECT sum(value) FROM nhs_digital_staff_group WHERE period = ? AND staff_group = ?",
        [JUNE_2018, NURSING_SUPPORT],
    ).fetchone()
    assert len(codes) == 438
    assert by_organisation is not None
    assert national == pytest.approx(by_organisation[0])
    assert nhs_digital.periods(folder) == [SEPTEMBER_2017, JUNE_2018]


def test_a_trust_is_benchmarked_against_the_country_and_other_trusts(published_store):
    folder, _result = published_store
    result = share_benchmark(folder, period=SEPTEMBER_2017, organisation_code="RX3")
    assert result.organisation_name == "Tees, Esk and Wear Valleys NHS Foundation Trust"
    assert result.staff_groups == CLINICAL_SUPPORT
    own = {t.staff_group: t.value for t in totals(folder, organisation_code="RX3", period=SEPTEMBER_2017)}
    assert result.numerator == pytest.approx(sum(own.get(g, 0) for g in CLINICAL_SUPPORT))
    assert result.denominator == pytest.approx(own[ALL_STAFF_GROUPS])
    assert published(result.national_denominator) == 1_052_963
    assert result.national_numerator == pytest.approx(
        nhs_digital.total(folder, period=SEPTEMBER_2017, staff_groups=CLINICAL_SUPPORT)
    )
    lower, median, upper = result.peer_quartiles
    assert 0 < lower <= median <= upper < 1
    assert result.peer_count > 200  # trusts only: the CCGs employ few clinical support staff
    assert result.share is not None and result.difference_points is not None
    assert result.difference_points == pytest.approx(100 * (result.share - result.national_share))
    assert result.peer_rank is not None and 0 <= result.peer_rank <= 1

    # A trust's own figures (from its extract) against the same period.
    own_figures = share_benchmark(
        folder, period=SEPTEMBER_2017, numerator=300, denominator=1000, staff_groups=[NURSING_SUPPORT]
    )
    assert own_figures.share == 0.3
    assert own_figures.organisation_code is None
    assert published(own_figures.national_numerator) == 243_762
    assert own_figures.peer_rank == pytest.approx(
        sum(s < 0.3 for s in _trust_shares(folder, NURSING_SUPPORT)) / own_figures.peer_count
    )

    with pytest.raises(LookupError):
        share_benchmark(folder, period=SEPTEMBER_2017, organisation_code="ZZZ")
    with pytest.raises(LookupError):
        share_benchmark(folder, period=dt.date(2016, 3, 31), organisation_code="RX3")
    with pytest.raises(ValueError):
        share_benchmark(folder, period=SEPTEMBER_2017)


def _trust_shares(folder, group):
    con = nhs_digital.connect(folder)
    rows = con.execute(
        """
        SELECT sum(value) FILTER (WHERE staff_group = ?) / sum(value)
        FROM nhs_digital_staff_group WHERE period = ? AND organisation_type = 'Trust'
        GROUP BY organisation_code
        """,
        [group, SEPTEMBER_2017],
    ).fetchall()
    return [row[0] or 0 for row in rows]


# Small workbooks of our own --------------------------------------------------------------------------------------


def _workbook(path: Path, header: list[str], rows: list[list[object]], *, preamble: int = 2) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["A table of our own for the tests"])
    data = book.create_sheet("Table 1")
    for _ in range(preamble):
        data.append(["Staff in post"])
    data.append(header)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def test_a_workbook_with_headcount_and_fte_reads_into_two_measures(tmp_path):
    path = _workbook(
        tmp_path / "table.xlsx",
        ["Period", "Org Code", "Org Name", "Staff Group", "Headcount", "FTE"],
        [
            ["September 2019", "RZ7", "Harrowdale Mental Health NHS Trust", NURSING_SUPPORT, 120, 101.5],
            ["Sep-19", "RZ7", "Harrowdale Mental Health NHS Trust", "Nurses & health visitors", 80, "*"],
            # Excel dates carry no zone: openpyxl writes and reads them naive.
            [dt.datetime(2019, 9, 30), "01A", "NHS Somewhere CCG", NURSING_SUPPORT, 2, 1.25],  # noqa: DTZ001
            [None, None, None, None, None, None],
        ],
    )
    table = nhs_digital.read_hchs_staff_group(path)
    rows = table.to_pylist()
    assert len(rows) == 5  # the suppressed FTE is left out, not read as zero
    assert {r["period"] for r in rows} == {dt.date(2019, 9, 30)}
    assert {r["measure"] for r in rows} == {"FTE", "Headcount"}
    assert {r["organisation_type"] for r in rows if r["organisation_code"] == "01A"} == {"CCG"}
    assert all(r["nationality"] is None for r in rows)

    store_folder = tmp_path / "store"
    nhs_digital_import(path, store_folder)
    assert [t.rounded for t in totals(store_folder, measure="Headcount")][:1] == [202]
    fte = {t.staff_group: t.value for t in totals(store_folder, organisation_code="RZ7")}
    assert fte == {ALL_STAFF_GROUPS: 101.5, NURSING_SUPPORT: 101.5}
    assert (nhs_digital.about(store_folder) or {})["title"] == "A table of our own for the tests"


def test_a_bad_workbook_is_rejected_whole_with_its_problems_and_the_store_keeps_the_last_import(tmp_path):
    header = ["Month", "Organisation code", "Organisation name", "Staff group", "Nationality", "FTE"]
    good = _workbook(
        tmp_path / "good.xlsx", header, [["2018-JUN", "RZ7", "Trust A", NURSING_SUPPORT, "British", 10]]
    )
    store_folder = tmp_path / "store"
    nhs_digital_import(good, store_folder)
    bad = _workbook(
        tmp_path / "bad.xlsx",
        header,
        [
            ["2018-JUN", "RZ7", "Trust A", NURSING_SUPPORT, "British", "ten"],
            ["Juneish", "RZ7", "Trust A", NURSING_SUPPORT, "British", 1],
            ["2018-JUN", "RZ7", "Trust A", None, "British", 1],
            ["2018-JUN", "RZ7", "Trust A", NURSING_SUPPORT, "Irish", -2],
        ],
    )
    with pytest.raises(NhsDigitalFormatError) as caught:
        nhs_digital_import(bad, store_folder)
    assert [(row, column, rule) for _sheet, row, column, _value, rule in caught.value.problems] == [
        (4, "FTE", "a number"),
        (5, "period", "a month or a date"),
        (6, "staff_group", "required"),
        (7, "FTE", "not negative"),
    ]
    assert [t.value for t in totals(store_folder)] == [10.0, 10.0]
    assert not [p for p in (store_folder / "reference" / "nhs_digital").iterdir() if p.name.startswith(".")]

    with pytest.raises(NhsDigitalFormatError):
        nhs_digital_import(_workbook(tmp_path / "other.xlsx", ["Name", "Total"], [["x", 1]]), store_folder)


def test_a_store_without_the_table_says_so(tmp_path):
    assert nhs_digital.about(tmp_path) is None
    with pytest.raises(FileNotFoundError):
        totals(tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-SEP", SEPTEMBER_2017),
        ("2018-JUN", JUNE_2018),
        ("September 2017", SEPTEMBER_2017),
        ("Sep-17", SEPTEMBER_2017),
        ("2024-02", dt.date(2024, 2, 29)),
        ("2017-12", dt.date(2017, 12, 31)),
        ("31/03/2020", dt.date(2020, 3, 31)),
        (dt.datetime(2019, 6, 30, 0, 0), dt.date(2019, 6, 30)),  # noqa: DTZ001 a naive Excel date cell
    ],
)
def test_parse_period(value, expected):
    assert parse_period(value) == expected


def test_published_rounds_halves_up():
    assert published(243_761.90218) == 243_762
    assert published(2.5) == 3
    assert published(3.5) == 4
    assert published(1_052_963.08865) == 1_052_963


def test_a_store_whose_path_has_a_quote_is_read(tmp_path):
    """The view names its file through DuckDB's relational API, so no path is quoted into SQL by hand."""
    path = _workbook(
        tmp_path / "table.xlsx",
        ["Period", "Org Code", "Org Name", "Staff Group", "Headcount"],
        [["2018-JUN", "RZ7", "Trust A", NURSING_SUPPORT, 10]],
    )
    store_folder = tmp_path / "O'Brien's store"
    nhs_digital_import(path, store_folder)
    assert [t.rounded for t in totals(store_folder, measure="Headcount")][:1] == [10]
