"""Relative likelihoods (WRES/WDES style) on hand-made extracts, each worked out by hand in the comments, and
one calibration check on a generated extract.

The window is W = [2019-03-31, 2020-03-31] (days 2019-04-01 … 2020-03-31). Katz's interval for
RR = (a ÷ n1) ÷ (b ÷ n2) is exp(ln RR ± 1.959964 × √(1/a − 1/n1 + 1/b − 1/n2))."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from cultivate.demo.national import PARQUET, generate
from cultivate.insights.analyses import BAND, INDICATORS, katz_interval, relative_likelihoods
from cultivate.insights.extract import IMPORTED, import_extract
from cultivate.insights.measures import MeasureError
from cultivate.insights.store import EXTRACT_TABLES as TABLES
from cultivate.insights.store import connect, publish_dataset, staging, write_table
from cultivate.insights.tests.test_measures import _arrow_type, spell

D = dt.date
W = ("2019-03-31", "2020-03-31")
Z = 1.959963984540054


def build_full_store(path: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """A store with one dataset holding any of the tables (people are added for every person_id used)."""
    rows = {name: list(tables.get(name, [])) for name in TABLES}
    known = {p["person_id"] for p in rows["people"]}
    for table in ("assignments", "casework", "training"):
        for row in rows[table]:
            if row["person_id"] not in known:
                rows["people"].append({"person_id": row["person_id"]})
                known.add(row["person_id"])
    with staging(path) as folder:
        for table, columns in TABLES.items():
            arrow = pa.Table.from_pylist(
                [{c: row.get(c) for c in columns} for row in rows[table]],
                schema=pa.schema([(c, _arrow_type(kind)) for c, kind in columns.items()]),
            )
            con = duckdb.connect()
            con.register("rows", arrow)
            write_table(folder, table, "SELECT * FROM rows", con)
            con.close()
        publish_dataset(path, "hand", folder, {"extract_date": "2020-03-31"})
    return path


def person(person_id: str, ethnic: str | None, disability: str | None = "N") -> dict[str, Any]:
    return {"person_id": person_id, "ethnic_category": ethnic, "disability": disability}


def application(
    n: int, *, ethnic: str, disability: str, appointed: bool, shortlisted: bool = True, **extra: Any
) -> list[dict[str, Any]]:
    rows = []
    for _ in range(n):
        application.count += 1  # type: ignore[attr-defined]
        rows.append(
            {
                "application_id": f"A{application.count}",  # type: ignore[attr-defined]
                "vacancy_id": extra.get("vacancy", "RXX-V1"),
                "organisation_code": extra.get("org"),
                "afc_band": "3",
                "ethnic_category": ethnic,
                "disability": disability,
                "sex": "F",
                "shortlisted": shortlisted,
                "appointed": appointed,
                "decided_on": extra.get("decided", D(2019, 9, 1)),
            }
        )
    return rows


application.count = 0  # type: ignore[attr-defined]


def one(results: list[dict[str, Any]], indicator: str, **group: Any) -> dict[str, Any]:
    found = [r for r in results if r["indicator"] == indicator and r["group"] == group]
    assert len(found) == 1, [(r["indicator"], r["group"]) for r in results]
    return found[0]


def rates(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {g["name"]: (g["numerator"], g["denominator"]) for g in result["groups"]}


# Katz's interval ----------------------------------------------------------------------------------------------
def test_katz_interval_by_hand() -> None:
    # (12/40) ÷ (5/30) = 0.3 ÷ 0.1667 = 1.8; SE = √(1/12 − 1/40 + 1/5 − 1/30) = √0.225 = 0.474342
    value, low, high = katz_interval(12, 40, 5, 30)
    assert value == pytest.approx(1.8)
    assert low == pytest.approx(math.exp(math.log(1.8) - Z * math.sqrt(0.225)))
    assert (low, high) == pytest.approx((0.710415, 4.560714), abs=1e-6)


def test_zero_counts_give_no_ratio_or_no_interval() -> None:
    assert katz_interval(3, 10, 0, 10) == (None, None, None)  # the second rate is 0
    assert katz_interval(3, 0, 2, 10) == (None, None, None)  # no one in the first group
    assert katz_interval(0, 10, 2, 10) == (0.0, None, None)  # a ratio of 0, but no log interval


# Appointment from shortlisting (WRES 2, WDES 2) ----------------------------------------------------------------
@pytest.fixture
def recruitment(tmp_path: Path) -> Path:
    applications = (
        # White: 40 shortlisted, 12 appointed; all non-disabled.
        application(12, ethnic="A", disability="N", appointed=True)
        + application(28, ethnic="C", disability="N", appointed=False)
        # BME: 30 shortlisted, 5 appointed; 20 non-disabled (3 appointed), 10 disabled (2 appointed).
        + application(3, ethnic="N", disability="N", appointed=True)
        + application(17, ethnic="H", disability="N", appointed=False)
        + application(2, ethnic="M", disability="Y", appointed=True)
        + application(8, ethnic="R", disability="Y", appointed=False)
        # Not counted: ethnicity not stated (Z) or not known; disability not declared.
        + application(5, ethnic="Z", disability="U", appointed=True)
        + application(5, ethnic="99", disability="U", appointed=False)
        # Not counted: not shortlisted; decided outside the window (on s is outside, on e inside).
        + application(20, ethnic="A", disability="N", appointed=False, shortlisted=False)
        + application(4, ethnic="A", disability="N", appointed=True, decided=D(2019, 3, 31))
        + application(1, ethnic="B", disability="N", appointed=False, decided=D(2020, 3, 31))
    )
    # That last one makes White 41 shortlisted.
    return build_full_store(
        tmp_path / "store",
        {"recruitment": applications, "assignments": [spell("a1", "s1", D(2010, 1, 1), org="RXX")]},
    )


def test_appointment_relative_likelihood_white_vs_bme(recruitment: Path) -> None:
    result = one(relative_likelihoods(connect(recruitment), W), "appointment_from_shortlisting_ethnicity")
    # White 12/41 = 0.292683; BME 5/30 = 0.166667; RR = 1.756098.
    # SE = √(1/12 − 1/41 + 1/5 − 1/30) = √0.225610 = 0.474984.
    assert rates(result) == {"White": (12, 41), "BME": (5, 30)}
    assert result["numerator_group"] == "White" and result["adverse_when"] == "above"
    se = math.sqrt(1 / 12 - 1 / 41 + 1 / 5 - 1 / 30)
    rr = (12 / 41) / (5 / 30)
    assert result["value"] == pytest.approx(1.756098, abs=1e-6) == pytest.approx(rr, abs=1e-6)
    assert result["ci_low"] == pytest.approx(rr * math.exp(-Z * se), abs=1e-6)
    assert result["ci_high"] == pytest.approx(rr * math.exp(Z * se), abs=1e-6)
    assert result["within_band"] is False and result["adverse"] is True
    assert result["small_count"] is False
    assert result["source"] == "WRES indicator 2"


def test_appointment_relative_likelihood_non_disabled_vs_disabled(recruitment: Path) -> None:
    result = one(relative_likelihoods(connect(recruitment), W), "appointment_from_shortlisting_disability")
    # Non-disabled: 12 + 1 (white, decided on e) … appointed 12 + 3 = 15 of 40 + 1 + 20 = 61; disabled 2 of 10.
    # RR = (15/61) ÷ (2/10) = 0.245902 ÷ 0.2 = 1.229508: inside 0.80–1.25, so no adverse impact.
    assert rates(result) == {"Non-disabled": (15, 61), "Disabled": (2, 10)}
    assert result["value"] == pytest.approx(1.229508, abs=1e-6)
    assert result["within_band"] is True and result["adverse"] is False
    assert result["small_count"] is True  # 2 disabled people appointed: under 5
    assert result["groups"][1]["rate"] == pytest.approx(0.2)


def test_a_window_without_applications_gives_no_value(recruitment: Path) -> None:
    result = one(
        relative_likelihoods(connect(recruitment), ("2021-03-31", "2022-03-31")),
        "appointment_from_shortlisting_ethnicity",
    )
    assert rates(result) == {"White": (0, 0), "BME": (0, 0)}
    assert result["value"] is None and result["ci_low"] is None and result["ci_high"] is None
    assert result["within_band"] is None and result["adverse"] is None
    assert result["small_count"] is True
    assert [g["rate"] for g in result["groups"]] == [None, None]


def test_applications_are_placed_in_organisations_by_vacancy_code(tmp_path: Path) -> None:
    applications = (
        application(6, ethnic="A", disability="N", appointed=True, vacancy="RXX-V1")
        + application(6, ethnic="N", disability="N", appointed=True, vacancy="RXX-V1")
        + application(6, ethnic="A", disability="N", appointed=True, vacancy="RYY-V2")
        + application(6, ethnic="N", disability="N", appointed=False, vacancy="RYY-V2")
        # The code before '-' is no organisation of the extract: not known, in no organisation's figure.
        + application(6, ethnic="N", disability="N", appointed=False, vacancy="TRAC-123")
    )
    store = build_full_store(
        tmp_path / "store",
        {
            "recruitment": applications,
            "assignments": [
                spell("a1", "s1", D(2010, 1, 1), org="RXX"),
                spell("a2", "s2", D(2010, 1, 1), org="RYY"),
            ],
        },
    )
    results = relative_likelihoods(
        connect(store), W, by=["organisation_code"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert [r["group"] for r in results] == [
        {"organisation_code": "RXX"},
        {"organisation_code": "RYY"},
        {"organisation_code": None},
    ]
    assert rates(results[0]) == {"White": (6, 6), "BME": (6, 6)}
    assert results[0]["value"] == 1.0
    assert rates(results[1]) == {"White": (6, 6), "BME": (0, 6)}
    assert results[1]["value"] is None  # BME rate 0: the ratio is undefined
    scoped = relative_likelihoods(
        connect(store), W, organisation_codes=["RYY"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert [rates(r) for r in scoped] == [{"White": (6, 6), "BME": (0, 6)}]


def test_a_trusts_own_vacancies_need_no_organisation_code(tmp_path: Path) -> None:
    applications = application(6, ethnic="A", disability="N", appointed=True, vacancy="V1") + application(
        6, ethnic="N", disability="N", appointed=False, vacancy="V2"
    )
    store = build_full_store(
        tmp_path / "store",
        {"recruitment": applications, "assignments": [spell("a1", "s1", D(2010, 1, 1), org="RXX")]},
    )
    (result,) = relative_likelihoods(
        connect(store), W, organisation_codes=["RXX"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert rates(result) == {"White": (6, 6), "BME": (0, 6)}


def test_a_narrowed_assignments_view_keeps_other_organisations_applications_out(tmp_path: Path) -> None:
    """A caller may narrow the assignments view to its organisations (the board report does): applications
    naming another organisation's code must not fall to the one organisation left."""
    applications = application(6, ethnic="A", disability="N", appointed=True, vacancy="RXX-V1") + application(
        6, ethnic="N", disability="N", appointed=True, vacancy="RYY-V2"
    )
    store = build_full_store(
        tmp_path / "store",
        {
            "recruitment": applications,
            "assignments": [
                spell("a1", "s1", D(2010, 1, 1), org="RXX"),
                spell("a2", "s2", D(2010, 1, 1), org="RYY"),
            ],
        },
    )
    con = connect(store)
    con.execute("ALTER VIEW assignments RENAME TO all_assignments")
    con.execute("CREATE VIEW assignments AS SELECT * FROM all_assignments WHERE organisation_code = 'RXX'")
    (result,) = relative_likelihoods(
        con, W, organisation_codes=["RXX"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert rates(result) == {"White": (6, 6), "BME": (0, 0)}


def test_an_applications_own_organisation_code_wins_over_its_vacancy(tmp_path: Path) -> None:
    applications = (
        # Coded RXX although the vacancy names RYY: RXX's.
        application(6, ethnic="A", disability="N", appointed=True, vacancy="RYY-V1", org="RXX")
        + application(6, ethnic="N", disability="N", appointed=False, vacancy="V2", org="RXX")
        # Coded RYY; and uncoded with a vacancy naming RYY: the fallback places them in RYY too.
        + application(6, ethnic="A", disability="Y", appointed=True, vacancy="X-1", org="RYY")
        + application(6, ethnic="N", disability="N", appointed=True, vacancy="RYY-V3")
        # Uncoded, no organisation named: not known, even though the vacancies of coded rows name one.
        + application(6, ethnic="N", disability="N", appointed=True, vacancy="TRAC-9")
    )
    store = build_full_store(
        tmp_path / "store",
        {
            "recruitment": applications,
            "assignments": [
                spell("a1", "s1", D(2010, 1, 1), org="RXX"),
                spell("a2", "s2", D(2010, 1, 1), org="RYY"),
            ],
        },
    )
    results = relative_likelihoods(
        connect(store), W, by=["organisation_code"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert {r["group"]["organisation_code"]: rates(r) for r in results} == {
        "RXX": {"White": (6, 6), "BME": (0, 6)},
        "RYY": {"White": (6, 6), "BME": (6, 6)},
        None: {"White": (0, 0), "BME": (6, 6)},
    }
    (scoped,) = relative_likelihoods(
        connect(store), W, organisation_codes=["RXX"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert rates(scoped) == {"White": (6, 6), "BME": (0, 6)}
    (disability,) = relative_likelihoods(
        connect(store), W, organisation_codes=["RYY"], indicators=["appointment_from_shortlisting_disability"]
    )
    assert rates(disability) == {"Non-disabled": (6, 6), "Disabled": (6, 6)}


def test_coded_applications_do_not_stop_the_one_organisation_fallback_for_uncoded_ones(
    tmp_path: Path,
) -> None:
    """A trust's extract with some rows coded and some not: the uncoded ones are the one organisation's."""
    applications = application(6, ethnic="A", disability="N", appointed=True, vacancy="RXX-V1", org="RXX") + (
        application(6, ethnic="N", disability="N", appointed=False, vacancy="V2")
    )
    store = build_full_store(
        tmp_path / "store",
        {"recruitment": applications, "assignments": [spell("a1", "s1", D(2010, 1, 1), org="RXX")]},
    )
    (result,) = relative_likelihoods(
        connect(store), W, organisation_codes=["RXX"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert rates(result) == {"White": (6, 6), "BME": (0, 6)}


def test_a_coded_application_stays_with_its_organisation_in_a_narrowed_view(tmp_path: Path) -> None:
    applications = application(6, ethnic="A", disability="N", appointed=True, vacancy="V1", org="RXX") + (
        application(6, ethnic="N", disability="N", appointed=True, vacancy="V2", org="RYY")
    )
    store = build_full_store(
        tmp_path / "store",
        {
            "recruitment": applications,
            "assignments": [
                spell("a1", "s1", D(2010, 1, 1), org="RXX"),
                spell("a2", "s2", D(2010, 1, 1), org="RYY"),
            ],
        },
    )
    con = connect(store)
    con.execute("ALTER VIEW assignments RENAME TO all_assignments")
    con.execute("CREATE VIEW assignments AS SELECT * FROM all_assignments WHERE organisation_code = 'RXX'")
    # RYY's coded applications never fall to the one organisation left (only uncoded rows are guessed).
    (result,) = relative_likelihoods(
        con, W, organisation_codes=["RXX"], indicators=["appointment_from_shortlisting_ethnicity"]
    )
    assert rates(result) == {"White": (6, 6), "BME": (0, 0)}


# Formal processes (WRES 3, WDES 3) and non-mandatory training (WRES 4) ----------------------------------------
@pytest.fixture
def staff(tmp_path: Path) -> Path:
    people = [person(f"w{i}", "A") for i in range(20)] + [person(f"b{i}", "M") for i in range(10)]
    people += [person("u1", "Z"), person("u2", None)]
    people += [person("d1", "A", "Y"), person("d2", "A", "Y"), person("d3", "A", "U")]
    spells = [spell(f"s-{p['person_id']}", p["person_id"], D(2015, 1, 1)) for p in people]
    # w19 left in the window: in post during it, so counted. x1 left on s: never in post in the window.
    spells[19] = spell("s-w19", "w19", D(2015, 1, 1), D(2019, 6, 30), reason="Retirement Age")
    spells.append(spell("s-x1", "x1", D(2015, 1, 1), D(2019, 3, 31), reason="Retirement Age"))
    people.append(person("x1", "M"))
    # b0 also has a bank spell only elsewhere: bank work is never counted.
    spells.append(spell("s-b0-bank", "b0", D(2015, 1, 1), org="RYY", contract="Bank"))

    def case(case_id: str, person_id: str, opened: dt.date, kind: str = "disciplinary") -> dict[str, Any]:
        return {"case_id": case_id, "person_id": person_id, "kind": kind, "opened_on": opened}

    cases = [
        case("c1", "w0", D(2019, 5, 1)),
        case("c2", "w1", D(2019, 7, 1), "capability"),
        case("c3", "w1", D(2019, 8, 1)),  # w1's second case: w1 counts once
        case("c4", "b0", D(2019, 5, 1)),
        case("c5", "b1", D(2020, 3, 31)),  # opened on e: inside
        case("c6", "b2", D(2019, 12, 1), "capability"),
        case("c7", "b3", D(2019, 3, 31)),  # opened on s: outside
        case("c8", "w19", D(2019, 9, 1)),  # after w19 left: not while in post
        case("c9", "x1", D(2019, 5, 1)),  # x1 was not in post
        case("c10", "d1", D(2019, 5, 1)),
    ]

    def course(person_id: str, mandatory: bool, on: dt.date | None = None) -> dict[str, Any]:
        return {
            "person_id": person_id,
            "course_code": "C",
            "course_title": "Course",
            "completed_on": on or D(2019, 10, 1),
            "mandatory": mandatory,
        }

    training = [course(f"w{i}", False) for i in range(8)] + [course("w0", False, D(2019, 11, 1))]
    training += [course("b0", False), course("b1", False)]
    training += [course(f"w{i}", True) for i in range(20)] + [course(f"b{i}", True) for i in range(10)]
    training += [course("b2", False, D(2019, 1, 1))]  # before the window
    return build_full_store(
        tmp_path / "store", {"people": people, "assignments": spells, "casework": cases, "training": training}
    )


def test_entering_a_formal_process_bme_vs_white(staff: Path) -> None:
    result = one(relative_likelihoods(connect(staff), W), "formal_process_ethnicity")
    # White in post in the window: w0 … w19 and d1, d2, d3 (ethnic A) = 23; with a case while in post: w0,
    # w1, d1 = 3. BME: b0 … b9 = 10 (x1 was not in post); with a case: b0, b1, b2 = 3.
    # RR = (3/10) ÷ (3/23) = 2.3; SE = √(1/3 − 1/10 + 1/3 − 1/23).
    assert rates(result) == {"BME": (3, 10), "White": (3, 23)}
    assert result["numerator_group"] == "BME"
    assert result["value"] == pytest.approx(2.3)
    se = math.sqrt(1 / 3 - 1 / 10 + 1 / 3 - 1 / 23)
    assert result["ci_low"] == pytest.approx(2.3 * math.exp(-Z * se), abs=1e-6)
    assert result["ci_high"] == pytest.approx(2.3 * math.exp(Z * se), abs=1e-6)
    assert result["adverse"] is True and result["within_band"] is False
    assert result["small_count"] is True  # 3 people: to be suppressed for analysts


def test_entering_a_formal_process_disabled_vs_non_disabled(staff: Path) -> None:
    result = one(relative_likelihoods(connect(staff), W), "formal_process_disability")
    # Disabled: d1, d2, with a case d1 = 1 of 2. Non-disabled: 20 w + 10 b + u1 + u2 = 32, with a case
    # w0, w1, b0, b1, b2 = 5. RR = (1/2) ÷ (5/32) = 3.2.
    assert rates(result) == {"Disabled": (1, 2), "Non-disabled": (5, 32)}
    assert result["value"] == pytest.approx(3.2)
    assert result["small_count"] is True


def test_non_mandatory_training_white_vs_bme(staff: Path) -> None:
    result = one(relative_likelihoods(connect(staff), W), "non_mandatory_training_ethnicity")
    # White: w0 … w7 completed a non-mandatory course in the window (w0 twice: once) = 8 of 23.
    # BME: b0, b1 = 2 of 10 (b2's was before the window). Mandatory courses do not count.
    # RR = (8/23) ÷ (2/10) = 1.739130.
    assert rates(result) == {"White": (8, 23), "BME": (2, 10)}
    assert result["value"] == pytest.approx(1.739130, abs=1e-6)
    assert result["adverse"] is True


def test_people_of_unknown_ethnicity_are_in_neither_group(staff: Path) -> None:
    result = one(relative_likelihoods(connect(staff), W), "formal_process_ethnicity")
    assert sum(g["denominator"] for g in result["groups"]) == 33  # of 35 in post: u1 and u2 left out


# Progression and programme places -------------------------------------------------------------------------------
@pytest.fixture
def careers(tmp_path: Path) -> Path:
    people, spells = [], []
    for i in range(10):
        people.append(person(f"w{i}", "A"))
    for i in range(5):
        people.append(person(f"b{i}", "H"))
    for p in people:
        pid = p["person_id"]
        n = int(pid[1:])
        moved_up = (pid.startswith("w") and n < 4) or pid == "b0"
        if moved_up:
            spells.append(spell(f"{pid}-1", pid, D(2015, 1, 1), D(2019, 9, 30), band="2"))
            spells.append(spell(f"{pid}-2", pid, D(2019, 10, 1), band="3"))
        elif pid == "w4":  # left: not progressed, still in the denominator
            spells.append(
                spell(f"{pid}-1", pid, D(2015, 1, 1), D(2019, 12, 31), band="2", reason="Retirement Age")
            )
        else:
            spells.append(spell(f"{pid}-1", pid, D(2015, 1, 1), band="2"))
    # j1 joined in the window: not in post at s, so not in the progression denominator.
    spells.append(spell("j1-1", "j1", D(2019, 6, 1), band="2"))
    people.append(person("j1", "A"))
    return build_full_store(tmp_path / "store", {"people": people, "assignments": spells})


def test_progression_white_vs_bme(careers: Path) -> None:
    result = one(relative_likelihoods(connect(careers), W), "progression_ethnicity")
    # In post at s: 10 white (w0 … w3 band 2 → 3), 5 BME (b0 band 2 → 3). RR = (4/10) ÷ (1/5) = 2.0.
    assert rates(result) == {"White": (4, 10), "BME": (1, 5)}
    assert result["value"] == pytest.approx(2.0)
    se = math.sqrt(1 / 4 - 1 / 10 + 1 / 1 - 1 / 5)
    assert result["ci_low"] == pytest.approx(2.0 * math.exp(-Z * se), abs=1e-6)


def test_programme_places_need_participants_and_count_them(careers: Path) -> None:
    con = connect(careers)
    assert not [r for r in relative_likelihoods(con, W) if r["indicator"].startswith("programme")]
    with pytest.raises(MeasureError):
        relative_likelihoods(con, W, indicators=["programme_places_ethnicity"])
    results = relative_likelihoods(con, W, participants={"w0", "w1", "j1", "b0", "nobody"})
    result = one(results, "programme_places_ethnicity")
    # In post in the window: 11 white (w0 … w9, j1), 5 BME. Participants: w0, w1, j1 | b0.
    # RR = (3/11) ÷ (1/5) = 1.363636. "nobody" is in no group.
    assert rates(result) == {"White": (3, 11), "BME": (1, 5)}
    assert result["value"] == pytest.approx(1.363636, abs=1e-6)
    disability = one(results, "programme_places_disability")
    assert rates(disability) == {"Non-disabled": (4, 16), "Disabled": (0, 0)}
    assert disability["value"] is None


def test_every_indicator_states_its_orientation() -> None:
    for indicator in INDICATORS.values():
        assert indicator.adverse_when == "above"
        assert indicator.adverse_for in {indicator.numerator_group, indicator.denominator_group}
    assert BAND == (0.80, 1.25)


def test_bad_requests_are_refused(careers: Path) -> None:
    con = connect(careers)
    with pytest.raises(MeasureError):
        relative_likelihoods(con, W, by=["team"])
    with pytest.raises(MeasureError):
        relative_likelihoods(con, W, indicators=["nonsense"])
    with pytest.raises(MeasureError):
        relative_likelihoods(con, "2020-03-31:2019-03-31")
    with pytest.raises(MeasureError):
        relative_likelihoods(con, W, organisation_codes="RXX")  # type: ignore[arg-type]


# Calibration --------------------------------------------------------------------------------------------------
def test_recruitment_relative_likelihood_on_a_generated_extract_is_near_the_national_figure(
    tmp_path: Path,
) -> None:
    """CALIBRATION.md: white shortlisted applicants are ~1.5–1.6 times as likely to be appointed as BME ones."""
    generate(tmp_path / "extract", people=8000, years=4, seed=2026, fmt=PARQUET)
    report = import_extract(tmp_path / "extract", tmp_path / "store", extract_date=D(2025, 3, 31))
    assert report.status == IMPORTED
    # Applications are generated for the last three years of the extract.
    result = one(
        relative_likelihoods(
            connect(tmp_path / "store"),
            ("2022-03-31", "2025-03-31"),
            indicators=["appointment_from_shortlisting_ethnicity"],
        ),
        "appointment_from_shortlisting_ethnicity",
    )
    assert result["value"] == pytest.approx(1.55, abs=0.15)
    assert result["ci_low"] < result["value"] < result["ci_high"]
    assert result["adverse"] is True
