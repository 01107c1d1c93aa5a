"""The demo alliance's own competency framework for mental health support workers at bands 2, 3 and 4.

Written for Cultivate's demo (the wording is ours, not a published framework's). It follows the shape the
Leeds and York Partnership case study describes (core competences for support workers, matched against the
Care Certificate) and includes the clinical skills the Leeds Community Healthcare case study delegates to
support workers (diabetes care). Each competence maps to a Care Certificate 2025 standard or a Code of Conduct
theme by number; the loader (competence.py) turns those into crosswalk associations."""

from __future__ import annotations

from dataclasses import dataclass

from cultivate.frameworks.models import AssociationType, CompetenceKind, EvidenceKind
from cultivate.frameworks.reference import CARE_CERTIFICATE_KEY, CODE_OF_CONDUCT_KEY

FRAMEWORK_TITLE = "Harrowdale mental health support worker framework"
FRAMEWORK_DESCRIPTION = (
    "What the Harrowdale Care Alliance expects of mental health support workers at bands 2, 3 and 4: the "
    "values they bring, how they keep people safe, the physical and mental health care they give, and how "
    "they learn and work with others. Each competence is signed off in practice or from evidence at one of "
    "three levels: observed, supervised or independent."
)

# Bands every competence below applies to, unless it says otherwise.
ALL_BANDS = ("2", "3", "4")
BANDS_3_4 = ("3", "4")
BAND_4 = ("4",)

K, S, B, V = CompetenceKind.KNOWLEDGE, CompetenceKind.SKILL, CompetenceKind.BEHAVIOUR, CompetenceKind.VALUE
OBS, REF, WIT = EvidenceKind.OBSERVATION, EvidenceKind.REFLECTION, EvidenceKind.WITNESS
CERT, QA, WORK = EvidenceKind.CERTIFICATE, EvidenceKind.QUESTION, EvidenceKind.WORK_PRODUCT
EXACT, PART, RELATED = (
    AssociationType.EXACT_MATCH_OF,
    AssociationType.IS_PART_OF,
    AssociationType.IS_RELATED_TO,
)

Mapping = tuple[str, int, str]  # (reference framework key, standard or theme number, association type)


def cc(number: int, kind: str = RELATED) -> Mapping:
    """A Care Certificate 2025 standard (1 to 16)."""
    return (CARE_CERTIFICATE_KEY, number, kind)


def coc(number: int, kind: str = RELATED) -> Mapping:
    """A theme of the Code of Conduct for healthcare support workers (1 to 7)."""
    return (CODE_OF_CONDUCT_KEY, number, kind)


@dataclass(frozen=True)
class Item:
    code: str
    short_title: str
    title: str
    kind: str
    evidence: tuple[str, ...]
    maps: tuple[Mapping, ...]
    bands: tuple[str, ...] = ALL_BANDS
    in_practice: bool = True
    reassess_months: int | None = None
    description: str = ""

    @property
    def care_certificate_core(self) -> bool:
        """Covered by the Care Certificate itself (an exact match or a part of a standard): due in 12 weeks."""
        return any(key == CARE_CERTIFICATE_KEY and kind in (EXACT, PART) for key, _, kind in self.maps)


