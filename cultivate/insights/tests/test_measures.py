"""Each measure on a hand-made extract equals the value worked out by hand (arithmetic in the comments).

Unless a test says otherwise the window is W = [2019-03-31, 2020-03-31]: its days are 2019-04-01 … 2020-03-31,
366 of them (2020 is a leap year). Spells are Permanent, band 3, FTE 1.0, organisation RXX unless given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from cultivate.insights.measures import (
    STANDARD_MEASURES,
    Frame,
    MeasureError,
    compute_measures,
    leaver_rate,
    measures_on,
)
from cultivate.insights.store import TABLES, connect, publish_dataset, staging, write_table

D = dt.date
W = ("2019-03-31", "2020-03-31")


# Building hand-made stores ----------------------------------------------------------------------------------
def spell(
    assignment_id: str,
    person_id: str,
    start: dt.date,
    end: dt.date | None = None,
    *,
    org: str = "RXX",
    band: str = "3",
    fte: float = 1.0,
    contract: str = "Permanent",
    role: str = "Healthcare Assistant",
    reason: str | None = None,
    team: str = "Ward 1",
    staff_group: str = "Support to doctors, nurses & midwives",
) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "person_id": person_id,
        "organisation_code": org,
        "team": team,
        "occupation_code": "H1D",
        "job_role": role,
        "job_title": role,
        "afc_band": band,
        "staff_group": staff_group,
        "area_of_work": "Mental Health",
        "contract_type": contract,
        "fte": fte,
        "start_date": start,
        "end_date": end,
        "leaving_reason": reason,
    }


def absence(person_id: str, start: dt.date, end: dt.date | None) -> dict[str, Any]:
    return {"person_id": person_id, "start_date": start, "end_date": end, "reason": None}


def build_store(
    path: Path,
    assignments: list[dict[str, Any]],
    *,
    people: list[dict[str, Any]] | None = None,
    absences: list[dict[str, Any]] | None = None,
    training: list[dict[str, Any]] | None = None,
    extract_date: str | None = "2020-03-31",
) -> Path:
    """A store with one dataset written through the store's own staging/write_table/publish_dataset."""
    known = {p["person_id"] for p in people or []}
    everyone = list(people or []) + [
        {"person_id": pid} for pid in dict.fromkeys(a["person_id"] for a in assignments) if pid not in known
    ]
    tables = {
        "people": everyone,
        "assignments": assignments,
        "absences": absences or [],
        "training": training or [],
    }
    with staging(path) as folder:
        for table, rows in tables.items():
            columns = TABLES[table]
            arrow = pa.Table.from_pylist(
                [{c: row.get(c) for c in columns} for row in rows],
                schema=pa.schema([(c, _arrow_type(kind)) for c, kind in columns.items()]),
            )
            con = duckdb.connect()
            con.register("rows", arrow)
            write_table(folder, table, "SELECT * FROM rows", con)
            con.close()
        publish_dataset(path, "hand", folder, {"extract_date": extract_date} if extract_date else {})
    return path


def _arrow_type(kind: str) -> pa.DataType:
    return {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }[kind]


def row_of(rows: list[dict[str, Any]], measure: str, **group: Any) -> dict[str, Any]:
    found = [r for r in rows if r["measure"] == measure and r["group"] == group]
    assert len(found) == 1, f"{measure} {group}: {len(found)} rows in {[r['group'] for r in rows]}"
    return found[0]


def triple(rows: list[dict[str, Any]], measure: str, **group: Any) -> tuple[Any, Any, Any]:
    row = row_of(rows, measure, **group)
    return row["numerator"], row["denominator"], row["value"]


