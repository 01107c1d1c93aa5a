"""The SQL measures against a day-by-day count written from the definitions, on random small extracts.

The hand-worked tests in test_measures.py pin each definition; this one checks the interval arithmetic (spells
and absence episodes cut to the window, the extract date, overlapping episodes, people in two organisations)
on many shapes nobody would think to write by hand."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from cultivate.insights.measures import compute_measures
from cultivate.insights.measures.definitions import BAND_RANK

from .test_measures import absence, build_store, spell

ORGS = ("RXX", "RYY")
BANDS = ("2", "3", "4", "5", "NA")
S, E = dt.date(2019, 3, 31), dt.date(2020, 3, 31)
EXTRACT = dt.date(2020, 3, 10)


def random_extract(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    spells, absences = [], []
    for n in range(30):
        person = f"p{n}"
        for org in rng.sample(ORGS, rng.choice((1, 1, 2))):
            day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(700))
            for k in range(rng.randrange(1, 4)):  # spells in one organisation never overlap
                length = rng.randrange(20, 500)
                end = day + dt.timedelta(days=length) if rng.random() < 0.7 else None
                spells.append(
                    spell(
                        f"{person}-{org}-{k}",
                        person,
                        day,
                        end,
                        org=org,
                        band=rng.choice(BANDS),
                        fte=rng.choice((1.0, 0.8, 0.5, 0.4)),
                        contract=rng.choice(("Permanent", "Permanent", "Bank")),
                    )
                )
                if end is None:
                    break
                day = end + dt.timedelta(days=rng.choice((1, 1, 40)))
        for _ in range(rng.randrange(4)):
            start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(500))
            end = start + dt.timedelta(days=rng.randrange(0, 40)) if rng.random() < 0.85 else None
            absences.append(absence(person, start, end))
    return spells, absences


def _active(s: dict[str, Any], day: dt.date) -> bool:
    return (
        s["contract_type"] != "Bank"
        and s["start_date"] <= day
        and (s["end_date"] is None or s["end_date"] >= day)
    )


def by_the_day(
    spells: list[dict[str, Any]], absences: list[dict[str, Any]], org: str | None
) -> dict[str, Any]:
    mine = [s for s in spells if org is None or s["organisation_code"] == org]
    at_s = {s["person_id"] for s in mine if _active(s, S)}
    at_e = {s["person_id"] for s in mine if _active(s, E)}
    sick_days: dict[str, set[dt.date]] = defaultdict(set)
    for a in absences:
        last = min(a["end_date"] or EXTRACT, EXTRACT)
        day = a["start_date"]
        while day <= last:
            sick_days[a["person_id"]].add(day)
            day += dt.timedelta(days=1)
    available = lost = 0.0
    day = S + dt.timedelta(days=1)
    while day <= E:
        for s in mine:
            if _active(s, day):
                available += s["fte"]
                if day in sick_days[s["person_id"]]:
                    lost += s["fte"]
        day += dt.timedelta(days=1)

    def band(person: str, on: dt.date) -> int:
        return max(
            BAND_RANK.get(s["afc_band"], 0) for s in mine if s["person_id"] == person and _active(s, on)
        )

    outcomes: dict[tuple[int, str], int] = defaultdict(int)
    for person in at_s:
        before = band(person, S)
        if person not in at_e:
            outcome = "left"
        else:
            after = band(person, E)
            if after == before:
                outcome = "same"
            elif 0 in (before, after):
                outcome = "other"
            else:
                outcome = "higher" if after > before else "lower"
        outcomes[(before, outcome)] += 1
    return {
        "headcount": len(at_e),
        "fte": round(sum(s["fte"] for s in mine if _active(s, E)), 6),
        "leavers": len(at_s - at_e),
        "joiners": len(at_e - at_s),
        "sickness": (round(lost, 6), round(available, 6)),
        "progression": {k: v for k, v in outcomes.items() if v},
    }


@pytest.mark.parametrize("seed", range(6))
def test_sql_equals_the_day_by_day_count(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    spells, absences = random_extract(rng)
    store = build_store(tmp_path / "s", spells, absences=absences, extract_date=EXTRACT.isoformat())
    wanted = ["headcount", "fte", "leavers", "joiners", "sickness_absence_rate", "progression"]
    for by in ([], ["organisation_code"]):
        rows = compute_measures(store, (S, E), by=by, measures=wanted)
        groups = {tuple(r["group"].get(c) for c in by) for r in rows}
        for group in groups:
            org = group[0] if by else None
            expected = by_the_day(spells, absences, org)
            mine = [r for r in rows if tuple(r["group"].get(c) for c in by) == group]

            def one(measure: str, rows: list[dict[str, Any]] = mine) -> dict[str, Any]:
                return next(r for r in rows if r["measure"] == measure)

            assert one("headcount")["numerator"] == expected["headcount"]
            assert one("fte")["numerator"] == pytest.approx(expected["fte"])
            assert one("leavers")["numerator"] == expected["leavers"]
            assert one("joiners")["numerator"] == expected["joiners"]
            sickness = one("sickness_absence_rate")
            assert (sickness["numerator"], sickness["denominator"]) == pytest.approx(expected["sickness"])
            progression = {
                (BAND_RANK.get(r["group"]["from_band"], 0), r["group"]["outcome"]): r["numerator"]
                for r in mine
                if r["measure"] == "progression" and r["numerator"]
            }
            assert progression == expected["progression"]
