"""The demo alliance's training: a catalogue of about 60 offers with costs (each trust's own and the alliance's
shared ones), the Core Skills Training Framework's subjects and PMVA on the wards, three years of completions
and evaluations, mandatory training compliance that varies by team, sessions to book in the months ahead, and
one clear gap: Kelderby's induction leaves out mental health awareness (as Leeds and York Partnership found), so
nothing open to Kelderby's staff develops "Understanding mental health".

Deterministic from the seed; rows are written with the competence demo's `_Rows` (one executemany per table)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cultivate.frameworks.models import Competence, Framework, NodeType, VersionStatus
from cultivate.learning.models import (
    Completion,
    CompletionSource,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    MandatoryRequirement,
    MandatorySubject,
    Offer,
    OfferCompetence,
    OfferKind,
    Part,
    Session,
)
from cultivate.learning.reference import cstf_subjects
from cultivate.organisations.models import Alliance, EmploymentSpell, Organisation, TeamSetting
from cultivate.portfolio.services import add_months

from .alliance import TRUSTS, demo_email
from .competence import _Rows
from .plans import PlansSummary, plans_demo_delete, plans_demo_load
from .support import support_demo_delete, support_demo_load

GAP_TRUST = "RZ9"  # Kelderby Partnership: its induction has no mental health awareness
AWARENESS = "MH-MC-01"  # Understanding mental health
YEARS = 3
PMVA_SETTINGS = (TeamSetting.INPATIENT, TeamSetting.FORENSIC)

# Offers every trust runs for itself: (code, title, kind, mode, hours, cost, capacity, competence codes,
# CSTF subject or "pmva" or "").
LOCAL_OFFERS: tuple[tuple[str, str, str, str, str, str, int | None, tuple[str, ...], str], ...] = (
    (
        "induction",
        "Support worker induction",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "30",
        "180",
        16,
        (
            "MH-VR-01",
            "MH-VR-08",
            "MH-SR-01",
            "MH-SR-09",
            "MH-CR-01",
            "MH-CR-04",
            "MH-CR-05",
            "MH-PD-01",
            AWARENESS,
        ),
        "",
    ),
    (
        "care-certificate",
        "Care Certificate workbook and workshops",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.BLENDED,
        "24",
        "120",
        12,
        ("MH-VR-02", "MH-VR-05", "MH-SR-03", "MH-PH-14", "MH-CR-02"),
        "",
    ),
    (
        "obs-news2",
        "Clinical observations and NEWS2",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "7",
        "65",
        10,
        ("MH-PH-01", "MH-PH-02"),
        "",
    ),
    (
        "diabetes-cbg",
        "Diabetes and capillary blood glucose",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "6",
        "60",
        10,
        ("MH-PH-03", "MH-PH-04", "MH-PH-05"),
        "",
    ),
    (
        "venepuncture",
        "Venepuncture",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "7",
        "85",
        8,
        ("MH-PH-07",),
        "",
    ),
    (
        "ecg",
        "Recording a 12-lead ECG",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "4",
        "55",
        8,
        ("MH-PH-08",),
        "",
    ),
    (
        "deescalation",
        "De-escalation and safe practice",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "7",
        "70",
        14,
        ("MH-SR-05", "MH-SR-06"),
        "",
    ),
    (
        "pmva",
        "PMVA breakaway and physical skills",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "21",
        "240",
        12,
        ("MH-SR-05", "MH-SR-06"),
        "pmva",
    ),
    (
        "suicide-prevention",
        "Suicide prevention and self-harm",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.ONLINE_LIVE,
        "3",
        "30",
        25,
        ("MH-MC-03",),
        "",
    ),
    (
        "bls",
        "Basic life support",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "3",
        "35",
        12,
        ("MH-SR-07",),
        "resuscitation",
    ),
    (
        "fire",
        "Fire safety",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1",
        "0",
        None,
        ("MH-SR-11",),
        "fire-safety",
    ),
    (
        "moving-handling",
        "Moving and handling (practical)",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "3",
        "40",
        12,
        ("MH-SR-10",),
        "moving-handling",
    ),
    (
        "trauma-informed",
        "Trauma-informed care",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "6",
        "75",
        16,
        ("MH-MC-09",),
        "",
    ),
    (
        "recovery",
        "Recovery and meaningful activity",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.CLASSROOM,
        "6",
        "60",
        16,
        ("MH-MC-06", "MH-MC-07"),
        "",
    ),
    (
        "cstf-edhr",
        "Equality, diversity and human rights (e-learning)",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1",
        "0",
        None,
        ("MH-VR-06",),
        "equality-diversity-human-rights",
    ),
    (
        "cstf-ig",
        "Data security awareness (e-learning)",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1.5",
        "0",
        None,
        ("MH-CR-05",),
        "information-governance",
    ),
    (
        "cstf-ipc",
        "Infection prevention and control level 2",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1",
        "0",
        None,
        ("MH-SR-08",),
        "infection-prevention-control",
    ),
    (
        "cstf-prevent",
        "Preventing radicalisation (e-learning)",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "0.5",
        "0",
        None,
        (),
        "preventing-radicalisation",
    ),
    (
        "cstf-safeguarding-adults",
        "Safeguarding adults level 2",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "2",
        "0",
        None,
        ("MH-SR-01",),
        "safeguarding-adults",
    ),
    (
        "cstf-safeguarding-children",
        "Safeguarding children level 2",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "2",
        "0",
        None,
        ("MH-SR-02",),
        "safeguarding-children",
    ),
    (
        "cstf-conflict",
        "Conflict resolution (e-learning)",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1",
        "0",
        None,
        (),
        "conflict-resolution",
    ),
    (
        "cstf-hsw",
        "Health, safety and welfare (e-learning)",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "1",
        "0",
        None,
        ("MH-SR-09",),
        "health-safety-welfare",
    ),
)

# Courses only the largest trust runs (a thinner catalogue elsewhere).
LARGEST_TRUST_ONLY = frozenset({"ecg", "recovery", "venepuncture", "trauma-informed"})

# Offers the alliance shares with every trust.
SHARED_OFFERS: tuple[tuple[str, str, str, str, str, str, int | None, tuple[str, ...], str], ...] = (
    (
        "hcsw-apprenticeship",
        "Senior healthcare support worker apprenticeship (level 3)",
        OfferKind.APPRENTICESHIP,
        DeliveryMode.WORK_BASED,
        "400",
        "7000",
        15,
        ("MH-PD-07", "MH-PD-08", "MH-MC-10", "MH-PH-09"),
        "",
    ),
    (
        "nursing-associate",
        "Nursing associate foundation degree",
        OfferKind.APPRENTICESHIP,
        DeliveryMode.WORK_BASED,
        "1200",
        "15000",
        10,
        ("MH-PD-06", "MH-PD-09"),
        "",
    ),
    (
        "bridging",
        "Bridging programme into registered nursing",
        OfferKind.BRIDGING,
        DeliveryMode.BLENDED,
        "150",
        "1800",
        20,
        ("MH-PD-09",),
        "",
    ),
    (
        "functional-english",
        "Functional skills English level 2",
        OfferKind.FUNCTIONAL_SKILLS,
        DeliveryMode.BLENDED,
        "60",
        "0",
        15,
        ("MH-CR-01",),
        "",
    ),
    (
        "functional-maths",
        "Functional skills maths level 2",
        OfferKind.FUNCTIONAL_SKILLS,
        DeliveryMode.BLENDED,
        "60",
        "0",
        15,
        ("MH-PH-11",),
        "",
    ),
    (
        "uni-physical-health",
        "Physical health in mental health settings (university module, level 5)",
        OfferKind.UNIVERSITY_MODULE,
        DeliveryMode.BLENDED,
        "150",
        "1250",
        20,
        ("MH-PH-01", "MH-PH-10", "MH-PH-13"),
        "",
    ),
    (
        "records",
        "Good records and the electronic record",
        OfferKind.E_LEARNING,
        DeliveryMode.SELF_PACED,
        "2",
        "0",
        None,
        ("MH-CR-04", "MH-CR-08"),
        "",
    ),
    (
        "supervision",
        "Getting the most from supervision",
        OfferKind.INTERNAL_COURSE,
        DeliveryMode.ONLINE_LIVE,
        "2",
        "20",
        20,
        ("MH-PD-03", "MH-PD-02"),
        "",
    ),
)

EVALUATION_USEFUL = (
    "Practising with real scenarios",
    "Time to ask questions",
    "Hearing from someone with lived experience",
    "The handouts to keep",
    "Working through it at my own pace",
)
EVALUATION_CHANGE = (
    "More time for practice",
    "Smaller groups",
    "Run it closer to the ward",
    "",
    "Clearer joining instructions",
)


@dataclass(frozen=True)
class LearningSummary:
    offers: int
    sessions: int
    subjects: int
    completions: int
    evaluations: int
    plans: PlansSummary | None = None

    def lines(self) -> list[str]:
        return [
            f"  {self.offers} learning offers, {self.sessions:,} sessions, {self.subjects} mandatory subjects; "
            f"{self.completions:,} completions, {self.evaluations:,} evaluations",
            *(self.plans.lines() if self.plans else []),
        ]


def learning_demo_delete(*, alliance: Alliance | None = None) -> None:
    """Remove what learning_demo_load wrote (before the demo's people and trusts go)."""
    organisations = Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS])
    offers = Offer.objects.filter(
        Q(organisation__in=organisations) | Q(alliance__code__in=_alliance_codes(alliance))
    )
    plans_demo_delete(organisations)
    Evaluation.objects.filter(completion__person__organisation__in=organisations).delete()
    Completion.objects.filter(Q(person__organisation__in=organisations) | Q(offer__in=offers)).delete()
    Enrolment.objects.filter(session__offer__in=offers).delete()
    Session.objects.filter(offer__in=offers).delete()
    OfferCompetence.objects.filter(offer__in=offers).delete()
    offers.delete()
    MandatorySubject.objects.filter(organisation__in=organisations).delete()
    support_demo_delete(list(organisations))


