"""The board report: its figures are the measures' figures, small numbers are hidden by default, the HTML is
standalone and the PDF has pages of extractable text."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from cultivate.demo.national import PARQUET, generate
from cultivate.insights.analyses import relative_likelihoods, retention_curve
from cultivate.insights.extract import import_extract
from cultivate.insights.measures import Window, compute_measures, suppress
from cultivate.insights.report import (
    SUPPRESSED,
    PeriodError,
    ReportError,
    build_report,
    parse_period,
    previous_period,
    protect,
    render_html,
    render_pdf,
)
from cultivate.insights.report.period import points
from cultivate.insights.report.render import chart_svg
from cultivate.insights.store import connect

from .analyses.test_fairness import build_full_store
from .test_measures import absence, build_store, spell

D = dt.date
KEYS = ("headcount", "fte", "leaver_rate", "stability_index", "sickness_absence_rate", "joiner_rate")
PERIOD = Window(D(2023, 3, 31), D(2024, 3, 31))


# Stores ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic extract of several trusts over four years, imported into a store."""
    folder = tmp_path_factory.mktemp("report")
    generate(folder / "extract", people=2500, years=4, seed=5, fmt=PARQUET, end_date=D(2025, 3, 31))
    import_extract(folder / "extract", folder / "store", extract_date=D(2025, 3, 31))
    return folder / "store"


