"""Absences, training, recruitment and casework, drawn from a simulated region's employment periods and joins."""

from __future__ import annotations

import numpy as np

from . import calibration as cal
from .catalogue import CARE_CERTIFICATE, COURSES, DEVELOPMENT
from .simulate import (
    BME_CODES,
    ETHNIC_CODES,
    KNOWN_CODES,
    YEAR,
    Simulation,
    choice,
    months_of,
    pick,
    uniform_days,
)

ALL_COURSES = (*COURSES, CARE_CERTIFICATE, *DEVELOPMENT)
CARE_CERTIFICATE_INDEX = len(COURSES)
# Development courses by staff group (weights over DEVELOPMENT).
DEVELOPMENT_WEIGHTS = np.array(
    [
        [4, 3, 2, 1, 1, 2, 1, 0.5, 0.5],  # support: apprenticeships, PMVA, observations
        [0, 0, 2, 1, 2, 1, 1, 2, 3],
        [0, 0, 1, 1, 0, 0, 1, 2, 3],
        [0, 0, 0, 0, 0, 0, 0, 1, 3],
        [0, 0, 0, 1, 0, 0, 0.5, 3, 1],
    ],
    dtype=float,
)
# Long absences are clipped at the end of employment and before the next episode; this keeps the rate on target.
CLIPPING = 1.18