# Headcount and FTE ------------------------------------------------------------------------------------------
@pytest.fixture
def two_jobs(tmp_path: Path) -> Path:
    return build_store(
        tmp_path / "store",
        [
            # p1 works in two organisations: 0.6 in RXX and 0.4 in RYY.
            spell("a1", "p1", D(2018, 1, 1), org="RXX", fte=0.6),
            spell("a2", "p1", D(2018, 1, 1), org="RYY", fte=0.4),
            spell("a3", "p2", D(2018, 1, 1), org="RXX", fte=1.0),
            # p3 starts on the window end (active on e), p4's spell ends on it (still active on e).
            spell("a4", "p3", D(2020, 3, 31), org="RYY", fte=0.5),
            spell("a5", "p4", D(2018, 1, 1), D(2020, 3, 31), org="RXX", fte=0.8, reason="Retirement Age"),
            # p5 left the day before the window end: not in post on e.
            spell("a6", "p5", D(2018, 1, 1), D(2020, 3, 30), org="RXX", reason="Retirement Age"),
            # p6 is bank only: never counted.
            spell("a7", "p6", D(2018, 1, 1), org="RXX", contract="Bank"),
        ],
    )


def test_headcount_counts_a_person_once_and_fte_sums_their_spells(two_jobs: Path) -> None:
    rows = compute_measures(two_jobs, W, measures=["headcount", "fte", "mean_fte"])
    # On e: p1 (two spells), p2, p3, p4 = 4 people; p5 left the day before; p6 is bank.
    assert triple(rows, "headcount") == (4, None, 4)
    # FTE on e: 0.6 + 0.4 (p1) + 1.0 (p2) + 0.5 (p3) + 0.8 (p4) = 3.3
    assert triple(rows, "fte") == (3.3, None, 3.3)
    # Mean FTE: 3.3 / 4 = 0.825
    assert triple(rows, "mean_fte") == (3.3, 4, 0.825)


def test_headcount_by_organisation_does_not_add_up_across_organisations(two_jobs: Path) -> None:
    rows = compute_measures(two_jobs, W, by=["organisation_code"], measures=["headcount", "fte"])
    # RXX on e: p1, p2, p4 = 3; RYY on e: p1, p3 = 2. 3 + 2 = 5 > 4 people: p1 is in both.
    assert triple(rows, "headcount", organisation_code="RXX") == (3, None, 3)
    assert triple(rows, "headcount", organisation_code="RYY") == (2, None, 2)
    # FTE does add: RXX 0.6 + 1.0 + 0.8 = 2.4; RYY 0.4 + 0.5 = 0.9; 2.4 + 0.9 = 3.3.
    assert triple(rows, "fte", organisation_code="RXX") == (2.4, None, 2.4)
    assert triple(rows, "fte", organisation_code="RYY") == (0.9, None, 0.9)


def test_bank_spells_are_excluded_even_when_grouping_by_contract_type(two_jobs: Path) -> None:
    rows = compute_measures(two_jobs, W, by=["contract_type"], measures=["headcount"])
    assert [r["group"] for r in rows] == [{"contract_type": "Permanent"}]
    assert triple(rows, "headcount", contract_type="Permanent") == (4, None, 4)


# Leavers, joiners, rates and stability ----------------------------------------------------------------------
@pytest.fixture
def turnover(tmp_path: Path) -> Path:
    return build_store(
        tmp_path / "store",
        [
            spell("a", "a", D(2015, 1, 1)),  # in post throughout: stays
            spell("b", "b", D(2015, 1, 1), D(2019, 8, 31), reason="Voluntary Resignation - Relocation"),
            # c leaves and comes back inside the window: in post on s and on e, so not a leaver.
            spell(
                "c1", "c", D(2015, 1, 1), D(2019, 6, 30), reason="Voluntary Resignation - Work Life Balance"
            ),
            spell("c2", "c", D(2019, 12, 1)),
            spell("d", "d", D(2019, 5, 1)),  # joins
            spell("f", "f", D(2019, 5, 1), D(2019, 10, 31), reason="Dismissal - Conduct"),  # in and out
            spell("g", "g", D(2015, 1, 1), D(2019, 3, 31), reason="Retirement Age"),  # last day is s
            spell("h", "h", D(2020, 3, 31)),  # first day is e
            # r leaves in this window and comes back in the next.
            spell("r1", "r", D(2015, 1, 1), D(2019, 9, 30), reason="Voluntary Resignation - Health"),
            spell("r2", "r", D(2020, 6, 1)),
            # A bank spell keeps nobody in post: k leaves although she works bank shifts afterwards.
            spell("k1", "k", D(2015, 1, 1), D(2019, 9, 30), reason=None),
            spell("k2", "k", D(2019, 10, 1), contract="Bank"),
        ],
        extract_date="2021-03-31",
    )


