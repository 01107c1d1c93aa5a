"""Retention curves on hand-made extracts: Kaplan–Meier with left truncation (and the naive curve it
corrects), Aalen–Johansen cumulative incidence of leaving and of moving up a band, and the matching of
programme participants with comparable non-participants. Times are in days unless a test says otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lifelines import AalenJohansenFitter

from cultivate.insights.analyses import competing_risks, retention_curve
from cultivate.insights.analyses.survival import aj_interval
from cultivate.insights.measures import MeasureError
from cultivate.insights.store import connect
from cultivate.insights.tests.test_measures import build_store, spell

D = dt.date
START, END = D(2020, 1, 1), D(2022, 1, 1)


def at(curve: dict[str, Any], time: float) -> dict[str, Any]:
    return next(p for p in curve["points"] if p["time"] == time)


@pytest.fixture
def tenure(tmp_path: Path) -> Path:
    """Observation 2020-01-01 … 2022-01-01. Tenure at entry and at exit, in days from the period's start:

    A  started 2019-01-01, left 2020-07-01      entry 365  exit 547   left
    B  started 2020-01-01, left 2020-04-10      entry 0    exit 100   left
    C  started 2020-01-01, band 3 then band 4   entry 0    exit 731   in post (two spells, one period)
    D  started 2020-01-01, left 2021-01-01      entry 0    exit 366   left
    E  started 2018-01-01, in post              entry 730  exit 1461  in post
    F  started 2017-01-01, left 2019-06-30      never observed (left before the start)
    G  bank only                                never counted"""
    return build_store(
        tmp_path / "store",
        [
            spell("a", "A", D(2019, 1, 1), D(2020, 7, 1), reason="Retirement Age"),
            spell("b", "B", D(2020, 1, 1), D(2020, 4, 10), reason="Retirement Age"),
            spell("c1", "C", D(2020, 1, 1), D(2020, 12, 31), band="3"),
            spell("c2", "C", D(2021, 1, 1), band="4"),
            spell("d", "D", D(2020, 1, 1), D(2021, 1, 1), reason="Retirement Age"),
            spell("e", "E", D(2018, 1, 1)),
            spell("f", "F", D(2017, 1, 1), D(2019, 6, 30), reason="Retirement Age"),
            spell("g", "G", D(2015, 1, 1), contract="Bank"),
        ],
    )


def test_kaplan_meier_with_left_truncation(tenure: Path) -> None:
    result = retention_curve(connect(tenure), start=START, end=END, unit="days", step=100)
    assert result["observation"] == {"start": "2020-01-01", "end": "2022-01-01", "unit": "days"}
    (curve,) = result["curves"]
    assert curve["group"] == {} and curve["people"] == 5 and curve["leavers"] == 3
    # Leavings and who is at risk then (entered at or before, not yet out):
    #   t=100 (B): B, C, D               S = 2/3
    #   t=366 (D): C, D, A (entered 365)  S = 2/3 × 2/3 = 4/9
    #   t=547 (A): C, A (E enters at 730) S = 4/9 × 1/2 = 2/9
    assert at(curve, 0)["survival"] == 1.0
    assert at(curve, 100)["survival"] == pytest.approx(2 / 3, abs=1e-6)
    assert at(curve, 400)["survival"] == pytest.approx(4 / 9, abs=1e-6)
    assert at(curve, 600)["survival"] == pytest.approx(2 / 9, abs=1e-6)
    assert at(curve, 1400)["survival"] == pytest.approx(2 / 9, abs=1e-6)
    assert curve["median"] == 366.0
    # 12 months = 365.25 days: S = 2/3; 24 months = 730.5 days: 2/9.
    assert curve["survival_12"] == pytest.approx(2 / 3, abs=1e-6)
    assert curve["survival_24"] == pytest.approx(2 / 9, abs=1e-6)
    # Under observation at t (entry ≤ t < exit): at 400, C and A; at 800, E only (C's exit is 731).
    assert at(curve, 400)["at_risk"] == 2 and at(curve, 800)["at_risk"] == 1
    low, high = at(curve, 400)["ci_low"], at(curve, 400)["ci_high"]
    assert low < 4 / 9 < high


def test_the_naive_curve_differs(tenure: Path) -> None:
    """Ignoring late entry (everyone at risk from tenure 0), the curve is too high: at t=100 all five are at
    risk (S = 4/5), at 366 four (S = 4/5 × 3/4 = 3/5), at 547 three (S = 3/5 × 2/3 = 2/5)."""
    from lifelines import KaplanMeierFitter

    naive = KaplanMeierFitter().fit([547, 100, 731, 366, 1461], event_observed=[1, 1, 0, 1, 0])
    assert float(naive.predict(400)) == pytest.approx(3 / 5)
    (curve,) = retention_curve(connect(tenure), start=START, end=END, unit="days", step=100)["curves"]
    assert at(curve, 400)["survival"] == pytest.approx(4 / 9, abs=1e-6) != pytest.approx(3 / 5)


def test_months_are_the_default_unit(tenure: Path) -> None:
    result = retention_curve(connect(tenure), start=START, end=END)
    (curve,) = result["curves"]
    assert result["observation"]["unit"] == "months"
    assert [p["time"] for p in curve["points"][:3]] == [0.0, 1.0, 2.0]
    assert curve["points"][-1]["time"] == 48.0  # E's exit: 1461 days = 48.0 months
    assert curve["median"] == pytest.approx(366 / (365.25 / 12), abs=1e-6)
    assert at(curve, 13.0)["survival"] == pytest.approx(4 / 9, abs=1e-6)


def test_grouped_by_band_at_entry_and_scoped(tenure: Path) -> None:
    result = retention_curve(connect(tenure), start=START, end=END, unit="days", by=["afc_band"])
    assert [c["group"] for c in result["curves"]] == [{"afc_band": "3"}]  # C entered at band 3
    none = retention_curve(connect(tenure), start=START, end=END, organisation_codes=["RXX"])
    assert none["curves"][0]["people"] == 5
    assert retention_curve(connect(tenure), start=START, end=END, organisation_codes=["RYY"])["curves"] == []
    with pytest.raises(MeasureError):  # no dates given and nobody to take them from
        retention_curve(connect(tenure), organisation_codes=["RYY"])
    with pytest.raises(MeasureError):
        retention_curve(connect(tenure), by=["team"])
    with pytest.raises(MeasureError):
        retention_curve(connect(tenure), start=END, end=START)


def test_the_default_observation_start_is_the_first_leaving(tenure: Path) -> None:
    result = retention_curve(connect(tenure), unit="days")
    # F's leaving (2019-06-30) is the first: the extract holds everyone in post from then on. The end is the
    # last date recorded (C and E are open; D's leaving on 2021-01-01 is the last date).
    assert result["observation"]["start"] == "2019-06-30"
    assert result["observation"]["end"] == "2021-01-01"


# Competing risks ------------------------------------------------------------------------------------------------
@pytest.fixture
def careers(tmp_path: Path) -> Path:
    """Everyone starts on 2020-01-01 at band 3. P1 moves up on day 50, P2 leaves on day 100, P3 stays,
    P4 leaves on day 200, P5 moves up on day 300; N1 is on NA (not on Agenda for Change) and is left out."""
    day = lambda n: START + dt.timedelta(days=n)  # noqa: E731
    return build_store(
        tmp_path / "store",
        [
            spell("p1a", "P1", START, day(49)),
            spell("p1b", "P1", day(50), band="4"),
            spell("p2", "P2", START, day(100), reason="Retirement Age"),
            spell("p3", "P3", START),
            spell("p4", "P4", START, day(200), reason="Retirement Age"),
            spell("p5a", "P5", START, day(299)),
            spell("p5b", "P5", day(300), band="4"),
            spell("n1", "N1", START, day(20), band="NA", reason="Retirement Age"),
        ],
    )


def test_aalen_johansen_cumulative_incidence(careers: Path) -> None:
    result = competing_risks(connect(careers), start=START, end=END, unit="days", step=50)
    (curve,) = result["curves"]
    assert curve["people"] == 5
    assert curve["events"] == {"left": 2, "progressed": 2}
    # Overall survival S: 1 → 4/5 (day 50) → 3/5 (100) → 2/5 (200) → 1/5 (300).
    # Leaving:     at 100, S(99) × 1/4 = 4/5 × 1/4 = 1/5;  at 200, + S(199) × 1/3 = 3/5 × 1/3 = 1/5 → 2/5.
    # Moving up:   at 50,  1 × 1/5 = 1/5;                  at 300, + S(299) × 1/2 = 2/5 × 1/2 = 1/5 → 2/5.
    left = {p["time"]: p["incidence"] for p in curve["incidence"]["left"]["points"]}
    up = {p["time"]: p["incidence"] for p in curve["incidence"]["progressed"]["points"]}
    assert left[0] == 0.0 and left[50] == 0.0
    assert left[100] == pytest.approx(1 / 5, abs=1e-6)
    assert left[150] == pytest.approx(1 / 5, abs=1e-6)
    assert left[200] == pytest.approx(2 / 5, abs=1e-6)
    assert left[700] == pytest.approx(2 / 5, abs=1e-6)
    assert up[50] == pytest.approx(1 / 5, abs=1e-6)
    assert up[300] == pytest.approx(2 / 5, abs=1e-6)
    # Leaving, moving up and staying add up to everyone: 2/5 + 2/5 + S(731) = 1/5.
    assert left[700] + up[700] == pytest.approx(4 / 5, abs=1e-6)
    assert curve["incidence"]["left"]["at_12"] == pytest.approx(2 / 5, abs=1e-6)
    assert curve["incidence"]["progressed"]["at_24"] == pytest.approx(2 / 5, abs=1e-6)


def test_the_interval_equals_lifelines_own_variance() -> None:
    """aj_interval computes lifelines' documented variance with cumulative sums; lifelines loops over times."""
    rng = np.random.default_rng(4)
    n = 60
    entry = rng.integers(0, 30, n).astype(float)
    exit_ = entry + rng.integers(1, 200, n)
    event = rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2])
    slow = AalenJohansenFitter(seed=7, calculate_variance=True).fit(exit_, event, 1, entry=entry)
    fast = AalenJohansenFitter(seed=7, calculate_variance=False).fit(exit_, event, 1, entry=entry)
    low, high = aj_interval(fast, event, entry)
    bounds = np.sort(slow.confidence_interval_.to_numpy(), axis=1)
    keep = ~np.isnan(bounds).any(axis=1) & ~np.isnan(low)
    assert keep.sum() > 20
    assert np.allclose(low[keep], bounds[keep, 0]) and np.allclose(high[keep], bounds[keep, 1])


