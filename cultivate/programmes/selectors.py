"""Reads for programmes. Each takes the acting membership and reads through `for_membership`, or is scoped by a
parent the caller was allowed (a programme's cohorts, a cohort's participants). Survey answers are read only
as the person's own or as aggregates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.frameworks import access as framework_access
from cultivate.frameworks.models import Competence, Framework, NodeType, VersionStatus
from cultivate.organisations.models import Organisation

from .models import (
    AllocationKind,
    AllocationRun,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Attendance,
    AttendanceStatus,
    Cohort,
    Feedback,
    Participant,
    Post,
    Programme,
    ProgrammeStatus,
    SelfAssessment,
    Session,
    SessionEvaluation,
)


def programmes_visible_to(membership: Membership | None) -> QuerySet[Programme]:
    return Programme.objects.for_membership(membership).distinct().select_related("organisation", "alliance")


def programmes_open_to(membership: Membership | None) -> QuerySet[Programme]:
    return programmes_visible_to(membership).filter(status=ProgrammeStatus.OPEN)


def cohorts_visible_to(membership: Membership | None) -> QuerySet[Cohort]:
    return Cohort.objects.for_membership(membership).distinct().select_related("programme")


def sessions_visible_to(membership: Membership | None) -> QuerySet[Session]:
    return Session.objects.for_membership(membership).select_related("programme", "cohort")


def applications_visible_to(membership: Membership | None) -> QuerySet[Application]:
    return (
        Application.objects.for_membership(membership)
        .distinct()
        .select_related("programme", "person__organisation")
    )


def participants_visible_to(membership: Membership | None) -> QuerySet[Participant]:
    return Participant.objects.for_membership(membership).select_related("cohort__programme", "person")


def posts_visible_to(membership: Membership | None) -> QuerySet[Post]:
    return Post.objects.for_membership(membership).select_related("cohort__programme", "author")


def attendance_visible_to(membership: Membership | None) -> QuerySet[Attendance]:
    return Attendance.objects.for_membership(membership)


def my_applications(membership: Membership | None) -> QuerySet[Application]:
    person_id = membership.user.person_id if membership is not None else None
    return applications_visible_to(membership).filter(person_id=person_id or 0)


def my_application_to(membership: Membership | None, programme: Programme) -> Application | None:
    return my_applications(membership).filter(programme=programme).first()


def my_places(membership: Membership | None) -> QuerySet[Participant]:
    person_id = membership.user.person_id if membership is not None else None
    return (
        participants_visible_to(membership).filter(person_id=person_id or 0).order_by("-cohort__created_at")
    )


def team_applications(membership: Membership | None) -> QuerySet[Application]:
    """For a line manager: their people's applications (not their own)."""
    person_id = membership.user.person_id if membership is not None else None
    return applications_visible_to(membership).exclude(person_id=person_id or 0)


# Scoped by a parent the caller was allowed.


def programme_cohorts(programme: Programme) -> QuerySet[Cohort]:
    return programme.cohorts.annotate(size=Count("participants")).order_by("name")


def programme_cohort_sizes(programme: Programme) -> list[tuple[Cohort, int]]:
    return [(c, c.size) for c in programme_cohorts(programme)]  # type: ignore[attr-defined]


def eligible_leads(programme: Programme) -> list[User]:  # unscoped: the caller was allowed the programme
    """Educators who may lead the programme: of its organisation, or of a member trust of its alliance, not
    already leading it."""
    owners = (
        Organisation.objects.filter(pk=programme.organisation_id)
        if programme.organisation_id is not None
        else Organisation.objects.filter(alliance=programme.alliance)
    )
    leading = programme.leads.values("user_id")
    return list(
        User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(role=Role.EDUCATOR, organisation__in=owners)
            .values("user_id"),
            is_active=True,
        )
        .exclude(pk__in=leading)
        .order_by("full_name")
    )


