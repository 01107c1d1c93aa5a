"""Cohort allocation and practice partners: a greedy placement with a proven lower bound.

Pure Python, no Django. The interface is the one the optimiser implements (helper "alloc" replaces this module
with a CP-SAT model); this version is a real, simple allocator so the pages and services run meanwhile.

Cost of a cohort: for each pair of members, 3 if same team, 2 if same organisation, 1 if same setting, 1 if in
the same experience band. Lower is better mixed. The bound spreads each value evenly over the cohorts, each
attribute on its own, which no placement can beat."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

TEAM_WEIGHT, ORG_WEIGHT, SETTING_WEIGHT, EXPERIENCE_WEIGHT = 3, 2, 1, 1


@dataclass(frozen=True)
class Candidate:
    key: int
    organisation: str
    team: str
    setting: str
    experience_months: int
    available: frozenset[str] | None = None


@dataclass(frozen=True)
class CohortSlot:
    key: str
    capacity: int
    label: str = ""


@dataclass(frozen=True)
class CohortPlan:
    placements: dict[int, str]
    unplaced: dict[int, str]
    objective: float
    bound: float
    gap_pct: float
    optimal: bool
    explanations: dict[int, str]
    summaries: dict[str, str]


@dataclass(frozen=True)
class PartnerPlan:
    groups: list[tuple[int, ...]]
    objective: float
    bound: float
    gap_pct: float
    optimal: bool
    explanations: dict[int, str]


def experience_band(months: int) -> int:
    """Under a year, one to three years, three to five, five or more."""
    return 0 if months < 12 else 1 if months < 36 else 2 if months < 60 else 3


def _pair_cost(a: Candidate, b: Candidate) -> int:
    cost = 0
    if a.organisation == b.organisation:
        cost += ORG_WEIGHT
        if a.team == b.team:
            cost += TEAM_WEIGHT
    if a.setting == b.setting:
        cost += SETTING_WEIGHT
    if experience_band(a.experience_months) == experience_band(b.experience_months):
        cost += EXPERIENCE_WEIGHT
    return cost


def _even_pairs(count: int, bins: int) -> int:
    """Fewest same-value pairs when `count` people spread over `bins` groups."""
    if bins <= 0:
        return 0
    low, extra = divmod(count, bins)
    return extra * (low + 1) * low // 2 + (bins - extra) * low * (low - 1) // 2


def _gap(objective: float, bound: float) -> float:
    return 0.0 if objective <= bound else round(100.0 * (objective - bound) / max(abs(objective), 1e-9), 2)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def allocate_cohorts(
    candidates: Sequence[Candidate],
    cohorts: Sequence[CohortSlot],
    *,
    pinned: Mapping[int, str] | None = None,
    time_limit_s: float = 10.0,
) -> CohortPlan:
    slots = {slot.key: slot for slot in cohorts}
    members: dict[str, list[Candidate]] = {slot.key: [] for slot in cohorts}
    placements: dict[int, str] = {}
    unplaced: dict[int, str] = {}
    by_key = {c.key: c for c in candidates}
    for key, cohort_key in (pinned or {}).items():
        # A pin is the lead's decision: kept even where the cohort is then full for others.
        if key in by_key and cohort_key in slots:
            placements[key] = cohort_key
            members[cohort_key].append(by_key[key])

    def options(c: Candidate) -> list[str]:
        return [k for k in slots if c.available is None or k in c.available]

    # The most constrained first, so that people who can attend few cohorts get a place.
    todo = sorted((c for c in candidates if c.key not in placements), key=lambda c: (len(options(c)), c.key))
    for c in todo:
        allowed = options(c)
        if not allowed:
            unplaced[c.key] = "cannot attend any of the cohorts"
            continue
        open_ = [k for k in allowed if len(members[k]) < slots[k].capacity]
        if not open_:
            unplaced[c.key] = "every cohort they can attend is full"
            continue
        best = min(open_, key=lambda k: (sum(_pair_cost(c, m) for m in members[k]), len(members[k]), k))
        placements[c.key] = best
        members[best].append(c)

    objective = float(
        sum(
            _pair_cost(a, b)
            for group in members.values()
            for i, a in enumerate(group)
            for b in group[i + 1 :]
        )
    )
    placed = [by_key[k] for k in placements]
    used = sum(1 for group in members.values() if group)
    bound = 0.0
    for attribute, weight in (
        (lambda c: c.organisation, ORG_WEIGHT),
        (lambda c: (c.organisation, c.team), TEAM_WEIGHT),
        (lambda c: c.setting, SETTING_WEIGHT),
        (lambda c: experience_band(c.experience_months), EXPERIENCE_WEIGHT),
    ):
        counts = Counter(attribute(c) for c in placed)
        bound += weight * sum(_even_pairs(n, used) for n in counts.values())
    bound = min(bound, objective)

    explanations: dict[int, str] = {}
    summaries: dict[str, str] = {}
    pins = pinned or {}
    for cohort_key, group in members.items():
        orgs = Counter(m.organisation for m in group)
        settings = {m.setting for m in group}
        teams = {(m.organisation, m.team) for m in group}
        summaries[cohort_key] = (
            f"{_plural(len(group), 'person')} from {_plural(len(orgs), 'organisation')}, "
            f"{_plural(len(settings), 'setting')} and {_plural(len(teams), 'team')}"
        ).replace("persons", "people")
        for m in group:
            same = orgs[m.organisation] - 1
            pin = "pinned by the lead; " if pins.get(m.key) == cohort_key else ""
            explanations[m.key] = (
                f"{pin}mixes {_plural(len(orgs), 'organisation')} and {_plural(len(settings), 'setting')}; "
                f"{_plural(same, 'other person')} from your organisation"
            ).replace("other persons", "other people")
    return CohortPlan(
        placements=placements,
        unplaced=unplaced,
        objective=objective,
        bound=bound,
        gap_pct=_gap(objective, bound),
        optimal=objective <= bound,
        explanations=explanations,
        summaries=summaries,
    )


def _partner_cost(a: Candidate, b: Candidate) -> int:
    # Another organisation matters most; then another setting; then experience close enough to share.
    cost = 10 if a.organisation == b.organisation else 0
    cost += 2 if a.setting == b.setting else 0
    return cost + min(abs(a.experience_months - b.experience_months) // 12, 5)


def pair_partners(
    candidates: Sequence[Candidate], *, fixed: Sequence[tuple[int, ...]] = (), time_limit_s: float = 5.0
) -> PartnerPlan:
    by_key = {c.key: c for c in candidates}
    groups: list[tuple[int, ...]] = [tuple(g) for g in fixed if all(k in by_key for k in g)]
    taken = {k for g in groups for k in g}
    todo = sorted((c for c in candidates if c.key not in taken), key=lambda c: (c.experience_months, c.key))
    while len(todo) >= 2:
        first = todo.pop(0)
        partner = min(todo, key=lambda c: (_partner_cost(first, c), c.key))
        todo.remove(partner)
        groups.append((first.key, partner.key))
    if todo:
        odd = todo[0]
        if groups:
            # Join the pair it fits best, making the one trio.
            index = min(
                (i for i, g in enumerate(groups) if len(g) == 2)
                if any(len(g) == 2 for g in groups)
                else range(len(groups)),
                key=lambda i: sum(_partner_cost(odd, by_key[k]) for k in groups[i]),
            )
            groups[index] = (*groups[index], odd.key)
        else:
            groups.append((odd.key,))

    def group_cost(group: tuple[int, ...]) -> int:
        return sum(_partner_cost(by_key[a], by_key[b]) for i, a in enumerate(group) for b in group[i + 1 :])

    objective = float(sum(group_cost(g) for g in groups))
    # Same-organisation pairs are forced only where one organisation holds more than half the people.
    largest = max(Counter(c.organisation for c in candidates).values(), default=0)
    forced = max(0, largest - (len(candidates) - largest))
    bound = min(objective, float(10 * (forced // 2)))
    explanations: dict[int, str] = {}
    for group in groups:
        for key in group:
            me = by_key[key]
            others = [by_key[k] for k in group if k != key]
            if not others:
                explanations[key] = "no partner: you are the only person in the cohort"
                continue
            where = (
                "different trusts"
                if all(o.organisation != me.organisation for o in others)
                else "the same trust"
            )
            setting = (
                "different settings" if all(o.setting != me.setting for o in others) else "the same setting"
            )
            who = "you and your partners" if len(others) > 1 else "you and your partner"
            explanations[key] = f"{who} work in {where} and {setting}"
    return PartnerPlan(
        groups=groups,
        objective=objective,
        bound=bound,
        gap_pct=_gap(objective, bound),
        optimal=objective <= bound,
        explanations=explanations,
    )