# Participants and comparable non-participants ---------------------------------------------------------------------
def test_participants_against_comparable_non_participants(tmp_path: Path) -> None:
    index = D(2020, 6, 1)
    store = build_store(
        tmp_path / "store",
        [
            spell("p", "P", D(2019, 6, 1), D(2021, 6, 1), band="3", reason="Retirement Age"),
            spell("q", "Q", D(2018, 6, 1), band="3"),  # same organisation and band on the index date
            spell("r", "R", D(2018, 6, 1), band="4"),  # another band
            spell("s", "S", D(2018, 6, 1), band="3", org="RYY"),  # another organisation
            spell("t", "T", D(2020, 7, 1), band="3"),  # not in post on the index date
            spell("u", "U", D(2018, 6, 1), D(2020, 3, 1), band="3", reason="Retirement Age"),  # gone by then
        ],
    )
    result = retention_curve(connect(store), start=START, end=END, unit="days", participants={"P": index})
    groups = {c["group"]["participation"]: c for c in result["curves"]}
    assert set(groups) == {"participant", "comparable non-participant"}
    assert groups["participant"]["people"] == 1 and groups["participant"]["leavers"] == 1
    assert groups["comparable non-participant"]["people"] == 1  # Q only
    # P entered at tenure 366 (2019-06-01 → 2020-06-01), left at 731; Q entered at 731, censored at 1310.
    participant = groups["participant"]
    assert at(participant, 0)["survival"] is None  # before anyone entered: nothing to say
    assert participant["median"] == 731.0
    # A plain set of person_ids takes the observation start as everyone's index date.
    plain = retention_curve(
        connect(store), start=START, end=END, participants=["P"], by=["organisation_code"]
    )
    assert [c["group"] for c in plain["curves"]] == [
        {"organisation_code": "RXX", "participation": "comparable non-participant"},
        {"organisation_code": "RXX", "participation": "participant"},
    ]
    assert plain["curves"][0]["people"] == 2  # Q and U were in post at band 3 on 2020-01-01


