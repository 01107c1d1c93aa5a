"""The invented demo alliance: its trusts, sites, teams and the local job titles each trust uses.

Every name and ODS code here is made up. The ODS codes are well formed but absent from NHS Digital's 2017/18
organisation list, so they cannot be mistaken for a real trust's."""

from __future__ import annotations

from dataclasses import dataclass, field

from cultivate.organisations.models import OrganisationKind, TeamSetting

ALLIANCE_NAME = "Harrowdale Care Alliance"
ALLIANCE_CODE = "harrowdale-demo"
EMAIL_DOMAIN = "demo.cultivate.nhs.uk"
STAFF_BANK = "Staff Bank"


class R:
    """Canonical role names, exactly as in the role catalogue (organisations/reference/support_roles.csv)."""

    HCA = "Health care assistant"
    HCSW = "Healthcare support worker"
    SENIOR = "Senior healthcare support worker"
    MHSW = "Mental health support worker"
    STR = "Support, time and recovery worker"
    OTA = "Occupational therapy assistant"
    ACTIVITY = "Activity coordinator"
    REHAB = "Rehabilitation assistant"
    SLT = "Speech and language therapy assistant"
    PEER = "Peer support worker"
    EMPLOYMENT = "Employment adviser"
    AP = "Assistant practitioner"
    NA = "Nursing associate"
    HCSA = "Health care science associate"
    TNA = "Trainee nursing associate"
    TPWP = "Trainee psychological wellbeing practitioner"
    APSY = "Assistant psychologist"
    NDA = "Nurse degree apprentice"


# Bands each role is found at. Trainee nursing associates are band 3 or 4 depending on the trust (TrustPlan).
ROLE_BANDS: dict[str, tuple[str, ...]] = {
    R.HCA: ("2", "3"),
    R.HCSW: ("2", "3"),
    R.SENIOR: ("3", "4"),
    R.MHSW: ("2", "3", "4"),
    R.STR: ("3", "4"),
    R.OTA: ("3", "4"),
    R.ACTIVITY: ("3",),
    R.REHAB: ("3", "4"),
    R.SLT: ("3", "4"),
    R.PEER: ("3", "4"),
    R.EMPLOYMENT: ("4",),
    R.AP: ("4",),
    R.NA: ("4",),
    R.HCSA: ("4",),
    R.TNA: ("3",),
    R.TPWP: ("4",),
    R.APSY: ("4",),
    R.NDA: ("3", "4"),
}

# Roles in the health care assistant family, from which people move into trainee nursing associate posts.
HCA_FAMILY = (R.HCA, R.HCSW, R.SENIOR, R.MHSW)

# Titles that the shared job-title aliases (organisations/reference/job_title_aliases.csv) map to each role.
SHARED_TITLES: dict[str, tuple[str, ...]] = {
    R.HCA: ("Healthcare Assistant", "Health Care Assistant", "Nursing Assistant", "HCA"),
    R.HCSW: ("Healthcare Support Worker", "Clinical Support Worker", "Health Care Support Worker", "HCSW"),
    R.SENIOR: (
        "Senior Healthcare Support Worker",
        "Senior Health Care Assistant",
        "Senior HCA",
        "Senior Clinical Support Worker",
    ),
    R.MHSW: ("Mental Health Support Worker", "Support Worker", "MH Support Worker"),
    R.STR: ("Support Time and Recovery Worker", "Recovery Worker", "STR Worker"),
    R.OTA: ("Occupational Therapy Assistant", "OT Support Worker", "OT Technician"),
    R.ACTIVITY: ("Activity Coordinator", "Activities Facilitator", "Activities Worker"),
    R.REHAB: ("Rehabilitation Assistant",),
    R.SLT: ("Speech and Language Therapy Assistant",),
    R.PEER: ("Peer Support Worker",),
    R.EMPLOYMENT: ("Employment Adviser", "Employment Specialist"),
    R.AP: ("Assistant Practitioner",),
    R.NA: ("Nursing Associate",),
    R.HCSA: ("Health Care Science Associate",),
    R.TNA: ("Trainee Nursing Associate", "TNA"),
    R.TPWP: ("Trainee Psychological Wellbeing Practitioner", "Trainee PWP"),
    R.APSY: ("Assistant Psychologist",),
    R.NDA: ("Nurse Degree Apprentice", "Registered Nurse Degree Apprentice"),
}

