"""Writes for support at work: a worker's request for flexible working, their line manager's decision (and an
appeal), and the support a manager offered after an incident of violence, abuse or harassment.

Each service takes the acting membership and checks access itself (the views check first, to audit a refusal);
bad input is refused with a ValidationError naming the field; every write is atomic and audited; the worker and
their manager are told of each other's steps (`core.notify`, after the commit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.formatting import uk_date
from cultivate.core.notify import notify
from cultivate.organisations.models import Person
from cultivate.portfolio import selectors as portfolio_selectors
from cultivate.portfolio.services import add_months, user_of

from . import support_access
from .support_audit_actions import SupportAction
from .support_models import (
    APPROVALS,
    FlexibleDecision,
    FlexibleWorkingRequest,
    IncidentKind,
    IncidentSource,
    IncidentSupport,
    RefusalReason,
    SupportAnswer,
)

# The decision period: two months beginning with the day the request is made (Employment Rights Act 1996,
# s. 80G(1B), as the Employment Relations (Flexible Working) Act 2023 amended it from 6 April 2024).
DECISION_MONTHS = 2
# At most two requests in any 12 months (s. 80F(4), as amended).
REQUESTS_PER_YEAR = 2
NOTE_LIMIT = 200
NO_INCIDENT_DETAIL = (
    "A short note about the support only: no clinical or incident detail, "
    "which belongs in the incident system."
)


def _require(membership: Membership | None, action: str, obj: Any = None) -> Membership:
    if membership is None or not support_access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


def _tell(user: User | None, *, title: str, body: str, url: str) -> None:
    if user is not None:
        transaction.on_commit(lambda: notify(user=user, title=title, body=body, url=url))


def _managers(person: Person) -> list[User]:
    return portfolio_selectors.line_manager_users([person.pk]).get(person.pk, [])


def decision_due(made_on: dt.date) -> dt.date:
    """The last day of the two months beginning with the day the request was made (10 January → 9 March)."""
    return add_months(made_on, DECISION_MONTHS) - dt.timedelta(days=1)


# --- Flexible working ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlexibleAsk:
    """What a worker asks for: the pattern in their words, the hours a week (if they change), and from when."""

    pattern: str
    start_on: dt.date | None
    hours_per_week: Decimal | None = None
    made_on: dt.date | None = None


def _check_ask(person: Person, ask: FlexibleAsk, made_on: dt.date) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not ask.pattern.strip():
        errors["pattern"] = "Say what working pattern you are asking for"
    elif len(ask.pattern.strip()) > 300:
        errors["pattern"] = "The working pattern must be 300 characters or fewer"
    if ask.start_on is None:
        errors["start_on"] = "Enter the date you would like the change to start"
    elif ask.start_on < made_on:
        errors["start_on"] = "The start date must be on or after the date of the request"
    if ask.hours_per_week is not None and not Decimal("0") < ask.hours_per_week <= Decimal("48"):
        errors["hours_per_week"] = "Enter the hours a week as a number from 0.5 to 48"
    if made_on > today:
        errors["made_on"] = "The date of the request must be today or in the past"
    if errors:
        raise ValidationError(errors)
    if FlexibleWorkingRequest.objects.filter(person=person, decision=FlexibleDecision.PENDING).exists():
        raise ValidationError(
            "You already have a request waiting for a decision: it must be decided or withdrawn first"
        )
    year_before = add_months(made_on, -12)
    recent = FlexibleWorkingRequest.objects.filter(person=person, made_on__gt=year_before).count()
    if recent >= REQUESTS_PER_YEAR:
        raise ValidationError(
            f"You have made {recent} requests in the last 12 months: the law allows {REQUESTS_PER_YEAR} "
            "in any 12 months"
        )


def flexible_request(
    *, ctx: AuditContext, membership: Membership | None, ask: FlexibleAsk
) -> FlexibleWorkingRequest:
    """A worker asks for flexible working (a right from their first day); their line manager is told."""
    membership = _require(membership, "ask_flexible")
    person = membership.user.person
    assert person is not None
    made_on = ask.made_on or timezone.localdate()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time per person
        _check_ask(person, ask, made_on)
        assert ask.start_on is not None
        request = FlexibleWorkingRequest(
            person=person,
            pattern=ask.pattern.strip(),
            hours_per_week=ask.hours_per_week,
            start_on=ask.start_on,
            made_on=made_on,
            decision_due_on=decision_due(made_on),
            requested_by=membership.user,
        )
        request.full_clean(validate_constraints=False)
        request.save()
        audit(SupportAction.FLEXIBLE_REQUESTED, ctx=ctx, obj=request, organisation=person.organisation)
        for manager in _managers(person):
            _tell(
                manager,
                title=f"{person.display_name} asks for flexible working",
                body=f"Decide by {uk_date(request.decision_due_on)}: the law gives two months from the request.",
                url=reverse("learning:flexible", args=[request.pk]),
            )
    return request


def flexible_decide(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    request: FlexibleWorkingRequest,
    decision: str,
    decided_on: dt.date | None,
    refusal_reason: str = "",
    note: str = "",
) -> FlexibleWorkingRequest:
    """The line manager approves (as asked, or with changes agreed) or refuses on a statutory business reason.
    The worker is told."""
    membership = _require(membership, "decide_flexible", request)
    note = note.strip()
    errors: dict[str, str] = {}
    if decision not in {
        FlexibleDecision.APPROVED,
        FlexibleDecision.APPROVED_CHANGED,
        FlexibleDecision.REFUSED,
    }:
        errors["decision"] = "Select whether you approve the request"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    elif decided_on < request.made_on:
        errors["decided_on"] = (
            f"The date of the decision must be on or after the date of the request, {uk_date(request.made_on)}"
        )
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the decision must be today or in the past"
    if decision == FlexibleDecision.REFUSED and refusal_reason not in RefusalReason.values:
        errors["refusal_reason"] = "Select the business reason for refusing"
    if decision == FlexibleDecision.REFUSED and not note:
        errors["note"] = "Explain the reason to the worker (after talking it through with them)"
    if decision == FlexibleDecision.APPROVED_CHANGED and not note:
        errors["note"] = "Say what changes were agreed"
    if len(note) > 500:
        errors["note"] = "The note must be 500 characters or fewer"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = FlexibleWorkingRequest.objects.select_for_update().get(pk=request.pk)
        if request.decision != FlexibleDecision.PENDING:
            raise ValidationError("This request has already been decided or withdrawn")
        request.decision = decision
        request.refusal_reason = refusal_reason if decision == FlexibleDecision.REFUSED else ""
        request.decided_on = decided_on
        request.decision_note = note
        request.decided_by = membership.user
        request.full_clean(validate_constraints=False)
        request.save()
        audit(
            SupportAction.FLEXIBLE_DECIDED,
            ctx=ctx,
            obj=request,
            organisation=request.person.organisation,
            decision=decision,
            refusal_reason=request.refusal_reason,
            on_time=bool(decided_on and decided_on <= request.decision_due_on),
        )
        words = "approved" if decision in APPROVALS else "refused"
        _tell(
            user_of(request.person),
            title=f"Your request for flexible working was {words}",
            body=f"{request.get_decision_display()} on {uk_date(decided_on)}. {note}".strip(),
            url=reverse("learning:flexible", args=[request.pk]),
        )
    return request


def flexible_withdraw(
    *, ctx: AuditContext, membership: Membership | None, request: FlexibleWorkingRequest
) -> FlexibleWorkingRequest:
    """The worker withdraws a request still waiting; their manager is told."""
    _require(membership, "withdraw_flexible", request)
    with transaction.atomic():
        request = FlexibleWorkingRequest.objects.select_for_update().get(pk=request.pk)
        if request.decision != FlexibleDecision.PENDING:
            raise ValidationError("Only a request waiting for a decision can be withdrawn")
        request.decision = FlexibleDecision.WITHDRAWN
        request.decided_on = timezone.localdate()
        request.save(update_fields=["decision", "decided_on", "updated_at"])
        audit(
            SupportAction.FLEXIBLE_WITHDRAWN, ctx=ctx, obj=request, organisation=request.person.organisation
        )
        for manager in _managers(request.person):
            _tell(
                manager,
                title=f"{request.person.display_name} withdrew their request for flexible working",
                body="Nothing more to decide.",
                url=reverse("learning:flexible", args=[request.pk]),
            )
    return request


def flexible_note_appeal(
    *, ctx: AuditContext, membership: Membership | None, request: FlexibleWorkingRequest, note: str
) -> FlexibleWorkingRequest:
    """Record an appeal against a decision and its outcome (the manager or HR)."""
    _require(membership, "note_appeal", request)
    note = note.strip()
    if request.decision not in {FlexibleDecision.REFUSED, FlexibleDecision.APPROVED_CHANGED}:
        raise ValidationError("Only a refusal, or an approval with changes, can be appealed")
    if not note:
        raise ValidationError({"appeal_note": "Enter the appeal and its outcome"})
    if len(note) > 500:
        raise ValidationError({"appeal_note": "The appeal note must be 500 characters or fewer"})
    with transaction.atomic():
        request.appeal_note = note
        request.save(update_fields=["appeal_note", "updated_at"])
        audit(SupportAction.FLEXIBLE_APPEAL, ctx=ctx, obj=request, organisation=request.person.organisation)
    return request


# --- Post-incident support -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportOffered:
    """What a manager records after an incident: when, its kind and source (no detail), the debrief and the
    support offered, whether it was taken up, and when to follow up."""

    incident_on: dt.date | None
    kind: str
    source: str
    follow_up_on: dt.date | None
    debrief_on: dt.date | None = None
    occupational_health: bool = False
    counselling: bool = False
    peer_support: bool = False
    time_off: bool = False
    answer: str = SupportAnswer.WAITING
    note: str = ""


def _check_support(offered: SupportOffered) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if offered.incident_on is None:
        errors["incident_on"] = "Enter the date of the incident"
    elif offered.incident_on > today:
        errors["incident_on"] = "The date of the incident must be today or in the past"
    if offered.kind not in IncidentKind.values:
        errors["kind"] = "Select the kind of incident"
    if offered.source not in IncidentSource.values:
        errors["source"] = "Select who it came from"
    if offered.answer not in SupportAnswer.values:
        errors["answer"] = "Select whether the support was accepted"
    if offered.follow_up_on is None:
        errors["follow_up_on"] = "Enter the date to follow up"
    elif offered.incident_on is not None and offered.follow_up_on < offered.incident_on:
        errors["follow_up_on"] = "The follow-up date must be on or after the date of the incident"
    if offered.debrief_on is not None:
        if offered.incident_on is not None and offered.debrief_on < offered.incident_on:
            errors["debrief_on"] = "The debrief date must be on or after the date of the incident"
        elif offered.debrief_on > today:
            errors["debrief_on"] = "The debrief date must be today or in the past"
    if len(offered.note.strip()) > NOTE_LIMIT:
        errors["note"] = f"The note must be {NOTE_LIMIT} characters or fewer. {NO_INCIDENT_DETAIL}"
    if errors:
        raise ValidationError(errors)


def support_record(
    *, ctx: AuditContext, membership: Membership | None, person: Person, offered: SupportOffered
) -> IncidentSupport:
    """A line manager records the debrief and support offered after an incident; the worker is told."""
    membership = _require(membership, "record_support", person)
    _check_support(offered)
    assert offered.incident_on is not None and offered.follow_up_on is not None
    record = IncidentSupport(
        person=person,
        incident_on=offered.incident_on,
        kind=offered.kind,
        source=offered.source,
        debrief_on=offered.debrief_on,
        occupational_health=offered.occupational_health,
        counselling=offered.counselling,
        peer_support=offered.peer_support,
        time_off=offered.time_off,
        answer=offered.answer,
        follow_up_on=offered.follow_up_on,
        note=offered.note.strip(),
        recorded_by=membership.user,
    )
    with transaction.atomic():
        record.full_clean(validate_constraints=False)
        record.save()
        audit(
            SupportAction.SUPPORT_RECORDED,
            ctx=ctx,
            obj=record,
            organisation=person.organisation,
            kind=record.kind,
            answer=record.answer,
        )
        _tell(
            user_of(person),
            title="Support offered after the incident",
            body=f"Your manager will follow up on {uk_date(record.follow_up_on)}.",
            url=reverse("learning:support_record", args=[record.pk]),
        )
    return record


def support_follow_up(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    record: IncidentSupport,
    answer: str,
    done_on: dt.date | None,
) -> IncidentSupport:
    """The manager records whether the support was taken up, and that the follow-up was done (and when)."""
    _require(membership, "change_support", record)
    errors: dict[str, str] = {}
    if answer not in SupportAnswer.values:
        errors["answer"] = "Select whether the support was accepted"
    if done_on is not None and done_on < record.incident_on:
        errors["done_on"] = (
            f"The follow-up date must be on or after the date of the incident, {uk_date(record.incident_on)}"
        )
    elif done_on is not None and done_on > timezone.localdate():
        errors["done_on"] = "The follow-up date must be today or in the past"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record.answer = answer
        record.follow_up_done_on = done_on
        record.save(update_fields=["answer", "follow_up_done_on", "updated_at"])
        audit(
            SupportAction.SUPPORT_CHANGED,
            ctx=ctx,
            obj=record,
            organisation=record.person.organisation,
            answer=answer,
            follow_up_done=done_on is not None,
        )
    return record
