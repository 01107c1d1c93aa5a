"""API endpoints of the programmes app; mounted on the one NinjaAPI in config/api.py. Same access as the pages:
anything outside the role's scope answers 404 (audited), whether or not it exists."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.api_types import ErrorOut
from cultivate.core.audit import AuditContext

from . import guards, presenters, selectors, services
from .models import Application, Cohort, Programme, Session
from .schemas import (
    ApplicationOut,
    AttendanceOut,
    CheckInIn,
    CohortOut,
    ProgrammeDetailOut,
    ProgrammeOut,
    SessionOut,
)

router = Router(tags=["programmes"])
NOT_FOUND: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


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
    summary="A programme with its dimensions, cohorts and sessions",
)
def programme(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    found = guards.programme_or_deny(request, programme_id)
    return {
        **programme_out(found),
        "aims": found.aims,
        "dimensions": [d.name for d in found.dimensions.all()],
        "cohorts": [
            {"id": c.pk, "name": c.name, "capacity": c.capacity, "status": c.status, "size": size}
            for c, size in selectors.programme_cohort_sizes(found)
        ],
        "sessions": [session_out(s) for s in selectors.programme_sessions(found)],
    }


@router.get(
    "/programmes/{programme_id}/applications",
    operation_id="list_programme_applications",
    response={200: list[ApplicationOut], **NOT_FOUND},
    summary="Applications to a programme (its leads)",
)
def applications(request: HttpRequest, programme_id: int) -> list[dict[str, Any]]:
    found = guards.programme_or_deny(request, programme_id, "manage_programme")
    return [application_out(a) for a in selectors.programme_applications(found)]


@router.get(
    "/programmes/applications/{application_id}",
    operation_id="get_programme_application",
    response={200: ApplicationOut, **NOT_FOUND},
    summary="One application (the applicant, leads, line manager)",
)
def application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return application_out(guards.application_or_deny(request, application_id))


def cohort_out(c: Cohort) -> dict[str, Any]:
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


@router.get(
    "/cohorts/{cohort_id}",
    operation_id="get_cohort",
    response={200: CohortOut, **NOT_FOUND},
    summary="A cohort and its members' programme records (leads and members)",
)
def cohort(request: HttpRequest, cohort_id: int) -> dict[str, Any]:
    return cohort_out(guards.cohort_or_deny(request, cohort_id))


@router.get(
    "/cohorts/{cohort_id}/attendance",
    operation_id="get_cohort_attendance",
    response={200: list[AttendanceOut], **NOT_FOUND},
    summary="Attendance at the cohort's sessions",
)
def attendance(request: HttpRequest, cohort_id: int) -> list[dict[str, Any]]:
    found = guards.cohort_or_deny(request, cohort_id)
    return [
        {
            "session_id": a.session_id,
            "participant_id": a.participant_id,
            "status": a.status,
            "method": a.method,
        }
        for a in selectors.cohort_attendance(found, _membership(request))
    ]


@router.get(
    "/sessions/{session_id}",
    operation_id="get_programme_session",
    response={200: SessionOut, **NOT_FOUND},
    summary="One session",
)
def session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    return session_out(guards.session_or_deny(request, session_id))


@router.post(
    "/sessions/{session_id}/check-in",
    operation_id="check_in_to_session",
    response={200: AttendanceOut, 400: ErrorOut, **NOT_FOUND},
    summary="Check yourself in with the code shown in the session",
)
def check_in(request: HttpRequest, session_id: int, payload: CheckInIn) -> dict[str, Any]:
    found = guards.session_or_deny(request, session_id)
    place = guards.participant_or_deny(request, payload.participant_id, "own_participation")
    try:
        a = services.check_in(
            ctx=AuditContext.from_request(request), session=found, participant=place, code=payload.code
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return {
        "session_id": a.session_id,
        "participant_id": a.participant_id,
        "status": a.status,
        "method": a.method,
    }