def test_participants_matched_on_length_of_service_and_timed_from_the_index_date(tmp_path: Path) -> None:
    index = D(2020, 6, 1)
    store = build_store(
        tmp_path / "store",
        [
            spell("p", "P", D(2019, 6, 1), D(2021, 6, 1), band="3", reason="Retirement Age"),  # 12 months in
            spell("q", "Q", D(2018, 6, 1), band="3"),  # 24 months in: another length-of-service band
            spell("v", "V", D(2019, 7, 1), band="3"),  # 11 months in: the same band as P
        ],
    )
    plain = retention_curve(connect(store), start=START, end=END, unit="days", participants={"P": index})
    groups = {c["group"]["participation"]: c for c in plain["curves"]}
    assert groups["comparable non-participant"]["people"] == 2  # Q and V
    matched = retention_curve(
        connect(store),
        start=START,
        end=END,
        unit="days",
        participants={"P": index},
        service_bands=(6, 18),
        since_entry=True,
    )
    groups = {c["group"]["participation"]: c for c in matched["curves"]}
    assert groups["comparable non-participant"]["people"] == 1  # V only
    # Timed from the index date: P left 365 days after it (tenure would say 731).
    assert groups["participant"]["median"] == 365.0
    assert at(groups["participant"], 0)["survival"] == 1.0


def test_a_curve_that_cannot_be_continued_is_not_estimated(tmp_path: Path) -> None:
    """X is alone under observation when they leave (S falls to 0); Y enters later. The product-limit estimate
    cannot go on from 0, so no curve is given rather than a wrong one."""
    store = build_store(
        tmp_path / "store",
        [
            spell("x", "X", START, START + dt.timedelta(days=100), reason="Retirement Age"),
            spell("y", "Y", START - dt.timedelta(days=200)),
        ],
    )
    # X: entry 0, leaves at 100 (alone at risk then). Y: started 200 days before the start, so enters at 200.
    end = START + dt.timedelta(days=365)
    (curve,) = retention_curve(connect(store), start=START, end=end, unit="days", step=50)["curves"]
    assert curve["estimable"] is False and curve["leavers"] == 1
    assert curve["median"] is None and {p["survival"] for p in curve["points"]} == {None}
    # The same gap in the Aalen–Johansen incidence (a small team on the retention dashboard): no figures rather
    # than a server error.
    (curve,) = competing_risks(connect(store), start=START, end=end, unit="days", step=50)["curves"]
    left = curve["incidence"]["left"]
    assert left["at_12"] is None and {p["incidence"] for p in left["points"]} == {None}
