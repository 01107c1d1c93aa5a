"""Cohort allocation and practice partners, optimised with OR-Tools CP-SAT. Pure Python: no Django.

Two steps, solved one after the other (docs/programmes-allocation.md):

1. `allocate_cohorts` places as many candidates as fit (a constraint, worked out first) into cohorts of at most
   their capacity, mixing them: the objective counts, in every cohort, the pairs of people who share an
   organisation, a team, a setting or an experience band (weighted: team 3, organisation 2, setting and
   experience 1). Pairs grow with the square of a count, so the fewest pairs come from spreading each value as
   evenly over the cohorts as whole numbers allow (a trust with 50 of 300 applicants gets 3 or 4 places in each
   cohort of 20). The bound is the sum of per-dimension floors, each proved by CP-SAT on cohorts merged into
   interchangeable classes; a dealt plan is the answer when it is within the gap limit of that bound, and the
   full model (one whole-number count per type of interchangeable people and cohort, never a variable per
   person, with interchangeable cohorts ordered to break their symmetry) improves it otherwise.
2. `pair_partners` pairs the people of one cohort (a trio when the count is odd): a partner from another
   organisation first, then a different experience band (a newer worker with a more experienced one), then a
   different setting. Each possible pair or trio is one yes/no variable; a cohort of 20 has 190 pairs.

Both report the solver's objective, its proven lower bound and the gap between them in per cent, and explain
each result in plain words."""

from __future__ import annotations

import math
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

# Experience bands: (upper bound in months, exclusive; label). The last band has no upper bound.
EXPERIENCE_BANDS: tuple[tuple[int | None, str], ...] = (
    (12, "under a year"),
    (36, "one to three years"),
    (None, "three years or more"),
)

# Allocation weights: per pair of people in a cohort who share an organisation, team, setting or experience band
# (a same-team pair is also a same-organisation pair). Placing as many people as fit comes first, as a constraint.
DIMENSION_WEIGHTS = {"organisation": 2, "team": 3, "setting": 1, "experience": 1}
DIMENSIONS = ("organisation", "team", "setting", "experience")

# Partner costs: another organisation above all; then experience, then setting.
SAME_ORGANISATION_COST = 100
SAME_BAND_COST = 10
SAME_SETTING_COST = 4
EXPERIENCE_SPREAD_MONTHS = (
    36  # up to this difference, each 12 months more experience apart lowers the cost by 1
)

# Above this many people, pairs are limited to each person's cheapest partners (see _candidate_pairs).
FULL_PAIRING_LIMIT = 40
NEAREST_PARTNERS = 12


@dataclass(frozen=True)
class Candidate:
    key: int
    organisation: str
    team: str
    setting: str
    experience_months: int
    available: frozenset[str] | None = None  # cohort keys the person can attend; None = any


@dataclass(frozen=True)
class CohortSlot:
    key: str
    capacity: int
    label: str = ""


@dataclass(frozen=True)
class CohortPlan:
    placements: dict[int, str]
    unplaced: dict[int, str]  # key -> reason in plain words
    objective: float
    bound: float
    gap_pct: float
    optimal: bool
    explanations: dict[int, str]  # key -> plain words
    summaries: dict[str, str]  # cohort key -> one line about its mix


@dataclass(frozen=True)
class PartnerPlan:
    groups: list[tuple[int, ...]]  # pairs; one trio when the count is odd
    objective: float
    bound: float
    gap_pct: float
    optimal: bool
    explanations: dict[int, str]


def _cp() -> ModuleType:
    """OR-Tools, imported when first solving: it brings numpy, which a web process need not load."""
    from ortools.sat.python import cp_model

    return cp_model


def experience_band(months: int) -> str:
    """The plain-words experience band of a number of months in the role."""
    for upper, label in EXPERIENCE_BANDS:
        if upper is None or months < upper:
            return label
    raise AssertionError("the last band is open")  # pragma: no cover


def gap_percent(objective: float, bound: float) -> float:
    """How far the objective may be above the best possible, in per cent of the objective: 0 when the solver
    proved its answer optimal. An objective of 0 cannot be beaten, so its gap is 0."""
    if objective <= 0 or objective <= bound:
        return 0.0
    return round(100.0 * (objective - max(bound, 0.0)) / objective, 3)


def default_workers() -> int:
    """Search workers: one per core, at most 8. CP-SAT's portfolio gains little beyond that, and on a small
    machine more workers than cores only take turns."""
    return max(1, min(8, os.cpu_count() or 1))


