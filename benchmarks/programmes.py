"""Cohort allocation with practice partners (cultivate/programmes/allocation.py), on synthetic applicants.

Applicants come from 6 organisations, each with teams in one setting (inpatient, community, crisis, learning
disability, older people), with experience from 1 month to 10 years; a fifth can attend only some cohorts
(the daytime cohorts). They are allocated into cohorts of 20, then partnered within each cohort; each figure is
the median of RUNS runs (wall clock, both steps, on this machine's cores):

    bench cohort_allocation_300_s        300 applicants, 15 cohorts: allocation and pairing
    bench cohort_allocation_300_gap_pct  the larger of the allocation's and the pairings' gap (objective against
                                         the solver's proven bound), in per cent, median over the runs
    bench cohort_allocation_3000_s       3,000 applicants, 150 cohorts: allocation and pairing
    bench cohort_allocation_3000_gap_pct the same gap for 3,000

The programme's certificates are part of the same group (`make bench ONLY=programmes` prints them too): the
credentials module's figures (`credentials_issue_1000_s`, `credential_verify_median_ms`) follow, and that module
also runs alone (`make bench ONLY=credentials`).
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict

from cultivate.programmes.allocation import (
    Candidate,
    CohortSlot,
    allocate_cohorts,
    gap_percent,
    pair_partners,
)

GROUP = "programmes"
RUNS = 3
SETTINGS = ("inpatient", "community", "crisis", "learning disability", "older people")


def applicants(count: int, cohorts: int, seed: int) -> tuple[list[Candidate], list[CohortSlot]]:
    rng = random.Random(seed)
    organisations = [f"ORG{i}" for i in range(6)]
    weights = [1.6, 1.3, 1.0, 0.9, 0.7, 0.5]  # trusts of different sizes
    teams = {
        org: [(f"team {t}", SETTINGS[(i + t) % len(SETTINGS)]) for t in range(12)]
        for i, org in enumerate(organisations)
    }
    slots = [CohortSlot(key=f"C{c:03d}", capacity=20, label=f"Cohort {c + 1}") for c in range(cohorts)]
    daytime = frozenset(s.key for s in slots[: max(1, cohorts * 2 // 3)])
    people = []
    for key in range(count):
        org = rng.choices(organisations, weights)[0]
        team, setting = rng.choice(teams[org])
        months = int(rng.triangular(1, 120, 8))
        available = daytime if rng.random() < 0.2 else None
        people.append(Candidate(key, org, team, setting, months, available))
    return people, slots


def allocate_and_pair(people: list[Candidate], slots: list[CohortSlot]) -> tuple[float, float]:
    """Seconds taken and the larger gap of the two steps."""
    started = time.perf_counter()
    plan = allocate_cohorts(people, slots, time_limit_s=max(4.0, len(people) / 60))
    members: dict[str, list[Candidate]] = defaultdict(list)
    by_key = {p.key: p for p in people}
    for person, cohort in plan.placements.items():
        members[cohort].append(by_key[person])
    objective = bound = 0.0
    for cohort in sorted(members):
        pairs = pair_partners(members[cohort], time_limit_s=1.0)
        objective += pairs.objective
        bound += pairs.bound
    elapsed = time.perf_counter() - started
    return elapsed, max(plan.gap_pct, gap_percent(objective, bound))


def run() -> None:
    for count in (300, 3000):
        people, slots = applicants(count, count // 20, seed=count)
        results = [allocate_and_pair(people, slots) for _ in range(RUNS)]
        print(f"cohort_allocation_{count}_applicants {count}")
        print(f"cohort_allocation_{count}_cohorts {len(slots)}")
        print(f"cohort_allocation_{count}_s {statistics.median(r[0] for r in results):.2f}")
        print(f"cohort_allocation_{count}_gap_pct {statistics.median(r[1] for r in results):.2f}")
    # Issuing and verifying the certificates a programme ends in (the figures for this group).
    from benchmarks import credentials

    credentials.run()


if __name__ == "__main__":
    run()