def _seasonal_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A day in [low, high] for each pair, winter days more likely (by rejection against the month weights)."""
    days = uniform_days(rng, low, high)
    weights = cal.MONTH_WEIGHTS / cal.MONTH_WEIGHTS.max()
    todo = rng.random(len(days)) >= weights[months_of(days)]
    for _ in range(12):
        if not todo.any():
            break
        where = np.flatnonzero(todo)
        days[where] = uniform_days(rng, low[where], high[where])
        todo[where] = rng.random(len(where)) >= weights[months_of(days[where])]
    return days


def absences(sim: Simulation, periods: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    m = sim.m
    rng = np.random.default_rng([int(sim.rng.integers(1 << 62)), 3])
    keep = ~periods["bank"]
    person, org, start, end, group = (periods[k][keep] for k in ("person", "org", "start", "end", "group"))
    shares = np.array([share for share, _, _ in cal.EPISODE_CLASSES])
    low = np.array([lo for _, lo, _ in cal.EPISODE_CLASSES])
    high = np.array([hi for _, _, hi in cal.EPISODE_CLASSES])
    mean_length = float(np.sum(shares * (low + high) / 2))
    years = (end - start + 1) / YEAR
    rate = cal.SICKNESS[group] * m.sickness[org] * YEAR / mean_length * CLIPPING
    count = rng.poisson(rate * years)
    period = np.repeat(np.arange(len(person)), count)
    first = _seasonal_days(rng, start[period], end[period])
    kind = choice(rng, shares, len(period))
    length = low[kind] + np.floor(rng.random(len(period)) * (high[kind] - low[kind] + 1)).astype(np.int64)
    order = np.lexsort((first, period))
    period, first, kind, length = period[order], first[order], kind[order], length[order]
    following = np.full(len(period), np.iinfo(np.int64).max)
    same = period[1:] == period[:-1]
    following[:-1][same] = first[1:][same] - 1
    last = np.minimum(np.minimum(first + length - 1, following), end[period])
    ok = last >= first
    reason = pick(rng, np.cumsum(cal.SICKNESS_REASON_WEIGHTS[kind[ok]], axis=1))
    return {"person": person[period[ok]], "start": first[ok], "end": last[ok], "reason": reason}


def training(sim: Simulation, periods: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    m = sim.m
    rng = np.random.default_rng([int(sim.rng.integers(1 << 62)), 4])
    person, start, end, group = (periods[k] for k in ("person", "start", "end", "group"))
    years = (end - start + 1) / YEAR
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    mandatory = np.repeat(np.arange(len(person)), rng.poisson(cal.MANDATORY_TRAINING * years))
    parts.append(
        (
            mandatory,
            rng.integers(0, len(COURSES), len(mandatory)),
            uniform_days(rng, start[mandatory], end[mandatory]),
        )
    )
    other = np.repeat(np.arange(len(person)), rng.poisson(cal.OTHER_TRAINING * years))
    weights = DEVELOPMENT_WEIGHTS[group[other]]
    course = (
        CARE_CERTIFICATE_INDEX + 1 + pick(rng, np.cumsum(weights / weights.sum(1, keepdims=True), axis=1))
    )
    parts.append((other, course, uniform_days(rng, start[other], end[other])))

    # New support staff complete the Care Certificate within their first 12 weeks.
    new = (group == cal.SUPPORT) & periods["first"] & ~periods["bank"] & (start > m.start)
    new &= rng.random(len(new)) < cal.CARE_CERTIFICATE
    when = start + rng.integers(20, 85, len(start))
    new &= when <= end
    chosen = np.flatnonzero(new)
    parts.append((chosen, np.full(len(chosen), CARE_CERTIFICATE_INDEX), when[chosen]))

    index = np.concatenate([p[0] for p in parts])
    course = np.concatenate([p[1] for p in parts])
    completed = np.concatenate([p[2] for p in parts])
    return {"person": person[index], "course": course, "completed": completed}


def _bme_share(white: np.ndarray, target: np.ndarray, others: float) -> np.ndarray:
    """The share of BME applicants among the other shortlisted ones that makes white shortlisted applicants
    `target` times as likely to be appointed as BME ones, when appointees are `white` white (per trust)."""
    low, high = np.zeros_like(white), np.ones_like(white)
    for _ in range(40):
        q = (low + high) / 2
        likelihood = (white / (white + others * (1 - q))) / ((1 - white) / ((1 - white) + others * q))
        low = np.where(likelihood < target, q, low)
        high = np.where(likelihood < target, high, q)
    return np.asarray((low + high) / 2)


def recruitment(sim: Simulation, joins: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    m = sim.m
    rng = np.random.default_rng([int(sim.rng.integers(1 << 62)), 5])
    since = m.end - int(cal.RECRUITMENT_YEARS * YEAR)
    keep = joins["day"] > since
    person, org, when, band, group, mh = (
        joins[k][keep] for k in ("person", "org", "day", "band", "group", "mh")
    )
    n = len(person)
    ethnic = sim.people["ethnic"][person]
    known = KNOWN_CODES[ethnic]
    white_appointed = np.bincount(org[known], weights=~BME_CODES[ethnic[known]], minlength=len(m.orgs))
    appointed_known = np.maximum(np.bincount(org[known], minlength=len(m.orgs)), 1)
    white = np.clip(white_appointed / appointed_known, 0.05, 0.95)
    q = _bme_share(white, m.relative_likelihood, cal.EXTRA_SHORTLISTED)

    shortlisted = rng.poisson(cal.EXTRA_SHORTLISTED, n)
    rejected = rng.poisson(cal.NOT_SHORTLISTED, n)
    vacancy = np.concatenate(
        [np.arange(n), np.repeat(np.arange(n), shortlisted), np.repeat(np.arange(n), rejected)]
    )
    kind = np.concatenate([np.zeros(n, int), np.ones(shortlisted.sum(), int), np.full(rejected.sum(), 2)])
    others = kind > 0
    count = int(others.sum())
    v = vacancy[others]
    # Other applicants: BME as often as makes the trust's relative likelihood; the rest white or not known.
    unknown = rng.random(count) < 0.04
    bme = ~unknown & (rng.random(count) < q[org[v]])
    figures = np.array([[cal.DEMOGRAPHY[(g, bool(s))] for s in (0, 1)] for g in range(5)])[
        group[v], mh[v].astype(int)
    ]
    black = figures[:, 1] * m.black[org[v]]
    asian = figures[:, 2] * m.asian[org[v]]
    mix = np.column_stack([black, asian, np.full(count, cal.MIXED_SHARE), np.full(count, cal.OTHER_SHARE)])
    broad = pick(rng, np.cumsum(mix / mix.sum(1, keepdims=True), axis=1))
    applicant_ethnic = np.zeros(count, dtype=np.int64)
    for index, (codes, split) in enumerate(
        (
            (cal.BLACK_CODES, cal.BLACK_SPLIT),
            (cal.ASIAN_CODES, cal.ASIAN_SPLIT),
            (cal.MIXED_CODES, cal.MIXED_SPLIT),
            (cal.OTHER_CODES, cal.OTHER_SPLIT),
        )
    ):
        where = bme & (broad == index)
        applicant_ethnic[where] = np.array([ETHNIC_CODES.index(c) for c in codes])[
            choice(rng, np.array(split), int(where.sum()))
        ]
    white_applicants = ~bme & ~unknown
    applicant_ethnic[white_applicants] = np.array([ETHNIC_CODES.index(c) for c in cal.WHITE_CODES])[
        choice(rng, np.array(cal.WHITE_SPLIT), int(white_applicants.sum()))
    ]
    applicant_ethnic[unknown] = ETHNIC_CODES.index("Z")
    male = figures[:, 0]
    disabled = figures[:, 3]
    sex = np.where(rng.random(count) < male, 1, 0)
    disability = np.where(
        rng.random(count) < cal.DISABILITY_UNDECLARED, 2, np.where(rng.random(count) < disabled, 0, 1)
    )

    all_ethnic = np.concatenate([ethnic, applicant_ethnic])
    all_sex = np.concatenate([sim.people["sex"][person], sex])
    all_disability = np.concatenate([sim.people["disability"][person], disability])
    decided = when[vacancy] - rng.integers(30, 76, len(vacancy))
    decided = np.where(kind == 2, decided - rng.integers(7, 21, len(vacancy)), decided)
    order = np.argsort(vacancy, kind="stable")
    return {
        "vacancy": vacancy[order],
        "org": org[vacancy][order],
        "band": band[vacancy][order],
        "ethnic": all_ethnic[order],
        "sex": all_sex[order],
        "disability": all_disability[order],
        "shortlisted": (kind < 2)[order],
        "appointed": (kind == 0)[order],
        "decided": decided[order],
    }


def casework(
    sim: Simulation, periods: dict[str, np.ndarray], dismissals: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([int(sim.rng.integers(1 << 62)), 6])
    person = dismissals["person"]
    opened = dismissals["day"] - rng.integers(30, 241, len(person))
    capability = dismissals["capability"]
    keep = ~periods["bank"]
    p, start, end = periods["person"][keep], periods["start"][keep], periods["end"][keep]
    bme = BME_CODES[sim.people["ethnic"][p]]
    rate = cal.CASEWORK * np.where(bme, cal.CASEWORK_BME, 1.0)
    index = np.repeat(np.arange(len(p)), rng.poisson(rate * (end - start + 1) / YEAR))
    return {
        "person": np.concatenate([person, p[index]]),
        "opened": np.concatenate([opened, uniform_days(rng, start[index], end[index])]),
        "capability": np.concatenate([capability, rng.random(len(index)) < 0.3]),
    }