@dataclass(frozen=True)
class Domain:
    code: str
    title: str
    description: str
    items: tuple[Item, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "MH-VR",
        "Values and relationships",
        "The values a support worker brings to every contact, and the working relationships they build.",
        (
            Item(
                "MH-VR-01",
                "Dignity and respect",
                "Treats every person with dignity and respect, taking account of their culture, faith, "
                "identity and the way they choose to live.",
                V,
                (WIT, REF),
                (cc(7), coc(2, PART)),
                in_practice=False,
            ),
            Item(
                "MH-VR-02",
                "Holding hope",
                "Believes, and shows in what they say and do, that people can live a life that matters to them "
                "whatever their diagnosis or history.",
                V,
                (REF, WIT),
                (cc(9), coc(2)),
                in_practice=False,
            ),
            Item(
                "MH-VR-03",
                "Kindness under pressure",
                "Responds to distress with warmth and patience, including when a person's words or behaviour "
                "are hard to be around.",
                V,
                (WIT, REF),
                (cc(3), coc(3)),
                in_practice=False,
            ),
            Item(
                "MH-VR-04",
                "Working alliance",
                "Builds trusting relationships with clear professional boundaries, and ends them with care "
                "when the person moves on from the service.",
                B,
                (OBS, REF, WIT),
                (cc(5), coc(3)),
            ),
            Item(
                "MH-VR-05",
                "Choice and control",
                "Involves each person in decisions about their own day-to-day care, offers real choices and "
                "respects the choices they make.",
                B,
                (OBS, WIT),
                (cc(5, PART), coc(2)),
            ),
            Item(
                "MH-VR-06",
                "Fairness and inclusion",
                "Notices and challenges discrimination and stigma, and changes how they work so that everyone "
                "can take part in their own care.",
                V,
                (REF, CERT, QA),
                (cc(4, EXACT), coc(7, EXACT)),
                in_practice=False,
            ),
            Item(
                "MH-VR-07",
                "Families and carers",
                "Welcomes families and carers as partners, listens to what they know about the person, and "
                "shares information only as the person has agreed.",
                B,
                (OBS, WIT, REF),
                (cc(5), coc(2), coc(5)),
            ),
            Item(
                "MH-VR-08",
                "Duty of care",
                "Explains what a duty of care asks of them, and how to support a person's right to take "
                "risks while still acting on concerns about their safety.",
                K,
                (QA, CERT, REF),
                (cc(3, EXACT), coc(1)),
                in_practice=False,
            ),
            Item(
                "MH-VR-09",
                "Lived experience",
                "Values what people with lived experience bring to services and to recovery, and works "
                "alongside peer support workers as equals.",
                V,
                (REF, WIT),
                (cc(9), coc(3)),
                bands=BANDS_3_4,
                in_practice=False,
            ),
        ),
    ),
    Domain(
        "MH-SR",
        "Safety and risk",
        "Keeping people, colleagues and themselves safe, using the least restrictive approach.",
        (
            Item(
                "MH-SR-01",
                "Safeguarding adults",
                "Recognises signs that an adult may be experiencing abuse, neglect or exploitation, and raises "
                "the concern the same day through the trust's safeguarding procedure.",
                K,
                (CERT, QA, REF),
                (cc(10, EXACT), coc(2)),
                in_practice=False,
                reassess_months=36,
            ),
            Item(
                "MH-SR-02",
                "Safeguarding children",
                "Recognises when a child connected with a person they support may be at risk, including young "
                "carers and visiting children, and reports the concern without delay.",
                K,
                (CERT, QA),
                (cc(11, EXACT), coc(2)),
                in_practice=False,
                reassess_months=36,
            ),
            Item(
                "MH-SR-03",
                "Noticing risk",
                "Notices changes in a person's mood, behaviour, speech or circumstances that may raise the "
                "risk to themselves or others, and tells the nurse in charge straight away.",
                S,
                (OBS, WIT, REF),
                (cc(9), coc(1)),
            ),
            Item(
                "MH-SR-04",
                "Therapeutic observation",
                "Carries out therapeutic observation at the level prescribed, using the time to engage with "
                "the person, and records what they saw and did at the intervals set.",
                S,
                (OBS, WORK),
                (cc(9), cc(14), coc(1)),
                reassess_months=12,
            ),
            Item(
                "MH-SR-05",
                "De-escalation",
                "Uses calm, respectful de-escalation when a person is distressed or agitated, giving space and "
                "time before any other step is considered.",
                S,
                (OBS, CERT, WIT),
                (cc(3), coc(2)),
                reassess_months=12,
            ),
            Item(
                "MH-SR-06",
                "Restrictive practice",
                "Explains when restraint, seclusion or other restrictions may lawfully be used, why each is a "
                "last resort, and what must be recorded and reviewed afterwards.",
                K,
                (CERT, QA),
                (cc(4), coc(2)),
                in_practice=False,
                reassess_months=12,
            ),
            Item(
                "MH-SR-07",
                "Basic life support",
                "Recognises a cardiac or respiratory arrest, calls for help and gives effective chest "
                "compressions and rescue breaths, using a defibrillator when one arrives.",
                S,
                (CERT, OBS),
                (cc(12, EXACT),),
                reassess_months=12,
            ),
            Item(
                "MH-SR-08",
                "Infection prevention and control",
                "Cleans hands at the right moments, chooses and uses personal protective equipment correctly, "
                "and handles linen, waste and spills safely.",
                S,
                (OBS, CERT),
                (cc(15, EXACT),),
                reassess_months=12,
            ),
            Item(
                "MH-SR-09",
                "Health and safety at work",
                "Follows the workplace's health and safety arrangements, including fire procedures, hazardous "
                "substances and lone working, and reports hazards they find.",
                K,
                (CERT, QA),
                (cc(13, EXACT), coc(1)),
                in_practice=False,
            ),
            Item(
                "MH-SR-10",
                "Moving and handling",
                "Moves and positions people and loads safely, using the equipment in the person's care plan "
                "and asking for help when a move needs more than one person.",
                S,
                (OBS, CERT),
                (cc(13, PART),),
                reassess_months=12,
            ),
            Item(
                "MH-SR-11",
                "Environmental safety",
                "Checks rooms and shared areas for ligature points, items that could be used to cause harm "
                "and other hazards during their shift, and reports what they find.",
                S,
                (OBS, WORK),
                (cc(13), coc(1)),
            ),
            Item(
                "MH-SR-12",
                "Incidents and openness",
                "Reports incidents and near misses promptly and honestly, and is open with the person and "
                "their family when something has gone wrong.",
                B,
                (WORK, REF, WIT),
                (cc(3), coc(1, PART)),
            ),
        ),
    ),
    Domain(
        "MH-PH",
        "Physical health care",
        "Looking after the physical health of people with mental illness, including clinical tasks a "
        "registered professional delegates.",
        (
            Item(
                "MH-PH-01",
                "Physical health of people with serious mental illness",
                "Explains why people living with serious mental illness are more likely to develop heart "
                "disease and diabetes and to die younger, and how routine checks help prevent this.",
                K,
                (QA, CERT, REF),
                (cc(9), coc(2)),
                in_practice=False,
            ),
            Item(
                "MH-PH-02",
                "Clinical observations and NEWS2",
                "Measures and records temperature, pulse, respiration rate, blood pressure, oxygen saturation "
                "and level of consciousness, works out the NEWS2 score and escalates as the score requires.",
                S,
                (OBS, CERT, WORK),
                (cc(1), coc(1)),
                reassess_months=12,
            ),
            Item(
                "MH-PH-03",
                "Capillary blood glucose monitoring",
                "Measures capillary blood glucose with the trust's meter, using a safe technique, and records "
                "and reports the result against the target range in the care plan.",
                S,
                (OBS, CERT, WORK),
                (cc(15), coc(1)),
                reassess_months=12,
            ),
            Item(
                "MH-PH-04",
                "Low and high blood glucose",
                "Describes the signs of low and of high blood glucose, the immediate action to take for each, "
                "and when to call the registered nurse or emergency services.",
                K,
                (QA, CERT),
                (cc(3), coc(1)),
                in_practice=False,
                reassess_months=12,
            ),
            Item(
                "MH-PH-05",
                "Understanding diabetes",
                "Explains the difference between type 1 and type 2 diabetes, how food, activity, illness and "
                "insulin affect blood glucose, and why each person's targets are set individually.",
                K,
                (QA, CERT, REF),
                (cc(8), coc(6)),
                bands=BANDS_3_4,
                in_practice=False,
            ),
            Item(
                "MH-PH-06",
                "Insulin administration for a stable diabetic patient",
                "Gives a prescribed dose of insulin with a pen device to a person whose diabetes is stable, "
                "after checking the prescription, dose and blood glucose, and records it at once.",
                S,
                (OBS, CERT, WORK),
                (cc(15), coc(1)),
                bands=BANDS_3_4,
                reassess_months=12,
                description="Only under a delegation protocol, with a registered nurse accountable for the "
                "person's diabetes care.",
            ),
            Item(
                "MH-PH-07",
                "Venepuncture",
                "Takes venous blood samples, selecting a suitable vein, using a safe technique, labelling "
                "samples correctly and disposing of sharps at the point of use.",
                S,
                (OBS, CERT),
                (cc(15), cc(13), coc(1)),
                bands=BANDS_3_4,
                reassess_months=12,
            ),
            Item(
                "MH-PH-08",
                "Recording an ECG",
                "Records a 12-lead electrocardiogram with correct electrode placement, checks the trace is "
                "readable and passes it to the clinician to interpret.",
                S,
                (OBS, CERT),
                (cc(1), coc(1)),
                bands=BANDS_3_4,
                reassess_months=12,
            ),
            Item(
                "MH-PH-09",
                "Eating, drinking and food and fluid charts",
                "Supports people to eat and drink enough for their needs, and keeps an accurate food and fluid "
                "chart that the nurse can act on.",
                S,
                (OBS, WORK),
                (cc(8, PART),),
            ),
            Item(
                "MH-PH-10",
                "Nutrition and hydration",
                "Explains what a balanced diet and enough fluid look like, and recognises the signs of "
                "malnutrition and dehydration, including those linked to some mental health medicines.",
                K,
                (QA, CERT),
                (cc(8, EXACT),),
                in_practice=False,
            ),
            Item(
                "MH-PH-11",
                "Weight, height and body mass index",
                "Measures weight, height and waist circumference accurately, calculates body mass index and "
                "records the results for the person's physical health review.",
                S,
                (OBS, WORK),
                (cc(8), coc(1)),
            ),
            Item(
                "MH-PH-12",
                "Urine testing",
                "Tests a urine sample with a reagent strip, reads it at the right time and records and "
                "reports the result.",
                S,
                (OBS, WORK),
                (cc(15), coc(1)),
                reassess_months=24,
            ),
            Item(
                "MH-PH-13",
                "Skin integrity",
                "Checks skin for early signs of pressure damage when giving care, and helps people change "
                "position, reporting any change straight away.",
                S,
                (OBS, WIT),
                (cc(3), coc(2)),
            ),
            Item(
                "MH-PH-14",
                "Personal care",
                "Supports personal care in a way that keeps the person's privacy, encourages them to do what "
                "they can for themselves and follows their preferences.",
                S,
                (OBS, WIT),
                (cc(7, PART), coc(2)),
            ),
        ),
    ),
    Domain(
        "MH-MC",
        "Mental health care and recovery",
        "Understanding mental distress and helping people work towards the recovery they want.",
        (
            Item(
                "MH-MC-01",
                "Understanding mental health",
                "Describes common mental health conditions, how they can affect daily life, and how the "
                "support worker's role fits the person's care.",
                K,
                (CERT, QA, REF),
                (cc(9, PART),),
                in_practice=False,
            ),
            Item(
                "MH-MC-02",
                "Mental health and capacity law",
                "Explains in plain words what detention, leave, consent to treatment and mental capacity mean "
                "for the people they support, and where to find out more.",
                K,
                (CERT, QA),
                (cc(4), coc(2)),
                in_practice=False,
            ),
            Item(
                "MH-MC-03",
                "Suicide and self-harm",
                "Asks directly about thoughts of suicide when worried about a person, listens without judging, "
                "and passes on what they have heard at once.",
                B,
                (CERT, OBS, REF),
                (cc(9), coc(1)),
                reassess_months=36,
            ),
            Item(
                "MH-MC-04",
                "Dementia and delirium",
                "Recognises signs of dementia and of delirium, and adapts how they communicate and support "
                "a person whose memory or thinking is affected.",
                K,
                (CERT, QA),
                (cc(9, PART), cc(6)),
                in_practice=False,
            ),
            Item(
                "MH-MC-05",
                "Learning disability and autism",
                "Makes reasonable adjustments for people with a learning disability or autistic people, "
                "including how they communicate, plan and meet sensory needs.",
                K,
                (CERT, QA),
                (cc(16, EXACT),),
                in_practice=False,
                reassess_months=36,
            ),
            Item(
                "MH-MC-06",
                "Meaningful activity",
                "Plans and leads activities, alone or with a group, that build people's skills, confidence "
                "and connections with others.",
                S,
                (OBS, WORK, WIT),
                (cc(5),),
            ),
            Item(
                "MH-MC-07",
                "Recovery goals",
                "Helps people set goals of their own in their care and recovery plan, and reviews progress "
                "with them and the team.",
                S,
                (OBS, WORK),
                (cc(5), coc(3)),
                bands=BANDS_3_4,
            ),
            Item(
                "MH-MC-08",
                "Early warning signs",
                "Knows the early warning signs in each person's relapse plan, notices when they appear and "
                "acts as the plan says.",
                S,
                (OBS, WIT, REF),
                (cc(9), coc(1)),
                bands=BANDS_3_4,
            ),
            Item(
                "MH-MC-09",
                "Trauma-informed care",
                "Explains how past trauma can shape a person's responses, and works in ways that offer safety, "
                "choice and trust.",
                K,
                (CERT, REF),
                (cc(9), coc(2)),
                bands=BANDS_3_4,
                in_practice=False,
            ),
            Item(
                "MH-MC-10",
                "Medicines in mental health care",
                "Describes the main groups of medicines used in mental health care, their common side effects, "
                "and reports side effects that a person describes or shows.",
                K,
                (CERT, QA),
                (cc(9), coc(1)),
                bands=BANDS_3_4,
                in_practice=False,
            ),
            Item(
                "MH-MC-11",
                "Alcohol and drug use",
                "Talks about alcohol and drug use without judging, recognises signs of intoxication and "
                "withdrawal, and knows where to refer for help.",
                K,
                (CERT, QA),
                (cc(9), coc(2)),
                bands=BANDS_3_4,
                in_practice=False,
            ),
            Item(
                "MH-MC-12",
                "Living well in the community",
                "Helps people connect with housing, money advice, work, learning and community groups, and "
                "follows up to see that the link has held.",
                S,
                (OBS, WORK, WIT),
                (cc(5), coc(2)),
                bands=BAND_4,
            ),
            Item(
                "MH-MC-13",
                "Structured support sessions",
                "Runs planned one-to-one sessions agreed in the care plan, such as anxiety management or "
                "activity scheduling, and records progress for supervision.",
                S,
                (OBS, WORK),
                (cc(5), coc(3)),
                bands=BAND_4,
            ),
        ),
    ),
    Domain(
        "MH-CR",
        "Communication and records",
        "Communicating with people, families and colleagues, and keeping records that others can rely on.",
        (
            Item(
                "MH-CR-01",
                "Communicating well",
                "Adapts how they speak, write and listen to each person's needs, including when the person is "
                "distressed, unwell or uses another language.",
                S,
                (OBS, WIT),
                (cc(6, EXACT), coc(4, EXACT)),
            ),
            Item(
                "MH-CR-02",
                "Listening",
                "Listens attentively, checks they have understood and lets the person know they have been "
                "heard.",
                S,
                (OBS, WIT, REF),
                (cc(6, PART), coc(4)),
            ),
            Item(
                "MH-CR-03",
                "Accessible information",
                "Arranges interpreters, easy read material or other support so that a person can understand "
                "and take part in their care.",
                B,
                (WORK, WIT),
                (cc(6), cc(4)),
            ),
            Item(
                "MH-CR-04",
                "Records",
                "Writes records that are accurate, factual, dated and timely, separating what they saw from "
                "what they were told.",
                S,
                (WORK, OBS),
                (cc(14, PART), coc(1)),
            ),
            Item(
                "MH-CR-05",
                "Confidentiality and information",
                "Keeps personal information secure, shares it only when there is a lawful reason, and knows "
                "what to do if information is lost or shared in error.",
                K,
                (CERT, QA),
                (cc(14, EXACT), coc(5, EXACT)),
                in_practice=False,
                reassess_months=12,
            ),
            Item(
                "MH-CR-06",
                "Handover",
                "Gives and receives handovers that are clear and complete, including changes in risk and "
                "tasks still to be done.",
                B,
                (OBS, WIT),
                (cc(6), coc(3)),
            ),
            Item(
                "MH-CR-07",
                "Speaking up",
                "Raises concerns about care, safety or colleagues' conduct through the right route, and "
                "supports people who want to make a complaint.",
                B,
                (REF, WIT),
                (cc(3, PART), coc(1)),
            ),
            Item(
                "MH-CR-08",
                "Electronic patient record",
                "Uses the electronic patient record to find, enter and update information correctly, keeping "
                "their login to themselves.",
                S,
                (OBS, WORK),
                (cc(14), coc(5)),
            ),
        ),
    ),
    Domain(
        "MH-PD",
        "Personal development and teamwork",
        "Working within their role, learning from practice and working well with others.",
        (
            Item(
                "MH-PD-01",
                "Knowing the role",
                "Describes their role and its limits, and asks for help or declines when a task is outside "
                "what they have been trained and assessed to do.",
                K,
                (QA, REF),
                (cc(1, EXACT), coc(1, EXACT)),
                in_practice=False,
            ),
            Item(
                "MH-PD-02",
                "Development plan",
                "Agrees a development plan with their line manager, works through it and reviews it at "
                "appraisal.",
                B,
                (WORK, REF),
                (cc(2, EXACT), coc(6, EXACT)),
                in_practice=False,
            ),
            Item(
                "MH-PD-03",
                "Supervision and reflection",
                "Prepares for and uses supervision, and reflects on what went well and what they would do "
                "differently.",
                B,
                (REF, WIT),
                (cc(2, PART), coc(6)),
            ),
            Item(
                "MH-PD-04",
                "Teamwork",
                "Works with colleagues across professions to give safe and consistent care, and helps out "
                "when the team is under pressure.",
                B,
                (WIT, OBS),
                (coc(3, EXACT), cc(1)),
            ),
            Item(
                "MH-PD-05",
                "Own wellbeing",
                "Notices when work is affecting their own wellbeing and uses the support the trust offers.",
                V,
                (REF,),
                (cc(2), coc(3)),
                in_practice=False,
            ),
            Item(
                "MH-PD-06",
                "Accepting delegated tasks",
                "Accepts a delegated clinical task only when trained, assessed and confident to do it, and "
                "reports back to the registered professional who delegated it.",
                B,
                (OBS, REF, WIT),
                (cc(1), coc(1, PART)),
                bands=BANDS_3_4,
            ),
            Item(
                "MH-PD-07",
                "Helping others learn",
                "Helps new colleagues, students and apprentices learn the team's routines and values, and "
                "gives them honest, kind feedback.",
                B,
                (WIT, REF),
                (coc(3), coc(6)),
                bands=BANDS_3_4,
            ),
            Item(
                "MH-PD-08",
                "Organising a shift's support work",
                "Organises the support work of a shift or a group of colleagues as the nurse in charge "
                "directs, and checks it has been done.",
                S,
                (OBS, WIT),
                (coc(3), cc(1)),
                bands=BAND_4,
            ),
            Item(
                "MH-PD-09",
                "Improving care",
                "Takes part in audits and improvement projects, suggests changes from what they see in "
                "practice and helps test them.",
                B,
                (WORK, REF),
                (coc(6), cc(2)),
                bands=BAND_4,
            ),
        ),
    ),
)

