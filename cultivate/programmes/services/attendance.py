"""Attendance: the lead's register, self check-in with the session's code, and reminders before sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.formatting import uk_date

from ..audit_actions import ProgrammeAction
from ..models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    Participant,
    Session,
    SessionReminder,
)
from ._common import owner_organisation, require, tell

# Check-in opens a little before the session and closes when it ends.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=15)
REMINDER_AHEAD = dt.timedelta(hours=24)


def session_participants(session: Session, cohort: Cohort | None = None) -> list[Participant]:
    """Who is expected at a session: its cohort's participants, or every open cohort's for a programme-wide one
    (narrowed to `cohort` when the lead takes one cohort's register)."""
    qs = Participant.objects.filter(cohort__programme_id=session.programme_id).select_related(
        "person", "cohort"
    )
    if session.cohort_id is not None:
        qs = qs.filter(cohort_id=session.cohort_id)
    elif cohort is not None:
        qs = qs.filter(cohort=cohort)
    return list(qs.order_by("person__family_name", "person__given_name"))


@transaction.atomic
def register_take(*, ctx: AuditContext, session: Session, cohort: Cohort, marks: Mapping[int, str]) -> int:
    """Record the register for one cohort at a session: participant id -> present, absent or excused."""
    require(ctx, "manage_cohort", cohort)
    if session.programme_id != cohort.programme_id or (session.cohort_id not in (None, cohort.pk)):
        raise ValidationError("This session is not one of the cohort's.")
    if cohort.status == CohortStatus.CLOSED:
        raise ValidationError("The cohort is closed: its registers can no longer change.")
    expected = {p.pk: p for p in session_participants(session, cohort)}
    unknown = set(marks) - set(expected)
    if unknown:
        raise ValidationError({"marks": "The register names someone who is not expected at this session."})
    for status in marks.values():
        if status not in AttendanceStatus.values:
            raise ValidationError({"marks": "Mark each person present, absent or absent with apologies."})
    by = ctx.actor if isinstance(ctx.actor, User) else None
    for participant_id, status in marks.items():
        Attendance.objects.update_or_create(
            session=session,
            participant_id=participant_id,
            defaults={"status": status, "method": AttendanceMethod.REGISTER, "recorded_by": by},
        )
    audit(
        ProgrammeAction.REGISTER_TAKEN,
        ctx=ctx,
        obj=session,
        organisation=owner_organisation(session.programme),
        cohort=cohort.pk,
        marked=len(marks),
    )
    return len(marks)


def checkin_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    return session.starts_at - CHECKIN_OPENS_BEFORE, session.ends_at


@transaction.atomic
def check_in(
    *,
    ctx: AuditContext,
    session: Session,
    participant: Participant,
    code: str,
    now: dt.datetime | None = None,
) -> Attendance:
    """A participant checks themselves in with the code shown during the session."""
    require(ctx, "own_participation", participant)
    now = now or timezone.now()
    if session.programme_id != participant.cohort.programme_id or session.cohort_id not in (
        None,
        participant.cohort_id,
    ):
        raise ValidationError({"code": "This session is not one of your cohort's."})
    opens, closes = checkin_window(session)
    typed = "".join(code.split()).upper()
    if not typed:
        raise ValidationError({"code": "Enter the check-in code shown in the session"})
    if typed != session.checkin_code:
        raise ValidationError({"code": "The check-in code is not right: check it and try again"})
    if now < opens:
        raise ValidationError({"code": f"Check-in opens at {timezone.localtime(opens):%H:%M}"})
    if now > closes:
        raise ValidationError(
            {
                "code": "This check-in code has expired: the session has ended. Ask the lead to "
                "mark you on the register."
            }
        )
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        participant=participant,
        defaults={
            "status": AttendanceStatus.PRESENT,
            "method": AttendanceMethod.CHECK_IN,
            "recorded_by": ctx.actor if isinstance(ctx.actor, User) else None,
        },
    )
    return attendance


def session_reminders_send(
    *, ctx: AuditContext, now: dt.datetime | None = None, ahead: dt.timedelta = REMINDER_AHEAD
) -> int:
    """Remind each participant of a session starting within `ahead`, once. Safe to run as often as wanted."""
    now = now or timezone.now()
    sent = 0
    sessions = Session.objects.filter(starts_at__gt=now, starts_at__lte=now + ahead).select_related(
        "programme"
    )
    for session in sessions:
        already = set(
            SessionReminder.objects.filter(session=session).values_list("participant_id", flat=True)
        )
        for participant in session_participants(session):
            if participant.pk in already or participant.cohort.status == CohortStatus.CLOSED:
                continue
            with transaction.atomic():
                SessionReminder.objects.create(session=session, participant=participant)
                where = session.joining_link or session.venue
                tell(
                    participant.person,
                    title=f"Reminder: {session.topic}, {uk_date(session.starts_at)}",
                    body=f"{session.programme.title}. {('Join: ' + where) if where else ''}".strip(),
                    url_name="programmes:mine",
                )
            sent += 1
    return sent
