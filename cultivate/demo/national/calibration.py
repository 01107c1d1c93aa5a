"""The figures the synthetic national extract is drawn to reproduce (shared/design/CALIBRATION.md; seed 002 is
the Nuffield Trust report *Untapped?* (2021), with NHS Digital and NHS England figures it quotes). Each trust
draws its own figures around these, so analytics land near them without copying them.

Staff groups: 0 clinical support (bands 2–4), 1 registered nurses, 2 allied health and scientific staff,
3 doctors, 4 administrative and estates staff. "Mental health setting" means an area of work of mental health or
learning disabilities, as in seed 002."""

from __future__ import annotations

import numpy as np

SUPPORT, NURSING, STT, MEDICAL, ADMIN = range(5)
GROUPS = ("support", "nursing", "stt", "medical", "admin")

# Organisation kinds and their share of trusts (England has roughly 120 acute, 50 mental health and 20
# community trusts among ~210).
ACUTE, MENTAL_HEALTH, COMMUNITY = range(3)
KIND_NAMES = ("acute", "mental_health", "community")
KIND_LABELS = ("Acute", "Mental Health", "Community Health")
KIND_SIZE = (1.35, 0.9, 0.7)  # relative headcount of a trust of each kind

REGIONS = (
    "London",
    "South East",
    "South West",
    "Midlands",
    "East of England",
    "North West",
    "North East and Yorkshire",
)
REGION_WEIGHTS = np.array([0.17, 0.17, 0.10, 0.19, 0.11, 0.14, 0.12])
# Mental health support staff per registered professional, 0.49 (London) to 0.66 (Midlands) (seed 002).
SUPPORT_PER_REGISTERED = np.array([0.49, 0.56, 0.60, 0.66, 0.58, 0.62, 0.63])
# Support staff progress into registered posts over the years, so trusts hire a little above the ratio.
SUPPORT_HIRING_UPLIFT = 1.15
# Relative representation of Black and Asian staff by region (weighted means near 1; normalised per extract).
BLACK_BY_REGION = np.array([2.3, 0.8, 0.35, 1.0, 0.8, 0.6, 0.5])
ASIAN_BY_REGION = np.array([1.6, 0.8, 0.4, 1.5, 0.8, 0.9, 0.8])

# Share of each staff group in a trust's headcount, by kind (registered = nursing + stt + medical).
GROUP_SHARES = {
    ACUTE: np.array([0.24, 0.28, 0.14, 0.13, 0.21]),
    MENTAL_HEALTH: np.array([0.27, 0.27, 0.14, 0.06, 0.26]),
    COMMUNITY: np.array([0.23, 0.31, 0.20, 0.03, 0.23]),
}
# Share of people who only ever work bank shifts.
BANK_ONLY = np.array([0.07, 0.05, 0.03, 0.02, 0.04])

# Areas of work, and how each kind of trust spreads its clinical staff across them.
AREAS = (
    "Acute Services",
    "Elderly Care",
    "Maternity Services",
    "Rehabilitation",
    "Community Services",
    "Mental Health",
    "Learning Disabilities",
    "Central Functions",
)
MH_AREAS = (5, 6)
CENTRAL_AREA = 7
AREA_CODES = "AEMRGDFZ"  # the area-of-work letter of an occupation code
AREA_MIX = {
    ACUTE: np.array([0.58, 0.15, 0.10, 0.07, 0.06, 0.04, 0.0, 0.0]),
    MENTAL_HEALTH: np.array([0.0, 0.0, 0.0, 0.0, 0.06, 0.80, 0.14, 0.0]),
    COMMUNITY: np.array([0.0, 0.08, 0.0, 0.14, 0.62, 0.11, 0.05, 0.0]),
}

# Bands: index into BANDS. Support staff are at bands 2–4 (indices 1–3).
BANDS = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "NA")
B2, B3, B4, B5, B6, B7, B8A, B8B, B8C = 1, 2, 3, 4, 5, 6, 7, 8, 9
NA_BAND = 12

# Support staff band mix (shares at bands 2, 3, 4) by trust kind: mental health trusts 24% at band 2 and 27% at
# band 4, acute trusts 14% and 37%; trusts range from 15% to 50% at band 4 (seed 002).
SUPPORT_BAND_MIX = {
    ACUTE: (0.14, 0.49, 0.37),
    MENTAL_HEALTH: (0.24, 0.49, 0.27),
    COMMUNITY: (0.18, 0.50, 0.32),
}
BAND4_RANGE = (0.15, 0.50)