def _alliance_codes(alliance: Alliance | None) -> list[str]:
    from .alliance import ALLIANCE_CODE

    return [alliance.code] if alliance is not None else [ALLIANCE_CODE]


def learning_demo_load(*, alliance: Alliance, seed: int, today: dt.date) -> LearningSummary:
    rng = random.Random(seed * 31 + 12)
    organisations = list(Organisation.objects.filter(alliance=alliance).order_by("ods_code"))
    framework = Framework.objects.filter(owner_alliance=alliance).order_by("pk").first()
    competences = (
        {
            c.code: c
            for c in Competence.objects.filter(
                framework=framework, version__status=VersionStatus.PUBLISHED, node_type=NodeType.COMPETENCE
            )
        }
        if framework is not None
        else {}
    )
    now = timezone.now()
    subjects = _subjects(organisations, rng)
    offers: list[Offer] = []
    links: list[OfferCompetence] = []

    def add_offer(
        spec: tuple[str, str, str, str, str, str, int | None, tuple[str, ...], str],
        *,
        organisation: Organisation | None = None,
        alliance: Alliance | None = None,
    ) -> Offer:
        code, title, kind, mode, hours, cost, capacity, codes, subject = spec
        org = organisation
        offer = Offer(
            code=code,
            title=title,
            kind=kind,
            mode=mode,
            hours=Decimal(hours),
            cost_per_place=Decimal(cost),
            capacity=capacity,
            provider="Harrowdale Health Alliance" if org is None else f"{org} learning and development",
            credits=20 if kind == OfferKind.UNIVERSITY_MODULE else None,
            academic_level="Level 5" if kind == OfferKind.UNIVERSITY_MODULE else "",
            accreditation="Harrowdale University" if kind == OfferKind.UNIVERSITY_MODULE else "",
            subject=subjects.get((org.pk, subject)) if org is not None and subject else None,
            organisation=organisation,
            alliance=alliance,
        )
        offers.append(offer)
        for number, competence_code in enumerate(codes):
            if competence_code in competences:
                part = Part.KNOWLEDGE if number % 3 else Part.SKILL
                links.append(OfferCompetence(offer=offer, competence=competences[competence_code], part=part))
        return offer

    for spec in SHARED_OFFERS:
        add_offer(spec, alliance=alliance)
    for org in organisations:
        for spec in LOCAL_OFFERS:
            if org.ods_code == GAP_TRUST and spec[0] == "induction":
                # The gap: Kelderby's induction has no mental health awareness.
                spec = (*spec[:7], tuple(c for c in spec[7] if c != AWARENESS), spec[8])
            if org.ods_code != TRUSTS[0].ods_code and spec[0] in LARGEST_TRUST_ONLY:
                continue
            if spec[8] and (org.pk, spec[8]) not in subjects:
                continue  # PMVA where the trust requires it
            add_offer(spec, organisation=org)
    Offer.objects.bulk_create(offers)
    for link in links:
        link.offer_id = link.offer.pk
    OfferCompetence.objects.bulk_create(links)
    sessions = _sessions(offers, rng, today)
    completions, evaluations = _completions(organisations, offers, subjects, rng, today, now)
    _enrolments(organisations, rng, now)
    workers = {demo_email("support.worker")} | {demo_email(f"support.worker.{t.short}") for t in TRUSTS[1:]}
    plans = plans_demo_load(organisations=organisations, seed=seed, today=today, worker_emails=workers)
    support_demo_load(organisations, random.Random(seed * 31 + 13), today)
    return LearningSummary(
        offers=len(offers),
        sessions=sessions,
        subjects=len(subjects),
        completions=completions,
        evaluations=evaluations,
        plans=plans,
    )