def organisations(store: Path) -> list[str]:
    con = connect(store)
    try:
        return [
            r[0]
            for r in con.execute(
                "SELECT organisation_code FROM assignments GROUP BY 1 ORDER BY count(*) DESC"
            ).fetchall()
        ]
    finally:
        con.close()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Seven people in RXX (one leaves, one is off sick) and two in RYY: every count is small."""
    spells = [spell(f"x{i}", f"x{i}", D(2020, 1, 1), org="RXX", band="3") for i in range(6)]
    spells.append(
        spell("x6", "x6", D(2020, 1, 1), D(2023, 9, 30), org="RXX", band="2", reason="Retirement Age")
    )
    spells += [spell(f"y{i}", f"y{i}", D(2020, 1, 1), org="RYY") for i in range(2)]
    return build_store(
        tmp_path / "store",
        spells,
        absences=[absence("x1", D(2023, 5, 1), D(2023, 5, 10))],
        extract_date="2024-03-31",
    )


def by_measure(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["measure"]: r for r in rows}


# Periods -----------------------------------------------------------------------------------------------------
def test_a_month_means_its_last_day() -> None:
    assert parse_period("2019-06:2020-06") == Window(D(2019, 6, 30), D(2020, 6, 30))
    assert parse_period("2019-02:2020-02") == Window(D(2019, 2, 28), D(2020, 2, 29))
    assert parse_period("2019-06-15:2020-06") == Window(D(2019, 6, 15), D(2020, 6, 30))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2019-06", "START:END"),
        ("2019-13:2020-06", "start '2019-13' is not a date"),
        ("2019-06:2020-02-30", "end '2020-02-30' is not a date"),
        ("2020-06:2019-06", "must be before its end"),
        ("2020-06:2020-06", "must be before its end"),
        (":2020-06", "START:END"),
    ],
)
def test_bad_periods_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(says)):
        parse_period(text)


def test_the_comparison_is_the_same_dates_a_year_earlier() -> None:
    assert previous_period(Window(D(2023, 3, 31), D(2024, 2, 29))) == Window(D(2022, 3, 31), D(2023, 2, 28))
    assert previous_period(Window(D(2023, 6, 15), D(2024, 6, 15))) == Window(D(2022, 6, 15), D(2023, 6, 15))


def test_trend_points_count_back_from_the_end() -> None:
    assert points(Window(D(2023, 12, 31), D(2024, 3, 31)), 1) == [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),
    ]
    assert points(Window(D(2022, 3, 31), D(2024, 3, 31)), 12) == [D(2023, 3, 31), D(2024, 3, 31)]


# Figures -----------------------------------------------------------------------------------------------------
def test_key_figures_equal_the_measures_for_one_organisation(generated: Path) -> None:
    code = organisations(generated)[0]
    report = build_report(generated, PERIOD, [code], individual_level=True)
    for window, side in ((PERIOD, "current"), (previous_period(PERIOD), "previous")):
        rows = compute_measures(generated, window, by=["organisation_code"], measures=list(KEYS))
        expected = {r["measure"]: r for r in rows if r["group"] == {"organisation_code": code}}
        for name in KEYS:
            figure = getattr(report.key_figure(name), side)
            row = expected[name]
            assert (figure.numerator, figure.denominator, figure.value) == (
                row["numerator"],
                row["denominator"],
                row["value"],
            ), f"{name} {side}"


def test_key_figures_of_the_whole_store_and_suppressed_as_the_measures_are(generated: Path) -> None:
    report = build_report(generated, PERIOD)
    expected = by_measure(suppress(compute_measures(generated, PERIOD, measures=list(KEYS))))
    for name in KEYS:
        figure = report.key_figure(name).current
        row = expected[name]
        assert (figure.numerator, figure.denominator, figure.value, figure.suppressed) == (
            row["numerator"],
            row["denominator"],
            row["value"],
            row["suppressed"],
        )
    assert (report.key_figure("headcount").current.value or 0) > 500


def test_two_organisations_together_are_one_group(generated: Path) -> None:
    first, second = organisations(generated)[:2]
    report = build_report(generated, PERIOD, [first, second.lower()], individual_level=True)
    assert report.organisation_codes == (first, second)
    per_org = compute_measures(generated, PERIOD, by=["organisation_code"], measures=["fte", "headcount"])
    fte = sum(
        r["numerator"]
        for r in per_org
        if r["measure"] == "fte" and r["group"]["organisation_code"] in {first, second}
    )
    assert report.key_figure("fte").current.value == pytest.approx(
        fte, abs=1e-4
    )  # FTE adds across organisations
    heads = sum(
        r["numerator"]
        for r in per_org
        if r["measure"] == "headcount" and r["group"]["organisation_code"] in {first, second}
    )
    assert report.key_figure("headcount").current.value <= heads  # headcount need not


def test_trend_figures_are_the_measures_of_each_month(generated: Path) -> None:
    code = organisations(generated)[1]
    report = build_report(generated, PERIOD, [code], individual_level=True)
    trends = report.section("trends")
    assert trends is not None
    index, leavers, sickness = trends.charts
    assert len(index.table.values()) == 24  # monthly over the comparison period and the period
    day, headcount, fte, head_index, _ = index.table.values()[5]
    rows = compute_measures(
        generated, Window(D(day.year, day.month, 1) - dt.timedelta(days=1), day), by=["organisation_code"]
    )
    mine = {r["measure"]: r for r in rows if r["group"] == {"organisation_code": code}}
    assert (headcount, fte) == (mine["headcount"]["value"], mine["fte"]["value"])
    assert head_index == pytest.approx(100 * headcount / index.table.values()[0][1])
    day, lost, available, rate = sickness.table.values()[5]
    assert (lost, available, rate) == (
        mine["sickness_absence_rate"]["numerator"],
        mine["sickness_absence_rate"]["denominator"],
        mine["sickness_absence_rate"]["value"],
    )
    day, _leavers, _mean, rate = leavers.table.values()[-1]
    assert day == PERIOD.end
    assert [v for v in leavers.spec["data"]["values"]][-1]["rate"] == rate
    assert report.key_figure("leaver_rate").current.value == rate


def test_band_matrix_and_reasons_are_the_measures(generated: Path) -> None:
    report = build_report(generated, PERIOD, individual_level=True)
    retention = report.section("retention")
    assert retention is not None
    matrix = next(c for c in retention.charts if c.key == "band_transitions")
    rows = compute_measures(generated, PERIOD, measures=["progression"])
    band3 = {r["group"]["outcome"]: r for r in rows if r["group"]["from_band"] == "3"}
    line = next(row for row in matrix.table.values() if row[0] == "Band 3")
    assert line[1] == band3["same"]["denominator"]
    assert line[2:] == [
        (band3[o]["numerator"], band3[o]["value"]) for o in ("same", "higher", "lower", "other", "left")
    ]
    reasons = next(c for c in retention.charts if c.key == "leaving_reason_groups")
    expected = {
        r["group"]["leaving_reason_group"]: r["numerator"]
        for r in compute_measures(generated, PERIOD, measures=["leaving_reason_group_share"])
    }
    assert {row[0]: row[1] for row in reasons.table.values()} == expected


def test_progression_by_ethnic_group_adds_up_the_bands(generated: Path) -> None:
    report = build_report(generated, PERIOD, individual_level=True)
    retention = report.section("retention")
    assert retention is not None
    chart = next(c for c in retention.charts if c.key == "progression_by_ethnic_group")
    rows = compute_measures(generated, PERIOD, by=["ethnic_group"], measures=["progression"])
    white = [r for r in rows if r["group"]["ethnic_group"] == "White"]
    at_start = sum(r["denominator"] for r in white if r["group"]["outcome"] == "same")
    higher = sum(r["numerator"] for r in white if r["group"]["outcome"] == "higher")
    line = next(row for row in chart.table.values() if row[0] == "White")
    assert line[1:4] == [at_start, higher, round(higher / at_start, 6)]


def test_sections_and_hooks(generated: Path) -> None:
    report = build_report(generated, PERIOD)
    # No programme data yet; the generated extract's training.csv gives the investment in development.
    assert [s.key for s in report.sections] == ["trends", "retention", "fairness", "investment"]
    fairness = report.section("fairness")
    assert fairness is not None
    assert [c.key for c in fairness.charts] == [
        "relative_likelihoods",
        "leaver_rate_by_ethnic_group",
        "leaver_rate_by_disability",
        "leaver_rate_by_sex",
    ]
    retention = report.section("retention")
    assert retention is not None and "retention_curve" in {c.key for c in retention.charts}
    for chart in report.charts:
        assert chart.table.values(), chart.key  # every chart is followed by its figures
        assert "url" not in chart.spec["data"]


def test_relative_likelihoods_are_the_analyses_with_the_band_read_out(generated: Path) -> None:
    code = organisations(generated)[0]
    report = build_report(generated, PERIOD, [code], individual_level=True)
    fairness = report.section("fairness")
    assert fairness is not None
    table = fairness.charts[0].table
    con = connect(generated)
    try:
        expected = relative_likelihoods(con, PERIOD, organisation_codes=[code])
    finally:
        con.close()
    assert len(table.values()) == len(expected)
    for row, result in zip(table.values(), expected, strict=True):
        assert row[4:7] == [result["value"], result["ci_low"], result["ci_high"]]
        if result["within_band"]:
            assert row[7] == "within 0.80–1.25: no adverse impact"
        elif result["value"] is not None:
            assert row[7].startswith(("above the band", "below the band"))
    # The chart draws the shaded 0.80–1.25 band.
    layers = fairness.charts[0].spec["layer"]
    assert layers[0]["data"]["values"] == [{"low": 0.8, "high": 1.25}]


def test_the_report_of_an_organisation_reads_only_its_own_applications(tmp_path: Path) -> None:
    """Appointment from shortlisting, RXX's report, decided 2023-09-01 (in PERIOD):
    coded RXX: White 10 shortlisted, 5 appointed; BME 10, 2 appointed.
    no code, vacancy "RXX-V8": White 10, none appointed (RXX's by its vacancy, judged on the whole store).
    coded RYY, and no code with vacancy "RYY-V7": all appointed (RYY's, never in RXX's figures).
    So RXX: White 5 ÷ 20 = 0.25, BME 2 ÷ 10 = 0.2, relative likelihood 1.25."""
    decided = D(2023, 9, 1)

    def apply(n: int, ethnic: str, appointed: bool, vacancy: str, org: str | None) -> list[dict[str, Any]]:
        return [
            {"ethnic_category": ethnic, "disability": "N", "shortlisted": True, "appointed": appointed}
            | {"vacancy_id": vacancy, "organisation_code": org, "decided_on": decided}
            for _ in range(n)
        ]

    applications = (
        apply(5, "A", True, "V1", "RXX")
        + apply(5, "A", False, "V1", "RXX")
        + apply(2, "H", True, "V1", "RXX")
        + apply(8, "H", False, "V1", "RXX")
        + apply(10, "A", False, "RXX-V8", None)
        + apply(10, "A", True, "V2", "RYY")
        + apply(10, "H", True, "V2", "RYY")
        + apply(10, "H", True, "RYY-V7", None)
    )
    for n, row in enumerate(applications):
        row["application_id"] = f"AP{n}"
    spells = [spell(f"x{i}", f"x{i}", D(2020, 1, 1), org="RXX") for i in range(6)]
    spells += [spell(f"y{i}", f"y{i}", D(2020, 1, 1), org="RYY") for i in range(6)]
    store = build_full_store(tmp_path / "store", {"assignments": spells, "recruitment": applications})
    report = build_report(store, PERIOD, ["RXX"], individual_level=True)
    fairness = report.section("fairness")
    assert fairness is not None
    rows = {row[0]: row for row in fairness.charts[0].table.values()}
    ethnicity = rows["WRES indicator 2: appointed ÷ shortlisted"]
    assert ethnicity[1:5] == ["White ÷ BME", 0.25, 0.2, 1.25]
    # RYY's report: 20 of 20 White, 20 of 20 BME (its coded rows and the uncoded ones its vacancies name).
    other = build_report(store, PERIOD, ["RYY"], individual_level=True).section("fairness")
    assert other is not None
    assert {row[0]: row for row in other.charts[0].table.values()}[
        "WRES indicator 2: appointed ÷ shortlisted"
    ][2:5] == [1.0, 1.0, 1.0]


def test_retention_curve_is_the_kaplan_meier_of_the_period(generated: Path) -> None:
    report = build_report(generated, PERIOD, individual_level=True)
    retention = report.section("retention")
    assert retention is not None
    curve = next(c for c in retention.charts if c.key == "retention_curve")
    con = connect(generated)
    try:
        result = retention_curve(con, start=PERIOD.start, end=PERIOD.end, step=3, horizon=60)
    finally:
        con.close()
    points = result["curves"][0]["points"]
    assert [row[0] for row in curve.table.values()] == [p["time"] for p in points]
    assert [row[1] for row in curve.table.values()] == [p["survival"] for p in points]
    assert curve.table.values()[0][1] == 1.0 and 0 < curve.table.values()[-1][1] < 1


# Suppression -------------------------------------------------------------------------------------------------
def test_small_numbers_are_suppressed_by_default(small: Path) -> None:
    report = build_report(small, PERIOD, ["RXX"])
    leaver_rate = report.key_figure("leaver_rate").current
    assert leaver_rate.suppressed and leaver_rate.numerator is None and leaver_rate.value is None
    html = render_html(report)
    assert SUPPRESSED in html
    assert "Counts below 5" in html


def test_individual_level_readers_see_every_figure(small: Path) -> None:
    report = build_report(small, PERIOD, ["RXX"], individual_level=True)
    leaver_rate = report.key_figure("leaver_rate").current
    assert (leaver_rate.numerator, leaver_rate.denominator, leaver_rate.suppressed) == (1, 6.5, False)
    html = render_html(report)
    assert "Not suppressed" in html
    assert f'class="num">{SUPPRESSED}<' not in html


def test_a_group_of_two_is_hidden_whole(small: Path) -> None:
    report = build_report(small, PERIOD, ["RYY"])
    assert report.key_figure("headcount").current.value is None
    assert report.key_figure("headcount").current.suppressed


def test_one_hidden_count_in_a_total_hides_another() -> None:
    def row(outcome: str, n: int | None, suppressed: bool = False) -> dict[str, Any]:
        return {
            "measure": "progression",
            "window": ["2023-03-31", "2024-03-31"],
            "group": {"from_band": "3", "outcome": outcome},
            "numerator": n,
            "denominator": 60,
            "value": None if n is None else n / 60,
            "suppressed": suppressed,
        }

    rows = [row("same", 40), row("higher", None, True), row("lower", 0), row("left", 17)]
    protect(rows, "outcome")
    assert [r["numerator"] for r in rows] == [40, None, 0, None]  # 17 hidden too; zero names nobody
    again = [row("same", 40), row("higher", None, True), row("left", None, True)]
    assert [r["numerator"] for r in protect(again, "outcome")] == [40, None, None]


# Errors ------------------------------------------------------------------------------------------------------
def test_missing_empty_and_unknown_are_refused(tmp_path: Path, small: Path) -> None:
    with pytest.raises(ReportError, match="There is no insights store"):
        build_report(tmp_path / "nowhere", PERIOD)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="holds no datasets"):
        build_report(tmp_path / "empty", PERIOD)
    with pytest.raises(ReportError, match=r"no organisation RZZ; it holds 2 organisations: RXX, RYY"):
        build_report(small, PERIOD, ["RXX", "RZZ"])


def test_a_period_past_the_extract_date_is_flagged(small: Path) -> None:
    report = build_report(small, Window(D(2023, 6, 30), D(2024, 6, 30)), ["RXX"])
    assert report.warnings and "after the extract date" in report.warnings[0]


# Rendering ---------------------------------------------------------------------------------------------------
EXTERNAL = re.compile(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_html_is_standalone(generated: Path) -> None:
    html = render_html(build_report(generated, PERIOD))
    assert not EXTERNAL.findall(html)
    assert "<script" not in html.lower()
    assert "@import" not in html and "url(http" not in html
    assert "<link" not in html.lower()
    # Each chart is an inline SVG followed by its table.
    assert html.count("<svg") == len(build_report(generated, PERIOD).charts) >= 9
    for chart_at in [m.start() for m in re.finditer("<figure>", html)]:
        assert html.index("<table>", chart_at) < html.index("</section>", chart_at)
    # Definitions, the source, the extract date and the period are stated.
    for words in (
        "Definitions",
        "Data source",
        "Extract date",
        "31 March 2025",
        "31 March 2023 to 31 March 2024",
    ):
        assert words in html


def _pdf_objects(pdf: bytes) -> bytes:
    """Every stream of the PDF inflated and joined (WeasyPrint packs objects into compressed object streams)."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_pdf_has_pages_and_text(generated: Path) -> None:
    pdf = render_pdf(render_html(build_report(generated, PERIOD, [organisations(generated)[0]])))
    assert pdf.startswith(b"%PDF-")
    inflated = _pdf_objects(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", inflated))
    assert pages >= 5
    # Text is text, not pictures of text: fonts with a map back to Unicode, and text-showing operators.
    assert b"/ToUnicode" in inflated
    assert re.search(rb"\bBT\b.*?\bT[Jj]\b", inflated, re.DOTALL)


def test_charts_never_fetch_data() -> None:
    spec = {
        "data": {"url": "https://example.org/figures.csv"},
        "mark": "bar",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    with pytest.raises(ValueError, match="External data url not allowed"):
        chart_svg(spec, "c0")


def test_chart_ids_are_kept_apart() -> None:
    spec = {
        "data": {"values": [{"a": 1, "b": 2}, {"a": 2, "b": 3}]},
        "mark": {"type": "line", "clip": True},  # a clip path: an id and a url(#id) reference
        "encoding": {
            "x": {"field": "a", "type": "quantitative"},
            "y": {"field": "b", "type": "quantitative"},
        },
    }
    first, second = chart_svg(spec, "c1"), chart_svg(spec, "c2")
    ids = re.findall(r'\bid="([^"]+)"', first + second)
    assert ids and len(ids) == len(set(ids))
    for svg, prefix in ((first, "c1"), (second, "c2")):
        references = re.findall(r"url\(#([^)]+)\)", svg)
        assert references and all(r.startswith(f"{prefix}-") for r in references)
    assert 'aria-hidden="true"' in first  # the table after it is the text


def test_a_long_period_is_trended_by_quarter(small: Path) -> None:
    report = build_report(small, Window(D(2021, 3, 31), D(2024, 3, 31)), ["RXX"], individual_level=True)
    trends = report.section("trends")
    assert trends is not None
    assert "by quarter" in trends.intro
    days = [row[0] for row in trends.charts[0].table.values()]
    assert days[-1] == D(2024, 3, 31) and days[-2] == D(2023, 12, 31) and len(days) == 16  # 4 years
    assert report.previous == Window(D(2020, 3, 31), D(2023, 3, 31))
