"""API endpoints of development plans and supervision, with the pages' access in the token's role: a plan and
supervision records are the worker's and their supervisors'; a meeting's private note is returned only to the
two people in it. Another organisation's person answers 404 (audited). Mounted on the learning router."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import object_or_deny
from cultivate.core.api_types import DbId, ErrorOut
from cultivate.core.audit import AuditContext

from . import access, selectors, services
from .models import DevelopmentPlan, SupervisionMeeting
from .schemas import DecisionIn, MeetingIn, MeetingOut, PlanOut

router = Router(tags=["learning"])
NOT_FOUND = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def meeting_out(meeting: SupervisionMeeting, request: HttpRequest) -> dict[str, Any]:
    private = access.may(_membership(request), "read_private_note", meeting)
    return {
        "id": meeting.pk,
        "person_id": meeting.person_id,
        "supervisor": meeting.supervisor.full_name,
        "held_on": meeting.held_on,
        "agreed_actions": meeting.agreed_actions,
        "private_note": meeting.private_note if private else None,
    }


@router.get(
    "/learning/people/{person_id}/plan",
    operation_id="get_development_plan",
    response={200: PlanOut, **NOT_FOUND},
    summary="A person's development plan and its goals",
    description="For the person and their supervisors (line managers). 404 when they have no plan yet.",
)
def plan(request: HttpRequest, person_id: DbId) -> dict[str, Any]:
    person = object_or_deny(
        request,
        selectors.people_for_plans,
        {"pk": person_id},
        what="person",
        may=access.may,
        action="view_plan",
    )
    found = selectors.plan_of(person)
    if found is None:
        raise HttpError(404, "This person has no development plan yet.")
    return plan_out(found)


def plan_out(found: DevelopmentPlan) -> dict[str, Any]:
    return {
        "id": found.pk,
        "person_id": found.person_id,
        "status": found.status,
        "starts_on": found.starts_on,
        "review_on": found.review_on,
        "agreed_on": found.agreed_on,
        "changes_reason": found.changes_reason,
        "review_notes": found.review_notes,
        "goals": [
            {
                "id": goal.pk,
                "text": goal.text,
                "action": goal.action,
                "offer_id": goal.offer_id,
                "competence_id": goal.competence_id,
                "step_id": goal.step_id,
                "target_on": goal.target_on,
                "is_done": goal.is_done,
            }
            for goal in selectors.goals_of(found)
        ],
    }


@router.get(
    "/learning/people/{person_id}/supervision",
    operation_id="list_supervision_meetings",
    response={200: list[MeetingOut], **NOT_FOUND},
    summary="A person's supervision meetings, latest first",
    description="For the person and their supervisors; each private note only for the two people in the meeting.",
)
def meetings(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = object_or_deny(
        request,
        selectors.people_for_plans,
        {"pk": person_id},
        what="person",
        may=access.may,
        action="view_plan",
    )
    return [meeting_out(m, request) for m in selectors.meetings_of(person)]


@router.get(
    "/learning/supervision/{meeting_id}",
    operation_id="get_supervision_meeting",
    response={200: MeetingOut, **NOT_FOUND},
    summary="One supervision meeting",
)
def meeting(request: HttpRequest, meeting_id: DbId) -> dict[str, Any]:
    found = object_or_deny(
        request,
        selectors.meetings_visible_to,
        {"pk": meeting_id},
        what="supervision meeting",
        may=access.may,
        action="view_meeting",
    )
    return meeting_out(found, request)


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@router.post(
    "/learning/people/{person_id}/supervision",
    operation_id="record_supervision_meeting",
    response={201: MeetingOut, 400: ErrorOut, **NOT_FOUND},
    summary="Record a supervision meeting with someone you supervise",
    description="For their supervisor (a line manager named on their post or managing their team). 400 for a "
    "meeting dated in the future.",
)
def record_meeting(request: HttpRequest, person_id: DbId, payload: MeetingIn) -> Status[dict[str, Any]]:
    person = object_or_deny(
        request,
        selectors.people_for_plans,
        {"pk": person_id},
        what="person",
        may=access.may,
        action="record_supervision",
    )
    try:
        meeting = services.meeting_record(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            person=person,
            held_on=payload.held_on,
            agreed_actions=payload.agreed_actions,
            private_note=payload.private_note,
        )
    except ValidationError as error:
        raise HttpError(400, _message(error)) from None
    return Status(201, meeting_out(meeting, request))


@router.post(
    "/learning/people/{person_id}/plan/decision",
    operation_id="decide_development_plan",
    response={200: PlanOut, 400: ErrorOut, 409: ErrorOut, **NOT_FOUND},
    summary="Agree a development plan sent to you, or ask for changes",
    description="For the worker's supervisor. 409 when the plan is not waiting for a decision; 400 when asking "
    "for changes without a reason, or agreeing with a review date that is not in the future.",
)
def decide(request: HttpRequest, person_id: DbId, payload: DecisionIn) -> dict[str, Any]:
    person = object_or_deny(
        request,
        selectors.people_for_plans,
        {"pk": person_id},
        what="person",
        may=access.may,
        action="decide_plan",
    )
    found = selectors.plan_of(person)
    if found is None:
        raise HttpError(404, "This person has no development plan yet.")
    try:
        decided = services.plan_decide(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            plan=found,
            agree=payload.agree,
            reason=payload.reason,
            review_notes=payload.review_notes,
            review_on=payload.review_on,
        )
    except ValidationError as error:
        status = 400 if hasattr(error, "error_dict") else 409
        raise HttpError(status, _message(error)) from None
    return plan_out(decided)