def _subjects(
    organisations: list[Organisation], rng: random.Random
) -> dict[tuple[int, str], MandatorySubject]:
    """The CSTF's eleven (each trust with its own renewal periods) and PMVA on the wards of the mental health
    trusts."""
    made: dict[tuple[int, str], MandatorySubject] = {}
    requirements: list[MandatoryRequirement] = []
    for org in organisations:
        for item in cstf_subjects():
            months = item.suggested_renewal_months
            # Trusts differ: some renew fire safety yearly, some information governance every two years.
            if rng.random() < 0.25:
                months = {12: 24, 24: 12, 36: 24}.get(months, months)
            subject = MandatorySubject(
                organisation=org, code=item.code, name=item.name, cstf_code=item.code, renewal_months=months
            )
            made[(org.pk, item.code)] = subject
            requirements.append(MandatoryRequirement(subject=subject))
        if org.kind != "community":
            pmva = MandatorySubject(organisation=org, code="pmva", name="PMVA", renewal_months=12)
            made[(org.pk, "pmva")] = pmva
            requirements.extend(
                MandatoryRequirement(subject=pmva, setting=setting) for setting in PMVA_SETTINGS
            )
    MandatorySubject.objects.bulk_create(list(made.values()))
    for requirement in requirements:
        requirement.subject_id = requirement.subject.pk
    MandatoryRequirement.objects.bulk_create(requirements)
    return made


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _sessions(offers: list[Offer], rng: random.Random, today: dt.date) -> int:
    """Sessions of the courses with places: every month or two for three years back and six months ahead; some
    courses have nothing planned (thin spots)."""
    rows = _Rows(
        Session,
        ("offer_id", "starts_at", "ends_at", "venue", "capacity", "is_cancelled", "created_at", "updated_at"),
    )
    now = timezone.now()
    for offer in offers:
        if offer.capacity is None:
            continue
        every = 30 if offer.kind == OfferKind.INTERNAL_COURSE else 180
        ahead = 0 if rng.random() < 0.15 else 183  # no session planned: a thin spot
        day = today - dt.timedelta(days=YEARS * 365 - rng.randrange(every))
        while day <= today + dt.timedelta(days=ahead):
            if day.weekday() < 5:
                hours = max(1, min(int(offer.hours), 7))
                starts = _aware(day, 9)
                rows.add(
                    offer_id=offer.pk,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=hours),
                    venue="Education centre" if offer.mode == DeliveryMode.CLASSROOM else "Online",
                    capacity=offer.capacity,
                    is_cancelled=False,
                    created_at=now,
                    updated_at=now,
                )
            day += dt.timedelta(days=every + rng.randrange(-5, 6))
    rows.insert()
    return len(rows)


