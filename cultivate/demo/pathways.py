"""The demo alliance's career pathways: the reference pathways, the alliance's own copy of the nursing route,
qualifications and functional skills results for its support workers (so that every stage of readiness is
there: ready, one or two short, far off), managers' support, and 40 apprentices over three years with their
off-the-job hours, end-point assessments and what happened after. Deterministic from the seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.organisations.models import Alliance, EmploymentSpell, Organisation, Person
from cultivate.pathways import services
from cultivate.pathways.models import (
    Apprenticeship,
    ApprenticeshipStandard,
    EpaGrade,
    ManagerSupport,
    OffTheJobEntry,
    Outcome,
    Pathway,
    Qualification,
    QualificationKind,
    QualificationStatus,
    SkillsResult,
    Step,
)

from .alliance import TRUSTS, demo_email

APPRENTICES = 40
PROVIDERS = ("Harrowdale College", "University of the Dales", "Northern Skills Academy")
STANDARDS = ("ST0216", "ST0217", "ST0827", "ST0827", "ST0215")


@dataclass(frozen=True)
class PathwaysSummary:
    pathways: int
    qualifications: int
    skills_results: int
    apprentices: int
    hours_entries: int

    def lines(self) -> list[str]:
        return [
            f"  Career pathways: {self.pathways} shared by the alliance; {self.qualifications:,} qualifications, "
            f"{self.skills_results:,} functional skills results, {self.apprentices} apprentices "
            f"({self.hours_entries:,} off-the-job entries)"
        ]


def _support_workers(organisations: list[Organisation], today: dt.date) -> list[Person]:
    in_post = EmploymentSpell.objects.active_on(today).filter(
        person__organisation__in=organisations, afc_band__in=["2", "3", "4"]
    )
    return list(Person.objects.filter(pk__in=in_post.values("person_id")).order_by("pk"))


def pathways_demo_load(*, alliance: Alliance, seed: int, today: dt.date) -> PathwaysSummary:
    rng = random.Random(seed + 13)
    services.reference_load()
    organisations = list(Organisation.objects.filter(alliance=alliance).order_by("ods_code"))
    # The alliance shares its own copy of the nursing route (its members see it beside the reference one).
    nursing = Pathway.objects.get(code="nursing", owner_alliance=None, owner_organisation=None)
    shared = Pathway.objects.create(
        code="harrowdale-nursing",
        title=f"{alliance.name}: support worker to registered nurse",
        description="The alliance's route, with its bridging programme for functional skills.",
        source=nursing.source,
        owner_alliance=alliance,
    )
    services.copy_steps(nursing, shared)

    people = _support_workers(organisations, today)
    tna = Step.objects.get(code="trainee-nursing-associate", pathway=nursing)
    manager = User.objects.filter(email=demo_email("line.manager")).first()
    qualifications: list[Qualification] = []
    results: list[SkillsResult] = []
    support: list[ManagerSupport] = []
    now = timezone.now()
    for person in people:
        stage = rng.random()
        # Stages: far off (no qualifications), on the way, one or two short, ready.
        kinds: list[str] = []
        if stage > 0.3:
            kinds.append(QualificationKind.CARE_CERTIFICATE)
        if stage > 0.5:
            kinds.append(rng.choice([QualificationKind.GCSE_ENGLISH, QualificationKind.FS_ENGLISH_L2]))
        if stage > 0.7:
            kinds.append(rng.choice([QualificationKind.GCSE_MATHS, QualificationKind.FS_MATHS_L2]))
        if stage > 0.85:
            kinds.append(QualificationKind.DIPLOMA_L3)
        for kind in kinds:
            waiting = rng.random() < 0.08
            qualifications.append(
                Qualification(
                    person=person,
                    kind=kind,
                    awarded_on=today - dt.timedelta(days=rng.randint(60, 3000)),
                    evidence=f"Certificate {rng.randint(100000, 999999)}",
                    status=QualificationStatus.RECORDED if waiting else QualificationStatus.CONFIRMED,
                    confirmed_at=None if waiting else now,
                )
            )
        for subject in ("english", "maths"):
            if rng.random() < 0.45:
                assessed = today - dt.timedelta(days=rng.randint(10, 300))
                results.append(
                    SkillsResult(
                        person=person,
                        subject=subject,
                        level=rng.choice(["E2", "E3", "L1", "L1", "L2"]),
                        assessed_on=assessed,
                        reassess_on=assessed + dt.timedelta(days=182),
                        source="import" if rng.random() < 0.5 else "educator",
                    )
                )
        if stage > 0.6 and rng.random() < 0.6:
            support.append(ManagerSupport(person=person, step=tna, given_by=manager, given_on=today))
    Qualification.objects.bulk_create(qualifications)
    SkillsResult.objects.bulk_create(results)
    ManagerSupport.objects.bulk_create(support, ignore_conflicts=True)
    apprentices, entries = _apprentices(rng, people, today)
    return PathwaysSummary(
        pathways=Pathway.objects.filter(owner_alliance=alliance).count(),
        qualifications=len(qualifications),
        skills_results=len(results),
        apprentices=apprentices,
        hours_entries=entries,
    )


def _apprentices(rng: random.Random, people: list[Person], today: dt.date) -> tuple[int, int]:
    standards = {s.code: s for s in ApprenticeshipStandard.objects.all()}
    chosen = rng.sample(people, min(APPRENTICES, len(people)))
    entries: list[OffTheJobEntry] = []
    for n, person in enumerate(chosen):
        start = today - dt.timedelta(days=30 + (n * 1095) // APPRENTICES + rng.randint(0, 20))
        standard = standards[rng.choice(STANDARDS)]
        months = max(standard.typical_months or 12, 12)
        end = start + dt.timedelta(days=months * 30)
        hours = Decimal(rng.choice(["37.5", "37.5", "30", "22.5"]))
        finished = end < today
        apprenticeship = Apprenticeship.objects.create(
            person=person,
            standard=standard,
            provider=rng.choice(PROVIDERS),
            start_date=start,
            planned_end_date=end,
            contracted_hours=hours,
        )
        gateway = end - dt.timedelta(days=60) if finished else None
        # Weekly study days; some apprentices fall behind (fewer weeks logged).
        keeps_up = rng.random() < 0.7
        day = start + dt.timedelta(days=7)
        last = min(today, gateway or today)
        while day < last:
            if keeps_up or rng.random() < 0.5:
                entries.append(
                    OffTheJobEntry(
                        apprenticeship=apprenticeship,
                        on=day,
                        hours=min(Decimal(6), hours / 5),
                        activity=rng.choice(["University study day", "Online module", "Shadowing shift"]),
                        ksbs=[k["code"] for k in standard.ksbs[:2]],
                    )
                )
            day += dt.timedelta(days=7)
        if finished:
            outcome = rng.choices([Outcome.KEPT_ON, Outcome.PROGRESSED, Outcome.LEFT], weights=[5, 2, 3])[0]
            apprenticeship.gateway_on = gateway
            apprenticeship.epa_on = end - dt.timedelta(days=20)
            apprenticeship.epa_grade = (
                EpaGrade.FAIL
                if outcome == Outcome.LEFT and rng.random() < 0.3
                else rng.choice([EpaGrade.PASS, EpaGrade.DISTINCTION])
            )
            apprenticeship.outcome = outcome
            apprenticeship.outcome_on = min(end + dt.timedelta(days=30), today)
            apprenticeship.save()
    OffTheJobEntry.objects.bulk_create(entries)
    return len(chosen), len(entries)


def pathways_demo_delete(*, organisations: list[Organisation], alliance: Alliance | None) -> None:
    """Remove what pathways_demo_load wrote (before the demo's people and trusts go)."""
    OffTheJobEntry.objects.filter(apprenticeship__person__organisation__in=organisations).delete()
    Apprenticeship.objects.filter(person__organisation__in=organisations).delete()
    ManagerSupport.objects.filter(person__organisation__in=organisations).delete()
    SkillsResult.objects.filter(person__organisation__in=organisations).delete()
    Qualification.objects.filter(person__organisation__in=organisations).delete()
    Pathway.objects.filter(owner_organisation__in=organisations).delete()
    if alliance is not None:
        Pathway.objects.filter(owner_alliance=alliance).delete()


def demo_organisations() -> list[Organisation]:
    return list(Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS]))