def test_leavers_joiners_rates_and_stability(turnover: Path) -> None:
    rows = compute_measures(turnover, W)
    # In post on s (2019-03-31): a, b, c, g, r, k = 6. On e (2020-03-31): a, c, d, h = 4.
    # Leavers (on s, not on e): b, g, r, k = 4. Joiners (on e, not on s): d, h = 2. f is neither; c is not a
    # leaver (back before e).
    assert triple(rows, "leavers") == (4, None, 4)
    assert triple(rows, "joiners") == (2, None, 2)
    # Leaver rate = 4 / mean(6, 4) = 4 / 5 = 0.8; joiner rate = 2 / 5 = 0.4.
    assert triple(rows, "leaver_rate") == (4, 5.0, 0.8)
    assert triple(rows, "joiner_rate") == (2, 5.0, 0.4)
    # Stability = 1 − 4 / 6 = 2 / 6 (stayers a, c ÷ in post at s) = 0.333333
    assert triple(rows, "stability_index") == (2, 6, 0.333333)


def test_a_leaver_who_returns_is_a_joiner_of_a_later_window(turnover: Path) -> None:
    later = compute_measures(turnover, ("2020-03-31", "2021-03-31"), measures=["leavers", "joiners"])
    # On 2020-03-31: a, c, d, h (4). On 2021-03-31: a, c, d, h, r = 5. r is the only joiner; nobody leaves.
    assert triple(later, "joiners") == (1, None, 1)
    assert triple(later, "leavers") == (0, None, 0)


def test_leaving_reasons_of_the_leavers(turnover: Path) -> None:
    rows = compute_measures(turnover, W, measures=["leaving_reason_share", "leaving_reason_group_share"])
    # Leavers b, g, r, k. Reasons: b Relocation, g Retirement Age, r Health, k none recorded. c's reason is
    # not counted (c is back by e), nor f's (f was not in post on s).
    assert triple(rows, "leaving_reason_share", leaving_reason="Voluntary Resignation - Relocation") == (
        1,
        4,
        0.25,
    )
    assert triple(rows, "leaving_reason_share", leaving_reason="Retirement Age") == (1, 4, 0.25)
    assert triple(rows, "leaving_reason_share", leaving_reason="Voluntary Resignation - Health") == (
        1,
        4,
        0.25,
    )
    assert triple(rows, "leaving_reason_share", leaving_reason="Not recorded") == (1, 4, 0.25)
    assert len([r for r in rows if r["measure"] == "leaving_reason_share"]) == 4
    # Groups from the reference file: two voluntary resignations (b, r) = 2 / 4; retirement 1 / 4.
    assert triple(rows, "leaving_reason_group_share", leaving_reason_group="Voluntary resignation") == (
        2,
        4,
        0.5,
    )
    assert triple(rows, "leaving_reason_group_share", leaving_reason_group="Retirement") == (1, 4, 0.25)
    assert triple(rows, "leaving_reason_group_share", leaving_reason_group="Not recorded") == (1, 4, 0.25)


def test_a_reason_not_in_the_reference_list_is_grouped_as_other(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s", [spell("x", "x", D(2015, 1, 1), D(2019, 5, 31), reason="Went to sea")]
    )
    rows = compute_measures(store, W, measures=["leaving_reason_group_share"])
    # One leaver with an unknown reason: Other/Unknown = 1 / 1.
    assert triple(rows, "leaving_reason_group_share", leaving_reason_group="Other/Unknown") == (1, 1, 1.0)


def test_a_move_between_organisations_is_a_leaver_of_one_and_a_joiner_of_the_other(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [
            spell("m1", "m", D(2015, 1, 1), D(2019, 9, 30), org="RXX", reason="Employee Transfer"),
            spell("m2", "m", D(2019, 10, 1), org="RYY"),
            spell("n", "n", D(2015, 1, 1), org="RXX"),
        ],
    )
    rows = compute_measures(
        store, W, by=["organisation_code"], measures=["leavers", "joiners", "leaver_rate"]
    )
    # RXX: on s m, n (2); on e n (1); leavers m = 1; rate 1 / mean(2, 1) = 1 / 1.5 = 0.666667.
    assert triple(rows, "leaver_rate", organisation_code="RXX") == (1, 1.5, 0.666667)
    # RYY: on s nobody; on e m; joiners 1, leavers 0.
    assert triple(rows, "joiners", organisation_code="RYY") == (1, None, 1)
    assert triple(rows, "leavers", organisation_code="RYY") == (0, None, 0)
    # Ungrouped, m was in post on both dates: no leaver at all.
    overall = compute_measures(store, W, measures=["leavers"])
    assert triple(overall, "leavers") == (0, None, 0)