# The ESR job role recorded beside each canonical role.
ESR_JOB_ROLE: dict[str, str] = {
    R.HCA: "Healthcare Assistant",
    R.HCSW: "Healthcare Assistant",
    R.SENIOR: "Senior Healthcare Assistant",
    R.MHSW: "Support Worker",
    R.STR: "Support Worker",
    R.OTA: "Support Worker",
    R.ACTIVITY: "Support Worker",
    R.REHAB: "Support Worker",
    R.SLT: "Support Worker",
    R.PEER: "Support Worker",
    R.EMPLOYMENT: "Support Worker",
    R.AP: "Assistant/Associate Practitioner",
    R.NA: "Nursing Associate",
    R.HCSA: "Assistant/Associate Practitioner",
    R.TNA: "Trainee Nursing Associate",
    R.TPWP: "Trainee Practitioner",
    R.APSY: "Assistant Psychologist",
    R.NDA: "Apprentice",
}

NURSING_SUPPORT = "Support to doctors, nurses & midwives"
THERAPY_SUPPORT = "Support to ST&T staff"
THERAPY_ROLES = frozenset({R.OTA, R.ACTIVITY, R.REHAB, R.SLT, R.EMPLOYMENT, R.HCSA, R.TPWP, R.APSY})

# How often each role is found in a team of each setting (relative weights); a trust's kind removes roles it
# does not employ (below).
SETTING_ROLES: dict[str, dict[str, int]] = {
    TeamSetting.INPATIENT: {
        R.HCA: 30,
        R.MHSW: 25,
        R.HCSW: 12,
        R.SENIOR: 12,
        R.NA: 8,
        R.AP: 3,
        R.ACTIVITY: 4,
        R.OTA: 4,
        R.PEER: 2,
        R.REHAB: 3,
    },
    TeamSetting.COMMUNITY: {
        R.MHSW: 15,
        R.STR: 25,
        R.HCSW: 20,
        R.HCA: 6,
        R.SENIOR: 10,
        R.PEER: 8,
        R.EMPLOYMENT: 4,
        R.NA: 6,
        R.AP: 10,
        R.OTA: 6,
        R.APSY: 3,
        R.REHAB: 8,
    },
    TeamSetting.CRISIS: {R.MHSW: 25, R.STR: 20, R.SENIOR: 10, R.HCA: 10, R.NA: 8, R.AP: 6, R.PEER: 6},
    TeamSetting.FORENSIC: {
        R.HCA: 30,
        R.MHSW: 20,
        R.SENIOR: 12,
        R.ACTIVITY: 8,
        R.OTA: 6,
        R.NA: 6,
        R.AP: 4,
        R.HCSW: 8,
    },
    TeamSetting.LEARNING_DISABILITY: {
        R.HCSW: 30,
        R.HCA: 15,
        R.SENIOR: 15,
        R.ACTIVITY: 8,
        R.SLT: 4,
        R.OTA: 4,
        R.NA: 6,
        R.AP: 6,
        R.APSY: 3,
    },
    TeamSetting.OUTPATIENT: {
        R.HCA: 15,
        R.HCSW: 15,
        R.AP: 10,
        R.APSY: 10,
        R.TPWP: 12,
        R.HCSA: 4,
        R.OTA: 5,
        R.SLT: 5,
        R.SENIOR: 8,
    },
}

# Roles only mental health services employ, and those only community services do.
MENTAL_HEALTH_ONLY = frozenset({R.MHSW, R.STR, R.PEER, R.EMPLOYMENT, R.TPWP})
COMMUNITY_ONLY = frozenset({R.HCSA, R.REHAB})


@dataclass(frozen=True)
class TeamPlan:
    name: str
    setting: str
    site: str
    weight: int  # share of the trust's support workforce, relative to the other teams
    managers: int = 1
    assessors: int = 1


@dataclass(frozen=True)
class TrustPlan:
    ods_code: str
    name: str
    short: str
    kind: str
    headcount: int  # substantive support-worker posts at scale 1
    sites: tuple[str, ...]
    teams: tuple[TeamPlan, ...]
    area_of_work: str
    # Local titles the trust maps itself (written as organisation-specific job-title aliases).
    local_aliases: tuple[tuple[str, str], ...] = ()
    # Titles some teams use that nobody has mapped yet, by the role the post really is.
    unmapped_titles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tna_band: str = "3"


