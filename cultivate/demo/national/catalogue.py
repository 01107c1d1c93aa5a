"""Roles, job titles, occupation codes, teams and courses of the synthetic national extract.

Support roles come from the role catalogue (`organisations/reference/support_roles.csv`) and their titles from the
job title aliases, with more local variants written here: the Nuffield Trust found 96 distinct job titles among
mental health support staff (seed 002), and each synthetic trust uses its own few titles for each role.
Occupation codes follow the shape of NHS occupation codes (staff group letter, occupation digit, area-of-work
letter, e.g. H1D for a health care assistant in mental health); they are consistent, not a copy of the manual."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cultivate.organisations.reference import job_title_aliases, support_roles

from .calibration import (
    ADMIN,
    B2,
    B3,
    B4,
    B5,
    B6,
    B7,
    B8A,
    B8B,
    B8C,
    MEDICAL,
    NA_BAND,
    NURSING,
    STT,
    SUPPORT,
)

SUPPORT_TO_CLINICAL = "Support to doctors, nurses & midwives"
SUPPORT_TO_STT = "Support to ST&T staff"


@dataclass(frozen=True)
class Role:
    key: str
    group: int
    job_role: str
    staff_group: str
    bands: tuple[int, int]  # lowest and highest band index
    occupation: str  # two characters; the area-of-work letter completes the code
    titles: tuple[str, ...]
    weight_mh: float = 0.0  # how common among support staff joining in a mental health setting
    weight_other: float = 0.0


# Support roles (by catalogue name): ESR job role, staff group, occupation, weights (mental health, other), and
# local title variants beyond the shared aliases.
_SUPPORT: dict[str, tuple[str, str, str, float, float, tuple[str, ...]]] = {
    "Health care assistant": (
        "Healthcare Assistant",
        SUPPORT_TO_CLINICAL,
        "H1",
        0.28,
        0.44,
        (
            "Health Care Assistant (Nights)",
            "Healthcare Assistant - Inpatients",
            "Band 2 Healthcare Assistant",
            "Band 3 Healthcare Assistant",
            "Ward Healthcare Assistant",
            "HCA - Days",
        ),
    ),
    "Healthcare support worker": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H2",
        0.12,
        0.20,
        (
            "Clinical Support Worker - Nights",
            "Healthcare Support Worker (Band 3)",
            "Band 2 Clinical Support Worker",
            "Nursing Support Worker",
            "Ward Support Worker",
            "Care Support Worker",
        ),
    ),
    "Senior healthcare support worker": (
        "Senior Healthcare Assistant",
        SUPPORT_TO_CLINICAL,
        "H3",
        0.06,
        0.10,
        (
            "Senior Support Worker",
            "Senior Healthcare Support Worker (Band 4)",
            "Senior Nursing Assistant",
            "Lead Support Worker",
        ),
    ),
    "Mental health support worker": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H4",
        0.25,
        0.01,
        (
            "Mental Health Care Assistant",
            "Mental Health Healthcare Support Worker",
            "Inpatient Support Worker",
            "Community Support Worker",
            "Mental Health Support Worker (Nights)",
            "Health Care Support Worker - Mental Health",
            "Clinical Support Worker - Mental Health",
            "Support Worker - Crisis Team",
            "Psychiatric Support Worker",
            "Forensic Support Worker",
        ),
    ),
    "Support, time and recovery worker": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H5",
        0.05,
        0.0,
        ("STR Worker - Community", "Support Time Recovery Worker", "Recovery Support Worker"),
    ),
    "Occupational therapy assistant": (
        "Therapy Assistant",
        SUPPORT_TO_STT,
        "S1",
        0.04,
        0.04,
        (
            "Occupational Therapy Support Worker",
            "Occupational Therapy Technician",
            "Technical Instructor - Occupational Therapy",
            "Therapy Assistant",
        ),
    ),
    "Activity coordinator": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H6",
        0.03,
        0.01,
        ("Activities Coordinator", "Creative Assistant", "Therapeutic Activities Worker"),
    ),
    "Rehabilitation assistant": (
        "Therapy Assistant",
        SUPPORT_TO_STT,
        "S2",
        0.01,
        0.04,
        ("Rehabilitation Support Worker", "Therapy Support Worker", "Physiotherapy Assistant"),
    ),
    "Speech and language therapy assistant": (
        "Therapy Assistant",
        SUPPORT_TO_STT,
        "S3",
        0.005,
        0.02,
        ("SLT Assistant", "Speech and Language Therapy Support Worker"),
    ),
    "Peer support worker": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H7",
        0.03,
        0.005,
        ("Peer Support Worker (Lived Experience)", "Peer Worker", "Peer Recovery Worker"),
    ),
    "Employment adviser": (
        "Support Worker",
        SUPPORT_TO_CLINICAL,
        "H8",
        0.01,
        0.0,
        ("Employment Support Worker", "IPS Employment Specialist"),
    ),
    "Assistant practitioner": (
        "Assistant Practitioner",
        SUPPORT_TO_CLINICAL,
        "H9",
        0.02,
        0.05,
        (
            "Assistant Practitioner - Mental Health",
            "Assistant Practitioner (Band 4)",
            "Associate Practitioner",
        ),
    ),
    "Nursing associate": (
        "Nursing Associate",
        SUPPORT_TO_CLINICAL,
        "HA",
        0.01,
        0.02,
        ("Nursing Associate - Mental Health", "Registered Nursing Associate"),
    ),
    "Health care science associate": (
        "Healthcare Science Associate",
        SUPPORT_TO_STT,
        "S4",
        0.002,
        0.03,
        ("Associate Healthcare Scientist",),
    ),
    "Trainee nursing associate": (
        "Trainee Nursing Associate",
        SUPPORT_TO_CLINICAL,
        "HB",
        0.02,
        0.02,
        ("Trainee Nursing Associate (Apprentice)", "Apprentice Nursing Associate"),
    ),
    "Trainee psychological wellbeing practitioner": (
        "Trainee Psychological Wellbeing Practitioner",
        SUPPORT_TO_STT,
        "S5",
        0.02,
        0.005,
        ("Psychological Wellbeing Practitioner Trainee", "PWP Trainee"),
    ),
    "Assistant psychologist": (
        "Assistant Psychologist",
        SUPPORT_TO_STT,
        "S6",
        0.02,
        0.005,
        (
            "Assistant Clinical Psychologist",
            "Assistant Psychologist - CAMHS",
            "Assistant Psychologist (Band 4)",
        ),
    ),
    "Nurse degree apprentice": (
        "Nurse Degree Apprentice",
        SUPPORT_TO_CLINICAL,
        "HC",
        0.005,
        0.01,
        ("Nursing Degree Apprentice", "Student Nurse Apprentice"),
    ),
}

# Registered and other staff: one role per band.
_OTHER: tuple[tuple[str, int, str, str, int, str, tuple[str, ...]], ...] = (
    (
        "Staff nurse",
        NURSING,
        "Staff Nurse",
        "Nursing, midwifery & health visiting",
        B5,
        "N0",
        ("Staff Nurse", "Registered Nurse", "Registered Mental Health Nurse", "Community Staff Nurse"),
    ),
    (
        "Charge nurse",
        NURSING,
        "Sister/Charge Nurse",
        "Nursing, midwifery & health visiting",
        B6,
        "N1",
        (
            "Charge Nurse",
            "Senior Staff Nurse",
            "Deputy Ward Manager",
            "Community Psychiatric Nurse",
            "Sister",
        ),
    ),
    (
        "Ward manager",
        NURSING,
        "Ward Manager",
        "Nursing, midwifery & health visiting",
        B7,
        "N2",
        ("Ward Manager", "Team Leader", "Clinical Nurse Specialist"),
    ),
    (
        "Matron",
        NURSING,
        "Modern Matron",
        "Nursing, midwifery & health visiting",
        B8A,
        "N3",
        ("Matron", "Modern Matron", "Lead Nurse"),
    ),
    (
        "Therapist",
        STT,
        "Therapist",
        "Allied health professionals",
        B5,
        "S7",
        (
            "Occupational Therapist",
            "Physiotherapist",
            "Speech and Language Therapist",
            "Dietitian",
            "Psychological Wellbeing Practitioner",
        ),
    ),
    (
        "Specialist therapist",
        STT,
        "Specialist Practitioner",
        "Allied health professionals",
        B6,
        "S8",
        (
            "Specialist Occupational Therapist",
            "Specialist Physiotherapist",
            "Trainee Clinical Psychologist",
            "Senior Psychological Wellbeing Practitioner",
        ),
    ),
    (
        "Advanced practitioner",
        STT,
        "Advanced Practitioner",
        "Allied health professionals",
        B7,
        "S9",
        ("Clinical Psychologist", "Advanced Practitioner", "Clinical Lead Physiotherapist"),
    ),
    (
        "Principal practitioner",
        STT,
        "Principal Practitioner",
        "Allied health professionals",
        B8A,
        "SA",
        ("Principal Clinical Psychologist", "Consultant Therapist"),
    ),
    (
        "Consultant practitioner",
        STT,
        "Consultant Practitioner",
        "Allied health professionals",
        B8B,
        "SB",
        ("Consultant Clinical Psychologist", "Head of Therapies"),
    ),
    (
        "Doctor",
        MEDICAL,
        "Specialty Doctor",
        "Medical and dental",
        NA_BAND,
        "M0",
        (
            "Consultant",
            "Specialty Doctor",
            "Specialty Registrar",
            "Foundation Year 1 Doctor",
            "Core Trainee Doctor",
        ),
    ),
    (
        "Administrator",
        ADMIN,
        "Administrator",
        "Central functions",
        B2,
        "G1",
        ("Administrator", "Ward Clerk", "Receptionist", "Housekeeper", "Porter"),
    ),
    (
        "Administrative officer",
        ADMIN,
        "Administrator",
        "Central functions",
        B3,
        "G1",
        ("Medical Secretary", "Administrative Officer", "Team Secretary", "Bed Manager Assistant"),
    ),
    (
        "Officer",
        ADMIN,
        "Officer",
        "Central functions",
        B4,
        "G2",
        ("Finance Officer", "HR Officer", "Rota Coordinator", "Data Analyst"),
    ),
    (
        "Senior officer",
        ADMIN,
        "Officer",
        "Central functions",
        B5,
        "G2",
        ("HR Adviser", "Senior Finance Officer", "Information Analyst"),
    ),
    (
        "Manager",
        ADMIN,
        "Manager",
        "Central functions",
        B6,
        "G3",
        ("Service Manager", "Business Manager", "Estates Manager"),
    ),
    (
        "Senior manager",
        ADMIN,
        "Manager",
        "Central functions",
        B7,
        "G3",
        ("Head of Service", "Operations Manager"),
    ),
    (
        "Head of department",
        ADMIN,
        "Senior Manager",
        "Central functions",
        B8A,
        "G4",
        ("Associate Director", "Head of Workforce"),
    ),
    (
        "Director",
        ADMIN,
        "Senior Manager",
        "Central functions",
        B8C,
        "G4",
        ("Deputy Director", "Director of Operations"),
    ),
)


def _bands(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low) - 1, int(high or low) - 1  # band "2" is index 1


@cache
def roles() -> tuple[Role, ...]:
    aliases: dict[str, list[str]] = {}
    for row in job_title_aliases():
        aliases.setdefault(row["role"], []).append(row["title"])
    result: list[Role] = []
    for row in support_roles():
        name = row["role"]
        if name not in _SUPPORT:
            continue  # a role added to the catalogue later: not generated until it has figures here
        job_role, staff_group, occupation, w_mh, w_other, variants = _SUPPORT[name]
        low, high = _bands(row["typical_bands"])
        titles = tuple(dict.fromkeys([*aliases.get(name, []), *variants]))
        result.append(
            Role(name, SUPPORT, job_role, staff_group, (low, high), occupation, titles, w_mh, w_other)
        )
    for name, group, job_role, staff_group, band, occupation, titles in _OTHER:
        result.append(Role(name, group, job_role, staff_group, (band, band), occupation, titles))
    return tuple(result)


def role_index(key: str) -> int:
    for index, role in enumerate(roles()):
        if role.key == key:
            return index
    raise KeyError(key)


HCA_FAMILY = (
    "Health care assistant",
    "Healthcare support worker",
    "Mental health support worker",
    "Senior healthcare support worker",
)
# Yearly role changes at the same band or one up (seed 002: 92.5% of support workers and HCAs are in the same role
# a year on, 1% become trainee nursing associates; of trainee nursing associates 72% stay, 13% qualify as nursing
# associates, 10% return to support roles; assistant psychologists: 15% into a trainee role).
ROLE_CHANGES: tuple[tuple[str, str, float], ...] = (
    *((source, "Trainee nursing associate", 0.01) for source in HCA_FAMILY),
    ("Health care assistant", "Healthcare support worker", 0.012),
    ("Healthcare support worker", "Health care assistant", 0.012),
    ("Mental health support worker", "Health care assistant", 0.008),
    ("Health care assistant", "Mental health support worker", 0.004),
    ("Trainee nursing associate", "Nursing associate", 0.13),
    ("Trainee nursing associate", "Health care assistant", 0.10),
    ("Assistant psychologist", "Trainee psychological wellbeing practitioner", 0.07),
    ("Assistant psychologist", "Specialist therapist", 0.08),
    ("Trainee psychological wellbeing practitioner", "Therapist", 0.45),
    ("Nurse degree apprentice", "Staff nurse", 0.25),
    ("Occupational therapy assistant", "Therapist", 0.01),
)
# The role a person takes when promoted out of their role's bands: within support staff, or into a registered post.
PROMOTED_TO: dict[str, str] = {
    "Health care assistant": "Senior healthcare support worker",
    "Healthcare support worker": "Senior healthcare support worker",
    "Mental health support worker": "Staff nurse",
    "Senior healthcare support worker": "Staff nurse",
    "Support, time and recovery worker": "Staff nurse",
    "Occupational therapy assistant": "Therapist",
    "Activity coordinator": "Therapist",
    "Rehabilitation assistant": "Therapist",
    "Speech and language therapy assistant": "Therapist",
    "Peer support worker": "Staff nurse",
    "Employment adviser": "Senior officer",
    "Assistant practitioner": "Staff nurse",
    "Nursing associate": "Staff nurse",
    "Health care science associate": "Therapist",
    "Trainee nursing associate": "Nursing associate",
    "Trainee psychological wellbeing practitioner": "Therapist",
    "Assistant psychologist": "Specialist therapist",
    "Nurse degree apprentice": "Staff nurse",
}

TEAMS = {
    0: (  # acute
        "Ward {n}",
        "Emergency Department",
        "Theatres",
        "Outpatients",
        "Acute Medical Unit",
        "Critical Care",
        "Maternity Unit",
        "Elderly Care Ward {n}",
        "Day Surgery",
        "Discharge Lounge",
        "Estates",
        "Corporate",
    ),
    1: (  # mental health
        "Ward {n}",
        "Crisis Resolution and Home Treatment",
        "Community Mental Health Team {n}",
        "Early Intervention in Psychosis",
        "Psychiatric Intensive Care Unit",
        "Older Adults Ward {n}",
        "Learning Disability Service",
        "Rehabilitation Unit",
        "Forensic Unit",
        "Perinatal Service",
        "Corporate",
    ),
    2: (  # community
        "District Nursing {n}",
        "Community Rehabilitation",
        "Intermediate Care",
        "Neighbourhood Team {n}",
        "Community Hospital Ward",
        "Children's Community Service",
        "Learning Disability Team",
        "Corporate",
    ),
}

COURSES: tuple[tuple[str, str, bool, float, float], ...] = (  # code, title, mandatory, hours, cost (GBP)
    ("CSTF-FS", "Fire Safety", True, 1.0, 0.0),
    ("CSTF-IPC2", "Infection Prevention and Control - Level 2", True, 1.5, 0.0),
    ("CSTF-SGA2", "Safeguarding Adults - Level 2", True, 2.0, 0.0),
    ("CSTF-SGC2", "Safeguarding Children - Level 2", True, 2.0, 0.0),
    ("CSTF-IG", "Data Security Awareness", True, 1.0, 0.0),
    ("CSTF-MH2", "Moving and Handling - Level 2", True, 3.0, 0.0),
    ("CSTF-BLS", "Resuscitation - Basic Life Support", True, 3.0, 0.0),
    ("CSTF-CR", "Conflict Resolution", True, 1.5, 0.0),
    ("CSTF-EDHR", "Equality, Diversity and Human Rights", True, 1.0, 0.0),
    ("CSTF-HSW", "Health, Safety and Welfare", True, 1.0, 0.0),
    ("CSTF-PR", "Preventing Radicalisation", True, 1.0, 0.0),
)
CARE_CERTIFICATE = ("CC", "Care Certificate", True, 40.0, 0.0)
DEVELOPMENT: tuple[tuple[str, str, bool, float, float], ...] = (
    ("APP-HCSW2", "Level 2 Healthcare Support Worker Apprenticeship", False, 240.0, 4000.0),
    ("APP-SHCSW3", "Level 3 Senior Healthcare Support Worker Apprenticeship", False, 360.0, 7000.0),
    ("PMVA", "Prevention and Management of Violence and Aggression", False, 30.0, 150.0),
    ("MHFA", "Mental Health First Aid", False, 12.0, 120.0),
    ("VENE", "Venepuncture and Cannulation", False, 7.0, 80.0),
    ("OBS", "Clinical Observations and NEWS2", False, 4.0, 0.0),
    ("DEM2", "Dementia Awareness - Tier 2", False, 6.0, 60.0),
    ("LEAD", "First Line Leadership", False, 21.0, 450.0),
    ("CPD", "Continuing Professional Development Module", False, 30.0, 900.0),
)
