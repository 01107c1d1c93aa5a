"""Places on a programme: applying, nominating, the line manager agreeing protected time, and the lead's
decisions. Every change of state is kept in the history and tells the person it concerns."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.organisations.models import Person

from .. import access
from ..audit_actions import ProgrammeAction
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    Cohort,
    Participant,
    Programme,
    ProgrammeStatus,
)
from ._common import acting, require, tell

S = ApplicationStatus
# Which state may follow which. Declined and withdrawn are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.MANAGER_APPROVED, S.WAITING_LIST, S.WITHDRAWN}),
    S.MANAGER_APPROVED: frozenset({S.OFFERED, S.WAITING_LIST, S.WITHDRAWN}),
    S.WAITING_LIST: frozenset({S.OFFERED, S.WITHDRAWN}),
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.WAITING_LIST}),
    S.ACCEPTED: frozenset({S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Moves the applicant makes; the rest are the lead's (or the line manager's, for protected time).
APPLICANT_MOVES = frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN})
REASON_NEEDED = frozenset({S.WAITING_LIST, S.DECLINED, S.WITHDRAWN})

MESSAGES = {
    S.SUBMITTED: "Your application to {p} has been received",
    S.MANAGER_APPROVED: "Your manager agreed protected time for {p}",
    S.OFFERED: "You have been offered a place on {p}",
    S.ACCEPTED: "You accepted your place on {p}",
    S.DECLINED: "You declined your place on {p}",
    S.WITHDRAWN: "Your application to {p} was withdrawn",
    S.WAITING_LIST: "You are on the waiting list for {p}",
}


def _record(ctx: AuditContext, application: Application, old: str, reason: str) -> None:
    by = ctx.actor if isinstance(ctx.actor, User) else None
    ApplicationEvent.objects.create(
        application=application, from_status=old, to_status=application.status, reason=reason, by=by
    )
    audit(
        ProgrammeAction.APPLICATION_CHANGED,
        ctx=ctx,
        obj=application,
        organisation=application.person.organisation,
        status=application.status,
        previous=old,
    )
    programme = application.programme
    body = f"Reason: {reason}" if reason else ""
    tell(
        application.person,
        title=MESSAGES[S(application.status)].format(p=programme.title),
        body=body,
        url_name="programmes:application",
        args=(application.pk,),
    )


def _check_cohorts(programme: Programme, cohorts: Sequence[Cohort]) -> None:
    if any(c.programme_id != programme.pk for c in cohorts):
        raise ValidationError({"available_cohorts": "Choose cohorts of this programme."})


@transaction.atomic
def application_submit(
    *,
    ctx: AuditContext,
    programme: Programme,
    person: Person,
    statement: str,
    availability: str = "",
    available_cohorts: Sequence[Cohort] = (),
) -> Application:
    """A worker's own application."""
    require(ctx, "apply", programme)
    return _create(
        ctx, programme, person, ApplicationKind.OWN, statement, availability, available_cohorts, None
    )


@transaction.atomic
def application_nominate(
    *,
    ctx: AuditContext,
    programme: Programme,
    person: Person,
    statement: str,
    availability: str = "",
    available_cohorts: Sequence[Cohort] = (),
) -> Application:
    """A line manager nominates someone in their team; nominating agrees their protected time."""
    require(ctx, "nominate", programme)
    if not ctx.system_job:
        probe = Application(programme=programme, person=person)
        require(ctx, "agree_protected_time", probe)
    by = ctx.actor if isinstance(ctx.actor, User) else None
    return _create(
        ctx, programme, person, ApplicationKind.NOMINATION, statement, availability, available_cohorts, by
    )


def _create(
    ctx: AuditContext,
    programme: Programme,
    person: Person,
    kind: str,
    statement: str,
    availability: str,
    available_cohorts: Sequence[Cohort],
    nominated_by: User | None,
) -> Application:
    if programme.status != ProgrammeStatus.OPEN:
        raise ValidationError("This programme is not taking applications.")
    if Application.objects.filter(programme=programme, person=person).exists():
        raise ValidationError(
            f"{person.given_name} {person.family_name} has already applied to this programme."
            if nominated_by
            else "You have already applied to this programme."
        )
    if not statement.strip():
        raise ValidationError(
            {
                "statement": "Say why you want to take part"
                if not nominated_by
                else "Say why you are nominating them"
            }
        )
    _check_cohorts(programme, available_cohorts)
    application = Application(
        programme=programme,
        person=person,
        kind=kind,
        statement=statement.strip(),
        availability=availability.strip(),
        nominated_by=nominated_by,
    )
    if nominated_by is not None:
        application.status = S.MANAGER_APPROVED
        application.protected_time_agreed_by = nominated_by
        application.protected_time_agreed_at = timezone.now()
    application.full_clean()
    application.save()
    application.available_cohorts.set(available_cohorts)
    _record(ctx, application, "", "")
    return application


@transaction.atomic
def application_agree_protected_time(*, ctx: AuditContext, application: Application) -> Application:
    require(ctx, "agree_protected_time", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.SUBMITTED:
        raise ValidationError("Protected time can only be agreed for a submitted application.")
    application.protected_time_agreed_by = ctx.actor if isinstance(ctx.actor, User) else None
    application.protected_time_agreed_at = timezone.now()
    old = application.status
    application.status = S.MANAGER_APPROVED
    application.save()
    _record(ctx, application, old, "")
    return application


@transaction.atomic
def application_decline_protected_time(
    *, ctx: AuditContext, application: Application, reason: str
) -> Application:
    """The line manager cannot agree protected time: the application is withdrawn with their reason, which
    the applicant is told and the history keeps."""
    require(ctx, "agree_protected_time", application)
    application = (
        Application.objects.select_for_update().select_related("programme", "person").get(pk=application.pk)
    )
    if application.status != S.SUBMITTED:
        raise ValidationError("Protected time can only be decided for a submitted application.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why protected time cannot be agreed"})
    old = application.status
    application.status = S.WITHDRAWN
    application.reason = f"Protected time not agreed: {reason}"[:300]
    application.full_clean()
    application.save()
    _record(ctx, application, old, application.reason)
    return application


@transaction.atomic
def application_move(
    *, ctx: AuditContext, application: Application, to: str, reason: str = ""
) -> Application:
    """Change an application's state: the applicant accepts, declines or withdraws; the lead offers or puts
    on the waiting list (or withdraws, with a reason)."""
    rule = (
        "own_application"
        if to in APPLICANT_MOVES and access.is_applicant(acting(ctx), application)
        else ("manage_application")
    )
    require(ctx, rule, application)
    application = (
        Application.objects.select_for_update().select_related("programme", "person").get(pk=application.pk)
    )
    old = application.status
    if to not in TRANSITIONS.get(old, frozenset()):
        raise ValidationError(
            f"An application that is {S(old).label.lower()} cannot become {S(to).label.lower()}."
        )
    reason = reason.strip()
    if to in REASON_NEEDED and not reason:
        raise ValidationError({"reason": "Give a reason"})
    if to == S.ACCEPTED:
        accepted = Application.objects.filter(programme=application.programme, status=S.ACCEPTED).count()
        room = sum(c.capacity for c in application.programme.cohorts.exclude(status="closed"))
        if accepted >= room:
            raise ValidationError(f"The programme is full: all {room} places are taken.")
    application.status, application.reason = to, reason
    application.full_clean()
    application.save()
    if to == S.WITHDRAWN:
        Participant.objects.filter(application=application).delete()
    _record(ctx, application, old, reason)
    return application