ITEMS: tuple[Item, ...] = tuple(item for domain in DOMAINS for item in domain.items)
BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}

# Version 2 rewords one competence (the escalation now names the deteriorating patient procedure), so people
# signed off against version 1 need reassessing for it.
REVISED_CODE = "MH-PH-02"
REVISED_TITLE = (
    "Measures and records temperature, pulse, respiration rate, blood pressure, oxygen saturation and level of "
    "consciousness, works out the NEWS2 score, and escalates a rising or high score through the deteriorating "
    "patient procedure."
)
REVISION_NOTE = (
    "Clinical observations (MH-PH-02) now name the deteriorating patient procedure for escalation."
)

# Roles whose requirements come from this framework (names as in the role catalogue), and which domains apply
# to each: None for every domain.
ROLE_DOMAINS: dict[str, tuple[str, ...] | None] = {
    "Health care assistant": None,
    "Healthcare support worker": None,
    "Senior healthcare support worker": None,
    "Mental health support worker": None,
    "Support, time and recovery worker": None,
    # Peer support workers bring lived experience rather than clinical tasks.
    "Peer support worker": ("MH-VR", "MH-CR", "MH-PD"),
}
# Safety competences every role needs whatever its domains.
ALWAYS_REQUIRED = ("MH-SR-01", "MH-SR-02", "MH-SR-07", "MH-SR-08")
