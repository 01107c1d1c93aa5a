"""API endpoints of the programmes app; mounted on the one NinjaAPI in config/api.py. Same access as the pages:
anything outside the role's scope answers 404 (audited), whether or not it exists; seen but not the role's to
change answers 403. Every path is under /api/programmes: a programme's own records under its id, and cohorts,
sessions and applications under /api/programmes/cohorts/…, /sessions/… and /applications/… by their own ids.

A refused change answers 400 when the request itself is wrong (a missing reason, a cohort of another programme,
a wrong check-in code) and 409 when the record's state refuses it (already applied, a move the application's
state does not allow, every place taken, a closed cohort)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.api_types import DbId, ErrorOut
from cultivate.core.audit import AuditContext

from . import access, guards, presenters, selectors, services
from .models import Application, CohortStatus, Programme, Session
from .schemas import (
    ApplicationIn,
    ApplicationMoveIn,
    ApplicationOut,
    AttendanceOut,
    CheckInIn,
    CohortOut,
    CompetenceRefOut,
    CompetencesIn,
    ProgrammeDetailOut,
    ProgrammeOut,
    ProtectedTimeIn,
    RegisterIn,
    SessionOut,
)

router = Router(tags=["programmes"])
NOT_FOUND: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
REFUSED: dict[int, Any] = {400: ErrorOut, 409: ErrorOut, **NOT_FOUND}


def _refused(error: ValidationError) -> HttpError:
    """A problem with a field of the request is 400; a state that refuses the change is 409."""
    return HttpError(400 if hasattr(error, "error_dict") else 409, " ".join(error.messages))


def programme_out(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "owner_organisation": p.organisation.ods_code if p.organisation else None,
        "owner_alliance": p.alliance.code if p.alliance else None,
        "weeks": p.weeks,
        "delivery": p.delivery,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "status": p.status,
        "cohort_capacity": p.cohort_capacity,
        "min_attendance_pct": p.min_attendance_pct,
        "require_self_assessments": p.require_self_assessments,
    }


def session_out(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "programme_id": s.programme_id,
        "cohort_id": s.cohort_id,
        "topic": s.topic,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "venue": s.venue,
        "joining_link": s.joining_link,
        "facilitator": s.facilitator,
    }


def application_out(a: Application) -> dict[str, Any]:
    participant = getattr(a, "participant", None)
    return {
        "id": a.pk,
        "programme_id": a.programme_id,
        "person_id": a.person_id,
        "name": presenters.name(a),
        "organisation": a.person.organisation.ods_code,
        "kind": a.kind,
        "status": a.status,
        "reason": a.reason,
        "protected_time_agreed": a.protected_time_agreed_at is not None,
        "cohort_id": participant.cohort_id if participant is not None else None,
    }


def competences_out(programme: Programme) -> list[dict[str, Any]]:
    return [
        {
            "identifier": c.identifier,
            "framework": c.framework.identifier,
            "framework_title": c.framework.title,
            "code": c.code,
            "title": c.label,
        }
        for c in selectors.programme_competences(programme)
    ]


# Programmes ------------------------------------------------------------------------------------------------


@router.get(
    "/programmes",
    operation_id="list_programmes",
    response={200: list[ProgrammeOut], 401: ErrorOut},
    summary="Programmes the role may see",
)
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    return [programme_out(p) for p in selectors.programmes_visible_to(_membership(request))]


@router.get(
    "/programmes/{programme_id}",
    operation_id="get_programme",
    response={200: ProgrammeDetailOut, **NOT_FOUND},
    summary="A programme with its dimensions, competences, cohorts and sessions",
)
def programme(request: HttpRequest, programme_id: DbId) -> dict[str, Any]:
    found = guards.programme_or_deny(request, programme_id)
    return {
        **programme_out(found),
        "aims": found.aims,
        "dimensions": [d.name for d in found.dimensions.all()],
        "competences": competences_out(found),
        "cohorts": [
            {"id": c.pk, "name": c.name, "capacity": c.capacity, "status": c.status, "size": size}
            for c, size in selectors.programme_cohort_sizes(found)
        ],
        "sessions": [session_out(s) for s in selectors.programme_sessions(found)],
    }


@router.put(
    "/programmes/{programme_id}/competences",
    operation_id="set_programme_competences",
    response={200: list[CompetenceRefOut], 400: ErrorOut, **NOT_FOUND},
    summary="Set the framework competences the programme covers (its leads)",
    description="Certificates issued from then on carry an alignment to each competence's CASE identifier. "
    "An identifier that is not a competence of a published framework the role may see is refused (400).",
)
def set_competences(request: HttpRequest, programme_id: DbId, payload: CompetencesIn) -> list[dict[str, Any]]:
    found = guards.programme_or_deny(request, programme_id, "manage_programme")
    by_identifier = {c.identifier: c for c in selectors.competence_options(_membership(request))}
    unknown = [str(i) for i in payload.identifiers if i not in by_identifier]
    if unknown:
        raise HttpError(
            400, f"Not a competence of a published framework you can see: {', '.join(unknown[:5])}"
        )
    services.programme_set_competences(
        ctx=AuditContext.from_request(request),
        programme=found,
        competences=list({by_identifier[i].pk: by_identifier[i] for i in payload.identifiers}.values()),
    )
    return competences_out(found)


# Applications ----------------------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/applications",
    operation_id="list_programme_applications",
    response={200: list[ApplicationOut], **NOT_FOUND},
    summary="Applications to a programme (its leads)",
)
def applications(request: HttpRequest, programme_id: DbId) -> list[dict[str, Any]]:
    found = guards.programme_or_deny(request, programme_id, "manage_programme")
    return [application_out(a) for a in selectors.programme_applications(found)]


@router.post(
    "/programmes/{programme_id}/applications",
    operation_id="apply_to_programme",
    response={201: ApplicationOut, **REFUSED},
    summary="Apply for a place yourself",
    description="For staff of an organisation the programme is for, while it takes applications (else 403). "
    "Your line manager is asked to agree protected time. Applying twice is refused (409).",
)
def apply(request: HttpRequest, programme_id: DbId, payload: ApplicationIn) -> Status[dict[str, Any]]:
    found = guards.programme_or_deny(request, programme_id, "apply")
    person = request.user.person  # type: ignore[union-attr]
    if person is None:  # `apply` needs the user's own staff record
        deny(request, reason="Only someone with a staff record applies.", obj=found)
    cohorts = {c.pk: c for c in selectors.programme_cohorts(found) if c.status != CohortStatus.CLOSED}
    if any(pk not in cohorts for pk in payload.cohort_ids):
        raise HttpError(400, "Choose open cohorts of this programme.")
    try:
        created = services.application_submit(
            ctx=AuditContext.from_request(request),
            programme=found,
            person=person,
            statement=payload.statement,
            availability=payload.availability,
            available_cohorts=[cohorts[pk] for pk in dict.fromkeys(payload.cohort_ids)],
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, application_out(created))


@router.get(
    "/programmes/applications/{application_id}",
    operation_id="get_programme_application",
    response={200: ApplicationOut, **NOT_FOUND},
    summary="One application (the applicant, leads, line manager)",
)
def application(request: HttpRequest, application_id: DbId) -> dict[str, Any]:
    return application_out(guards.application_or_deny(request, application_id))


@router.post(
    "/programmes/applications/{application_id}/protected-time",
    operation_id="decide_protected_time",
    response={200: ApplicationOut, **REFUSED},
    summary="Agree protected time, or not (the applicant's line manager)",
    description="Agreeing moves a submitted application to manager approved; declining (with a reason) "
    "withdraws it. Either tells the applicant. Only for a submitted application (else 409).",
)
def protected_time(request: HttpRequest, application_id: DbId, payload: ProtectedTimeIn) -> dict[str, Any]:
    found = guards.application_or_deny(request, application_id, "agree_protected_time")
    ctx = AuditContext.from_request(request)
    try:
        if payload.decision == "agree":
            changed = services.application_agree_protected_time(ctx=ctx, application=found)
        else:
            changed = services.application_decline_protected_time(
                ctx=ctx, application=found, reason=payload.reason
            )
    except ValidationError as error:
        raise _refused(error) from None
    return application_out(changed)


@router.post(
    "/programmes/applications/{application_id}/status",
    operation_id="move_programme_application",
    response={200: ApplicationOut, **REFUSED},
    summary="Offer, accept, decline, withdraw or put on the waiting list",
    description="The applicant accepts, declines or withdraws their own application; the programme's leads "
    "offer a place, put it on the waiting list or withdraw it. A move the application's state does not allow, "
    "or accepting when every place is taken, is refused (409); a move needing a reason without one is 400.",
)
def move(request: HttpRequest, application_id: DbId, payload: ApplicationMoveIn) -> dict[str, Any]:
    found = guards.application_or_deny(request, application_id)
    membership = _membership(request)
    own = payload.status in services.applications.APPLICANT_MOVES and access.is_applicant(membership, found)
    if not access.may(membership, "own_application" if own else "manage_application", found):
        deny(request, reason="May not change this application.", obj=found)
    try:
        changed = services.application_move(
            ctx=AuditContext.from_request(request),
            application=found,
            to=payload.status,
            reason=payload.reason,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return application_out(changed)


# Cohorts and sessions --------------------------------------------------------------------------------------


def cohort_out(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "programme_id": c.programme_id,
        "name": c.name,
        "capacity": c.capacity,
        "status": c.status,
        "members": [
            {
                "participant_id": m.pk,
                "name": presenters.name(m),
                "organisation": m.person.organisation.ods_code,
                "partner_group": m.partner_group_id,
            }
            for m in selectors.cohort_members(c)
        ],
    }


def attendance_out(a: Any) -> dict[str, Any]:
    return {
        "session_id": a.session_id,
        "participant_id": a.participant_id,
        "status": a.status,
        "method": a.method,
    }


@router.get(
    "/programmes/cohorts/{cohort_id}",
    operation_id="get_cohort",
    response={200: CohortOut, **NOT_FOUND},
    summary="A cohort and its members' programme records (leads and members)",
)
def cohort(request: HttpRequest, cohort_id: DbId) -> dict[str, Any]:
    return cohort_out(guards.cohort_or_deny(request, cohort_id))


@router.get(
    "/programmes/cohorts/{cohort_id}/attendance",
    operation_id="get_cohort_attendance",
    response={200: list[AttendanceOut], **NOT_FOUND},
    summary="Attendance at the cohort's sessions",
)
def attendance(request: HttpRequest, cohort_id: DbId) -> list[dict[str, Any]]:
    found = guards.cohort_or_deny(request, cohort_id)
    return [attendance_out(a) for a in selectors.cohort_attendance(found, _membership(request))]


@router.put(
    "/programmes/cohorts/{cohort_id}/sessions/{session_id}/register",
    operation_id="take_register",
    response={200: list[AttendanceOut], **REFUSED},
    summary="Take the cohort's register for a session (its leads)",
    description="Marks each named participant present, absent or absent with apologies (`excused`); people "
    "not named keep their mark. Naming someone not expected at the session is 400; a closed cohort's "
    "registers no longer change (409).",
)
def register(
    request: HttpRequest, cohort_id: DbId, session_id: DbId, payload: RegisterIn
) -> list[dict[str, Any]]:
    found = guards.cohort_or_deny(request, cohort_id, "manage_cohort")
    session = guards.session_or_deny(request, session_id)
    if session.programme_id != found.programme_id or session.cohort_id not in (None, found.pk):
        deny(request, reason="The session is not one of this cohort's.", obj=session, hide_existence=True)
    if found.status == CohortStatus.CLOSED:
        raise HttpError(409, "The cohort is closed: its registers can no longer change.")
    marks = {m.participant_id: m.status for m in payload.marks}
    try:
        services.register_take(
            ctx=AuditContext.from_request(request), session=session, cohort=found, marks=marks
        )
    except ValidationError as error:
        raise _refused(error) from None
    return [attendance_out(a) for a in selectors.session_register(session, found)]


@router.get(
    "/programmes/sessions/{session_id}",
    operation_id="get_programme_session",
    response={200: SessionOut, **NOT_FOUND},
    summary="One session",
)
def session(request: HttpRequest, session_id: DbId) -> dict[str, Any]:
    return session_out(guards.session_or_deny(request, session_id))


@router.post(
    "/programmes/sessions/{session_id}/check-in",
    operation_id="check_in_to_session",
    response={200: AttendanceOut, 400: ErrorOut, **NOT_FOUND},
    summary="Check yourself in with the code shown in the session",
    description="From 15 minutes before the session starts until it ends; a wrong or expired code is 400.",
)
def check_in(request: HttpRequest, session_id: DbId, payload: CheckInIn) -> dict[str, Any]:
    found = guards.session_or_deny(request, session_id)
    place = guards.participant_or_deny(request, payload.participant_id, "own_participation")
    try:
        a = services.check_in(
            ctx=AuditContext.from_request(request), session=found, participant=place, code=payload.code
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return attendance_out(a)