def _enrolments(organisations: list[Organisation], rng: random.Random, now: dt.datetime) -> None:
    """Places on the coming sessions of each trust's courses: most booked (some in protected time), some
    waiting for a manager's approval."""
    people: dict[int, list[int]] = {}
    for person_id, org_id in (
        EmploymentSpell.objects.active_on(now.date())
        .filter(person__organisation__in=organisations, role__isnull=False)
        .values_list("person_id", "person__organisation_id")
        .distinct()
        .order_by("person_id")
    ):
        people.setdefault(org_id, []).append(person_id)
    rows = _Rows(
        Enrolment,
        ("session_id", "person_id", "status", "protected_time", "note", "created_at", "updated_at"),
    )
    for session_id, capacity, org_id in (
        Session.objects.filter(offer__organisation__in=organisations, starts_at__gt=now, is_cancelled=False)
        .order_by("starts_at", "pk")
        .values_list("pk", "capacity", "offer__organisation_id")
    ):
        pool = people.get(org_id, [])
        for person_id in rng.sample(pool, min(len(pool), rng.randrange(0, capacity // 2 + 1))):
            status = rng.choices((EnrolmentStatus.BOOKED, EnrolmentStatus.REQUESTED), weights=(80, 20))[0]
            rows.add(
                session_id=session_id,
                person_id=person_id,
                status=status,
                protected_time=status == EnrolmentStatus.BOOKED and rng.random() < 0.6,
                note="",
                created_at=now,
                updated_at=now,
            )
    rows.insert()


def _completions(
    organisations: list[Organisation],
    offers: list[Offer],
    subjects: dict[tuple[int, str], MandatorySubject],
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
) -> tuple[int, int]:
    """Mandatory training with a compliance rate drawn per team, and courses taken over three years."""
    start = today - dt.timedelta(days=YEARS * 365)
    spells = list(
        EmploymentSpell.objects.active_on(today)
        .filter(person__organisation__in=organisations)
        .values_list("person_id", "person__organisation_id", "team_id", "team__setting", "start_date")
        .order_by("person_id", "start_date")
    )
    posts: dict[int, tuple[int, int | None, str, dt.date]] = {}
    for spell in spells:
        posts.setdefault(spell[0], (spell[1], spell[2], spell[3] or "", spell[4]))
    team_rate: dict[int | None, float] = {}
    by_subject_offer: dict[tuple[int, str], Offer] = {}
    for offer in offers:
        key_org = offer.organisation_id
        if offer.subject is not None and key_org is not None:
            by_subject_offer[(key_org, offer.subject.code)] = offer
    courses = {
        org.pk: [o for o in offers if o.organisation_id in (org.pk, None) and o.subject is None]
        for org in organisations
    }
    completions = _Rows(
        Completion,
        (
            "person_id",
            "offer_id",
            "subject_id",
            "session_id",
            "completed_on",
            "hours",
            "cost",
            "source",
            "evidence_id",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ),
    )
    evaluations = _Rows(
        Evaluation, ("completion_id", "rating", "useful", "change", "created_at", "updated_at")
    )

    def complete(person_id: int, offer: Offer | None, subject: MandatorySubject | None, day: dt.date) -> None:
        pk = completions.add(
            person_id=person_id,
            offer_id=offer.pk if offer else None,
            subject_id=subject.pk if subject else None,
            session_id=None,
            completed_on=day,
            hours=offer.hours if offer else Decimal("1"),
            cost=offer.cost_per_place if offer else Decimal("0"),
            source=CompletionSource.IMPORT,
            evidence_id=None,
            recorded_by_id=None,
            created_at=now,
            updated_at=now,
        )
        if offer is not None and offer.subject is None and rng.random() < 0.65:
            evaluations.add(
                completion_id=pk,
                rating=rng.choices((5, 4, 3, 2, 1), weights=(35, 40, 15, 7, 3))[0],
                useful=rng.choice(EVALUATION_USEFUL),
                change=rng.choice(EVALUATION_CHANGE),
                created_at=now,
                updated_at=now,
            )

    for person_id, (org_id, team_id, setting, started) in sorted(posts.items()):
        found_rate = team_rate.get(team_id)
        rate = (
            found_rate if found_rate is not None else team_rate.setdefault(team_id, rng.uniform(0.68, 0.97))
        )
        for (subject_org, code), subject in subjects.items():
            if subject_org != org_id or (code == "pmva" and setting not in PMVA_SETTINGS):
                continue
            subject_offer = by_subject_offer.get((org_id, code))
            months = subject.renewal_months
            draw = rng.random()
            if draw < rate:
                last = today - dt.timedelta(days=rng.randrange(1, months * 30))
            elif draw < rate + (1 - rate) * 0.7:
                last = add_months(today, -months) - dt.timedelta(days=rng.randrange(1, 200))
            else:
                continue  # never done
            day = last
            while day >= max(start, started):
                complete(person_id, subject_offer, subject, day)
                day = add_months(day, -months)
        # Courses: about one a year, more for those longer in post.
        for _ in range(rng.choices((0, 1, 2, 3, 4), weights=(20, 30, 25, 15, 10))[0]):
            offer = rng.choice(courses[org_id])
            first = max(start, started)
            if first >= today:
                break
            complete(person_id, offer, None, first + dt.timedelta(days=rng.randrange((today - first).days)))
    completions.insert()
    evaluations.insert()
    return len(completions), len(evaluations)