# Yearly progression of support staff to a higher band: in mental health about 1 in 5 from band 2 and 1 in 16
# from band 3; elsewhere about 9% from every band (seed 002). Band 4 onwards means a registered post.
PROGRESSION = {True: (0.20, 1 / 16, 0.09), False: (0.09, 0.09, 0.09)}
# Band 2 staff under 25 progress about four times as often as those aged 50–54 (seed 002); the factors are
# rescaled each year so that the rates above hold on average.
PROGRESSION_BY_AGE = ((25, 2.2), (30, 1.5), (40, 1.1), (50, 0.8), (55, 0.55), (200, 0.4))
# Registered and other staff: yearly chance of a higher band, from bands 2–8b.
OTHER_PROGRESSION = {NURSING: 0.08, STT: 0.07, MEDICAL: 0.0, ADMIN: 0.05}

# Yearly hazard of leaving for reasons other than retirement (before the trust's own factor), and its factor by
# age. Healthcare assistants leave at about 1.2% a month against nurses' 0.8% (IFS); all staff 10–12.5% a year.
LEAVING = np.array([0.125, 0.085, 0.095, 0.16, 0.095])
# Support staff also leave their group by promotion into registered posts; joiners replace them too.
PROMOTED_OUT = np.array([0.03, 0.0, 0.0, 0.0, 0.0])
# Band changes of support staff beyond the progression rates (role changes, promotions on moving trust), allowed
# for when choosing the bands new support staff join at, so that the band mix holds over the years.
UPWARD_MOVES = 1.4
BANK_LEAVING = 0.22
LEAVING_BY_AGE = ((25, 1.5), (30, 1.25), (40, 1.0), (55, 0.8), (200, 0.8))
RETIREMENT_BY_AGE = ((55, 0.0), (58, 0.015), (60, 0.035), (63, 0.08), (66, 0.2), (200, 0.45))
# By staff group: support staff retire a little more often (16% of their leavers against 13% of all staff's).
RETIREMENT_FACTOR = np.array([1.3, 0.8, 0.8, 0.8, 0.8])

# Why people leave, other than retirement: voluntary, dismissal, end of fixed term, other. Support staff: 66%
# voluntary, 16% retirement, 5% dismissal, 5% end of fixed term (all staff 56%, 13%, 2%, 20%) (seed 002).
LEAVING_GROUPS = np.array(
    [
        [0.786, 0.060, 0.060, 0.094],
        [0.760, 0.012, 0.120, 0.108],
        [0.700, 0.010, 0.190, 0.100],
        [0.250, 0.005, 0.700, 0.045],
        [0.680, 0.020, 0.200, 0.100],
    ]
)
VOLUNTARY, DISMISSAL, FIXED_TERM, OTHER_REASON, RETIREMENT = range(5)

# Reasons within each group (ESR reasons for leaving). Of support staff's voluntary resignations, work–life
# balance or incompatible relationships are 21%, health or dependants 13% (all staff 8%), further education 9%
# (5%) (seed 002).
VOLUNTARY_REASONS = (
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Incompatible Working Relationships",
    "Voluntary Resignation - Health",
    "Voluntary Resignation - Adult Dependants",
    "Voluntary Resignation - Child Dependants",
    "Voluntary Resignation - To undertake further education or training",
    "Voluntary Resignation - Relocation",
    "Voluntary Resignation - Promotion",
    "Voluntary Resignation - Pay and Reward Related",
    "Voluntary Resignation - Lack of Opportunities",
    "Voluntary Resignation - Other/Not Known",
)
VOLUNTARY_WEIGHTS = {
    True: np.array([15, 6, 5, 4, 4, 9, 18, 12, 6, 6, 15], dtype=float),  # support staff
    False: np.array([18, 4, 3, 2.5, 2.5, 5, 22, 20, 7, 5, 11], dtype=float),
}
# Chance that someone leaving for this voluntary reason joins another trust in the region.
VOLUNTARY_MOVES = np.array([0.2, 0.25, 0.05, 0.05, 0.05, 0.05, 0.05, 0.7, 0.4, 0.4, 0.1])
DISMISSAL_REASONS = (
    "Dismissal - Conduct",
    "Dismissal - Capability",
    "Dismissal - Some Other Substantial Reason",
    "Dismissal - Statutory Reason",
)
DISMISSAL_WEIGHTS = np.array([50, 35, 10, 5], dtype=float)
FIXED_TERM_REASONS = (
    "End of Fixed Term Contract",
    "End of Fixed Term Contract - End of Work Requirement",
    "End of Fixed Term Contract - Completion of Training Scheme",
    "End of Fixed Term Contract - External Rotation",
    "End of Fixed Term Contract - Other",
)
FIXED_TERM_WEIGHTS = {
    False: np.array([55, 25, 5, 0, 15], dtype=float),
    True: np.array([10, 5, 5, 75, 5], dtype=float),  # doctors in training rotate between trusts
}
OTHER_REASONS = (
    "Employee Transfer",
    "Unknown",
    "Mutually Agreed Resignation - Local Scheme without Repayment",
    "Redundancy - Voluntary",
    "Redundancy - Compulsory",
    "Death in Service",
    "Pregnancy",
)
OTHER_WEIGHTS = np.array([35, 25, 12, 10, 5, 5, 8], dtype=float)
RETIREMENT_REASONS = (
    "Retirement Age",
    "Flexi Retirement",
    "Voluntary Early Retirement - with Actuarial Reduction",
    "Voluntary Early Retirement - no Actuarial Reduction",
    "Retirement - Ill Health",
)
RETIREMENT_WEIGHTS = np.array([60, 15, 12, 3, 10], dtype=float)
BANK_REASONS = (
    "Bank Staff not fulfilled minimum work requirement",
    "Voluntary Resignation - Other/Not Known",
    "Voluntary Resignation - Work Life Balance",
)
BANK_WEIGHTS = np.array([6, 3, 1], dtype=float)
# Leavers who come back to the same trust (after 2 months to 2½ years), and those who retire and return.
RETURNS = 0.10
RETIRE_AND_RETURN = 0.08
RETURN_AS_BANK = 0.35