def competence_options(membership: Membership | None) -> list[Competence]:
    """The competences a lead may say a programme covers: those (not domains) of the published version of
    every framework the role may see (reference frameworks, the alliance's, the organisation's)."""
    frameworks = Framework.objects.filter(framework_access.framework_scope(membership)).values("pk")
    return list(
        Competence.objects.filter(
            framework__in=frameworks, version__status=VersionStatus.PUBLISHED, node_type=NodeType.COMPETENCE
        ).select_related("framework")
    )


def programme_competences(programme: Programme) -> list[Competence]:
    """The competences the programme covers, each as its framework's published row where there is one (the
    CASE identifier is what counts, so a newer version of the framework keeps the choice)."""
    chosen = list(programme.competences.select_related("framework").order_by("framework__title", "code"))
    published = {
        (c.framework_id, c.identifier): c
        for c in Competence.objects.filter(
            framework_id__in={c.framework_id for c in chosen},
            identifier__in={c.identifier for c in chosen},
            version__status=VersionStatus.PUBLISHED,
        ).select_related("framework")
    }
    return [published.get((c.framework_id, c.identifier), c) for c in chosen]


def programme_sessions(programme: Programme) -> QuerySet[Session]:
    return programme.sessions.select_related("cohort").order_by("starts_at")


def cohort_sessions(cohort: Cohort) -> QuerySet[Session]:
    return Session.objects.filter(
        Q(cohort=cohort) | Q(cohort__isnull=True), programme_id=cohort.programme_id
    ).order_by("starts_at")


def programme_applications(programme: Programme) -> QuerySet[Application]:
    return (
        programme.applications.select_related("person__organisation", "participant__cohort")
        .prefetch_related("available_cohorts")
        .order_by("status", "created_at")
    )


