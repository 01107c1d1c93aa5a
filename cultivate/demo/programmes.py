"""The demo alliance's development programme: "Developing Healthcare Talent" (seed 000), three past cohorts of 13
mixing the three trusts (39 people, as the pilot), with attendance, self-assessments on ten dimensions that mostly
improved, session evaluations and feedback of which 88% rate it 4 or 5, each cohort closed; and the next intake,
copied from it, taking applications. Deterministic from the seed; written through the programme services where a
rule applies (allocation, partners, closing), in bulk where it does not."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.core import periods
from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Alliance, EmploymentSpell, Organisation, Person
from cultivate.programmes import services
from cultivate.programmes.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Delivery,
    Feedback,
    Participant,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    SelfAssessment,
    SelfAssessmentAnswer,
    Session,
    SessionEvaluation,
    Stage,
)

from .alliance import TRUSTS, demo_email

TITLE = "Developing Healthcare Talent"
AIMS = (
    "Develop, nurture and retain clinical support workers (bands 2 to 4): communication, resilience and "
    "confidence, with a practice partner from another trust and a safe space to share."
)
COHORTS, PER_COHORT, SESSIONS, WEEKS = 3, 13, 7, 14
RATED_HIGH = 0.88  # seed 000: 88% rated the programme 4 or 5 of 5
# Dimensions whose average barely moved (the seed says "mostly improved"): the others improve.
FLAT_DIMENSIONS = ("Career clarity", "Wellbeing")
TOPICS = (
    "Welcome and what matters to you",
    "Communicating with confidence",
    "Resilience under pressure",
    "Working in a team",
    "Reflective practice",
    "Solving problems on the ward",
    "Your next steps",
)


@dataclass(frozen=True)
class ProgrammeDemoSummary:
    programmes: int
    cohorts: int
    participants: int
    completed: int
    rated_high_pct: float
    open_applications: int

    def lines(self) -> list[str]:
        return [
            f"  {TITLE}: {self.cohorts} past cohorts, {self.participants} participants, {self.completed} completed, "
            f"{self.rated_high_pct:g}% rated it 4 or 5; the next intake has {self.open_applications} applications"
        ]


def _workers(
    alliance: Alliance, on: dt.date, rng: random.Random, exclude: set[int]
) -> dict[int, list[Person]]:
    """Support workers (bands 2 to 4) in post on `on`, by organisation, in a seeded order."""
    spells = (
        EmploymentSpell.objects.filter(
            periods.active_on(on),
            person__organisation__alliance=alliance,
            afc_band__in=["2", "3", "4"],
        )
        .select_related("person")
        .order_by("person_id")
    )
    by_org: dict[int, dict[int, Person]] = {}
    for spell in spells:
        if spell.person_id not in exclude:
            by_org.setdefault(spell.person.organisation_id, {})[spell.person_id] = spell.person
    result = {}
    for org_id, people in sorted(by_org.items()):
        chosen = list(people.values())
        rng.shuffle(chosen)
        result[org_id] = chosen
    return result


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def programmes_demo_load(*, alliance: Alliance, seed: int, today: dt.date) -> ProgrammeDemoSummary:
    rng = random.Random(f"programmes-{seed}")
    ctx = AuditContext.system("demo")
    educator = User.objects.filter(email=demo_email("educator")).first()
    worker = User.objects.filter(email=demo_email("support.worker")).first()
    starts_on = today - dt.timedelta(weeks=60)
    starts_on -= dt.timedelta(days=starts_on.weekday())  # a Monday
    programme = services.programme_create(
        ctx=ctx,
        alliance=alliance,
        title=TITLE,
        aims=AIMS,
        weeks=WEEKS,
        starts_on=starts_on,
        delivery=Delivery.ONLINE,
    )
    if educator is not None:
        membership = (
            Membership.objects.filter(user=educator, role=Role.EDUCATOR)
            .select_related("organisation")
            .first()
        )
        if membership is not None and membership.organisation is not None:
            ProgrammeLead.objects.create(
                programme=programme, user=educator, organisation=membership.organisation
            )
    cohorts = [
        services.cohort_create(ctx=ctx, programme=programme, name=f"Cohort {n + 1}") for n in range(COHORTS)
    ]

    # Thirteen a cohort from the three trusts in turn; the demo support worker is one of them.
    own = worker.person if worker is not None else None
    pools = _workers(alliance, starts_on, rng, exclude={own.pk} if own else set())
    chosen: list[Person] = [own] if own is not None else []
    org_ids = list(pools)
    i = 0
    while len(chosen) < COHORTS * PER_COHORT and any(pools.values()):
        pool = pools[org_ids[i % len(org_ids)]]
        if pool:
            chosen.append(pool.pop())
        i += 1
    applied_at = timezone.make_aware(dt.datetime.combine(starts_on - dt.timedelta(weeks=6), dt.time(9)))
    applications = Application.objects.bulk_create(
        Application(
            programme=programme,
            person=p,
            statement="I want to grow in my role and meet colleagues from other trusts.",
            status=ApplicationStatus.ACCEPTED,
            protected_time_agreed_at=applied_at,
        )
        for p in chosen
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=a, from_status=old, to_status=new)
        for a in applications
        for old, new in (
            ("", "submitted"),
            ("submitted", "manager_approved"),
            ("manager_approved", "offered"),
            ("offered", "accepted"),
        )
    )
    services.cohorts_allocate(ctx=ctx, programme=programme, time_limit_s=2.0)
    for cohort in cohorts:
        if cohort.participants.count() >= 2:
            services.partners_pair(ctx=ctx, cohort=cohort, time_limit_s=1.0)

    # Fortnightly sessions, each cohort on its own weekday at lunchtime.
    sessions: dict[int, list[Session]] = {}
    for n, cohort in enumerate(cohorts):
        sessions[cohort.pk] = list(
            Session.objects.bulk_create(
                Session(
                    programme=programme,
                    cohort=cohort,
                    topic=TOPICS[k],
                    starts_at=_at(starts_on + dt.timedelta(days=14 * k + 1 + n), 12, 30),
                    ends_at=_at(starts_on + dt.timedelta(days=14 * k + 1 + n), 14, 0),
                    joining_link="https://teams.example.nhs.uk/developing-healthcare-talent",
                    facilitator="Talent for Care",
                )
                for k in range(SESSIONS)
            )
        )
    dimensions = list(programme.dimensions.all())
    attendance, answers, evaluations, feedback = [], [], [], []
    participants = list(Participant.objects.filter(cohort__programme=programme).order_by("pk"))
    rng.shuffle(participants)
    # Most attend most sessions (the seed: attendance was a strength); a few drift away.
    for p in participants:
        engaged = rng.random() < 0.85
        for session in sessions[p.cohort_id]:
            present = rng.random() < (0.93 if engaged else 0.45)
            attendance.append(
                Attendance(
                    session=session,
                    participant=p,
                    method=AttendanceMethod.REGISTER,
                    status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                )
            )
            if present and rng.random() < 0.7:
                evaluations.append(
                    SessionEvaluation(
                        session=session, participant=p, rating=rng.choices([3, 4, 5], [1, 4, 5])[0]
                    )
                )
        before = SelfAssessment.objects.create(participant=p, stage=Stage.BEFORE)
        scores = {d.pk: rng.choices([1, 2, 3, 4], [1, 4, 4, 1])[0] for d in dimensions}
        answers += [
            SelfAssessmentAnswer(self_assessment=before, dimension_id=k, score=v) for k, v in scores.items()
        ]
        if engaged or rng.random() < 0.5:
            after = SelfAssessment.objects.create(participant=p, stage=Stage.AFTER)
            for d in dimensions:
                change = rng.choice([-1, 0, 0, 1]) if d.name in FLAT_DIMENSIONS else rng.choice([0, 1, 1, 2])
                answers.append(
                    SelfAssessmentAnswer(
                        self_assessment=after, dimension_id=d.pk, score=max(1, min(5, scores[d.pk] + change))
                    )
                )
    Attendance.objects.bulk_create(attendance)
    SessionEvaluation.objects.bulk_create(evaluations)
    SelfAssessmentAnswer.objects.bulk_create(answers)
    # End-of-programme feedback: 88% of those who answered rate it 4 or 5; almost all would recommend it.
    responders = [p for p in participants if rng.random() < 0.9]
    high = round(RATED_HIGH * len(responders))
    for n, p in enumerate(responders):
        feedback.append(
            Feedback(
                participant=p,
                overall=rng.choice([4, 5, 5]) if n < high else rng.choice([2, 3]),
                would_recommend=n != len(responders) - 1,
                what_changed=rng.choice(
                    [
                        "More confident speaking up in handovers.",
                        "I know who to ask now.",
                        "I feel valued.",
                        "",
                    ]
                ),
            )
        )
    Feedback.objects.bulk_create(feedback)
    completed = 0
    for n, cohort in enumerate(cohorts):
        closed_on = starts_on + dt.timedelta(weeks=WEEKS, days=n)
        completed += sum(
            1 for o in services.cohort_close(ctx=ctx, cohort=cohort, closed_on=closed_on) if o.completed
        )
    Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.FINISHED)

    # The next intake, copied from it, taking applications.
    next_start = today + dt.timedelta(weeks=6)
    intake = services.programme_copy(
        ctx=ctx, programme=programme, starts_on=next_start - dt.timedelta(days=next_start.weekday())
    )
    for cohort in intake.cohorts.all():
        Session.objects.bulk_create(
            Session(
                programme=intake,
                cohort=cohort,
                topic=TOPICS[k],
                starts_at=_at(intake.starts_on + dt.timedelta(days=14 * k + 1 + cohort.pk % 3), 12, 30),
                ends_at=_at(intake.starts_on + dt.timedelta(days=14 * k + 1 + cohort.pk % 3), 14, 0),
                joining_link="https://teams.example.nhs.uk/developing-healthcare-talent",
                facilitator="Talent for Care",
            )
            for k in range(SESSIONS)
        )
    Programme.objects.filter(pk=intake.pk).update(status=ProgrammeStatus.OPEN)
    taken = {a.person_id for a in applications} | ({own.pk} if own else set())
    fresh = _workers(alliance, today, rng, exclude=taken)
    newcomers = [p for people in fresh.values() for p in people[:4]]
    statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.MANAGER_APPROVED, ApplicationStatus.OFFERED]
    Application.objects.bulk_create(
        Application(
            programme=intake,
            person=p,
            statement="My manager suggested it; I would like to build my confidence.",
            status=statuses[n % 3],
        )
        for n, p in enumerate(newcomers)
    )
    return ProgrammeDemoSummary(
        programmes=2,
        cohorts=len(cohorts),
        participants=len(participants),
        completed=completed,
        rated_high_pct=round(100 * high / len(responders), 1) if responders else 0.0,
        open_applications=len(newcomers),
    )


def programmes_demo_delete(*, alliance: Alliance | None = None) -> None:
    """Remove the demo's programmes (before its trusts and people go: a programme protects its owner)."""
    organisations = Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS])
    owned = Q(organisation__in=organisations)
    if alliance is not None:
        owned |= Q(alliance=alliance)
    else:
        owned |= Q(alliance__code__in=Alliance.objects.filter(organisations__in=organisations).values("code"))
    Programme.objects.filter(owned).delete()
