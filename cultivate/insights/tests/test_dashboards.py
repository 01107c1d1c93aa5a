"""The dashboards' figures on the hand-made store (figures worked out in dashboard_store's docstring)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cultivate.insights import charts, dashboards, presenters
from cultivate.insights.dashboards import Scope
from cultivate.insights.tables import SUPPRESSED

from .dashboard_store import build_store

RAA = Scope(organisations=("RAA",), individual_level=True)
RAA_SUPPRESSED = Scope(organisations=("RAA",))
WINDOW = dashboards.window_ending(dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("insights") / "store")


def _dash(store: Path, name: str, scope: Scope, breakdown: str = "organisation_code") -> dashboards.Dashboard:
    built = dashboards.dashboard(store, name, scope=scope, window=WINDOW, breakdown=breakdown)
    assert built is not None
    return built


def test_windows_are_twelve_months_to_a_month_end() -> None:
    assert WINDOW.start == dt.date(2024, 3, 31)
    assert dashboards.window_ending(dt.date(2024, 2, 29)).start == dt.date(2023, 2, 28)
    assert dashboards.months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)


def test_scope_is_enforced_in_the_sql(store: Path) -> None:
    with dashboards.scoped_connection(store, Scope(organisations=("RAA",), teams=("A ward 2",))) as con:
        orgs = con.execute("SELECT DISTINCT organisation_code, team FROM assignments").fetchall()
        people = {r[0] for r in con.execute("SELECT person_id FROM people").fetchall()}
        absences = con.execute("SELECT count(*) FROM absences").fetchone()
    assert orgs == [("RAA", "A ward 2")]
    assert people == {"a9", "a10", "a11"}
    assert absences == (0,)


def test_overview_figures(store: Path) -> None:
    built = _dash(store, "overview", RAA)
    (summary,) = built.table("summary").rows
    assert summary["group"] == "RAA"
    assert summary["headcount"] == 10
    assert summary["fte"] == pytest.approx(9.0)
    assert (summary["mean_fte_num"], summary["mean_fte_den"]) == (pytest.approx(9.0), 10)
    # Support FTE 7 (ward 1) + 1.0 (two halves in ward 2) over one registered nurse.
    assert summary["ratio"] == pytest.approx(8.0)
    trend = built.table("trend").rows
    assert trend[0]["headcount_index"] == 100.0
    assert trend[-1]["month"] == "2025-03-31" and trend[-1]["headcount"] == 10
    # 12 in post a year before the end: the index at 2024-03-31 relative to the first month (also 12).
    by_month = {r["month"]: r for r in trend}
    assert by_month["2024-03-31"]["headcount"] == 12
    assert by_month["2025-03-31"]["headcount_index"] == pytest.approx(
        round(10 / trend[0]["headcount"] * 100, 1)
    )
    bands = {r["band"]: (r["share_num"], r["share_den"]) for r in built.table("bands").rows}
    assert bands == {"Band 2": (2, 10), "Band 3": (6, 10), "Band 4": (1, 10), "Band 5": (1, 10)}


def test_retention_with_and_without_suppression(store: Path) -> None:
    (full,) = _dash(store, "retention", RAA).table("turnover").rows
    assert (full["joiners"], full["leavers"]) == (0, 2)
    assert (full["leaver_rate_num"], full["leaver_rate_den"]) == (2, 11.0)
    assert (full["stability_num"], full["stability_den"]) == (10, 12)
    (safe,) = _dash(store, "retention", RAA_SUPPRESSED).table("turnover").rows
    assert safe["leavers"] is None and "leavers" in safe["_suppressed"]
    assert safe["leaver_rate"] is None and safe["leaver_rate_num"] is None
    # 10 of 12 stayed gives the 2 leavers away by subtraction, so it is hidden too.
    assert safe["stability_num"] is None
    reasons = {r["reason"]: r["share_num"] for r in _dash(store, "retention", RAA).table("reasons").rows}
    assert sum(reasons.values()) == 2


def test_breakdown_by_team_and_team_scope(store: Path) -> None:
    rows = _dash(store, "overview", RAA, breakdown="team").table("summary").rows
    assert {r["group"]: r["headcount"] for r in rows} == {"A ward 1": 8, "A ward 2": 2}
    ward = _dash(store, "overview", Scope(organisations=("RAA",), teams=("A ward 1",), individual_level=True))
    assert ward.table("summary").rows[0]["headcount"] == 8
    suppressed = _dash(store, "overview", RAA_SUPPRESSED, breakdown="team").table("summary").rows
    assert {r["group"]: r["headcount"] for r in suppressed} == {"A ward 1": 8, "A ward 2": None}


def test_progression(store: Path) -> None:
    built = _dash(store, "progression", RAA)
    band3 = {
        r["outcome"]: (r["all_num"], r["all_den"], r["stayed_num"])
        for r in built.table("bands").rows
        if r["from_band"] == "Band 3"
    }
    assert band3["Higher band"] == (1, 8, 1)
    assert band3["Left"] == (1, 8, None)
    assert band3["Same band"] == (6, 8, 6)
    roles = {(r["from_role"], r["to_role"]): r["share_num"] for r in built.table("roles").rows}
    assert roles[("Healthcare Assistant", "Assistant Practitioner")] == 1
    assert roles[("Healthcare Assistant", "Left")] == 2
    by_age = built.table("by_age_band").rows
    assert sum(r["higher_num"] for r in by_age) == 1
    assert sum(r["higher_den"] for r in by_age) == 12


def test_sickness(store: Path) -> None:
    built = _dash(store, "sickness", RAA)
    may = next(r for r in built.table("monthly").rows if r["month"] == "2024-05-31")
    # Days available in May: 9 people at FTE 1 and 3 at 0.5 in post all month, 31 days.
    assert may["rate_den"] == pytest.approx(10.5 * 31)
    assert may["rate_num"] == pytest.approx(10.0)
    june = next(r for r in built.table("monthly").rows if r["month"] == "2024-06-30")
    assert june["rate_num"] == 0  # b1's June absence is in RBB, outside the scope
    (reason,) = built.table("reasons").rows
    assert reason["reason"].startswith("S10") and reason["rate_num"] == pytest.approx(10.0)
    # By reason, days lost are over all the window's days available: the twelve months' added up.
    assert reason["rate_den"] == pytest.approx(sum(r["rate_den"] for r in built.table("monthly").rows))
    (overall,) = built.table("groups").rows
    assert overall["rate_num"] == pytest.approx(10.0)
    # One person's absence is not shown without individual-level access.
    safe = _dash(store, "sickness", RAA_SUPPRESSED)
    may_safe = next(r for r in safe.table("monthly").rows if r["month"] == "2024-05-31")
    assert may_safe["rate"] is None and "rate" in may_safe["_suppressed"]
    assert safe.table("reasons").rows[0]["rate_num"] is None


def test_charts_hold_only_shown_figures(store: Path) -> None:
    table = _dash(store, "overview", RAA_SUPPRESSED, breakdown="team").table("summary")
    values = table.chart["data"]["values"] if table.chart else []
    assert [v["category"] for v in values] == ["A ward 1"]
    assert "1 suppressed" in table.chart_alt
    spec = charts.bar(
        table.rows,
        category="group",
        value="headcount",
        title="t",
        category_title="Team",
        value_title="Headcount",
    )
    assert spec["encoding"]["x"]["field"] == "value" and spec["description"]


def test_presented_tables_and_exports(store: Path) -> None:
    built = _dash(store, "retention", RAA_SUPPRESSED, breakdown="team")
    table = built.table("turnover")
    shown = presenters.present_table(table, {"A ward 1": "/x/"})
    ward2 = next(r for r in shown["rows"] if r[0]["text"] == "A ward 2")
    assert ward2[2]["text"] == SUPPRESSED
    assert shown["rows"][0][0]["href"] == "/x/"
    assert "</" not in shown["chart_json"]
    json.loads(shown["chart_json"])
    csv_text = presenters.table_csv(built, table).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Team,Joiners,Leavers,Leaver rate (%)")
    assert "[c]" in csv_text
    xlsx = presenters.table_xlsx(built, table, "Organisation A")
    assert xlsx[:2] == b"PK"


def test_formula_like_labels_are_kept_as_text() -> None:
    table = dashboards.Table(
        key="t",
        title="T",
        caption="c",
        columns=[dashboards.Column("group", "Team")],
        rows=[{"group": "=cmd()"}],
    )
    built = dashboards.Dashboard("overview", "Overview", WINDOW, "team", [table], True, None)
    assert "'=cmd()" in presenters.table_csv(built, table).decode("utf-8-sig")


def test_empty_store(tmp_path: Path) -> None:
    assert dashboards.dashboard(tmp_path / "none", "overview", scope=RAA) is None


def test_unknown_dashboard_or_breakdown(store: Path) -> None:
    with pytest.raises(dashboards.DashboardError):
        _dash(store, "nonsense", RAA)
    with pytest.raises(dashboards.DashboardError):
        _dash(store, "overview", RAA, breakdown="religion")


def test_retention_curve(store: Path) -> None:
    built = _dash(store, "retention", RAA, breakdown="organisation_code")
    (tenure,) = built.table("tenure").rows
    assert tenure["group"] == "RAA"
    assert (tenure["people"], tenure["leavers"]) == (12, 2)
    points = built.table("curve").rows
    known = [p["survival"] for p in points if p["survival"] is not None]
    # Everyone entered observation already in post (left truncation), so early tenures have no estimate; the
    # two leavers make the curve step down from 1 and it never rises.
    assert known[0] == 1.0 and known[-1] < 1.0
    assert known == sorted(known, reverse=True)
    assert built.table("curve").chart is not None
    (safe,) = _dash(store, "retention", RAA_SUPPRESSED, breakdown="organisation_code").table("tenure").rows
    assert safe["people"] == 12 and safe["leavers"] is None


def test_fairness(store: Path) -> None:
    rows = _dash(store, "fairness", RAA).table("likelihoods").rows
    progression = next(r for r in rows if r["indicator"].startswith("Moving to a higher band"))
    # Ethnic category "M" (Mixed, so BME) for a1, a4, a7, a10 and "A" (White) for the other eight; a7 has the
    # one promotion.
    assert (progression["a_name"], progression["a_num"], progression["a_den"]) == ("White", 0, 8)
    assert (progression["b_name"], progression["b_num"], progression["b_den"]) == ("BME", 1, 4)
    assert progression["reading"] == "Too few people to read"
    safe = _dash(store, "fairness", RAA_SUPPRESSED).table("likelihoods").rows
    progression = next(r for r in safe if r["indicator"].startswith("Moving to a higher band"))
    # Zero of 8 names nobody and is shown; the BME group of 4 is too small to show at all, and so is the ratio.
    assert (progression["a_num"], progression["a_den"]) == (0, 8)
    assert progression["b_num"] is None and progression["b_den"] is None and progression["value"] is None
    assert "b_den" in progression["_suppressed"]


def _appointments(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["indicator"]: r for r in rows if r["indicator"].startswith("Appointment from shortlisting")}


ETHNICITY = "Appointment from shortlisting, by ethnicity (WRES indicator 2)"
DISABILITY = "Appointment from shortlisting, by disability (WDES metric 2)"


def test_recruitment_is_scoped_by_its_own_organisation_code(store: Path) -> None:
    with dashboards.scoped_connection(store, RAA) as con:
        found = con.execute("SELECT DISTINCT organisation_code FROM recruitment").fetchall()
        count = con.execute("SELECT count(*) FROM recruitment").fetchone()
    # RAA's 38 coded applications; never RBB's, nor the uncoded ones whose vacancy starts "RAA-".
    assert found == [("RAA",)] and count == (38,)
    with dashboards.scoped_connection(store, Scope(organisations=("RAA",), teams=("A ward 1",))) as con:
        assert con.execute("SELECT count(*) FROM recruitment").fetchone() == (0,)


def test_fairness_shows_the_organisations_own_appointment_indicators(store: Path) -> None:
    found = _appointments(_dash(store, "fairness", RAA).table("likelihoods").rows)
    assert set(found) == {ETHNICITY, DISABILITY}
    ethnicity, disability = found[ETHNICITY], found[DISABILITY]
    # Worked out in dashboard_store's docstring: RBB's applications (7 and 9) and the uncoded ones (8) stay out.
    assert (ethnicity["a_name"], ethnicity["a_num"], ethnicity["a_den"]) == ("White", 10, 20)
    assert (ethnicity["b_name"], ethnicity["b_num"], ethnicity["b_den"]) == ("BME", 2, 10)
    assert ethnicity["value"] == pytest.approx(2.5)
    assert ethnicity["reading"] == "Too few people to read"  # 2 appointed BME applicants
    assert (disability["a_num"], disability["a_den"], disability["b_num"], disability["b_den"]) == (
        11,
        24,
        1,
        6,
    )
    assert disability["value"] == pytest.approx(2.75)
    safe = _appointments(_dash(store, "fairness", RAA_SUPPRESSED).table("likelihoods").rows)[ETHNICITY]
    assert (safe["a_num"], safe["a_den"], safe["b_den"]) == (10, 20, 10)
    assert safe["b_num"] is None and safe["value"] is None and "b_num" in safe["_suppressed"]


def test_fairness_by_organisation_keeps_each_organisations_applications_apart(store: Path) -> None:
    alliance = Scope(organisations=("RAA", "RBB"), individual_level=True)
    rows = _dash(store, "fairness", alliance).table("likelihoods").rows
    by_org = {r["organisation"]: r for r in rows if r["indicator"] == ETHNICITY}
    assert set(by_org) == {"RAA", "RBB"}
    assert (by_org["RAA"]["a_num"], by_org["RAA"]["a_den"], by_org["RAA"]["b_num"]) == (10, 20, 2)
    assert (by_org["RBB"]["a_num"], by_org["RBB"]["a_den"], by_org["RBB"]["b_num"]) == (7, 7, 3)
    assert by_org["RBB"]["value"] == pytest.approx(3.0)


def test_no_appointment_indicators_without_coded_applications(store: Path) -> None:
    # A team's page reads no applications (they name no team), so the indicators are left out, not zeros.
    team = Scope(organisations=("RAA",), teams=("A ward 1",), individual_level=True)
    rows = _dash(store, "fairness", team).table("likelihoods").rows
    assert not _appointments(rows)
    assert any(r["indicator"].startswith("Moving to a higher band") for r in rows)