# Sickness absence -------------------------------------------------------------------------------------------
def test_fte_days_available_over_part_years(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [
            spell("full", "p1", D(2015, 1, 1), fte=1.0),
            spell("late", "p2", D(2019, 10, 1), fte=0.5),
            spell("early", "p3", D(2015, 1, 1), D(2019, 6, 30), fte=0.8, reason="Retirement Age"),
            spell("bank", "p4", D(2015, 1, 1), fte=1.0, contract="Bank"),
            spell("before", "p5", D(2015, 1, 1), D(2019, 3, 31), fte=1.0, reason="Retirement Age"),
        ],
    )
    rows = compute_measures(store, W, measures=["sickness_absence_rate"])
    # p1: 366 days × 1.0 = 366
    # p2: 2019-10-01 … 2020-03-31 = 31+30+31+31+29+31 = 183 days × 0.5 = 91.5
    # p3: 2019-04-01 … 2019-06-30 = 30+31+30 = 91 days × 0.8 = 72.8
    # p4 bank: 0. p5 ends on s, which is not a day of the window: 0.
    # Available = 366 + 91.5 + 72.8 = 530.3; nobody was off sick.
    assert triple(rows, "sickness_absence_rate") == (0.0, 530.3, 0.0)


def test_fte_days_lost_cut_at_the_window_edges_and_merged(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [
            spell("p1", "p1", D(2015, 1, 1), fte=1.0),
            spell("p2a", "p2", D(2015, 1, 1), D(2019, 12, 31), fte=1.0, band="3"),
            spell("p2b", "p2", D(2020, 1, 1), fte=0.6, band="4"),
            spell("p3x", "p3", D(2015, 1, 1), fte=0.6, org="RXX"),
            spell("p3y", "p3", D(2015, 1, 1), fte=0.4, org="RYY"),
            spell("p4", "p4", D(2015, 1, 1), fte=1.0, contract="Bank"),
        ],
        absences=[
            absence("p1", D(2019, 3, 25), D(2019, 4, 5)),  # crosses s: 04-01 … 04-05 = 5 days
            absence("p1", D(2020, 3, 20), D(2020, 4, 10)),  # crosses e: 03-20 … 03-31 = 12 days
            absence("p1", D(2019, 5, 1), D(2019, 5, 10)),  # these two overlap: 05-01 … 05-12 = 12 days
            absence("p1", D(2019, 5, 5), D(2019, 5, 12)),
            absence("p1", D(2019, 3, 1), D(2019, 3, 31)),  # before the window (ends on s): 0
            absence("p2", D(2019, 12, 20), D(2020, 1, 10)),  # across p2's change of spell
            absence("p3", D(2019, 7, 1), D(2019, 7, 10)),  # 10 days for someone in two organisations
            absence("p4", D(2019, 7, 1), D(2019, 7, 10)),  # bank: 0
        ],
    )
    rows = compute_measures(store, W, measures=["sickness_absence_rate"])
    # Lost: p1 5 + 12 + 12 = 29 × 1.0 = 29
    #       p2 12-20 … 12-31 = 12 days × 1.0 + 01-01 … 01-10 = 10 days × 0.6 = 12 + 6 = 18
    #       p3 10 days × (0.6 + 0.4) = 10
    #       total 29 + 18 + 10 = 57
    # Available: p1 366; p2 2019-04-01 … 2019-12-31 = 275 × 1.0 + 91 × 0.6 = 275 + 54.6 = 329.6;
    #            p3 366 × 0.6 + 366 × 0.4 = 366; total 366 + 329.6 + 366 = 1061.6
    # Rate 57 / 1061.6 = 0.0536925… = 0.053693 to six places
    assert triple(rows, "sickness_absence_rate") == (57.0, 1061.6, 0.053693)
    by_org = compute_measures(store, W, by=["organisation_code"], measures=["sickness_absence_rate"])
    # RYY has only p3's 0.4 spell: lost 10 × 0.4 = 4, available 366 × 0.4 = 146.4, rate 0.027322.
    assert triple(by_org, "sickness_absence_rate", organisation_code="RYY") == (4.0, 146.4, 0.027322)
    # RXX: lost 57 − 4 = 53, available 1061.6 − 146.4 = 915.2, rate 0.057911.
    assert triple(by_org, "sickness_absence_rate", organisation_code="RXX") == (53.0, 915.2, 0.057911)


