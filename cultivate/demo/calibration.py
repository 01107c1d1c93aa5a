"""The figures the demo workforce is drawn to reproduce (shared/design/CALIBRATION.md), and each trust's own
draw around them: trusts differ, so no two come out as copies of the national figure."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cultivate.organisations.models import OrganisationKind

# Ages are drawn in bands (lowest age, highest age, weight). The first list is the workforce in post when the
# history starts; the second, the people trusts hire (younger, so that the mix holds steady as everyone ages).
AGE_BANDS_IN_POST: tuple[tuple[int, int, float], ...] = (
    (19, 24, 0.08),
    (25, 29, 0.12),
    (30, 39, 0.15),
    (40, 49, 0.22),
    (50, 54, 0.15),
    (55, 59, 0.15),
    (60, 66, 0.10),
)
AGE_BANDS_HIRED: tuple[tuple[int, int, float], ...] = (
    (18, 24, 0.30),
    (25, 29, 0.20),
    (30, 39, 0.17),
    (40, 49, 0.14),
    (50, 54, 0.10),
    (55, 59, 0.07),
    (60, 64, 0.02),
)

# Band 2 staff under 25 progress about four times as often as those aged 50–54 (seed 002).
BAND2_PROGRESSION_BY_AGE: tuple[tuple[int, float], ...] = (
    (25, 2.2),
    (30, 1.5),
    (40, 1.1),
    (50, 0.8),
    (55, 0.4),
    (200, 0.35),
)

# Yearly hazards of leaving for reasons other than retirement, by age (relative), and of retiring.
LEAVING_BY_AGE: tuple[tuple[int, float], ...] = ((25, 1.5), (30, 1.25), (40, 1.0), (55, 0.8), (200, 0.8))
RETIREMENT_BY_AGE: tuple[tuple[int, float], ...] = ((55, 0.0), (60, 0.02), (65, 0.10), (200, 0.30))

# Part-time contracts: FTE values and how common each is among part-timers (mean about 0.6).
PART_TIME_FTE: tuple[tuple[str, int], ...] = (
    ("0.93", 2),
    ("0.80", 5),
    ("0.75", 2),
    ("0.67", 3),
    ("0.60", 5),
    ("0.53", 3),
    ("0.50", 4),
    ("0.40", 4),
    ("0.32", 2),
    ("0.27", 1),
)
BANK_FTE: tuple[str, ...] = ("0.10", "0.20", "0.20", "0.27", "0.40", "0.53")

# Reasons for leaving, within each group, with weights. Of voluntary resignations, work–life balance and
# incompatible relationships come to about 21%, health and dependants 13%, further education 9% (seed 002).
VOLUNTARY_REASONS: tuple[tuple[str, int], ...] = (
    ("Voluntary Resignation - Work Life Balance", 15),
    ("Voluntary Resignation - Incompatible Working Relationships", 6),
    ("Voluntary Resignation - Health", 5),
    ("Voluntary Resignation - Adult Dependants", 4),
    ("Voluntary Resignation - Child Dependants", 4),
    ("Voluntary Resignation - To undertake further education or training", 9),
    ("Voluntary Resignation - Relocation", 20),
    ("Voluntary Resignation - Promotion", 14),
    ("Voluntary Resignation - Pay and Reward Related", 6),
    ("Voluntary Resignation - Lack of Opportunities", 6),
    ("Voluntary Resignation - Other/Not Known", 11),
)
RETIREMENT_REASONS: tuple[tuple[str, int], ...] = (
    ("Retirement Age", 60),
    ("Flexi Retirement", 15),
    ("Voluntary Early Retirement - with Actuarial Reduction", 12),
    ("Voluntary Early Retirement - no Actuarial Reduction", 3),
    ("Retirement - Ill Health", 10),
)
DISMISSAL_REASONS: tuple[tuple[str, int], ...] = (
    ("Dismissal - Conduct", 50),
    ("Dismissal - Capability", 35),
    ("Dismissal - Some Other Substantial Reason", 10),
    ("Dismissal - Statutory Reason", 5),
)
FIXED_TERM_REASONS: tuple[tuple[str, int], ...] = (
    ("End of Fixed Term Contract", 60),
    ("End of Fixed Term Contract - End of Work Requirement", 25),
    ("End of Fixed Term Contract - Other", 15),
)
OTHER_REASONS: tuple[tuple[str, int], ...] = (
    ("Employee Transfer", 30),
    ("Unknown", 20),
    ("Mutually Agreed Resignation - Local Scheme without Repayment", 15),
    ("Redundancy - Voluntary", 10),
    ("Death in Service", 5),
    ("Pregnancy", 5),
    ("Redundancy - Compulsory", 5),
)
BANK_REASONS: tuple[tuple[str, int], ...] = (
    ("Bank Staff not fulfilled minimum work requirement", 6),
    ("Voluntary Resignation - Other/Not Known", 3),
    ("Voluntary Resignation - Work Life Balance", 1),
)
# Leavers other than retirees and people at the end of a fixed term: voluntary 66, dismissal 5, other 8.
NON_RETIREMENT_GROUPS: tuple[tuple[str, int], ...] = (("voluntary", 66), ("dismissal", 5), ("other", 8))

# Ethnic categories (NHS Data Dictionary codes) with weights: mental health support staff are 14% Black or Black
# British and 6% Asian or Asian British; other support staff 6% and 8% (seed 002).
_ETHNICITY_MENTAL_HEALTH: dict[str, float] = {
    "A": 0.620,
    "B": 0.015,
    "C": 0.090,
    "D": 0.010,
    "E": 0.006,
    "F": 0.004,
    "G": 0.005,
    "H": 0.025,
    "J": 0.018,
    "K": 0.005,
    "L": 0.012,
    "M": 0.035,
    "N": 0.095,
    "P": 0.010,
    "R": 0.004,
    "S": 0.011,
    "Z": 0.020,
    "99": 0.015,
}
_ETHNICITY_OTHER: dict[str, float] = {
    "A": 0.700,
    "B": 0.015,
    "C": 0.085,
    "D": 0.008,
    "E": 0.005,
    "F": 0.004,
    "G": 0.005,
    "H": 0.033,
    "J": 0.025,
    "K": 0.007,
    "L": 0.015,
    "M": 0.020,
    "N": 0.036,
    "P": 0.004,
    "R": 0.004,
    "S": 0.009,
    "Z": 0.015,
    "99": 0.010,
}
BLACK = ("M", "N", "P")
ASIAN = ("H", "J", "K", "L")


@dataclass(frozen=True)
class Targets:
    band_mix: tuple[float, float, float]  # shares at bands 2, 3 and 4
    male: float
    disability: float
    mean_fte: float
    leaver_rate: float  # a year
    progression: tuple[float, float, float]  # a year, from bands 2, 3 and 4 to a higher band
    ethnicity: dict[str, float]


MENTAL_HEALTH = Targets(
    band_mix=(0.24, 0.49, 0.27),
    male=0.27,
    disability=0.06,
    mean_fte=0.91,
    leaver_rate=0.12,
    progression=(0.20, 1 / 16, 0.03),
    ethnicity=_ETHNICITY_MENTAL_HEALTH,
)
OTHER = Targets(
    band_mix=(0.16, 0.50, 0.34),
    male=0.17,
    disability=0.04,
    mean_fte=0.86,
    leaver_rate=0.12,
    progression=(0.09, 0.09, 0.04),
    ethnicity=_ETHNICITY_OTHER,
)


def targets_for(kind: str) -> Targets:
    return OTHER if kind in (OrganisationKind.COMMUNITY, OrganisationKind.ACUTE) else MENTAL_HEALTH


@dataclass(frozen=True)
class TrustProfile:
    """One trust's own figures, drawn around the targets for its kind."""

    band_mix: tuple[float, float, float]
    male: float
    disability: float
    mean_fte: float
    leaver_rate: float
    progression: tuple[float, float, float]
    ethnicity: tuple[tuple[str, ...], tuple[float, ...]]
    # Yearly chances of changes that do not move band: a different role, a new trainee nursing associate post,
    # a change of hours.
    lateral_role_change: float = 0.02
    to_trainee_nursing_associate: float = 0.01
    hours_change: float = 0.04
    fixed_term_share: float = 0.10
    internal_move_share: float = 0.2
    bank_share: float = 0.05