# Ages: the workforce in post when the history starts, and the people trusts hire (younger, so that the mix holds
# as everyone ages). 27% of mental health support staff are aged 50–59 and 23% up to 29 (seed 002).
AGE_IN_POST = (
    (19, 24, 0.09),
    (25, 29, 0.14),
    (30, 39, 0.19),
    (40, 49, 0.21),
    (50, 54, 0.14),
    (55, 59, 0.13),
    (60, 66, 0.10),
)
AGE_HIRED = (
    (18, 24, 0.30),
    (25, 29, 0.20),
    (30, 39, 0.19),
    (40, 49, 0.15),
    (50, 54, 0.09),
    (55, 59, 0.06),
    (60, 64, 0.01),
)
DOCTOR_AGE_SHIFT = 3

# Sex, ethnicity and disability. Mental health support staff: 27% male, 14% Black or Black British, 6% Asian or
# Asian British, 6% declaring a disability; other support staff 17%, 6%, 8%, 4% (seed 002).
# (group, mental health setting) → (male, Black, Asian, disability).
DEMOGRAPHY = {
    (SUPPORT, True): (
        0.27,
        0.155,
        0.06,
        0.06,
    ),  # Black a little above 14%: movers from other settings dilute it
    (SUPPORT, False): (0.17, 0.06, 0.08, 0.04),
    (NURSING, True): (0.24, 0.13, 0.10, 0.05),
    (NURSING, False): (0.11, 0.08, 0.14, 0.04),
    (STT, True): (0.18, 0.05, 0.09, 0.05),
    (STT, False): (0.22, 0.05, 0.12, 0.04),
    (MEDICAL, True): (0.52, 0.07, 0.33, 0.02),
    (MEDICAL, False): (0.55, 0.06, 0.35, 0.02),
    (ADMIN, True): (0.22, 0.06, 0.08, 0.05),
    (ADMIN, False): (0.24, 0.05, 0.08, 0.04),
}
# Within each broad group, the NHS Data Dictionary categories; the rest of the mix: mixed 2.5%, other 1.5%,
# not stated 2%, not known 1.5%.
WHITE_CODES, WHITE_SPLIT = ("A", "B", "C"), (0.85, 0.02, 0.13)
MIXED_CODES, MIXED_SPLIT = ("D", "E", "F", "G"), (0.30, 0.20, 0.25, 0.25)
ASIAN_CODES, ASIAN_SPLIT = ("H", "J", "K", "L"), (0.45, 0.25, 0.08, 0.22)
BLACK_CODES, BLACK_SPLIT = ("M", "N", "P"), (0.30, 0.62, 0.08)
OTHER_CODES, OTHER_SPLIT = ("R", "S"), (0.25, 0.75)
MIXED_SHARE, OTHER_SHARE, NOT_STATED_SHARE, NOT_KNOWN_SHARE = 0.025, 0.015, 0.02, 0.015
SEX_UNKNOWN = 0.003
DISABILITY_UNDECLARED = 0.08

# Contracted hours: the mean FTE of mental health support staff is 0.91, of other support staff 0.86, of nurses
# 0.89 (seed 002). Part-timers draw from PART_TIME (mean about 0.6); the full-time share follows.
MEAN_FTE = {
    (SUPPORT, True): 0.91,
    (SUPPORT, False): 0.86,
    (NURSING, True): 0.89,
    (NURSING, False): 0.89,
    (STT, True): 0.87,
    (STT, False): 0.87,
    (MEDICAL, True): 0.93,
    (MEDICAL, False): 0.93,
    (ADMIN, True): 0.86,
    (ADMIN, False): 0.86,
}
PART_TIME = np.array([0.93, 0.8, 0.75, 0.67, 0.6, 0.53, 0.5, 0.4, 0.32, 0.27])
PART_TIME_WEIGHTS = np.array([2, 5, 2, 3, 5, 3, 4, 4, 2, 1], dtype=float)
BANK_FTE = np.array([0.1, 0.2, 0.27, 0.4, 0.53])