def application_history(application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("by")


def cohort_members(cohort: Cohort) -> QuerySet[Participant]:
    return cohort.participants.select_related(
        "person__organisation", "partner_group", "application"
    ).order_by("person__family_name", "person__given_name")


def cohort_posts(cohort: Cohort) -> QuerySet[Post]:
    return cohort.posts.select_related("author", "hidden_by").order_by("created_at")


def latest_run(programme: Programme, kind: str, cohort: Cohort | None = None) -> AllocationRun | None:
    return programme.allocation_runs.filter(kind=kind, cohort=cohort).first()


def latest_cohort_run(programme: Programme) -> AllocationRun | None:
    return latest_run(programme, AllocationKind.COHORTS)


def register_marks(session: Session, cohort: Cohort) -> dict[int, str]:
    return dict(
        Attendance.objects.filter(session=session, participant__cohort=cohort).values_list(
            "participant_id", "status"
        )
    )


def session_register(session: Session, cohort: Cohort) -> QuerySet[Attendance]:
    """The marks of one cohort at a session (the caller manages the cohort)."""
    return Attendance.objects.filter(session=session, participant__cohort=cohort).order_by("participant_id")


def cohort_attendance(cohort: Cohort, membership: Membership | None) -> QuerySet[Attendance]:
    """The cohort's attendance, through the attendance scope (leads: all; members: their cohort's)."""
    return (
        attendance_visible_to(membership)
        .filter(participant__cohort=cohort)
        .order_by("session__starts_at", "pk")
    )


def session_for_checkin(participant: Participant, now: dt.datetime | None = None) -> Session | None:
    """The participant's session under way now (or opening within 15 minutes)."""
    now = now or timezone.now()
    return (
        cohort_sessions(participant.cohort)
        .filter(starts_at__lte=now + dt.timedelta(minutes=15), ends_at__gte=now)
        .first()
    )


def own_self_assessments(participant: Participant) -> dict[str, SelfAssessment]:
    return {a.stage: a for a in participant.self_assessments.prefetch_related("answers")}


def own_feedback(participant: Participant) -> Feedback | None:
    return Feedback.objects.filter(participant=participant).first()


def sessions_to_evaluate(participant: Participant) -> list[Session]:
    done = set(SessionEvaluation.objects.filter(participant=participant).values_list("session_id", flat=True))
    return [
        s
        for s in cohort_sessions(participant.cohort).filter(starts_at__lte=timezone.now())
        if s.pk not in done
    ]


# Attendance figures and the follow-up list.


def missed_two_in_a_row(
    cohort: Cohort, *, now: dt.datetime | None = None
) -> list[tuple[Participant, list[Session]]]:
    """Whom to follow up: people absent without word (marked absent, or not marked) at two or more sessions
    in a row, with those sessions. An apology is not a reason to chase: it is not counted as missed here and it
    ends a run, because the person was in touch (it still counts against the attendance needed to complete)."""
    now = now or timezone.now()
    held = list(cohort_sessions(cohort).filter(ends_at__lte=now))
    if len(held) < 2:
        return []
    accounted: dict[int, set[int]] = defaultdict(set)  # present, or absent with apologies
    for participant_id, session_id in Attendance.objects.filter(
        session__in=held,
        participant__cohort=cohort,
        status__in=[AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED],
    ).values_list("participant_id", "session_id"):
        accounted[participant_id].add(session_id)
    result = []
    for participant in cohort_members(cohort):
        run: list[Session] = []
        missed: list[Session] = []
        for session in held:
            if session.pk in accounted[participant.pk]:
                run = []
            else:
                run.append(session)
                if len(run) >= 2:
                    missed = list(run)
        if missed:
            result.append((participant, missed))
    return result


@dataclass(frozen=True)
class AttendanceFigures:
    label: str
    people: int
    expected: int  # places at sessions held
    present: int
    completed: int | None  # None while the cohort is open
    closed_people: int


def _figures(label: str, rows: list[tuple[int, int, int, bool | None]]) -> AttendanceFigures:
    """rows: (participant, expected, present, completed)."""
    closed = [r for r in rows if r[3] is not None]
    return AttendanceFigures(
        label=label,
        people=len(rows),
        expected=sum(r[1] for r in rows),
        present=sum(r[2] for r in rows),
        completed=sum(1 for r in closed if r[3]) if closed else None,
        closed_people=len(closed),
    )


def attendance_kpis(
    programme: Programme, *, now: dt.datetime | None = None
) -> dict[str, list[AttendanceFigures]]:
    """Attendance and completion per cohort, per organisation and for the programme."""
    now = now or timezone.now()
    cohorts = list(programme.cohorts.all())
    sessions = list(programme.sessions.filter(starts_at__lte=now))
    held_for: dict[int, int] = {
        c.pk: sum(1 for s in sessions if s.cohort_id in (None, c.pk)) for c in cohorts
    }
    present: dict[int, int] = defaultdict(int)
    for participant_id in Attendance.objects.filter(
        session__in=sessions, status=AttendanceStatus.PRESENT
    ).values_list("participant_id", flat=True):
        present[participant_id] += 1
    by_cohort: dict[int, list[tuple[int, int, int, bool | None]]] = defaultdict(list)
    by_org: dict[str, list[tuple[int, int, int, bool | None]]] = defaultdict(list)
    for p in Participant.objects.filter(cohort__programme=programme).select_related("person__organisation"):
        row = (p.pk, held_for.get(p.cohort_id, 0), present[p.pk], p.completed)
        by_cohort[p.cohort_id].append(row)
        by_org[p.person.organisation.name].append(row)
    everyone = [r for rows in by_cohort.values() for r in rows]
    return {
        "cohorts": [_figures(c.name, by_cohort[c.pk]) for c in cohorts],
        "organisations": [_figures(name, rows) for name, rows in sorted(by_org.items())],
        "programme": [_figures(programme.title, everyone)],
    }


def session_evaluation_summary(session: Session) -> tuple[int, list[int]]:
    """How many evaluated the session, and the ratings (for the presenter to aggregate and suppress)."""
    ratings = list(SessionEvaluation.objects.filter(session=session).values_list("rating", flat=True))
    return len(ratings), ratings


def applications_by_status(programme: Programme) -> dict[str, int]:
    counts = dict(
        programme.applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ApplicationStatus.values}