TRUSTS: tuple[TrustPlan, ...] = (
    TrustPlan(
        ods_code="RZ7",
        name="Harrowdale Mental Health NHS Foundation Trust",
        short="harrowdale",
        kind=OrganisationKind.MENTAL_HEALTH,
        headcount=300,
        area_of_work="Mental Health",
        sites=("Beckside Hospital", "Fernhill Centre", "Moor Lane Resource Centre", "Ridgeway Secure Unit"),
        teams=(
            TeamPlan("Curlew Ward", TeamSetting.INPATIENT, "Beckside Hospital", 24, managers=2, assessors=2),
            TeamPlan("Heron Ward", TeamSetting.INPATIENT, "Beckside Hospital", 24, managers=2, assessors=2),
            TeamPlan("Lapwing Ward", TeamSetting.INPATIENT, "Beckside Hospital", 26, managers=2, assessors=2),
            TeamPlan(
                "Skylark Psychiatric Intensive Care Unit", TeamSetting.INPATIENT, "Beckside Hospital", 20
            ),
            TeamPlan(
                "Kestrel Low Secure Unit",
                TeamSetting.FORENSIC,
                "Ridgeway Secure Unit",
                28,
                managers=2,
                assessors=2,
            ),
            TeamPlan(
                "Merlin Medium Secure Unit",
                TeamSetting.FORENSIC,
                "Ridgeway Secure Unit",
                30,
                managers=2,
                assessors=2,
            ),
            TeamPlan(
                "North Harrowdale Community Mental Health Team", TeamSetting.COMMUNITY, "Fernhill Centre", 12
            ),
            TeamPlan(
                "South Harrowdale Community Mental Health Team",
                TeamSetting.COMMUNITY,
                "Moor Lane Resource Centre",
                12,
            ),
            TeamPlan("Crisis Resolution and Home Treatment Team", TeamSetting.CRISIS, "Fernhill Centre", 16),
            TeamPlan("Early Intervention in Psychosis Team", TeamSetting.COMMUNITY, "Fernhill Centre", 8),
            TeamPlan(
                "Older Adults Community Mental Health Team",
                TeamSetting.COMMUNITY,
                "Moor Lane Resource Centre",
                10,
            ),
            TeamPlan(
                "Rehabilitation and Recovery Service", TeamSetting.COMMUNITY, "Moor Lane Resource Centre", 14
            ),
            TeamPlan("Memory Assessment Service", TeamSetting.OUTPATIENT, "Fernhill Centre", 6),
            TeamPlan("Talking Therapies Service", TeamSetting.OUTPATIENT, "Moor Lane Resource Centre", 8),
            TeamPlan("Liaison Psychiatry Team", TeamSetting.CRISIS, "Beckside Hospital", 6),
        ),
        local_aliases=(
            ("Ward Support Worker", R.HCA),
            ("Recovery Support Worker", R.STR),
            ("Clinical Support Worker (Mental Health)", R.MHSW),
        ),
        unmapped_titles={R.HCA: ("Therapeutic Care Worker",)},
    ),
    TrustPlan(
        ods_code="RZ8",
        name="Merebrook Community Healthcare NHS Trust",
        short="merebrook",
        kind=OrganisationKind.COMMUNITY,
        headcount=240,
        area_of_work="Community Services",
        sites=(
            "Merebrook Community Hospital",
            "Ashgrove Health Centre",
            "Wharfside Clinic",
            "Eastholme Health Centre",
        ),
        teams=(
            TeamPlan(
                "Willow Ward",
                TeamSetting.INPATIENT,
                "Merebrook Community Hospital",
                26,
                managers=2,
                assessors=2,
            ),
            TeamPlan(
                "Rowan Stroke Rehabilitation Ward",
                TeamSetting.INPATIENT,
                "Merebrook Community Hospital",
                24,
                managers=2,
                assessors=2,
            ),
            TeamPlan(
                "Intermediate Care Team", TeamSetting.COMMUNITY, "Ashgrove Health Centre", 18, assessors=2
            ),
            TeamPlan(
                "Merebrook East Neighbourhood Nursing", TeamSetting.COMMUNITY, "Eastholme Health Centre", 16
            ),
            TeamPlan("Merebrook West Neighbourhood Nursing", TeamSetting.COMMUNITY, "Wharfside Clinic", 16),
            TeamPlan("Urgent Community Response", TeamSetting.COMMUNITY, "Ashgrove Health Centre", 12),
            TeamPlan("Community Therapy Service", TeamSetting.COMMUNITY, "Ashgrove Health Centre", 10),
            TeamPlan("Children's Community Nursing", TeamSetting.COMMUNITY, "Wharfside Clinic", 6),
            TeamPlan("Podiatry Service", TeamSetting.OUTPATIENT, "Eastholme Health Centre", 8),
            TeamPlan("Wound Care Clinic", TeamSetting.OUTPATIENT, "Wharfside Clinic", 6),
            TeamPlan(
                "Speech and Language Therapy Service", TeamSetting.OUTPATIENT, "Ashgrove Health Centre", 6
            ),
            TeamPlan(
                "Adult Learning Disability Health Team",
                TeamSetting.LEARNING_DISABILITY,
                "Eastholme Health Centre",
                8,
            ),
            TeamPlan("Palliative Care Team", TeamSetting.COMMUNITY, "Merebrook Community Hospital", 6),
        ),
        local_aliases=(
            ("Community Support Worker", R.HCSW),
            ("Therapy Assistant", R.REHAB),
            # Overrides the shared alias (which reads "Support Worker" as a mental health support worker).
            ("Support Worker", R.HCSW),
        ),
        unmapped_titles={R.HCSW: ("Band 2 Health Care Support Worker - Nights",)},
    ),
    TrustPlan(
        ods_code="RZ9",
        name="Kelderby Partnership NHS Foundation Trust",
        short="kelderby",
        kind=OrganisationKind.MENTAL_HEALTH_LD,
        headcount=190,
        area_of_work="Mental Health",
        sites=("Kelderby Park", "The Sycamores", "Brookfield Centre", "Hallgate House"),
        teams=(
            TeamPlan("Oak Ward", TeamSetting.INPATIENT, "Kelderby Park", 24, managers=2, assessors=2),
            TeamPlan("Ash Ward", TeamSetting.INPATIENT, "Kelderby Park", 22, managers=2),
            TeamPlan(
                "Assessment and Treatment Unit",
                TeamSetting.LEARNING_DISABILITY,
                "The Sycamores",
                26,
                managers=2,
                assessors=2,
            ),
            TeamPlan(
                "Cedar Lodge Short Breaks Service", TeamSetting.LEARNING_DISABILITY, "The Sycamores", 14
            ),
            TeamPlan(
                "Community Learning Disability Team", TeamSetting.LEARNING_DISABILITY, "Hallgate House", 12
            ),
            TeamPlan("Positive Behaviour Support Team", TeamSetting.LEARNING_DISABILITY, "Hallgate House", 8),
            TeamPlan("Hawthorn Forensic Unit", TeamSetting.FORENSIC, "Kelderby Park", 22, managers=2),
            TeamPlan("Kelderby Community Mental Health Team", TeamSetting.COMMUNITY, "Brookfield Centre", 12),
            TeamPlan("Crisis and Home Treatment Team", TeamSetting.CRISIS, "Brookfield Centre", 14),
            TeamPlan("Autism Assessment Service", TeamSetting.OUTPATIENT, "Hallgate House", 5),
            TeamPlan("Kelderby Talking Therapies", TeamSetting.OUTPATIENT, "Brookfield Centre", 8),
        ),
        local_aliases=(
            ("Learning Disability Support Worker", R.HCSW),
            ("Positive Behaviour Support Assistant", R.SENIOR),
        ),
        unmapped_titles={R.HCSW: ("Day Services Support Worker",)},
        tna_band="4",
    ),
)


def trust_uses(plan: TrustPlan, role: str) -> bool:
    """Whether a trust of this kind employs people in this role at all."""
    if plan.kind == OrganisationKind.COMMUNITY:
        return role not in MENTAL_HEALTH_ONLY
    return role not in COMMUNITY_ONLY


def role_bands(plan: TrustPlan, role: str) -> tuple[str, ...]:
    return (plan.tna_band,) if role == R.TNA else ROLE_BANDS[role]


def area_of_work(plan: TrustPlan, setting: str) -> str:
    if setting == TeamSetting.LEARNING_DISABILITY:
        return "Learning Disabilities"
    if setting == TeamSetting.FORENSIC:
        return "Forensic Services"
    return plan.area_of_work


def demo_email(local_part: str) -> str:
    return f"{local_part}@{EMAIL_DOMAIN}"