def test_open_episodes_and_episodes_past_the_extract_date_are_cut_at_it(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [spell("p1", "p1", D(2015, 1, 1)), spell("p2", "p2", D(2015, 1, 1))],
        absences=[
            absence("p1", D(2020, 2, 20), None),  # still open: cut at the extract date 2020-02-29
            absence("p2", D(2020, 2, 25), D(2020, 3, 20)),  # recorded past the extract date: cut too
        ],
        extract_date="2020-02-29",
    )
    rows = compute_measures(store, W, measures=["sickness_absence_rate"])
    # p1: 02-20 … 02-29 = 10 days; p2: 02-25 … 02-29 = 5 days; lost 15.
    # Available is still every day of the window: 2 × 366 = 732. Rate 15 / 732 = 0.020492.
    assert triple(rows, "sickness_absence_rate") == (15.0, 732.0, 0.020492)


def test_an_open_episode_without_an_extract_date_is_cut_at_the_window_end(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [spell("p1", "p1", D(2015, 1, 1))],
        absences=[absence("p1", D(2020, 3, 30), None)],
        extract_date=None,
    )
    rows = compute_measures(store, W, measures=["sickness_absence_rate"])
    # 03-30 … 03-31 = 2 days of 366.
    assert triple(rows, "sickness_absence_rate") == (2.0, 366.0, 0.005464)


def test_consecutive_windows_share_no_day(tmp_path: Path) -> None:
    store = build_store(
        tmp_path / "s",
        [spell("p1", "p1", D(2015, 1, 1), fte=0.5)],
        absences=[absence("p1", D(2019, 9, 25), D(2019, 10, 4))],
    )
    first = compute_measures(store, ("2019-03-31", "2019-09-30"), measures=["sickness_absence_rate"])
    second = compute_measures(store, ("2019-09-30", "2020-03-31"), measures=["sickness_absence_rate"])
    whole = compute_measures(store, W, measures=["sickness_absence_rate"])
    # First half: 09-25 … 09-30 = 6 days × 0.5 = 3 lost; 183 days × 0.5 = 91.5 available.
    # Second half: 10-01 … 10-04 = 4 × 0.5 = 2 lost; 183 × 0.5 = 91.5 available.
    # Whole year: 10 × 0.5 = 5 lost of 366 × 0.5 = 183: numerators and denominators add up.
    assert triple(first, "sickness_absence_rate")[:2] == (3.0, 91.5)
    assert triple(second, "sickness_absence_rate")[:2] == (2.0, 91.5)
    assert triple(whole, "sickness_absence_rate")[:2] == (5.0, 183.0)


