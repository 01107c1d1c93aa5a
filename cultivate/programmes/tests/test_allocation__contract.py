"""The allocation interface the services rely on, whatever the optimiser behind it: capacity, pins and
availability respected, everyone placed when there is room, an explanation for each placement."""

from __future__ import annotations

import random

from cultivate.programmes.allocation import Candidate, CohortSlot, allocate_cohorts, pair_partners


def people(n: int, seed: int = 1) -> list[Candidate]:
    rng = random.Random(seed)
    return [
        Candidate(
            key=i,
            organisation=f"ORG{i % 3}",
            team=str(rng.randrange(6)),
            setting=rng.choice(["inpatient", "community", "crisis"]),
            experience_months=rng.randrange(1, 120),
        )
        for i in range(1, n + 1)
    ]


def test_every_accepted_person_is_placed_within_capacity_when_there_is_room():
    candidates = people(45)
    cohorts = [CohortSlot("1", 20), CohortSlot("2", 20), CohortSlot("3", 20)]
    plan = allocate_cohorts(candidates, cohorts, time_limit_s=2)
    assert set(plan.placements) == {c.key for c in candidates}
    assert not plan.unplaced
    for slot in cohorts:
        assert sum(1 for v in plan.placements.values() if v == slot.key) <= slot.capacity
    assert all(plan.explanations[c.key] for c in candidates)
    assert set(plan.summaries) >= {"1", "2", "3"}
    assert plan.bound <= plan.objective + 1e-6
    assert plan.gap_pct >= 0


def test_pins_and_availability_are_respected():
    candidates = people(30)
    limited = Candidate(
        key=99,
        organisation="ORG0",
        team="1",
        setting="crisis",
        experience_months=5,
        available=frozenset({"2"}),
    )
    cohorts = [CohortSlot("1", 16), CohortSlot("2", 16)]
    plan = allocate_cohorts([*candidates, limited], cohorts, pinned={1: "2", 2: "1"}, time_limit_s=2)
    assert plan.placements[1] == "2"
    assert plan.placements[2] == "1"
    assert plan.placements[99] == "2"


def test_people_beyond_capacity_are_unplaced_with_a_reason():
    candidates = people(25)
    plan = allocate_cohorts(candidates, [CohortSlot("1", 20)], time_limit_s=2)
    assert len(plan.placements) == 20
    assert len(plan.unplaced) == 5
    assert all(reason for reason in plan.unplaced.values())


def test_someone_who_can_attend_no_cohort_is_unplaced():
    odd = Candidate(
        key=1, organisation="A", team="1", setting="community", experience_months=3, available=frozenset()
    )
    plan = allocate_cohorts([odd], [CohortSlot("1", 20)], time_limit_s=1)
    assert plan.placements == {}
    assert 1 in plan.unplaced


def test_partners_cover_everyone_once_in_pairs_and_one_trio():
    candidates = people(15)
    plan = pair_partners(candidates, time_limit_s=2)
    keys = [k for group in plan.groups for k in group]
    assert sorted(keys) == sorted(c.key for c in candidates)
    sizes = sorted(len(g) for g in plan.groups)
    assert sizes.count(3) == 1 and set(sizes) <= {2, 3}
    assert all(plan.explanations[c.key] for c in candidates)
    assert plan.bound <= plan.objective + 1e-6


def test_fixed_partner_groups_are_kept():
    candidates = people(10)
    plan = pair_partners(candidates, fixed=[(1, 2)], time_limit_s=2)
    assert (1, 2) in plan.groups or (2, 1) in plan.groups


def test_partners_come_from_another_organisation_where_possible():
    candidates = people(12)
    by_key = {c.key: c for c in candidates}
    plan = pair_partners(candidates, time_limit_s=2)
    for group in plan.groups:
        assert len({by_key[k].organisation for k in group}) > 1
