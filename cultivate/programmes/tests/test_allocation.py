"""Cohort allocation and practice partners: constraints, explanations, and optima checked by brute force."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest

from cultivate.programmes.allocation import (
    DIMENSION_WEIGHTS,
    SAME_BAND_COST,
    SAME_ORGANISATION_COST,
    SAME_SETTING_COST,
    Candidate,
    CohortSlot,
    allocate_cohorts,
    experience_band,
    gap_percent,
    pair_partners,
)

SETTINGS = ("inpatient", "community", "crisis")


def people(count: int, *, organisations: int = 3, start: int = 0, **overrides) -> list[Candidate]:
    out = []
    for i in range(start, start + count):
        fields: dict[str, Any] = {
            "key": i,
            "organisation": f"ORG{i % organisations}",
            "team": f"team {i % 5}",
            "setting": SETTINGS[i % len(SETTINGS)],
            "experience_months": (i * 7) % 80,
        }
        fields.update(overrides)
        out.append(Candidate(**fields))
    return out


def weighted_pairs(candidates: list[Candidate], placements: dict[int, str]) -> int:
    """The allocation objective, written out independently: pairs sharing a value, weighted by dimension."""
    by_key = {c.key: c for c in candidates}
    counts: Counter[tuple[str, str, str]] = Counter()
    for key, cohort in placements.items():
        c = by_key[key]
        counts[(cohort, "organisation", c.organisation)] += 1
        counts[(cohort, "team", f"{c.organisation}/{c.team}")] += 1
        counts[(cohort, "setting", c.setting)] += 1
        counts[(cohort, "experience", experience_band(c.experience_months))] += 1
    return sum(DIMENSION_WEIGHTS[dim] * n * (n - 1) // 2 for (_, dim, _), n in counts.items())


def test_capacity_is_respected_and_everyone_is_placed_when_there_is_room():
    candidates = people(50)
    cohorts = [CohortSlot("A", 20), CohortSlot("B", 20), CohortSlot("C", 20)]
    plan = allocate_cohorts(candidates, cohorts, time_limit_s=5)
    sizes = Counter(plan.placements.values())
    assert all(sizes[c.key] <= c.capacity for c in cohorts)
    assert set(plan.placements) == {c.key for c in candidates}
    assert plan.unplaced == {}
    # evenly mixed: each organisation has 16 or 17 people over 3 cohorts, so 5 or 6 in each
    for cohort in cohorts:
        orgs = Counter(c.organisation for c in candidates if plan.placements[c.key] == cohort.key)
        assert max(orgs.values()) - min(orgs.values()) <= 1


def test_availability_is_respected():
    candidates = people(30)
    only_b = {c.key for c in candidates[:12]}
    candidates = [
        Candidate(c.key, c.organisation, c.team, c.setting, c.experience_months, frozenset({"B"}))
        if c.key in only_b
        else c
        for c in candidates
    ]
    plan = allocate_cohorts(candidates, [CohortSlot("A", 15), CohortSlot("B", 15)], time_limit_s=5)
    assert all(plan.placements[k] == "B" for k in only_b)
    assert len(plan.placements) == 30


def test_pins_are_kept_even_against_availability_and_on_a_rerun():
    candidates = people(12)
    candidates[0] = Candidate(0, "ORG0", "team 0", "inpatient", 5, frozenset({"A"}))
    cohorts = [CohortSlot("A", 6), CohortSlot("B", 6)]
    first = allocate_cohorts(candidates, cohorts, pinned={0: "B", 1: "A"}, time_limit_s=5)
    assert first.placements[0] == "B" and first.placements[1] == "A"
    assert first.explanations[0].startswith("The programme lead chose this cohort for you.")
    again = allocate_cohorts(candidates, cohorts, pinned={0: "B", 1: "A", 2: "B"}, time_limit_s=5)
    assert (again.placements[0], again.placements[1], again.placements[2]) == ("B", "A", "B")


def test_bad_pins_are_refused_in_plain_words():
    candidates = people(4)
    with pytest.raises(ValueError, match="2 people are pinned to Cohort A, which holds 1"):
        allocate_cohorts(candidates, [CohortSlot("A", 1, "Cohort A")], pinned={0: "A", 1: "A"})
    with pytest.raises(ValueError, match="not being allocated"):
        allocate_cohorts(candidates, [CohortSlot("A", 4)], pinned={0: "Z"})
    with pytest.raises(ValueError, match="not among the candidates"):
        allocate_cohorts(candidates, [CohortSlot("A", 4)], pinned={99: "A"})


def test_people_who_do_not_fit_are_unplaced_with_a_reason():
    candidates = people(24)
    candidates.append(Candidate(100, "ORG1", "team 1", "crisis", 3, frozenset()))
    candidates.append(Candidate(101, "ORG2", "team 2", "crisis", 3, frozenset({"evenings"})))
    plan = allocate_cohorts(candidates, [CohortSlot("A", 10), CohortSlot("B", 10)], time_limit_s=5)
    assert len(plan.placements) == 20
    assert len(plan.unplaced) == 6
    assert "did not give any cohort" in plan.unplaced[100]
    assert "None of the cohorts meets" in plan.unplaced[101]
    full = [reason for key, reason in plan.unplaced.items() if key < 100]
    assert len(full) == 4 and all(r == "Every cohort was full, so you are on the waiting list." for r in full)
    assert plan.explanations[100] == plan.unplaced[100]


def test_the_bound_and_gap_are_reported_and_consistent():
    candidates = people(60, organisations=4)
    plan = allocate_cohorts(candidates, [CohortSlot(k, 20) for k in "ABC"], time_limit_s=5)
    assert plan.objective == weighted_pairs(candidates, plan.placements)
    assert 0 <= plan.bound <= plan.objective
    assert plan.gap_pct == gap_percent(plan.objective, plan.bound)
    assert plan.gap_pct < 1.0
    assert plan.optimal == (plan.objective <= plan.bound)


def test_a_small_optimum_is_checked_by_brute_force():
    candidates = [
        Candidate(0, "ORG0", "ward 1", "inpatient", 3),
        Candidate(1, "ORG0", "ward 1", "inpatient", 40),
        Candidate(2, "ORG0", "ward 2", "community", 20),
        Candidate(3, "ORG1", "ward 1", "community", 5),
        Candidate(4, "ORG1", "ward 3", "crisis", 50),
        Candidate(5, "ORG2", "ward 1", "inpatient", 14),
        Candidate(6, "ORG2", "ward 1", "crisis", 70),
        Candidate(7, "ORG0", "ward 2", "community", 2, frozenset({"A"})),
    ]
    cohorts = [CohortSlot("A", 4), CohortSlot("B", 3), CohortSlot("C", 3)]
    best = None
    for choice in itertools.product("ABC", repeat=len(candidates)):
        placements = dict(enumerate(choice))
        sizes = Counter(choice)
        if any(sizes[c.key] > c.capacity for c in cohorts) or placements[7] != "A":
            continue
        value = weighted_pairs(candidates, placements)
        best = value if best is None else min(best, value)
    plan = allocate_cohorts(candidates, cohorts, time_limit_s=10, gap_limit_pct=0.0)
    assert plan.optimal
    assert plan.objective == best == weighted_pairs(candidates, plan.placements)
    assert plan.bound == best and plan.gap_pct == 0.0


def test_explanations_and_summaries_are_plain_words():
    candidates = people(20)
    plan = allocate_cohorts(candidates, [CohortSlot("A", 10, "Spring"), CohortSlot("B", 10, "Summer")])
    assert set(plan.explanations) == {c.key for c in candidates}
    assert plan.explanations[0].startswith("Your cohort mixes 3 organisations and 3 settings;")
    assert set(plan.summaries) == {"A", "B"}
    assert plan.summaries["A"].startswith("10 people from 3 organisations and 3 settings; experience:")


def test_nobody_to_allocate():
    plan = allocate_cohorts([], [CohortSlot("A", 20)])
    assert plan.placements == {} and plan.summaries == {"A": "Nobody is placed in this cohort."}


# -------------------------------------------------------------------------------------------------- partners


def group_cost(group: list[Candidate]) -> int:
    """The partner cost, written out independently."""
    total = 0
    for a, b in itertools.combinations(group, 2):
        total += SAME_ORGANISATION_COST * (a.organisation == b.organisation)
        total += SAME_BAND_COST * (
            experience_band(a.experience_months) == experience_band(b.experience_months)
        )
        total += SAME_SETTING_COST * (a.setting == b.setting)
        total += (36 - min(36, abs(a.experience_months - b.experience_months))) // 12
    return total


def partitions(keys: list[int], trio_allowed: bool):
    """Every way to split keys into pairs, with at most one trio if allowed (and needed: odd counts)."""
    if not keys:
        yield []
        return
    first, rest = keys[0], keys[1:]
    for other in rest:
        for tail in partitions([k for k in rest if k != other], trio_allowed):
            yield [(first, other), *tail]
    if trio_allowed:
        for two in itertools.combinations(rest, 2):
            for tail in partitions([k for k in rest if k not in two], False):
                yield [(first, *two), *tail]


def test_partners_come_from_other_organisations():
    cohort = people(12, organisations=3)
    plan = pair_partners(cohort)
    by_key = {c.key: c for c in cohort}
    assert sorted(k for g in plan.groups for k in g) == sorted(by_key)
    assert all(len(g) == 2 for g in plan.groups)
    for a, b in plan.groups:
        assert by_key[a].organisation != by_key[b].organisation
    assert plan.explanations[0].startswith("You and your partner work in different organisations")
    assert plan.bound <= plan.objective and plan.gap_pct == gap_percent(plan.objective, plan.bound)


def test_an_odd_count_makes_one_trio():
    cohort = people(11, organisations=3)
    plan = pair_partners(cohort)
    assert sorted(len(g) for g in plan.groups) == [2, 2, 2, 2, 3]
    assert sorted(k for g in plan.groups for k in g) == list(range(11))
    trio = next(g for g in plan.groups if len(g) == 3)
    assert "group of three" in plan.explanations[trio[0]]


def test_newer_workers_are_partnered_with_more_experienced_ones():
    cohort = [
        Candidate(1, "A", "t", "inpatient", 2),
        Candidate(2, "B", "t", "inpatient", 4),
        Candidate(3, "C", "t", "inpatient", 60),
        Candidate(4, "D", "t", "inpatient", 70),
    ]
    plan = pair_partners(cohort)
    for group in plan.groups:
        assert {k in (1, 2) for k in group} == {True, False}
    assert "more experience" in plan.explanations[1]


def test_everyone_from_one_trust_falls_back_clearly():
    cohort = people(6, organisations=1)
    plan = pair_partners(cohort)
    assert sorted(len(g) for g in plan.groups) == [2, 2, 2]
    assert all("because everyone in the cohort is" in text for text in plan.explanations.values())


def test_fixed_groups_are_kept():
    cohort = people(8, organisations=2)
    plan = pair_partners(cohort, fixed=[(0, 2)])  # same organisation: the lead's choice stands
    assert (0, 2) in plan.groups
    assert plan.explanations[0].startswith("The programme lead chose your partner.")
    with pytest.raises(ValueError, match="pair or a trio"):
        pair_partners(cohort, fixed=[(0,)])
    with pytest.raises(ValueError, match="two fixed groups"):
        pair_partners(cohort, fixed=[(0, 1), (1, 2)])


@pytest.mark.parametrize("count", [6, 7])
def test_partner_optimum_is_checked_by_brute_force(count):
    cohort = [
        Candidate(i, f"ORG{i % 2}" if i < 5 else "ORG2", "t", SETTINGS[i % 2], m)
        for i, m in enumerate([1, 8, 20, 30, 45, 90, 14][:count])
    ]
    by_key = {c.key: c for c in cohort}
    best = min(
        sum(group_cost([by_key[k] for k in g]) for g in split)
        for split in partitions(sorted(by_key), count % 2 == 1)
    )
    plan = pair_partners(cohort)
    assert plan.optimal
    assert plan.objective == best == sum(group_cost([by_key[k] for k in g]) for g in plan.groups)
    assert plan.gap_pct == 0.0


def test_gap_percent():
    assert gap_percent(0, 0) == 0.0
    assert gap_percent(100, 99) == 1.0
    assert gap_percent(100, 100) == 0.0
    assert gap_percent(200, 0) == 100.0