# Band progression and role transitions ---------------------------------------------------------------------
@pytest.fixture
def careers(tmp_path: Path) -> Path:
    return build_store(
        tmp_path / "store",
        [
            # p: band 2 → band 3 mid-window, and a new role: higher.
            spell("p1", "p", D(2015, 1, 1), D(2019, 9, 30), band="2"),
            spell("p2", "p", D(2019, 10, 1), band="3", role="Senior Healthcare Assistant"),
            # q: band 3 throughout: same.
            spell("q", "q", D(2015, 1, 1), band="3"),
            # r: band 4 → band 3 on 2019-07-01: lower.
            spell("r1", "r", D(2015, 1, 1), D(2019, 6, 30), band="4", role="Assistant Practitioner"),
            spell("r2", "r", D(2019, 7, 1), band="3"),
            # t: band 2, leaves: left.
            spell(
                "t", "t", D(2015, 1, 1), D(2019, 11, 30), band="2", reason="Voluntary Resignation - Promotion"
            ),
            # u: band 3 → 4 → back to 3 by e: same (only s and e are compared).
            spell("u1", "u", D(2015, 1, 1), D(2019, 6, 30), band="3"),
            spell("u2", "u", D(2019, 7, 1), D(2019, 12, 31), band="4"),
            spell("u3", "u", D(2020, 1, 1), band="3"),
            # v works in two organisations: band 2 (RXX) and band 4 (RYY); RXX moves to band 3 on 2019-10-01.
            spell("v1", "v", D(2015, 1, 1), D(2019, 9, 30), band="2", org="RXX"),
            spell("v2", "v", D(2019, 10, 1), band="3", org="RXX"),
            spell("v3", "v", D(2015, 1, 1), band="4", org="RYY", role="Assistant Practitioner", fte=0.4),
            # w: band 3 → NA (off Agenda for Change): other.
            spell("w1", "w", D(2015, 1, 1), D(2019, 9, 30), band="3"),
            spell("w2", "w", D(2019, 10, 1), band="NA", role="Apprentice", org="RXX"),
            # x holds band 2 and an NA post elsewhere: band 2 (an AfC band outranks NA), the same at e.
            spell("x1", "x", D(2015, 1, 1), band="2"),
            spell("x2", "x", D(2015, 1, 1), band="NA", org="RYY", role="Apprentice"),
            # y joins in the window: not in the progression at all.
            spell("y", "y", D(2019, 6, 1), band="2"),
        ],
    )


def test_progression_by_band_including_and_excluding_leavers(careers: Path) -> None:
    rows = compute_measures(careers, W, measures=["progression", "progression_excluding_leavers"])
    # Band at s (highest among active spells): p 2, q 3, r 4, t 2, u 3, v 4 (2 and 4), w 3, x 2 (2 and NA).
    # Band at e: p 3, q 3, r 3, t left, u 3, v 4 (3 and 4), w NA, x 2.
    # From band 2: p higher, t left, x same → 3 people.
    assert triple(rows, "progression", from_band="2", outcome="higher") == (1, 3, 0.333333)
    assert triple(rows, "progression", from_band="2", outcome="same") == (1, 3, 0.333333)
    assert triple(rows, "progression", from_band="2", outcome="left") == (1, 3, 0.333333)
    assert triple(rows, "progression", from_band="2", outcome="lower") == (0, 3, 0.0)
    # From band 3: q same, u same, w other (to NA) → 3 people.
    assert triple(rows, "progression", from_band="3", outcome="same") == (2, 3, 0.666667)
    assert triple(rows, "progression", from_band="3", outcome="other") == (1, 3, 0.333333)
    # From band 4: r lower, v same → 2 people.
    assert triple(rows, "progression", from_band="4", outcome="lower") == (1, 2, 0.5)
    assert triple(rows, "progression", from_band="4", outcome="same") == (1, 2, 0.5)
    # Excluding leavers, band 2 has p and x: higher 1 / 2, same 1 / 2, and no `left` row.
    assert triple(rows, "progression_excluding_leavers", from_band="2", outcome="higher") == (1, 2, 0.5)
    assert triple(rows, "progression_excluding_leavers", from_band="2", outcome="same") == (1, 2, 0.5)
    assert not [r for r in rows if r["group"].get("outcome") == "left" and "excluding" in r["measure"]]
    # Every from-band gets every outcome, zeros included: 3 bands × 5 outcomes, and × 4 without `left`.
    assert len([r for r in rows if r["measure"] == "progression"]) == 15
    assert len([r for r in rows if r["measure"] == "progression_excluding_leavers"]) == 12


def test_progression_within_each_organisation(careers: Path) -> None:
    rows = compute_measures(careers, W, by=["organisation_code"], measures=["progression"])
    # In RXX, v is band 2 at s and band 3 at e: higher. With p also higher and t left, x same:
    # RXX from band 2 = p, t, v, x: higher 2 / 4.
    assert triple(rows, "progression", organisation_code="RXX", from_band="2", outcome="higher") == (
        2,
        4,
        0.5,
    )
    # In RYY, v is band 4 at both dates (same); x is NA at both (same, from band NA).
    assert triple(rows, "progression", organisation_code="RYY", from_band="4", outcome="same") == (1, 1, 1.0)
    assert triple(rows, "progression", organisation_code="RYY", from_band="NA", outcome="same") == (1, 1, 1.0)


