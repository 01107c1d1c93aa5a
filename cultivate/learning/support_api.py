"""API endpoints for support at work, added to the learning router: the same access as the pages, in the token's
role. A record the role may not see answers 404 (audited); bad input 400 naming the field; a request already
decided 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny, object_or_deny
from cultivate.core.api_types import ApiDate, DbId, ErrorOut, Text
from cultivate.core.audit import AuditContext
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, Person
from cultivate.organisations.schemas import OdsCode

from . import support_access, support_report, support_selectors, support_services
from .support_models import (
    FlexibleDecision,
    FlexibleWorkingRequest,
    IncidentKind,
    IncidentSource,
    IncidentSupport,
    RefusalReason,
    SupportAnswer,
)
from .support_services import FlexibleAsk, SupportOffered

router = Router(tags=["support at work"])
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}


class FlexibleIn(Schema):
    pattern: Text = Field(max_length=300, description="The working pattern asked for, in the worker's words.")
    hours_per_week: float | None = Field(
        default=None, gt=0, le=48, description="Hours a week, to one decimal place."
    )
    start_on: ApiDate


class FlexibleOut(Schema):
    id: int
    person_id: int
    person: str
    pattern: str
    hours_per_week: Decimal | None
    start_on: dt.date
    made_on: dt.date
    decision_due_on: dt.date = Field(description="Two months from the request (ERA 1996 s. 80G(1B)).")
    decision: FlexibleDecision
    refusal_reason: str = Field(description="One of the eight business reasons of s. 80G(1)(b) when refused.")
    decided_on: dt.date | None
    decision_note: str
    appeal_note: str


class FlexibleDecisionIn(Schema):
    decision: FlexibleDecision
    decided_on: ApiDate
    refusal_reason: RefusalReason | None = None
    note: Text = Field(default="", max_length=500)


class SupportIn(Schema):
    person_id: DbId
    incident_on: ApiDate
    kind: IncidentKind
    source: IncidentSource
    debrief_on: ApiDate | None = None
    occupational_health: bool = False
    counselling: bool = False
    peer_support: bool = False
    time_off: bool = False
    answer: SupportAnswer = SupportAnswer.WAITING
    follow_up_on: ApiDate
    note: Text = Field(default="", max_length=200, description=support_services.NO_INCIDENT_DETAIL)


class SupportOut(Schema):
    id: int
    person_id: int
    person: str
    incident_on: dt.date
    kind: IncidentKind
    source: IncidentSource
    debrief_on: dt.date | None
    offered: list[str]
    answer: SupportAnswer
    follow_up_on: dt.date
    follow_up_done_on: dt.date | None
    note: str


class FigureRowOut(Schema):
    group: str
    cells: dict[str, float | int | str | None] = Field(
        description="Each column's figure; a hidden one reads [c] (could identify people) or [s] (a rate over "
        "fewer than 5)."
    )


class FigureTableOut(Schema):
    breakdown: str
    columns: list[str]
    rows: list[FigureRowOut]


class FiguresOut(Schema):
    organisation: str
    on: dt.date
    since: dt.date
    tables: list[FigureTableOut]


def _bad(error: ValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    else:
        text = " ".join(error.messages)
    return HttpError(400, text)


def flexible_out(item: FlexibleWorkingRequest) -> dict[str, Any]:
    return {
        "id": item.pk,
        "person_id": item.person_id,
        "person": item.person.display_name,
        "pattern": item.pattern,
        "hours_per_week": item.hours_per_week,
        "start_on": item.start_on,
        "made_on": item.made_on,
        "decision_due_on": item.decision_due_on,
        "decision": item.decision,
        "refusal_reason": item.refusal_reason,
        "decided_on": item.decided_on,
        "decision_note": item.decision_note,
        "appeal_note": item.appeal_note,
    }


def support_out(record: IncidentSupport) -> dict[str, Any]:
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "person": record.person.display_name,
        "incident_on": record.incident_on,
        "kind": record.kind,
        "source": record.source,
        "debrief_on": record.debrief_on,
        "offered": record.offered,
        "answer": record.answer,
        "follow_up_on": record.follow_up_on,
        "follow_up_done_on": record.follow_up_done_on,
        "note": record.note,
    }


def _flexible(request: HttpRequest, pk: int, action: str = "view_flexible") -> FlexibleWorkingRequest:
    source = support_selectors.flexible_visible_to
    what = "flexible working request"
    return object_or_deny(request, source, {"pk": pk}, what=what, may=support_access.may, action=action)


@router.get(
    "/learning/support/flexible",
    operation_id="list_flexible_working_requests",
    response={200: list[FlexibleOut], 401: ErrorOut},
    summary="Requests for flexible working the role sees",
    description="One's own; a line manager's people's; for an organisation admin (HR), the organisation's.",
)
def flexible_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [flexible_out(i) for i in support_selectors.flexible_visible_to(_membership(request))[:500]]


@router.post(
    "/learning/support/flexible",
    operation_id="ask_for_flexible_working",
    response={201: FlexibleOut, **WRITE},
    summary="Ask for flexible working for yourself",
    description="Your line manager is told and must decide within two months. Refused (400) while another "
    "request waits, or after two requests in 12 months.",
)
def flexible_create(request: HttpRequest, payload: FlexibleIn) -> Status[dict[str, Any]]:
    membership = _membership(request)
    if not support_access.may(membership, "ask_flexible"):
        deny(request, reason="Only a worker with a staff record asks for flexible working.")
    hours = None if payload.hours_per_week is None else Decimal(str(round(payload.hours_per_week, 1)))
    ask = FlexibleAsk(pattern=payload.pattern, start_on=payload.start_on, hours_per_week=hours)
    try:
        made = support_services.flexible_request(
            ctx=AuditContext.from_request(request), membership=membership, ask=ask
        )
    except ValidationError as error:
        raise _bad(error) from None
    return Status(201, flexible_out(made))


@router.get(
    "/learning/support/flexible/{request_id}",
    operation_id="get_flexible_working_request",
    response={200: FlexibleOut, **NOT_FOUND},
    summary="One request for flexible working",
)
def flexible_get(request: HttpRequest, request_id: DbId) -> dict[str, Any]:
    return flexible_out(_flexible(request, request_id))


@router.post(
    "/learning/support/flexible/{request_id}/decision",
    operation_id="decide_flexible_working_request",
    response={200: FlexibleOut, **WRITE},
    summary="Decide a request for flexible working (the worker's line manager)",
    description="Approve, approve with changes (say which) or refuse for one of the statutory business reasons "
    "(with an explanation). 409 when already decided or withdrawn.",
)
def flexible_decision(request: HttpRequest, request_id: DbId, payload: FlexibleDecisionIn) -> dict[str, Any]:
    found = _flexible(request, request_id, "decide_flexible")
    if found.decision != FlexibleDecision.PENDING:
        raise HttpError(409, "This request has already been decided or withdrawn")
    try:
        decided = support_services.flexible_decide(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            request=found,
            decision=payload.decision,
            decided_on=payload.decided_on,
            refusal_reason=payload.refusal_reason or "",
            note=payload.note,
        )
    except ValidationError as error:
        raise _bad(error) from None
    return flexible_out(decided)


@router.get(
    "/learning/support/incidents",
    operation_id="list_incident_support",
    response={200: list[SupportOut], 401: ErrorOut},
    summary="Post-incident support records the role sees",
    description="One's own, and a line manager's people's. No incident detail: that is in the incident system.",
)
def support_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [support_out(r) for r in support_selectors.support_visible_to(_membership(request))[:500]]


@router.post(
    "/learning/support/incidents",
    operation_id="record_incident_support",
    response={201: SupportOut, **WRITE},
    summary="Record the support offered after an incident (the worker's line manager)",
)
def support_create(request: HttpRequest, payload: SupportIn) -> Status[dict[str, Any]]:
    person: Person = object_or_deny(
        request,
        support_selectors.people_to_support,
        {"pk": payload.person_id},
        what="person",
        may=support_access.may,
        action="record_support",
    )
    offered = SupportOffered(
        incident_on=payload.incident_on,
        kind=payload.kind,
        source=payload.source,
        follow_up_on=payload.follow_up_on,
        debrief_on=payload.debrief_on,
        occupational_health=payload.occupational_health,
        counselling=payload.counselling,
        peer_support=payload.peer_support,
        time_off=payload.time_off,
        answer=payload.answer,
        note=payload.note,
    )
    try:
        record = support_services.support_record(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            person=person,
            offered=offered,
        )
    except ValidationError as error:
        raise _bad(error) from None
    return Status(201, support_out(record))


@router.get(
    "/learning/support/incidents/{record_id}",
    operation_id="get_incident_support",
    response={200: SupportOut, **NOT_FOUND},
    summary="One post-incident support record",
)
def support_get(request: HttpRequest, record_id: DbId) -> dict[str, Any]:
    record: IncidentSupport = object_or_deny(
        request,
        support_selectors.support_visible_to,
        {"pk": record_id},
        what="support record",
        may=support_access.may,
        action="view_support",
    )
    return support_out(record)


@router.get(
    "/learning/organisations/{ods_code}/support",
    operation_id="get_organisation_support_figures",
    response={200: FiguresOut, **NOT_FOUND, 403: ErrorOut},
    summary="Request, approval and follow-up rates by band, ethnic group and disability",
    description="Aggregates only, small numbers hidden as on the page (primary and complementary suppression).",
)
def figures(request: HttpRequest, ods_code: OdsCode) -> dict[str, Any]:
    organisation: Organisation = object_or_deny(
        request,
        org_selectors.organisations_visible_to,
        {"ods_code": ods_code.upper()},
        what="organisation",
        may=support_access.may,
        action="view_support_figures",
    )
    report = support_report.figures(organisation)
    tables = []
    for table in report.tables:
        keys = [c.key for c in table.columns[1:]]
        rows = [{"group": v[0], "cells": dict(zip(keys, v[1:], strict=True))} for v in table.values()]
        tables.append({"breakdown": table.key, "columns": keys, "rows": rows})
    return {"organisation": organisation.ods_code, "on": report.on, "since": report.since, "tables": tables}