def _jitter(rng: random.Random, value: float, spread: float) -> float:
    """value × (1 ± spread), uniformly."""
    return value * (1 + rng.uniform(-spread, spread))


def draw_profile(rng: random.Random, kind: str) -> TrustProfile:
    targets = targets_for(kind)
    band2 = _jitter(rng, targets.band_mix[0], 0.08)
    band4 = _jitter(rng, targets.band_mix[2], 0.08)
    ethnicity = dict(targets.ethnicity)
    for group, spread in ((BLACK, 0.12), (ASIAN, 0.12)):
        factor = 1 + rng.uniform(-spread, spread)
        for code in group:
            ethnicity[code] *= factor
    # White British absorbs the difference so the weights still add to one.
    ethnicity["A"] += 1 - sum(ethnicity.values())
    codes = tuple(ethnicity)
    return TrustProfile(
        band_mix=(band2, 1 - band2 - band4, band4),
        male=_jitter(rng, targets.male, 0.07),
        disability=_jitter(rng, targets.disability, 0.15),
        mean_fte=min(0.97, _jitter(rng, targets.mean_fte, 0.015)),
        leaver_rate=_jitter(rng, targets.leaver_rate, 0.08),
        progression=(
            _jitter(rng, targets.progression[0], 0.08),
            _jitter(rng, targets.progression[1], 0.1),
            _jitter(rng, targets.progression[2], 0.1),
        ),
        ethnicity=(codes, tuple(ethnicity[code] for code in codes)),
        lateral_role_change=_jitter(rng, 0.02, 0.2),
        to_trainee_nursing_associate=_jitter(rng, 0.01, 0.2),
    )


def by_age(table: tuple[tuple[int, float], ...], age: int) -> float:
    """The value for the first row whose upper bound (exclusive) exceeds the age."""
    for upper, value in table:
        if age < upper:
            return value
    return table[-1][1]