def test_role_transitions(careers: Path) -> None:
    rows = compute_measures(careers, W, measures=["role_transition"])
    # Role at a date = role of the main spell (highest band, then FTE). At s (8 people):
    #   Healthcare Assistant: p, q, t, u, w, x (x's band 2 spell beats the NA apprentice post) = 6
    #   Assistant Practitioner: r, v (band 4 beats band 2) = 2
    # At e: p Senior Healthcare Assistant; q, u, x HCA; t left; w Apprentice; r HCA; v AP.
    hca, ap = "Healthcare Assistant", "Assistant Practitioner"
    assert triple(rows, "role_transition", from_role=hca, to_role=hca) == (3, 6, 0.5)  # q, u, x
    assert triple(rows, "role_transition", from_role=hca, to_role="Senior Healthcare Assistant") == (
        1,
        6,
        0.166667,
    )
    assert triple(rows, "role_transition", from_role=hca, to_role="left") == (1, 6, 0.166667)
    assert triple(rows, "role_transition", from_role=hca, to_role="Apprentice") == (1, 6, 0.166667)
    assert triple(rows, "role_transition", from_role=ap, to_role=hca) == (1, 2, 0.5)  # r
    assert triple(rows, "role_transition", from_role=ap, to_role=ap) == (1, 2, 0.5)  # v
    assert len([r for r in rows if r["measure"] == "role_transition"]) == 6


def test_band_share_on_the_window_end(careers: Path) -> None:
    rows = compute_measures(careers, W, measures=["band_share"])
    # On e, 8 people (p, q, r, u, v, w, x, y): band 2 x, y = 2; band 3 p, q, r, u = 4; band 4 v = 1; NA w = 1.
    assert triple(rows, "band_share", band="2") == (2, 8, 0.25)
    assert triple(rows, "band_share", band="3") == (4, 8, 0.5)
    assert triple(rows, "band_share", band="4") == (1, 8, 0.125)
    assert triple(rows, "band_share", band="NA") == (1, 8, 0.125)
    assert [r["group"]["band"] for r in rows] == ["2", "3", "4", "NA"]


# Support-to-registered ratio --------------------------------------------------------------------------------
def test_support_to_registered_ratio(tmp_path: Path) -> None:
    nurses = "Nurses & health visitors"
    store = build_store(
        tmp_path / "s",
        [
            spell("s1", "s1", D(2015, 1, 1), fte=1.0),
            spell("s2", "s2", D(2015, 1, 1), fte=1.0),
            spell("s3", "s3", D(2015, 1, 1), fte=0.5),
            spell("s4", "s4", D(2015, 1, 1), fte=0.5),
            spell("s5", "s5", D(2015, 1, 1), fte=1.0, contract="Bank"),
            spell("n1", "n1", D(2015, 1, 1), fte=1.0, staff_group=nurses, band="5"),
            spell("n2", "n2", D(2015, 1, 1), fte=0.5, staff_group=nurses, band="6"),
            spell("o1", "o1", D(2015, 1, 1), fte=1.0, staff_group="Administrative and Clerical"),
        ],
    )
    rows = compute_measures(store, W, measures=["support_to_registered_ratio"])
    # Support FTE on e 1 + 1 + 0.5 + 0.5 = 3 (bank excluded); registered 1 + 0.5 = 1.5; ratio 3 / 1.5 = 2.
    assert triple(rows, "support_to_registered_ratio") == (3.0, 1.5, 2.0)


