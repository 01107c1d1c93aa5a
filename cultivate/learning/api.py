"""API endpoints of the learning app; mounted on the one NinjaAPI in config/api.py. The same access as the
pages, in the token's role: another organisation's offer, session or person answers 404 (audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.api_types import DbId, ErrorOut
from cultivate.core.audit import AuditContext
from cultivate.organisations.schemas import OdsCode

from . import compliance, gaps, guards, presenters, selectors, services
from .completion_api import router as completion_router
from .models import Enrolment, Offer, Session
from .schemas import (
    CompletionOut,
    ComplianceOut,
    EnrolmentIn,
    EnrolmentOut,
    GapOut,
    OfferDetailOut,
    OfferOut,
    SessionOut,
    SubjectStatusOut,
)
from .support_api import router as support_router

router = Router(tags=["learning"])
# Support at work (flexible working, post-incident support): its own module, under the same mount.
router.add_router("", support_router)
router.add_router("", completion_router)
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}


def session_out(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "offer_id": session.offer_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "venue": session.venue,
        "capacity": session.capacity,
        "places_taken": int(getattr(session, "taken", session.capacity - getattr(session, "places_left", 0))),
        "is_cancelled": session.is_cancelled,
    }


def offer_out(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "code": offer.code,
        "title": offer.title,
        "kind": offer.kind,
        "provider": offer.provider,
        "mode": offer.mode,
        "hours": offer.hours,
        "cost_per_place": offer.cost_per_place,
        "capacity": offer.capacity,
        "credits": offer.credits,
        "academic_level": offer.academic_level,
        "accreditation": offer.accreditation,
        "organisation": offer.organisation.ods_code if offer.organisation else None,
        "alliance": offer.alliance.code if offer.alliance else None,
        "mandatory_subject": offer.subject.name if offer.subject else None,
    }


@router.get(
    "/learning/offers",
    operation_id="list_learning_offers",
    response={200: list[OfferOut], 401: ErrorOut},
    summary="The training catalogue the role sees",
    description="Its organisation's active offers and those its alliance shares.",
)
def offers(request: HttpRequest) -> list[dict[str, Any]]:
    return [offer_out(o) for o in selectors.catalogue(_membership(request))]


@router.get(
    "/learning/offers/{offer_id}",
    operation_id="get_learning_offer",
    response={200: OfferDetailOut, **NOT_FOUND},
    summary="One offer, the competences it develops and its upcoming sessions",
)
def offer(request: HttpRequest, offer_id: DbId) -> dict[str, Any]:
    found = guards.offer_or_deny(request, offer_id)
    return {
        **offer_out(found),
        "develops": [
            {
                "competence_id": link.competence_id,
                "identifier": str(link.competence.identifier),
                "framework": link.competence.framework.title,
                "title": link.competence.label,
                "part": link.part,
                "up_to_level": link.up_to_level,
            }
            for link in selectors.offer_competences(found)
        ],
        "upcoming_sessions": [
            session_out(s) for s in selectors.sessions_of(found, upcoming_from=timezone.now())
        ],
    }


@router.get(
    "/learning/sessions/{session_id}",
    operation_id="get_learning_session",
    response={200: SessionOut, **NOT_FOUND},
    summary="One session",
)
def session(request: HttpRequest, session_id: DbId) -> dict[str, Any]:
    found = guards.session_or_deny(request, session_id)
    found.taken = selectors.places_taken(found)  # type: ignore[attr-defined]
    return session_out(found)


@router.post(
    "/learning/sessions/{session_id}/enrolments",
    operation_id="request_learning_place",
    response={201: EnrolmentOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND},
    summary="Ask for a place on a session for yourself",
    description="The request waits for your line manager's approval. Refused (409) when the session has "
    "started or been cancelled, or you already have a place on it.",
)
def enrol(request: HttpRequest, session_id: DbId, payload: EnrolmentIn) -> Status[dict[str, Any]]:
    found = guards.session_or_deny(request, session_id, "enrol_self")
    try:
        enrolment = services.enrolment_request(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            session=found,
            note=payload.note,
        )
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None
    return Status(201, enrolment_out(enrolment))


def enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    enrolment.session.taken = selectors.places_taken(enrolment.session)  # type: ignore[attr-defined]
    return {
        "id": enrolment.pk,
        "session": session_out(enrolment.session),
        "offer_title": enrolment.session.offer.title,
        "status": enrolment.status,
        "protected_time": enrolment.protected_time,
    }


@router.get(
    "/learning/people/{person_id}/enrolments",
    operation_id="list_person_enrolments",
    response={200: list[EnrolmentOut], **NOT_FOUND},
    summary="A person's places on sessions, latest first",
)
def person_enrolments(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    return [enrolment_out(e) for e in selectors.enrolments_of(person)]


@router.get(
    "/learning/people/{person_id}/completions",
    operation_id="list_person_completions",
    response={200: list[CompletionOut], **NOT_FOUND},
    summary="A person's completed training, latest first",
)
def person_completions(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    return [
        {
            "id": c.pk,
            "offer_id": c.offer_id,
            "title": c.offer.title if c.offer else (c.subject.name if c.subject else ""),
            "subject": c.subject.name if c.subject else None,
            "completed_on": c.completed_on,
            "hours": c.hours,
            "cost": c.cost,
            "source": c.source,
            "evidence_id": c.evidence_id,
        }
        for c in selectors.completions_of(person)
    ]


@router.get(
    "/learning/people/{person_id}/compliance",
    operation_id="get_person_compliance",
    response={200: list[SubjectStatusOut], **NOT_FOUND},
    summary="A person's mandatory training today",
)
def person_compliance(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    found = compliance.mandatory_status_for_people([person.pk]).get(person.pk, [])
    return [
        {
            "subject": s.subject.name,
            "code": s.subject.code,
            "state": s.state,
            "completed_on": s.completed_on,
            "expires_on": s.expires_on,
        }
        for s in found
    ]


@router.get(
    "/learning/people/{person_id}/gaps",
    operation_id="get_person_gaps",
    response={200: list[GapOut], **NOT_FOUND},
    summary="What a person is missing or will lose within 90 days, and the offers that would close it",
    description="Ranked by deadline, then essential first, then how many levels below the required level.",
)
def person_gaps(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    result = []
    for gap in gaps.person_gaps(person):
        sessions = gap.next_sessions
        result.append(
            {
                "title": gap.title,
                "kind": gap.kind,
                "state": gap.state,
                "deadline": gap.deadline,
                "essential": gap.essential,
                "levels_below": gap.levels_below,
                "required_level": gap.required_level,
                "competence_id": gap.competence.pk if gap.competence else None,
                "offers": [
                    {
                        "id": o.pk,
                        "title": o.title,
                        "next_session": session_out(sessions[o.pk]) if o.pk in sessions else None,
                    }
                    for o in gap.offers
                ],
            }
        )
    return result


@router.get(
    "/learning/organisations/{ods_code}/compliance",
    operation_id="get_organisation_compliance",
    response={200: ComplianceOut, 403: ErrorOut, **NOT_FOUND},
    summary="An organisation's mandatory training compliance today, per subject",
    description="Counts for fewer than 5 people are null (suppressed).",
)
def organisation_compliance(request: HttpRequest, ods_code: OdsCode) -> dict[str, Any]:
    organisation = guards.organisation_or_deny(request, ods_code, "view_learning_figures")
    on = timezone.localdate()
    people = selectors.people_in_organisation(organisation, on)
    figures = compliance.compliance_figures(compliance.mandatory_status_for_people(people, on), on=on)

    def shown(value: int, group: int) -> int | None:
        return None if group < presenters.SMALL_NUMBER or 0 < value < presenters.SMALL_NUMBER else value

    return {
        "organisation": organisation.ods_code,
        "date": on,
        "people": figures.people,
        "required": figures.required,
        "up_to_date": figures.compliant,
        "rate": figures.rate,
        "subjects": [
            {
                "subject": f.subject.name,
                "required": shown(f.required, f.required),
                "up_to_date": shown(f.compliant, f.required),
                "expired": shown(f.expired, f.required),
                "not_done": shown(f.missing, f.required),
                **{f"expiring_{d}": shown((f.expiring or {}).get(d, 0), f.required) for d in (30, 60, 90)},
            }
            for f in figures.subjects
        ],
    }


# Development plans and supervision: their own module, on this router.
from .plans.api import router as plans_router  # noqa: E402

router.add_router("", plans_router)
