"""The synthetic trusts: ODS-like codes, kinds, regions, sizes, and each trust's own figures drawn around the
national ones (band mix, leaving, progression, sickness, recruitment), so trusts differ as real ones do."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calibration as cal
from .catalogue import TEAMS

PEOPLE_PER_TRUST = 6500
MIN_TRUSTS, MAX_TRUSTS = 8, 230
# Codes taken by the demo alliance (RZ7, RZ8, RZ9) are avoided so the two never clash.
RESERVED_PREFIX = "RZ"
CODE_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXY0123456789"


@dataclass(frozen=True)
class Organisation:
    index: int
    code: str
    name: str
    kind: int
    region: int
    people: int  # distinct people whose first post in the extract is here
    band_mix: tuple[float, float, float]
    group_shares: tuple[float, ...]
    leaving: float  # factor on the national hazards
    progression: float
    sickness: float
    relative_likelihood: float
    black: float  # factor on the national shares, by region
    asian: float
    teams: tuple[str, ...]

    def describe(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": cal.KIND_NAMES[self.kind],
            "region": cal.REGIONS[self.region],
            "people": self.people,
        }


def _counts(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers in proportion to the weights adding up to total (largest remainders)."""
    shares = weights / weights.sum() * total
    counts = np.floor(shares).astype(np.int64)
    remainder = int(total - counts.sum())
    if remainder:
        counts[np.argsort(-(shares - counts), kind="stable")[:remainder]] += 1
    return np.asarray(counts)


def _codes(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [
        "R" + a + b
        for a in CODE_CHARACTERS
        for b in CODE_CHARACTERS
        if not ("R" + a + b).startswith(RESERVED_PREFIX)
    ]
    chosen = rng.choice(len(pairs), size=n, replace=False)
    return sorted(pairs[i] for i in chosen)


def _teams(rng: np.random.Generator, kind: int, people: int) -> tuple[str, ...]:
    count = int(np.clip(people // 45, 6, 400))
    patterns = TEAMS[kind]
    names: list[str] = []
    seen: set[str] = set()
    number = 1
    while len(names) < count:
        pattern = patterns[int(rng.integers(len(patterns)))]
        name = pattern.format(n=number) if "{n}" in pattern else pattern
        if name in seen:
            if "{n}" not in pattern:
                name = f"{pattern} ({number})"
            number += 1
            if name in seen:
                continue
        seen.add(name)
        names.append(name)
    return tuple(names)


def build(people: int, seed: int) -> list[Organisation]:
    rng = np.random.default_rng([seed, 1])
    n = int(np.clip(round(people / PEOPLE_PER_TRUST), MIN_TRUSTS, MAX_TRUSTS))
    n_mh = max(2, round(0.24 * n))
    n_community = max(1, round(0.12 * n))
    kinds = np.array(
        [cal.MENTAL_HEALTH] * n_mh + [cal.COMMUNITY] * n_community + [cal.ACUTE] * (n - n_mh - n_community)
    )
    rng.shuffle(kinds)
    # Every region has trusts of each kind where there are enough trusts; the rest follow the regions' sizes.
    regions = np.empty(n, dtype=np.int64)
    for kind in range(3):
        where = np.flatnonzero(kinds == kind)
        per_region = _counts(len(where), cal.REGION_WEIGHTS)
        assigned = np.repeat(np.arange(len(cal.REGIONS)), per_region)
        rng.shuffle(assigned)
        regions[where] = assigned
    size = np.array([cal.KIND_SIZE[k] for k in kinds]) * rng.lognormal(0.0, 0.35, n)
    counts = _counts(people, size)
    codes = _codes(rng, n)

    # Regional representation factors, rescaled so that each kind of trust keeps the national shares however
    # few trusts a small extract has.
    weight = counts.astype(float)
    black = cal.BLACK_BY_REGION[regions].astype(float)
    asian = cal.ASIAN_BY_REGION[regions].astype(float)
    for kind in range(3):
        where = kinds == kind
        black[where] /= np.average(black[where], weights=weight[where])
        asian[where] /= np.average(asian[where], weights=weight[where])

    numbers: dict[tuple[int, int], int] = {}
    result = []
    for i in range(n):
        kind, region = int(kinds[i]), int(regions[i])
        numbers[(kind, region)] = numbers.get((kind, region), 0) + 1
        name = f"{cal.REGIONS[region]} {cal.KIND_LABELS[kind]} Trust {numbers[(kind, region)]} (synthetic)"
        band2, _band3, band4 = cal.SUPPORT_BAND_MIX[kind]
        band4 = float(np.clip(band4 * rng.uniform(0.75, 1.25), *cal.BAND4_RANGE))
        band2 = float(np.clip(band2 * rng.uniform(0.85, 1.15), 0.08, 0.4))
        shares = cal.GROUP_SHARES[kind].copy()
        if kind == cal.MENTAL_HEALTH:
            # Support staff per registered professional varies by region (seed 002).
            registered = shares[cal.NURSING] + shares[cal.STT] + shares[cal.MEDICAL]
            ratio = cal.SUPPORT_PER_REGISTERED[region] * cal.SUPPORT_HIRING_UPLIFT * rng.uniform(0.93, 1.07)
            shares[cal.ADMIN] += shares[cal.SUPPORT] - ratio * registered
            shares[cal.SUPPORT] = ratio * registered
        result.append(
            Organisation(
                index=i,
                code=codes[i],
                name=name,
                kind=kind,
                region=region,
                people=int(counts[i]),
                band_mix=(band2, 1 - band2 - band4, band4),
                group_shares=tuple(float(s) for s in shares / shares.sum()),
                leaving=float(rng.uniform(0.85, 1.15)),
                progression=float(rng.uniform(0.88, 1.12)),
                sickness=float(rng.uniform(0.85, 1.15)),
                relative_likelihood=float(cal.RELATIVE_LIKELIHOOD * rng.uniform(0.88, 1.12)),
                black=float(black[i]),
                asian=float(asian[i]),
                teams=_teams(rng, kind, int(counts[i])),
            )
        )
    return result