# Person attributes ------------------------------------------------------------------------------------------
def test_age_bands_at_the_window_start_and_ethnic_groups(tmp_path: Path) -> None:
    people: list[dict[str, Any]] = [
        {"person_id": "y1", "birth_date": D(1995, 4, 1), "ethnic_category": "M"},  # 23 on 2019-03-31
        {"person_id": "y2", "birth_date": D(1994, 3, 31), "ethnic_category": "H"},  # 25 that day
        {"person_id": "y3", "birth_year": 1959, "ethnic_category": "A"},  # 2019 − 1959 − 1 = 59 (before July)
        {"person_id": "y4", "birth_year": 1958, "ethnic_category": "Z"},  # 60
        {"person_id": "y5", "ethnic_category": "99"},  # no birth date
        {"person_id": "y6", "birth_date": D(1980, 1, 1)},  # 39; no ethnic category
    ]
    store = build_store(
        tmp_path / "s",
        [spell(p["person_id"], p["person_id"], D(2015, 1, 1)) for p in people],
        people=people,
    )
    by_age = compute_measures(store, W, by=["age_band"], measures=["headcount"])
    assert {r["group"]["age_band"]: r["numerator"] for r in by_age} == {
        "<25": 1,
        "25-29": 1,
        "35-39": 1,
        "55-59": 1,
        "60+": 1,
        "Not known": 1,
    }
    by_group = compute_measures(store, W, by=["ethnic_group"], measures=["headcount"])
    # M Black, H Asian, A White; Z (not stated), 99 and empty are "Not known".
    assert {r["group"]["ethnic_group"]: r["numerator"] for r in by_group} == {
        "Asian": 1,
        "Black": 1,
        "Not known": 3,
        "White": 1,
    }
    # Age is taken at the window start: a year later y1 (24 on 2020-03-31) is still under 25 and y2 is 26.
    later = compute_measures(
        store, ("2020-03-31", "2021-03-31"), by=["age_band", "sex"], measures=["headcount"]
    )
    assert triple(later, "headcount", age_band="<25", sex=None) == (1, None, 1)
    assert triple(later, "headcount", age_band="25-29", sex=None) == (1, None, 1)


def test_grouping_by_two_columns(two_jobs: Path) -> None:
    rows = compute_measures(two_jobs, W, by=["organisation_code", "afc_band"], measures=["headcount"])
    assert [(r["group"], r["numerator"]) for r in rows] == [
        ({"organisation_code": "RXX", "afc_band": "3"}, 3),
        ({"organisation_code": "RYY", "afc_band": "3"}, 2),
    ]


# The API ----------------------------------------------------------------------------------------------------
def test_every_standard_measure_returns_the_json_shape(careers: Path) -> None:
    rows = compute_measures(careers, W, by=["organisation_code"])
    assert {r["measure"] for r in rows} == set(STANDARD_MEASURES)
    for row in rows:
        assert list(row) == ["measure", "window", "group", "numerator", "denominator", "value"]
        assert row["window"] == list(W)
        assert "organisation_code" in row["group"]
    # Rows come in the order of the measure list.
    order = [r["measure"] for r in rows]
    assert order == sorted(order, key=STANDARD_MEASURES.index)


def test_lower_level_functions_share_one_frame(turnover: Path) -> None:
    con = connect(turnover)
    with Frame(con, W, by=["organisation_code"]) as frame:
        rows = leaver_rate(frame)
    assert triple(rows, "leaver_rate", organisation_code="RXX") == (4, 5.0, 0.8)
    # The frame's temporary tables are gone afterwards.
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE table_name LIKE 'measures_%'").fetchall()
    assert measures_on(con, W, measures=["leavers"]) == compute_measures(turnover, W, measures=["leavers"])


@pytest.mark.parametrize(
    ("window", "by", "measures", "message"),
    [
        ("2020-03-31", None, None, "START:END"),
        ("2020-03-31:2019-03-31", None, None, "must be before"),
        ("2020-03-31:2020-03-31", None, None, "must be before"),
        ("2019-13-01:2020-03-31", None, None, "not a date"),
        (W, ["grade"], None, "Cannot group by grade"),
        (W, None, ["turnover"], "Unknown measure turnover"),
    ],
)
def test_bad_requests_are_refused(
    turnover: Path, window: Any, by: list[str] | None, measures: list[str] | None, message: str
) -> None:
    with pytest.raises(MeasureError, match=message):
        compute_measures(turnover, window, by=by, measures=measures)


def test_a_missing_or_empty_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MeasureError, match="no store"):
        compute_measures(tmp_path / "nowhere", W)
    (tmp_path / "empty").mkdir()
    with pytest.raises(MeasureError, match="holds no datasets"):
        compute_measures(tmp_path / "empty", W)