# Contracts at hiring: permanent, fixed term, locum.
CONTRACTS = ("Permanent", "Fixed Term Temp", "Locum", "Bank")
PERMANENT, FIXED_TERM_TEMP, LOCUM, BANK_CONTRACT = range(4)
HIRE_CONTRACTS = np.array(
    [
        [0.88, 0.12, 0.0],
        [0.92, 0.08, 0.0],
        [0.88, 0.12, 0.0],
        [0.45, 0.45, 0.10],
        [0.88, 0.12, 0.0],
    ]
)

# Yearly chances of changes that keep the band: a change of hours, a move of team.
HOURS_CHANGE = 0.08
TEAM_MOVE = 0.14
# People holding a second assignment at another trust in the region for a while (bank or part-time).
SECOND_ASSIGNMENT = 0.05

# Sickness absence: support staff 6%, nurses 5% (seed 002); a winter peak; anxiety, stress and depression about a
# quarter of days lost (NHS Digital). Episode lengths are a mixture of short, medium and long-term absences.
SICKNESS = np.array([0.060, 0.050, 0.042, 0.020, 0.045])
MONTH_WEIGHTS = np.array([1.30, 1.18, 1.05, 0.95, 0.90, 0.85, 0.85, 0.80, 0.90, 1.00, 1.10, 1.25])
EPISODE_CLASSES = (  # (share of episodes, shortest, longest)
    (0.46, 1, 3),
    (0.25, 4, 7),
    (0.18, 8, 27),
    (0.11, 28, 180),
)
S10 = "S10 Anxiety/stress/depression/other psychiatric illnesses"
SICKNESS_REASONS = (
    S10,
    "S11 Back Problems",
    "S12 Other musculoskeletal problems",
    "S13 Cold, Cough, Flu - Influenza",
    "S15 Chest & respiratory problems",
    "S16 Headache / migraine",
    "S17 Benign and malignant tumours, cancers",
    "S25 Gastrointestinal problems",
    "S28 Injury, fracture",
    "S98 Other known causes - not elsewhere classified",
    "S99 Unknown causes / Not specified",
)
# Reason weights for each episode class (rows follow EPISODE_CLASSES, columns SICKNESS_REASONS).
SICKNESS_REASON_WEIGHTS = np.array(
    [
        [0.05, 0.05, 0.05, 0.32, 0.07, 0.10, 0.00, 0.25, 0.02, 0.05, 0.04],
        [0.07, 0.06, 0.07, 0.25, 0.08, 0.04, 0.00, 0.18, 0.07, 0.10, 0.08],
        [0.25, 0.10, 0.14, 0.08, 0.08, 0.01, 0.01, 0.07, 0.10, 0.10, 0.06],
        [0.31, 0.08, 0.16, 0.00, 0.04, 0.00, 0.09, 0.03, 0.10, 0.11, 0.08],
    ]
)

# Training completed a year, per person: mandatory courses and other development.
MANDATORY_TRAINING = 0.8
OTHER_TRAINING = 0.2
CARE_CERTIFICATE = 0.9  # new support staff completing the Care Certificate in their first 12 weeks

# Recruitment: white applicants are about 1.5–1.6 times as likely to be appointed from shortlisting as BME
# applicants (NHS England WRES indicator 2); disabled and non-disabled applicants are about equally likely
# (seed 002). Applications are kept for the last three years of the extract.
# Each trust's target; a little above the national figure, which comes out lower once applicants of unknown
# ethnicity and differences between trusts are counted.
RELATIVE_LIKELIHOOD = 1.62
RECRUITMENT_YEARS = 3
EXTRA_SHORTLISTED = 2.5  # other shortlisted applicants per vacancy (Poisson mean)
NOT_SHORTLISTED = 3.0
APPLICANT_BME_UPLIFT = 1.6  # BME applicants are more numerous than BME staff

# Formal cases a year per person (BME staff more likely to enter a formal disciplinary process, WRES).
CASEWORK = 0.007
CASEWORK_BME = 1.25


def by_age(table: tuple[tuple[int, float], ...], ages: np.ndarray) -> np.ndarray:
    """The value of the first row whose upper bound (exclusive) exceeds each age."""
    bounds = np.array([upper for upper, _ in table])
    values = np.array([value for _, value in table])
    return values[np.minimum(np.searchsorted(bounds, ages, side="right"), len(table) - 1)]


def full_time_share(group: int, mental_health: bool) -> float:
    part = float(np.average(PART_TIME, weights=PART_TIME_WEIGHTS))
    return (MEAN_FTE[(group, mental_health)] - part) / (1 - part)