def _solve(
    model: cp_model.CpModel,
    time_limit_s: float,
    workers: int | None,
    seed: int,
    gap_limit_pct: float = 0.0,
    *,
    full_relaxation: bool = False,
) -> tuple[cp_model.CpSolver, int]:
    """Solve with a time limit. `full_relaxation` puts every constraint into the linear relaxation at the
    start (linearization level 2) and searches with one worker: for the partner model, whose one-group-each
    constraints CP-SAT would otherwise keep out of its relaxation, leaving its bound at 0."""
    solver = _cp().CpSolver()
    if full_relaxation:
        solver.parameters.linearization_level = 2
        workers = 1
    solver.parameters.relative_gap_limit = max(0.0, gap_limit_pct) / 100.0
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    solver.parameters.num_workers = workers or default_workers()
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    return solver, int(status)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ---------------------------------------------------------------------------------------------------- cohorts


def _check_cohorts(candidates: Sequence[Candidate], cohorts: Sequence[CohortSlot]) -> None:
    keys = [c.key for c in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("Each candidate must appear once: a key is repeated.")
    cohort_keys = [c.key for c in cohorts]
    if len(set(cohort_keys)) != len(cohort_keys):
        raise ValueError("Each cohort must appear once: a cohort key is repeated.")
    for cohort in cohorts:
        if cohort.capacity < 0:
            raise ValueError(f"Cohort {cohort.label or cohort.key} cannot hold fewer than 0 people.")


def allocate_cohorts(
    candidates: Sequence[Candidate],
    cohorts: Sequence[CohortSlot],
    *,
    pinned: Mapping[int, str] | None = None,
    time_limit_s: float = 10.0,
    workers: int | None = None,
    seed: int = 0,
    gap_limit_pct: float = 0.5,
) -> CohortPlan:
    """Place candidates into cohorts (see the module's docstring). A pin places a person in a cohort whatever
    their availability (the lead's choice stands); pins beyond a cohort's capacity, or to a cohort or person
    not given, are refused with a ValueError. Among interchangeable people, lower keys are placed first, so
    when not everyone fits, the earlier applicants (lower keys) keep their places. The search stops at the
    time limit or once the gap is at most `gap_limit_pct` (0 waits for a proof of optimality)."""
    _check_cohorts(candidates, cohorts)
    pins = dict(pinned or {})
    by_key = {c.key: c for c in candidates}
    cohort_by_key = {c.key: c for c in cohorts}
    for person, cohort_key in pins.items():
        if person not in by_key:
            raise ValueError(f"Candidate {person} is pinned but is not among the candidates.")
        if cohort_key not in cohort_by_key:
            raise ValueError(f"Candidate {person} is pinned to a cohort that is not being allocated.")
    pinned_count = Counter(pins.values())
    for cohort_key, count in pinned_count.items():
        cohort = cohort_by_key[cohort_key]
        if count > cohort.capacity:
            raise ValueError(
                f"{_plural(count, 'person is', 'people are')} pinned to {cohort.label or cohort.key}, "
                f"which holds {cohort.capacity}."
            )
    if not candidates:
        return CohortPlan({}, {}, 0.0, 0.0, 0.0, True, {}, {c.key: _summary([], by_key) for c in cohorts})

    # Types of interchangeable free people: same attributes and the same cohorts open to them.
    cohort_order = [c.key for c in cohorts]
    types: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = defaultdict(list)
    for cand in sorted(candidates, key=lambda c: c.key):
        if cand.key in pins:
            continue
        open_to = tuple(
            k
            for k in cohort_order
            if (cand.available is None or k in cand.available) and cohort_by_key[k].capacity > pinned_count[k]
        )
        types[(_attributes(cand), open_to)].append(cand.key)
    type_list = list(types.items())
    pinned_values = {
        cohort_key: Counter(
            (dim, value)
            for person, k in pins.items()
            if k == cohort_key
            for dim, value in zip(DIMENSIONS, _attributes(by_key[person]), strict=True)
        )
        for cohort_key in cohort_order
    }
    shares = {dim: Counter(_attributes(c)[i] for c in candidates) for i, dim in enumerate(DIMENSIONS)}
    mix = _Mix(cohorts, pinned_count, pinned_values, shares)

    # 1. How many can be placed at most (a flow: people by the cohorts open to them). Placing them all is a
    # constraint, not a weight: nobody waits for the sake of a better mix.
    started = time.monotonic()
    budget = max(0.05, float(time_limit_s))
    by_open: Counter[tuple[str, ...]] = Counter()
    for (_, open_to), members in type_list:
        by_open[open_to] += len(members)
    most = mix.most_placed(list(by_open.items()), budget * 0.1, workers, seed)
    # 2. A good allocation quickly: people dealt one by one, then improved by swaps.
    counts = _dealt(cohorts, pinned_count, pinned_values, type_list, seed)
    dealt_pairs = mix.pairs_of(type_list, counts)
    # 3. Each dimension on its own: the fewest weighted pairs it allows. No allocation does better on it, so
    # their sum bounds the objective from below. Each is proved by the solver (or its bound is taken), except
    # where the dealt allocation already has no such pairs: 0 needs no proof.
    floors = dict.fromkeys(DIMENSIONS, 0)
    for i, dim in enumerate(DIMENSIONS):
        if not dealt_pairs[dim]:
            continue
        grouped: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter()
        for (values, open_to), members in type_list:
            grouped[((values[i],), open_to)] += len(members)
        floors[dim] = mix.dimension_floor(dim, list(grouped.items()), most, budget * 0.1, workers, seed)
    floor = sum(floors.values())
    dealt_objective = sum(DIMENSION_WEIGHTS[d] * dealt_pairs[d] for d in DIMENSIONS)
    placed_all = sum(counts.values()) == most
    if placed_all and gap_percent(dealt_objective, floor) <= gap_limit_pct:
        objective, bound, optimal = float(dealt_objective), float(floor), dealt_objective <= floor
    else:
        # 4. The whole model, started from the dealt allocation and told the floors, so that its bound starts
        # from them; it runs for the rest of the time allowed.
        model, y, totals = mix.build(
            [(values, open_to, len(members)) for (values, open_to), members in type_list], DIMENSIONS, most
        )
        for dim, low in floors.items():
            model.add(DIMENSION_WEIGHTS[dim] * totals[dim] >= low)
        classes = _break_symmetry(model, cohorts, pinned_count, type_list, y)
        mix.hint(model, {y[key]: n for key, n in _relabelled(counts, classes, type_list).items() if key in y})
        model.minimize(sum(DIMENSION_WEIGHTS[d] * totals[d] for d in DIMENSIONS))
        remaining = max(0.5, budget - (time.monotonic() - started))
        solver, status = _solve(model, remaining, workers, seed, gap_limit_pct)
        if status not in (_cp().OPTIMAL, _cp().FEASIBLE):
            raise RuntimeError("The solver found no allocation in the time allowed; allow more time.")
        counts = {key: int(solver.value(var)) for key, var in y.items()}
        # Counted from the allocation itself: a pairs variable of an unfinished search may sit above its count.
        found = mix.pairs_of(type_list, counts)
        objective = float(sum(DIMENSION_WEIGHTS[d] * found[d] for d in DIMENSIONS))
        bound = max(float(floor), float(solver.best_objective_bound))
        optimal = objective <= bound

    placements: dict[int, str] = dict(pins)
    unplaced: dict[int, str] = {}
    for t, (_, members) in enumerate(type_list):
        queue = list(members)
        for cohort_key in cohort_order:
            for _ in range(counts.get((t, cohort_key), 0)):
                placements[queue.pop(0)] = cohort_key
        for person in queue:
            unplaced[person] = _unplaced_reason(by_key[person], cohorts)

    members_of: dict[str, list[Candidate]] = defaultdict(list)
    for person, cohort_key in placements.items():
        members_of[cohort_key].append(by_key[person])
    explanations = {
        person: _explain_placement(by_key[person], members_of[cohort_key], person in pins)
        for person, cohort_key in placements.items()
    }
    explanations.update(unplaced)
    return CohortPlan(
        placements=placements,
        unplaced=unplaced,
        objective=objective,
        bound=bound,
        gap_pct=gap_percent(objective, bound),
        optimal=optimal,
        explanations=explanations,
        summaries={c.key: _summary(members_of[c.key], by_key) for c in cohorts},
    )


TypeList = list[tuple[tuple[tuple[str, ...], tuple[str, ...]], list[int]]]


def _attributes(c: Candidate) -> tuple[str, str, str, str]:
    """A person's value on each dimension, in DIMENSIONS order (a team is named within its organisation)."""
    return (c.organisation, f"{c.organisation}\x1f{c.team}", c.setting, experience_band(c.experience_months))


class _Mix:
    """Builds the allocation models: whole-number counts of groups of people per cohort, and for each value
    of a dimension in each cohort, the pairs of people sharing it."""

    def __init__(
        self,
        cohorts: Sequence[CohortSlot],
        pinned_count: Counter[str],
        pinned_values: Mapping[str, Counter[tuple[str, str]]],
        shares: Mapping[str, Counter[str]],
    ) -> None:
        self.cohorts = cohorts
        self.pinned_count = pinned_count
        self.pinned_values = pinned_values
        self.shares = shares

    def build(
        self,
        groups: Sequence[tuple[tuple[str, ...], tuple[str, ...], int]],
        dims: Sequence[str],
        placed: int,
    ) -> tuple[cp_model.CpModel, dict[tuple[int, str], cp_model.IntVar], dict[str, cp_model.LinearExprT]]:
        """`groups`: (values on `dims`, cohorts open to them, how many people); exactly `placed` of them are
        placed. Returns the model, the count variables by (group, cohort) and the pairs per dimension."""
        model = _cp().CpModel()
        self.counted: list[tuple[cp_model.IntVar, cp_model.IntVar, list[cp_model.IntVar], int]] = []
        y: dict[tuple[int, str], cp_model.IntVar] = {}
        for g, (_, open_to, size) in enumerate(groups):
            for k in open_to:
                room = next(c.capacity for c in self.cohorts if c.key == k) - self.pinned_count[k]
                y[(g, k)] = model.new_int_var(0, min(size, room), f"y{g}_{k}")
            model.add(sum(y[(g, k)] for k in open_to) <= size)
        model.add(sum(y.values()) == placed)
        in_cohort: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for (g, k), var in y.items():
            in_cohort[k].append((g, var))
        totals: dict[str, list[cp_model.IntVar]] = {d: [] for d in dims}
        for cohort in self.cohorts:
            members = in_cohort[cohort.key]
            model.add(sum(v for _, v in members) <= cohort.capacity - self.pinned_count[cohort.key])
            pinned = self.pinned_values[cohort.key]
            for i, dim in enumerate(dims):
                by_value: dict[str, list[cp_model.IntVar]] = defaultdict(list)
                for g, var in members:
                    by_value[groups[g][0][i]].append(var)
                for value in set(by_value) | {v for (d, v) in pinned if d == dim}:
                    fixed = pinned[(dim, value)]
                    top = min(cohort.capacity, self.shares[dim][value])
                    n, pairs = _pairs_within(model, sum(by_value[value]) + fixed, fixed, top)
                    totals[dim].append(pairs)
                    self.counted.append((n, pairs, by_value[value], fixed))
        return model, y, {d: sum(totals[d]) for d in dims}

    def pairs_of(self, type_list: TypeList, counts: Mapping[tuple[int, str], int]) -> dict[str, int]:
        """Pairs sharing each dimension's values, in an allocation given as counts by (type, cohort)."""
        shared: Counter[tuple[str, int, str]] = Counter()
        for (t, k), n in counts.items():
            for i, value in enumerate(type_list[t][0][0]):
                shared[(k, i, value)] += n
        for k, pinned in self.pinned_values.items():
            for (dim, value), n in pinned.items():
                shared[(k, DIMENSIONS.index(dim), value)] += n
        out = dict.fromkeys(DIMENSIONS, 0)
        for (_, i, _), n in shared.items():
            out[DIMENSIONS[i]] += n * (n - 1) // 2
        return out

    def hint(self, model: cp_model.CpModel, values: Mapping[cp_model.IntVar, int]) -> None:
        """Hint every variable of the last model built from the counts of its groups (a complete hint)."""
        for var, value in values.items():
            model.add_hint(var, value)
        for n, pairs, parts, fixed in self.counted:
            count = fixed + sum(values[v] for v in parts)
            model.add_hint(n, count)
            model.add_hint(pairs, count * (count - 1) // 2)

    def most_placed(
        self,
        groups: Sequence[tuple[tuple[str, ...], int]],
        time_limit_s: float,
        workers: int | None,
        seed: int,
    ) -> int:
        model = _cp().CpModel()
        placed = []
        for g, (open_to, size) in enumerate(groups):
            here = [model.new_int_var(0, size, f"p{g}_{k}") for k in open_to]
            model.add(sum(here) <= size)
            placed.append((open_to, here))
        for cohort in self.cohorts:
            model.add(
                sum(
                    v
                    for open_to, here in placed
                    for k, v in zip(open_to, here, strict=True)
                    if k == cohort.key
                )
                <= cohort.capacity - self.pinned_count[cohort.key]
            )
        total = sum(v for _, here in placed for v in here)
        model.maximize(total)
        solver, status = _solve(model, max(1.0, time_limit_s), workers, seed)
        if status != _cp().OPTIMAL:
            raise RuntimeError("The solver could not work out how many people fit; allow more time.")
        return int(solver.value(total))

    def dimension_floor(
        self,
        dim: str,
        groups: Sequence[tuple[tuple[tuple[str, ...], tuple[str, ...]], int]],
        placed: int,
        time_limit_s: float,
        workers: int | None,
        seed: int,
    ) -> int:
        """The fewest weighted pairs sharing a value of `dim` that any allocation placing `placed` people can
        have, or a lower bound on it when the solver runs out of time (0 at worst).

        Cohorts that are interchangeable here (no pins, the same room, open to the same groups) are merged
        into one class of m cohorts: n people of one value in a class make at least f_m(n) pairs, the pairs
        when they are spread as evenly as whole numbers allow, because spreading evenly makes fewest pairs.
        f_m is linear between multiples of m (each next person joins cohorts holding n // m of their value),
        so a few lines describe it exactly. This relaxes the allocation (any allocation's pairs are at least
        the class's), so its optimum is a valid lower bound; 150 cohorts become a handful of classes."""
        pattern_of: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for (_, open_to), _n in groups:
            for k in open_to:
                pattern_of[k].add(open_to)
        classes: dict[tuple[object, ...], list[str]] = defaultdict(list)
        for cohort in self.cohorts:
            room = cohort.capacity - self.pinned_count[cohort.key]
            key: tuple[object, ...] = (
                (cohort.key,) if self.pinned_count[cohort.key] else (room, frozenset(pattern_of[cohort.key]))
            )
            classes[key].append(cohort.key)
        model = _cp().CpModel()
        z: dict[tuple[int, int], cp_model.IntVar] = {}
        class_list = list(classes.values())
        for g, ((_, open_to), size) in enumerate(groups):
            for c, keys in enumerate(class_list):
                if keys[0] in open_to:
                    z[(g, c)] = model.new_int_var(0, size, f"z{g}_{c}")
            model.add(sum(v for (gg, _), v in z.items() if gg == g) <= size)
        model.add(sum(z.values()) == placed)
        total = []
        for c, keys in enumerate(class_list):
            cohort = next(x for x in self.cohorts if x.key == keys[0])
            m, room = len(keys), cohort.capacity - self.pinned_count[cohort.key]
            inside = [(g, v) for (g, cc), v in z.items() if cc == c]
            model.add(sum(v for _, v in inside) <= m * room)
            by_value: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for g, v in inside:
                by_value[groups[g][0][0][0]].append(v)
            pinned = self.pinned_values[keys[0]] if m == 1 else Counter[tuple[str, str]]()
            for value in set(by_value) | {v for (d, v) in pinned if d == dim}:
                fixed = pinned[(dim, value)]
                top = min(m * cohort.capacity, self.shares[dim][value])
                n = model.new_int_var(fixed, max(fixed, top), "n")
                model.add(n == sum(by_value[value]) + fixed)
                pairs = model.new_int_var(0, _even_pairs(max(fixed, top), m), "pairs")
                for j in range(0, top // m + 1):
                    # the line through f_m at j·m, with slope j
                    model.add(pairs >= _even_pairs(j * m, m) + j * (n - j * m))
                total.append(pairs)
        model.minimize(DIMENSION_WEIGHTS[dim] * sum(total))
        solver, status = _solve(model, time_limit_s, workers, seed)
        if status not in (_cp().OPTIMAL, _cp().FEASIBLE):
            return 0  # no proof in time: the trivial floor
        return math.ceil(solver.best_objective_bound - 1e-6)


def _even_pairs(n: int, m: int) -> int:
    """Pairs among n people spread as evenly as possible over m cohorts."""
    q, r = divmod(n, m)
    return r * (q + 1) * q // 2 + (m - r) * q * (q - 1) // 2


def _pairs_within(
    model: cp_model.CpModel, count: cp_model.LinearExprT, low: int, top: int
) -> tuple[cp_model.IntVar, cp_model.IntVar]:
    """A variable at least count × (count − 1) / 2, the pairs among `count` people, for whole counts from `low`
    to `top`: one line through each two neighbouring points of that convex curve. The lines make the linear
    relaxation exact at whole counts, so the solver's bound already knows that 3.33 people cannot be placed."""
    n = model.new_int_var(low, max(low, top), "count")
    model.add(n == count)
    pairs = model.new_int_var(0, max(low, top) * (max(low, top) - 1) // 2, "pairs")
    for k in range(max(low, 1), top):
        model.add(pairs >= k * n - k * (k + 1) // 2)
    return n, pairs


def _dealt(
    cohorts: Sequence[CohortSlot],
    pinned_count: Counter[str],
    pinned_values: Mapping[str, Counter[tuple[str, str]]],
    type_list: TypeList,
    seed: int,
) -> dict[tuple[int, str], int]:
    """A starting point for the search. People are dealt one at a time, those with fewest cohorts open to
    them first, each into the open cohort where they add the fewest weighted pairs; then random swaps of two
    people between cohorts are kept when they lower the pairs. The solver starts from this and improves it."""
    room = {c.key: c.capacity - pinned_count[c.key] for c in cohorts}
    size = dict.fromkeys(room, 0)
    counts = {(t, k): 0 for t, ((_, open_to), _) in enumerate(type_list) for k in open_to}
    weights = [DIMENSION_WEIGHTS[d] for d in DIMENSIONS]
    shared: Counter[tuple[str, int, str]] = Counter()
    for k, pinned in pinned_values.items():
        for (dim, value), n in pinned.items():
            shared[(k, DIMENSIONS.index(dim), value)] += n

    def added(t: int, k: str) -> int:
        values = type_list[t][0][0]
        return sum(w * shared[(k, i, v)] for i, (w, v) in enumerate(zip(weights, values, strict=True)))

    def move(t: int, k: str, step: int) -> None:
        counts[(t, k)] += step
        size[k] += step
        for i, v in enumerate(type_list[t][0][0]):
            shared[(k, i, v)] += step

    queue = [(t, i) for t in range(len(type_list)) for i in range(len(type_list[t][1]))]
    queue.sort(key=lambda item: (len(type_list[item[0]][0][1]), item[1], item[0]))
    for t, _ in queue:
        open_here = [k for k in type_list[t][0][1] if size[k] < room[k]]
        if open_here:
            move(t, min(open_here, key=lambda k: (added(t, k), size[k] / max(room[k], 1))), 1)

    rng = random.Random(seed)
    placed = [key for key, n in counts.items() if n]
    for _ in range(20 * len(queue) if len(placed) > 1 else 0):
        (t1, k1), (t2, k2) = rng.choice(placed), rng.choice(placed)
        if k1 == k2 or t1 == t2 or not counts[(t1, k1)] or not counts[(t2, k2)]:
            continue
        if (t1, k2) not in counts or (t2, k1) not in counts:
            continue
        move(t1, k1, -1)
        move(t2, k2, -1)
        if added(t1, k2) + added(t2, k1) < added(t1, k1) + added(t2, k2):
            move(t1, k2, 1)
            move(t2, k1, 1)
            placed.extend([(t1, k2), (t2, k1)])
        else:
            move(t1, k1, 1)
            move(t2, k2, 1)
    return counts


def _relabelled(
    counts: Mapping[tuple[int, str], int], classes: Sequence[tuple[list[str], int]], type_list: TypeList
) -> dict[tuple[int, str], int]:
    """The same allocation with interchangeable cohorts relabelled in the order the symmetry breaking asks
    for, so that it is a feasible hint."""
    out = dict(counts)
    for keys, first in classes:
        columns = sorted(
            ({t: counts.get((t, k), 0) for t in range(len(type_list))} for k in keys),
            key=lambda column: -column[first],
        )
        for k, column in zip(keys, columns, strict=True):
            for t, value in column.items():
                if (t, k) in counts:
                    out[(t, k)] = value
    return out


def _interchangeable(
    cohorts: Sequence[CohortSlot],
    pinned_count: Counter[str],
    type_list: TypeList,
    y: Mapping[tuple[int, str], cp_model.IntVar],
) -> list[tuple[list[str], int]]:
    """Classes of interchangeable cohorts (same capacity, no pins, the same types able to attend), each with
    the first type open to them."""
    classes: dict[tuple[int, tuple[int, ...]], list[str]] = defaultdict(list)
    for cohort in cohorts:
        if pinned_count[cohort.key]:
            continue
        open_types = tuple(t for t in range(len(type_list)) if (t, cohort.key) in y)
        classes[(cohort.capacity, open_types)].append(cohort.key)
    return [(keys, types[0]) for (_, types), keys in classes.items() if len(keys) > 1 and types]


def _break_symmetry(
    model: cp_model.CpModel,
    cohorts: Sequence[CohortSlot],
    pinned_count: Counter[str],
    type_list: TypeList,
    y: Mapping[tuple[int, str], cp_model.IntVar],
) -> list[tuple[list[str], int]]:
    """Interchangeable cohorts: any allocation can be relabelled so that their counts of the first type open
    to them never rise from one to the next. Requiring that order removes the copies of each solution the
    search would otherwise visit. Returns the classes of interchangeable cohorts."""
    classes = _interchangeable(cohorts, pinned_count, type_list, y)
    for keys, first in classes:
        for a, b in pairwise(keys):
            model.add(y[(first, a)] >= y[(first, b)])
    return classes


def _unplaced_reason(cand: Candidate, cohorts: Sequence[CohortSlot]) -> str:
    if cand.available is not None and not cand.available:
        return "You did not give any cohort you can attend, so you could not be placed."
    can_attend = [c for c in cohorts if cand.available is None or c.key in cand.available]
    if not can_attend:
        return "None of the cohorts meets at times you said you can attend, so you could not be placed."
    if len(can_attend) == len(cohorts):
        return "Every cohort was full, so you are on the waiting list."
    names = ", ".join(c.label or c.key for c in can_attend)
    return f"The cohorts you can attend ({names}) were full, so you are on the waiting list."


def _counts_phrase(members: Sequence[Candidate]) -> str:
    organisations = len({m.organisation for m in members})
    settings = len({m.setting for m in members})
    return (
        f"{_plural(organisations, 'organisation')} and {_plural(settings, 'setting')}"
        if members
        else "nobody yet"
    )


def _experience_phrase(members: Sequence[Candidate]) -> str:
    bands = Counter(experience_band(m.experience_months) for m in members)
    parts = [f"{bands[label]} {label}" for _, label in EXPERIENCE_BANDS if bands[label]]
    return "experience: " + ", ".join(parts)


def _summary(members: Sequence[Candidate], by_key: Mapping[int, Candidate]) -> str:
    if not members:
        return "Nobody is placed in this cohort."
    return (
        f"{_plural(len(members), 'person', 'people')} from {_counts_phrase(members)}; "
        f"{_experience_phrase(members)}."
    )


def _explain_placement(cand: Candidate, members: Sequence[Candidate], pinned: bool) -> str:
    others = [m for m in members if m.key != cand.key]
    same_team = sum(1 for m in others if m.organisation == cand.organisation and m.team == cand.team)
    same_org = sum(1 for m in others if m.organisation == cand.organisation)
    start = "The programme lead chose this cohort for you. " if pinned else ""
    text = f"{start}Your cohort mixes {_counts_phrase(members)}; {_experience_phrase(members)}."
    if same_team == 0:
        team = "Nobody else from your team is in it"
    else:
        verb = "is" if same_team == 1 else "are"
        team = f"{_plural(same_team, 'other person', 'other people')} from your team {verb} in it"
    return f"{text} {team}, and {_plural(same_org, 'other person', 'other people')} from your organisation."


# --------------------------------------------------------------------------------------------------- partners


def _pair_cost(a: Candidate, b: Candidate) -> int:
    cost = 0
    if a.organisation == b.organisation:
        cost += SAME_ORGANISATION_COST
    if experience_band(a.experience_months) == experience_band(b.experience_months):
        cost += SAME_BAND_COST
    if a.setting == b.setting:
        cost += SAME_SETTING_COST
    spread = min(EXPERIENCE_SPREAD_MONTHS, abs(a.experience_months - b.experience_months))
    return cost + (EXPERIENCE_SPREAD_MONTHS - spread) // 12


def _group_cost(group: Sequence[Candidate]) -> int:
    return sum(_pair_cost(a, b) for a, b in combinations(group, 2))


def _candidate_pairs(people: Sequence[Candidate]) -> set[tuple[int, int]]:
    """Index pairs the model may choose. Up to FULL_PAIRING_LIMIT people, all of them; beyond, each person's
    NEAREST_PARTNERS cheapest partners (a cohort is normally 20; this only keeps an unusual call tractable)."""
    n = len(people)
    if n <= FULL_PAIRING_LIMIT:
        return set(combinations(range(n), 2))
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        ranked = sorted((j for j in range(n) if j != i), key=lambda j: (_pair_cost(people[i], people[j]), j))
        for j in ranked[:NEAREST_PARTNERS]:
            pairs.add((min(i, j), max(i, j)))
    return pairs


def pair_partners(
    candidates: Sequence[Candidate],
    *,
    fixed: Sequence[tuple[int, ...]] = (),
    time_limit_s: float = 5.0,
    workers: int | None = None,
    seed: int = 0,
) -> PartnerPlan:
    """Pair the people of one cohort (see the module's docstring). Fixed groups (pairs or trios the lead
    chose) are kept as they are; the rest are paired, with one trio when their count is odd. When nobody from
    another organisation is free (everyone is from one trust), people are paired within their organisation
    and the explanation says so."""
    by_key = {c.key: c for c in candidates}
    if len(by_key) != len(candidates):
        raise ValueError("Each candidate must appear once: a key is repeated.")
    seen: set[int] = set()
    fixed_groups: list[tuple[int, ...]] = []
    for group in fixed:
        if not 2 <= len(group) <= 3:
            raise ValueError("A fixed group is a pair or a trio.")
        for person in group:
            if person not in by_key:
                raise ValueError(f"Candidate {person} is in a fixed group but is not among the candidates.")
            if person in seen:
                raise ValueError(f"Candidate {person} is in two fixed groups.")
            seen.add(person)
        fixed_groups.append(tuple(group))
    free = [c for c in sorted(candidates, key=lambda c: c.key) if c.key not in seen]
    fixed_cost = sum(_group_cost([by_key[k] for k in g]) for g in fixed_groups)

    groups: list[tuple[int, ...]] = list(fixed_groups)
    objective, bound, optimal = float(fixed_cost), float(fixed_cost), True
    if len(free) == 1:
        # One person left: they join the fixed pair that suits them best, or stay alone if there is none.
        lone = free[0]
        pairs = [i for i, g in enumerate(groups) if len(g) == 2]
        if pairs:
            best = min(pairs, key=lambda i: _group_cost([*(by_key[k] for k in groups[i]), lone]))
            before = _group_cost([by_key[k] for k in groups[best]])
            groups[best] = (*groups[best], lone.key)
            objective = bound = float(fixed_cost - before + _group_cost([by_key[k] for k in groups[best]]))
        else:
            groups.append((lone.key,))
    elif len(free) >= 2:
        chosen, value, proven, done = _solve_pairs(free, time_limit_s, workers, seed)
        groups.extend(chosen)
        objective, bound, optimal = fixed_cost + value, fixed_cost + proven, done
    explanations = {}
    for group in groups:
        for person in group:
            explanations[person] = _explain_partner(by_key, person, group, candidates, person in seen)
    return PartnerPlan(
        groups=groups,
        objective=objective,
        bound=bound,
        gap_pct=gap_percent(objective, bound),
        optimal=optimal,
        explanations=explanations,
    )


def _solve_pairs(
    people: Sequence[Candidate], time_limit_s: float, workers: int | None, seed: int
) -> tuple[list[tuple[int, ...]], float, float, bool]:
    n = len(people)
    pair_index = sorted(_candidate_pairs(people))
    options: list[tuple[int, ...]] = list(pair_index)
    if n % 2:
        linked = set(pair_index)
        options.extend(
            (i, j, k)
            for i, j, k in combinations(range(n), 3)
            if (i, j) in linked and (i, k) in linked and (j, k) in linked
        )
    model = _cp().CpModel()
    chosen = [model.new_bool_var(f"g{g}") for g in range(len(options))]
    covering: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    trios = []
    for var, option in zip(chosen, options, strict=True):
        for i in option:
            covering[i].append(var)
        if len(option) == 3:
            trios.append(var)
    for i in range(n):
        model.add(sum(covering[i]) == 1)
    if n % 2:
        model.add(sum(trios) == 1)
    model.minimize(sum(_group_cost([people[i] for i in o]) * v for o, v in zip(options, chosen, strict=True)))
    solver, status = _solve(model, time_limit_s, workers, seed, full_relaxation=True)
    if status not in (_cp().OPTIMAL, _cp().FEASIBLE):
        raise RuntimeError("The solver found no pairing in the time allowed; allow more time.")
    groups = [
        tuple(people[i].key for i in option)
        for option, var in zip(options, chosen, strict=True)
        if solver.value(var)
    ]
    return (
        groups,
        float(solver.objective_value),
        float(solver.best_objective_bound),
        status == _cp().OPTIMAL,
    )


def _explain_partner(
    by_key: Mapping[int, Candidate],
    person: int,
    group: tuple[int, ...],
    everyone: Iterable[Candidate],
    fixed: bool,
) -> str:
    me = by_key[person]
    others = [by_key[k] for k in group if k != person]
    if not others:
        return "There is nobody else in your cohort to partner with yet."
    word, verb = ("partner", "is") if len(others) == 1 else ("partners", "are")
    start = f"The programme lead chose your {word}. " if fixed else ""
    if len(others) == 2:
        start += "Your cohort has an odd number of people, so you are in a group of three. "
    same_org = [o for o in others if o.organisation == me.organisation]
    if not same_org:
        orgs = f"You and your {word} work in different organisations"
    elif len(same_org) < len(others):
        orgs = "One of your partners is from another organisation"
    elif all(c.organisation == me.organisation for c in everyone):
        orgs = f"Your {word} {verb} from your own organisation, because everyone in the cohort is"
    elif fixed:
        orgs = f"Your {word} {verb} from your own organisation"
    else:
        orgs = (
            f"Your {word} {verb} from your own organisation: nobody from another one was free to partner you"
        )
    settings = "different settings" if all(o.setting != me.setting for o in others) else "the same setting"
    text = f"{start}{orgs}; you work in {settings}"
    mine = experience_band(me.experience_months)
    if len(others) == 2:
        bands = {mine, *(experience_band(o.experience_months) for o in others)}
        return f"{text}; between you, your experience spans {_plural(len(bands), 'band')}."
    other = others[0]
    theirs = experience_band(other.experience_months)
    if theirs == mine:
        return f"{text}; you both have {mine} of experience."
    if other.experience_months > me.experience_months:
        return f"{text}; your partner has more experience ({theirs}) to share with you."
    return f"{text}; you bring more experience ({mine}) to share with your partner."
