"""Writes for learning: the catalogue, mandatory subjects and their requirements, sessions, enrolments (with
manager approval, protected time and a waiting list), attendance, completions and evaluations.

Every service that acts for a person in a role takes the acting membership and checks access itself (the views
check first, to audit a refusal and answer 403 or 404; a service refusing is a programming error or a race).
Bad input is refused with a ValidationError naming the field, in the user's words, and nothing is half-saved:
multi-step writes are atomic, and a session's row is locked while its places are counted. A completion stands
as portfolio evidence for the competences its offer develops (`portfolio.services.evidence_from_training`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.formatting import uk_date
from cultivate.core.jobs import JobProgress, job_enqueue
from cultivate.core.notify import notify
from cultivate.frameworks.models import Competence
from cultivate.organisations.models import Alliance, Organisation, Person, SupportRole, TeamSetting
from cultivate.portfolio import selectors as portfolio_selectors
from cultivate.portfolio.services import (
    TrainingEvidence,
    evidence_from_training,
    evidence_from_training_many,
    user_of,
)

from . import access, reference, training_import
from .audit_actions import LearningAction
from .models import (
    LIVE_STATUSES,
    PLACE_STATUSES,
    Completion,
    CompletionSource,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    MandatoryRequirement,
    MandatorySubject,
    Offer,
    OfferCompetence,
    OfferKind,
    Part,
    Session,
    TrainingImport,
    TrainingImportStatus,
)


def _require(membership: Membership | None, action: str, obj: Any) -> Membership:
    if membership is None or not access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


def _notify_after_commit(user: User | None, *, title: str, body: str, url: str) -> None:
    if user is not None:
        transaction.on_commit(lambda: notify(user=user, title=title, body=body, url=url))


# --- The catalogue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFields:
    """What an offer says about itself (the form's fields)."""

    code: str
    title: str
    kind: str
    provider: str
    mode: str
    hours: Decimal
    cost_per_place: Decimal = Decimal("0")
    capacity: int | None = None
    description: str = ""
    credits: int | None = None
    academic_level: str = ""
    accreditation: str = ""
    subject: MandatorySubject | None = None


def _check_offer(fields: OfferFields) -> None:
    errors: dict[str, str] = {}
    if fields.cost_per_place is not None and fields.cost_per_place < 0:
        errors["cost_per_place"] = "The cost per place must be £0 or more"
    if fields.hours is not None and fields.hours < 0:
        errors["hours"] = "The length must be 0 hours or more"
    if fields.capacity is not None and fields.capacity < 1:
        errors["capacity"] = "The number of places must be at least 1, or left empty for no limit"
    if fields.kind not in OfferKind.values:
        errors["kind"] = "Select the kind of offer"
    if fields.mode not in DeliveryMode.values:
        errors["mode"] = "Select how it is delivered"
    if fields.kind != OfferKind.UNIVERSITY_MODULE and (fields.credits or fields.academic_level):
        errors["credits"] = "Credits and academic level are for university modules"
    if errors:
        raise ValidationError(errors)


def _apply(offer: Offer, fields: OfferFields) -> None:
    for name, value in fields.__dict__.items():
        setattr(offer, name, value.strip() if isinstance(value, str) else value)


def offer_create(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    fields: OfferFields,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
) -> Offer:
    """A new offer owned by an organisation (its educators and admins) or shared by an alliance (its admins)."""
    if (organisation is None) == (alliance is None):
        raise ValueError("An offer has one owner: an organisation or an alliance.")
    offer = Offer(organisation=organisation, alliance=alliance)
    membership = _require(membership, "manage_offer", offer)
    _check_offer(fields)
    _apply(offer, fields)
    offer.created_by = membership.user
    _check_code_free(offer)
    with transaction.atomic():
        offer.full_clean()
        offer.save()
        audit(LearningAction.OFFER_CHANGED, ctx=ctx, obj=offer, organisation=organisation, created=True)
    return offer


def _check_code_free(offer: Offer) -> None:
    same = Offer.objects.filter(code=offer.code).exclude(pk=offer.pk)
    same = (
        same.filter(organisation=offer.organisation)
        if offer.organisation_id
        else same.filter(alliance=offer.alliance)
    )
    if same.exists():
        raise ValidationError({"code": "Another offer already has this course code: enter a different one"})


def offer_update(
    *, ctx: AuditContext, membership: Membership | None, offer: Offer, fields: OfferFields
) -> Offer:
    _require(membership, "manage_offer", offer)
    _check_offer(fields)
    _apply(offer, fields)
    _check_code_free(offer)
    with transaction.atomic():
        offer.full_clean()
        offer.save()
        audit(LearningAction.OFFER_CHANGED, ctx=ctx, obj=offer, organisation=offer.organisation)
    return offer


def offer_set_active(
    *, ctx: AuditContext, membership: Membership | None, offer: Offer, active: bool
) -> Offer:
    _require(membership, "manage_offer", offer)
    offer.is_active = active
    offer.save(update_fields=["is_active", "updated_at"])
    audit(LearningAction.OFFER_CHANGED, ctx=ctx, obj=offer, organisation=offer.organisation, active=active)
    return offer


def offer_develops(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    offer: Offer,
    competence: Competence,
    part: str = Part.KNOWLEDGE,
    up_to_level: str = "",
) -> OfferCompetence:
    """Record (or change) that the offer develops a competence's knowledge or skill, up to a level."""
    _require(membership, "manage_offer", offer)
    errors: dict[str, str] = {}
    if part not in Part.values:
        errors["part"] = "Select knowledge or skill"
    framework = competence.framework
    if up_to_level and up_to_level not in {level.get("code") for level in framework.level_list}:
        errors["up_to_level"] = "Select a level of the competence's framework"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link, _created = OfferCompetence.objects.update_or_create(
            offer=offer, competence=competence, defaults={"part": part, "up_to_level": up_to_level}
        )
        audit(
            LearningAction.OFFER_CHANGED,
            ctx=ctx,
            obj=offer,
            organisation=offer.organisation,
            develops=competence.pk,
            part=part,
            level=up_to_level,
        )
    return link


def offer_undevelop(
    *, ctx: AuditContext, membership: Membership | None, offer: Offer, competence: Competence
) -> None:
    _require(membership, "manage_offer", offer)
    with transaction.atomic():
        OfferCompetence.objects.filter(offer=offer, competence=competence).delete()
        audit(
            LearningAction.OFFER_CHANGED,
            ctx=ctx,
            obj=offer,
            organisation=offer.organisation,
            removed=competence.pk,
        )


# --- Mandatory training --------------------------------------------------------------------------------


def _check_renewal(months: int | None) -> None:
    if months is None or months < 1:
        raise ValidationError({"renewal_months": "Enter a renewal period of at least 1 month"})
    if months > 120:
        raise ValidationError({"renewal_months": "Enter a renewal period of 120 months (10 years) or less"})


def subjects_adopt_reference(
    *, ctx: AuditContext, membership: Membership | None, organisation: Organisation
) -> list[MandatorySubject]:
    """Take up the Core Skills Training Framework's subjects the organisation does not have yet, each with
    the suggested renewal period (the organisation changes it afterwards). Required of every role."""
    _require(membership, "manage_offers", organisation)
    have = set(organisation.mandatory_subjects.values_list("cstf_code", flat=True))
    made: list[MandatorySubject] = []
    with transaction.atomic():
        for item in reference.cstf_subjects():
            if item.code in have:
                continue
            subject = MandatorySubject(
                organisation=organisation,
                code=item.code,
                name=item.name,
                cstf_code=item.code,
                renewal_months=item.suggested_renewal_months,
            )
            subject.full_clean()
            subject.save()
            MandatoryRequirement.objects.create(subject=subject)
            made.append(subject)
        if made:
            audit(
                LearningAction.SUBJECT_CHANGED,
                ctx=ctx,
                organisation=organisation,
                adopted=[s.code for s in made],
            )
    return made


def subject_create(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    organisation: Organisation,
    code: str,
    name: str,
    renewal_months: int | None,
) -> MandatorySubject:
    """A local mandatory subject (PMVA, for example); who must hold it is added by `requirement_add`."""
    _require(membership, "manage_offers", organisation)
    _check_renewal(renewal_months)
    if not name.strip():
        raise ValidationError({"name": "Enter the subject's name"})
    if organisation.mandatory_subjects.filter(code=code).exists():
        raise ValidationError({"code": "Another subject already has this code: enter a different one"})
    assert renewal_months is not None
    subject = MandatorySubject(
        organisation=organisation, code=code, name=name.strip(), renewal_months=renewal_months
    )
    with transaction.atomic():
        subject.full_clean()
        subject.save()
        audit(LearningAction.SUBJECT_CHANGED, ctx=ctx, obj=subject, organisation=organisation, created=True)
    return subject


def subject_set_renewal(
    *, ctx: AuditContext, membership: Membership | None, subject: MandatorySubject, renewal_months: int | None
) -> MandatorySubject:
    _require(membership, "manage_offers", subject.organisation)
    _check_renewal(renewal_months)
    assert renewal_months is not None
    before = subject.renewal_months
    subject.renewal_months = renewal_months
    with transaction.atomic():
        subject.full_clean()
        subject.save(update_fields=["renewal_months", "updated_at"])
        audit(
            LearningAction.SUBJECT_CHANGED,
            ctx=ctx,
            obj=subject,
            organisation=subject.organisation,
            renewal_months=[before, renewal_months],
        )
    return subject


def requirement_add(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    subject: MandatorySubject,
    role: SupportRole | None = None,
    setting: str = "",
) -> MandatoryRequirement:
    """Require the subject of a role (None: every role) in a setting ("": every setting)."""
    _require(membership, "manage_offers", subject.organisation)
    if setting and setting not in TeamSetting.values:
        raise ValidationError({"setting": "Select a setting"})
    if MandatoryRequirement.objects.filter(subject=subject, role=role, setting=setting).exists():
        raise ValidationError("This subject is already required of that role in that setting")
    with transaction.atomic():
        requirement = MandatoryRequirement(subject=subject, role=role, setting=setting)
        requirement.full_clean(validate_constraints=False)
        requirement.save()
        audit(
            LearningAction.SUBJECT_CHANGED,
            ctx=ctx,
            obj=subject,
            organisation=subject.organisation,
            required_of=[role.pk if role else None, setting],
        )
    return requirement


def requirement_remove(
    *, ctx: AuditContext, membership: Membership | None, requirement: MandatoryRequirement
) -> None:
    subject = requirement.subject
    _require(membership, "manage_offers", subject.organisation)
    with transaction.atomic():
        requirement.delete()
        audit(
            LearningAction.SUBJECT_CHANGED,
            ctx=ctx,
            obj=subject,
            organisation=subject.organisation,
            no_longer_required_of=[requirement.role_id, requirement.setting],
        )


# --- Sessions ------------------------------------------------------------------------------------------


def session_create(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    offer: Offer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None = None,
    venue: str = "",
) -> Session:
    _require(membership, "manage_offer", offer)
    capacity = capacity if capacity is not None else offer.capacity
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = "The session must end after it starts"
    if capacity is None or capacity < 1:
        errors["capacity"] = "Enter the number of places, at least 1"
    if errors:
        raise ValidationError(errors)
    assert capacity is not None
    session = Session(
        offer=offer, starts_at=starts_at, ends_at=ends_at, capacity=capacity, venue=venue.strip()
    )
    with transaction.atomic():
        session.full_clean()
        session.save()
        audit(
            LearningAction.SESSION_CHANGED,
            ctx=ctx,
            obj=session,
            organisation=offer.organisation,
            created=True,
        )
    return session


def session_cancel(*, ctx: AuditContext, membership: Membership | None, session: Session) -> Session:
    """Cancel a session; everyone with a place or waiting is told."""
    _require(membership, "manage_offer", session.offer)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.is_cancelled = True
        session.save(update_fields=["is_cancelled", "updated_at"])
        live = list(session.enrolments.filter(status__in=LIVE_STATUSES).select_related("person"))
        for enrolment in live:
            enrolment.status = EnrolmentStatus.WITHDRAWN
            enrolment.note = "The session was cancelled"
            enrolment.save(update_fields=["status", "note", "updated_at"])
            _notify_after_commit(
                user_of(enrolment.person),
                title=f"Cancelled: {session.offer.title} on {uk_date(session.starts_at)}",
                body="The session you had a place on (or were waiting for) has been cancelled.",
                url=reverse("learning:mine"),
            )
        audit(
            LearningAction.SESSION_CHANGED,
            ctx=ctx,
            obj=session,
            organisation=session.offer.organisation,
            cancelled=True,
            enrolments=len(live),
        )
    return session


# --- Enrolments ----------------------------------------------------------------------------------------


def _locked_session(session: Session) -> Session:
    """The session's row, locked until the transaction ends, so that two bookings cannot both take the last
    place (PostgreSQL; SQLite serialises writers anyway)."""
    return Session.objects.select_for_update().select_related("offer").get(pk=session.pk)


def _check_open(session: Session, person: Person) -> None:
    if session.is_cancelled:
        raise ValidationError("This session has been cancelled: choose another")
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started: choose a later one")
    if Enrolment.objects.filter(session=session, person=person, status__in=LIVE_STATUSES).exists():
        raise ValidationError(
            f"{person.display_name} already has a place on this session (or is waiting for one)"
        )
    if not access.can_view_offer_for_person(session.offer, person):
        raise ValidationError(f"This offer is not open to {person.display_name}'s organisation")


def _places_left(session: Session) -> int:
    return session.capacity - session.enrolments.filter(status__in=PLACE_STATUSES).count()


def enrolment_request(
    *, ctx: AuditContext, membership: Membership | None, session: Session, note: str = ""
) -> Enrolment:
    """A worker asks for a place; it waits for their line manager's approval (who is told)."""
    membership = _require(membership, "enrol_self", session)
    person = membership.user.person
    assert person is not None
    with transaction.atomic():
        session = _locked_session(session)
        _check_open(session, person)
        enrolment = Enrolment(
            session=session,
            person=person,
            status=EnrolmentStatus.REQUESTED,
            requested_by=membership.user,
            note=note.strip()[:300],
        )
        enrolment.full_clean(validate_constraints=False)
        enrolment.save()
        audit(LearningAction.ENROLMENT_REQUESTED, ctx=ctx, obj=enrolment, organisation=person.organisation)
        for manager in portfolio_selectors.line_manager_users([person.pk]).get(person.pk, []):
            _notify_after_commit(
                manager,
                title=f"{person.display_name} asks for a place on {session.offer.title}",
                body=f"The session starts on {uk_date(session.starts_at)}. Approve or decline the request.",
                url=reverse("learning:requests"),
            )
    return enrolment


def enrolment_book(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    session: Session,
    person: Person,
    protected_time: bool = False,
    waiting_list: bool = False,
) -> Enrolment:
    """A manager (or educator) books a person onto a session: approved at once. A full session is refused
    unless `waiting_list`, which puts the person on its waiting list instead."""
    membership = _require(membership, "book_for", person)
    with transaction.atomic():
        session = _locked_session(session)
        _check_open(session, person)
        left = _places_left(session)
        if left <= 0 and not waiting_list:
            raise ValidationError(
                f"This session is full ({session.capacity} of {session.capacity} places taken). "
                "Choose another session or add them to the waiting list."
            )
        enrolment = Enrolment(
            session=session,
            person=person,
            status=EnrolmentStatus.BOOKED if left > 0 else EnrolmentStatus.WAITING,
            protected_time=protected_time,
            requested_by=membership.user,
            decided_by=membership.user,
            decided_at=timezone.now(),
        )
        enrolment.full_clean(validate_constraints=False)
        enrolment.save()
        audit(
            LearningAction.ENROLMENT_DECIDED,
            ctx=ctx,
            obj=enrolment,
            organisation=person.organisation,
            status=enrolment.status,
            protected_time=protected_time,
        )
        _tell_person(enrolment)
    return enrolment


def _tell_person(enrolment: Enrolment) -> None:
    session = enrolment.session
    words = {
        EnrolmentStatus.BOOKED: "You have a place",
        EnrolmentStatus.WAITING: "You are on the waiting list",
        EnrolmentStatus.DECLINED: "Your request was not approved",
    }.get(EnrolmentStatus(enrolment.status), "Your place changed")
    protected = (
        " in protected time"
        if enrolment.protected_time and enrolment.status == EnrolmentStatus.BOOKED
        else ""
    )
    _notify_after_commit(
        user_of(enrolment.person),
        title=f"{words}: {session.offer.title}",
        body=f"The session on {uk_date(session.starts_at)}{protected}. {enrolment.note}".strip(),
        url=reverse("learning:mine"),
    )


def enrolment_decide(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    enrolment: Enrolment,
    approve: bool,
    protected_time: bool = False,
    note: str = "",
) -> Enrolment:
    """Approve a request (a place if one is left, otherwise the waiting list) or decline it."""
    membership = _require(membership, "decide_enrolment", enrolment)
    with transaction.atomic():
        session = _locked_session(enrolment.session)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.REQUESTED:
            raise ValidationError("This request has already been decided")
        if approve:
            enrolment.status = (
                EnrolmentStatus.BOOKED if _places_left(session) > 0 else EnrolmentStatus.WAITING
            )
            enrolment.protected_time = protected_time
        else:
            if not note.strip():
                raise ValidationError({"note": "Say why the request is not approved"})
            enrolment.status = EnrolmentStatus.DECLINED
        enrolment.note = note.strip()[:300]
        enrolment.decided_by = membership.user
        enrolment.decided_at = timezone.now()
        enrolment.save()
        audit(
            LearningAction.ENROLMENT_DECIDED,
            ctx=ctx,
            obj=enrolment,
            organisation=enrolment.person.organisation,
            status=enrolment.status,
            protected_time=enrolment.protected_time,
        )
        enrolment.session = session
        _tell_person(enrolment)
    return enrolment


def enrolment_withdraw(
    *, ctx: AuditContext, membership: Membership | None, enrolment: Enrolment
) -> Enrolment:
    """Give up a place (or a place in the queue); the first on the waiting list takes a freed place."""
    _require(membership, "withdraw_enrolment", enrolment)
    with transaction.atomic():
        session = _locked_session(enrolment.session)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status not in {
            EnrolmentStatus.REQUESTED,
            EnrolmentStatus.BOOKED,
            EnrolmentStatus.WAITING,
        }:
            raise ValidationError("Only a place not yet taken up can be withdrawn")
        if session.starts_at <= timezone.now():
            raise ValidationError(
                "The session has started: ask the educator to record that you did not attend"
            )
        freed = enrolment.status == EnrolmentStatus.BOOKED
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.save(update_fields=["status", "updated_at"])
        audit(
            LearningAction.ENROLMENT_WITHDRAWN,
            ctx=ctx,
            obj=enrolment,
            organisation=enrolment.person.organisation,
        )
        if freed:
            _promote_waiting(session)
    return enrolment


def _promote_waiting(session: Session) -> None:
    first = (
        session.enrolments.filter(status=EnrolmentStatus.WAITING)
        .select_related("person", "session__offer")
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None and _places_left(session) > 0:
        first.status = EnrolmentStatus.BOOKED
        first.note = "A place came free"
        first.save(update_fields=["status", "note", "updated_at"])
        _tell_person(first)


# --- Attendance and completions ------------------------------------------------------------------------


def attendance_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    session: Session,
    attended: Sequence[int],
    absent: Sequence[int] = (),
) -> list[Completion]:
    """Mark booked enrolments (by id) as attended or absent, once the session has started; each attendance
    is a completion (with its portfolio evidence)."""
    membership = _require(membership, "run_session", session)
    if session.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the session has started")
    both = set(attended) & set(absent)
    if both:
        raise ValidationError("Someone is marked both as attended and as absent")
    made: list[Completion] = []
    with transaction.atomic():
        enrolments = {
            e.pk: e
            for e in Enrolment.objects.for_membership(membership)
            .filter(session=session, pk__in=[*attended, *absent])
            .select_related("person", "person__organisation")
        }
        if set(enrolments) != set(attended) | set(absent):
            raise ValidationError("Some of the people marked are not on this session's register")
        for pk, enrolment in enrolments.items():
            if enrolment.status not in {
                EnrolmentStatus.BOOKED,
                EnrolmentStatus.ATTENDED,
                EnrolmentStatus.ABSENT,
            }:
                raise ValidationError(f"{enrolment.person.display_name} has no place on this session")
            enrolment.status = EnrolmentStatus.ATTENDED if pk in attended else EnrolmentStatus.ABSENT
            enrolment.save(update_fields=["status", "updated_at"])
            if (
                pk in attended
                and not Completion.objects.filter(person=enrolment.person, session=session).exists()
            ):
                made.append(
                    _complete(
                        ctx=ctx,
                        person=enrolment.person,
                        offer=session.offer,
                        session=session,
                        completed_on=timezone.localtime(session.ends_at).date(),
                        recorded_by=membership.user,
                    )
                )
        audit(
            LearningAction.ATTENDANCE_RECORDED,
            ctx=ctx,
            obj=session,
            organisation=session.offer.organisation,
            attended=sorted(attended),
            absent=sorted(absent),
        )
    return made


def _check_completion(
    *, offer: Offer | None, session: Session | None, completed_on: dt.date, cost: Decimal | None
) -> None:
    errors: dict[str, str] = {}
    if completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date must be today or in the past"
    if session is not None and completed_on < timezone.localtime(session.starts_at).date():
        errors["completed_on"] = (
            f"The completion date must be on or after the session's start, {uk_date(session.starts_at)}"
        )
    if session is not None and offer is not None and session.offer_id != offer.pk:
        errors["session"] = "The session is not one of this offer's"
    if cost is not None and cost < 0:
        errors["cost"] = "The cost must be £0 or more"
    if errors:
        raise ValidationError(errors)


def _complete(
    *,
    ctx: AuditContext,
    person: Person,
    offer: Offer,
    completed_on: dt.date,
    session: Session | None = None,
    recorded_by: User | None = None,
    hours: Decimal | None = None,
    cost: Decimal | None = None,
) -> Completion:
    """Write a completion and its portfolio evidence (inside the caller's transaction)."""
    completion = Completion(
        person=person,
        offer=offer,
        subject=offer.subject,
        session=session,
        completed_on=completed_on,
        hours=offer.hours if hours is None else hours,
        cost=offer.cost_per_place if cost is None else cost,
        source=CompletionSource.SERVICE,
        recorded_by=recorded_by,
    )
    completion.full_clean(validate_constraints=False)
    competences = [
        link.competence for link in offer.develops.select_related("competence", "competence__framework")
    ]
    if competences:
        completion.evidence = evidence_from_training(
            ctx=ctx,
            person=person,
            title=f"Completed: {offer.title}",
            occurred_on=completed_on,
            competences=competences,
            text=(
                f"{offer.get_kind_display()} by {offer.provider}, {offer.hours} hours. Counts for the knowledge of "
                "the competences it develops; practice is still signed off by an assessor."
            ),
            created_by=recorded_by,
        )
    completion.save()
    audit(
        LearningAction.COMPLETION_RECORDED,
        ctx=ctx,
        obj=completion,
        organisation=person.organisation,
        offer=offer.pk,
        session=session.pk if session else None,
        evidence=completion.evidence_id,
    )
    return completion


def completion_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    person: Person,
    offer: Offer,
    completed_on: dt.date,
    session: Session | None = None,
    hours: Decimal | None = None,
    cost: Decimal | None = None,
) -> Completion:
    """An educator records that someone completed an offer (e-learning done elsewhere, a course without a
    register)."""
    membership = _require(membership, "record_completion", person)
    if not access.can_view_offer_for_person(offer, person):
        raise ValidationError({"offer": f"This offer is not open to {person.display_name}'s organisation"})
    _check_completion(offer=offer, session=session, completed_on=completed_on, cost=cost)
    if session is not None and Completion.objects.filter(person=person, session=session).exists():
        raise ValidationError(f"{person.display_name}'s completion of this session is already recorded")
    with transaction.atomic():
        return _complete(
            ctx=ctx,
            person=person,
            offer=offer,
            session=session,
            completed_on=completed_on,
            recorded_by=membership.user,
            hours=hours,
            cost=cost,
        )


def completion_complete_own(
    *, ctx: AuditContext, membership: Membership | None, enrolment: Enrolment, completed_on: dt.date
) -> Completion:
    """A worker records that they completed a session they had a place on (once it has started)."""
    membership = _require(membership, "complete_own", enrolment)
    session = enrolment.session
    if enrolment.status not in {EnrolmentStatus.BOOKED, EnrolmentStatus.ATTENDED}:
        raise ValidationError("Only a session you had a place on can be marked as completed")
    if session.starts_at > timezone.now():
        raise ValidationError(
            {"completed_on": f"The session has not happened yet: it starts on {uk_date(session.starts_at)}"}
        )
    _check_completion(offer=session.offer, session=session, completed_on=completed_on, cost=None)
    if Completion.objects.filter(person=enrolment.person, session=session).exists():
        raise ValidationError("You have already recorded completing this session")
    with transaction.atomic():
        enrolment.status = EnrolmentStatus.ATTENDED
        enrolment.save(update_fields=["status", "updated_at"])
        return _complete(
            ctx=ctx,
            person=enrolment.person,
            offer=session.offer,
            session=session,
            completed_on=completed_on,
            recorded_by=membership.user,
        )


def evaluation_submit(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    completion: Completion,
    rating: int | None,
    useful: str = "",
    change: str = "",
) -> Evaluation:
    """The worker's evaluation of an event they completed: once each."""
    _require(membership, "evaluate", completion)
    if rating is None or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Select a rating from 1 (poor) to 5 (excellent)"})
    if Evaluation.objects.filter(completion=completion).exists():
        raise ValidationError("You have already evaluated this")
    evaluation = Evaluation(
        completion=completion, rating=rating, useful=useful.strip(), change=change.strip()
    )
    with transaction.atomic():
        evaluation.full_clean(validate_constraints=False)
        evaluation.save()
    return evaluation


# --- Import of completions -----------------------------------------------------------------------------


def training_import_start(
    *, ctx: AuditContext, membership: Membership | None, organisation: Organisation, upload: UploadedFile
) -> TrainingImport:
    """Keep the upload and queue its import (checked in full first; nothing written unless all is well)."""
    membership = _require(membership, "manage_offers", organisation)
    name = Path(upload.name or "training.csv").name[:200]
    if Path(name).suffix.lower() not in {".csv", ".xlsx"}:
        raise ValidationError({"file": "The file must be a CSV file or an XLSX workbook"})
    path = training_import.store_upload(upload, name)
    record = TrainingImport.objects.create(
        organisation=organisation, started_by=membership.user, path=path, file_name=name
    )
    audit(
        CoreAction.IMPORT_STARTED, ctx=ctx, obj=record, organisation=organisation, kind="training", file=name
    )
    transaction.on_commit(lambda: job_enqueue(record))
    return record


def _import_evidence(
    ctx: AuditContext, record: TrainingImport, completions: list[training_import.Row]
) -> list[int | None]:
    """Portfolio evidence for each imported completion of a course that develops competences, as a completion
    recorded in the service has (`_complete`); None for the rest (mandatory subjects, courses mapped to nothing)."""
    offer_ids = {offer for _person, offer, *_rest in completions if offer is not None}
    develops: dict[int, tuple[Any, ...]] = {}
    for link in OfferCompetence.objects.filter(offer_id__in=offer_ids).select_related(
        "offer", "competence", "competence__framework"
    ):
        develops[link.offer_id] = (*develops.get(link.offer_id, ()), link.competence)
    offers = {link.pk: link for link in Offer.objects.filter(pk__in=develops)}
    wanted = [i for i, row in enumerate(completions) if row[1] in develops]
    items = [
        TrainingEvidence(
            person_id=completions[i][0],
            title=f"Completed: {offers[offer].title}",
            occurred_on=completions[i][3],
            competences=develops[offer],
            text=(
                f"{offers[offer].get_kind_display()} by {offers[offer].provider}, imported from the learning "
                "system's records. Counts for the knowledge of the competences it develops; practice is still "
                "signed off by an assessor."
            ),
        )
        for i in wanted
        for offer in [completions[i][1]]
        if offer is not None
    ]
    made = evidence_from_training_many(
        ctx=ctx, organisation=record.organisation, items=items, created_by=record.started_by
    )
    found: list[int | None] = [None] * len(completions)
    for i, evidence_id in zip(wanted, made, strict=True):
        found[i] = evidence_id
    return found


def training_import_execute(*, record_id: int) -> TrainingImport:
    """Run a queued import: check every row, then write every completion, or none."""
    record = TrainingImport.objects.select_related("organisation").get(pk=record_id)
    if record.status != TrainingImportStatus.QUEUED:
        return record
    ctx = AuditContext.system("training import worker", actor=record.started_by)
    path = Path(settings.MEDIA_ROOT) / record.path
    TrainingImport.objects.filter(pk=record.pk).update(
        status=TrainingImportStatus.RUNNING, started_at=timezone.now(), stage="Checking the rows"
    )
    progress = JobProgress(record)
    try:
        total = training_import.count_rows(path)
        checked = training_import.check(
            record.organisation, training_import.read_rows(path), progress=progress, total=total
        )
        progress("Checking the rows", checked.rows, checked.rows)
        report = {"rows": checked.rows, "already": checked.already, "written": 0}
        if checked.problem_count:
            TrainingImport.objects.filter(pk=record.pk).update(
                status=TrainingImportStatus.REJECTED,
                stage="Finished",
                problems=list(checked.problems),
                problem_count=checked.problem_count,
                report=report,
                finished_at=timezone.now(),
            )
            audit(
                CoreAction.IMPORT_REJECTED,
                ctx=ctx,
                obj=record,
                organisation=record.organisation,
                problems=checked.problem_count,
            )
        else:
            TrainingImport.objects.filter(pk=record.pk).update(stage="Saving the completions")
            with transaction.atomic():
                evidence = _import_evidence(ctx, record, checked.completions)
                report["written"] = training_import.write(checked.completions, evidence)
            report["evidence"] = sum(1 for found in evidence if found is not None)
            TrainingImport.objects.filter(pk=record.pk).update(
                status=TrainingImportStatus.SUCCEEDED,
                stage="Finished",
                report=report,
                finished_at=timezone.now(),
            )
            audit(
                CoreAction.IMPORT_SUCCEEDED,
                ctx=ctx,
                obj=record,
                organisation=record.organisation,
                rows=report["rows"],
                written=report["written"],
                already=report["already"],
            )
    except Exception:
        TrainingImport.objects.filter(pk=record.pk).update(
            status=TrainingImportStatus.FAILED,
            stage="Finished",
            finished_at=timezone.now(),
            error="The file could not be read as a CSV file or an XLSX workbook. Nothing was saved.",
        )
        raise
    finally:
        # The upload holds personal data: gone once the import is over, whatever the outcome.
        path.unlink(missing_ok=True)
        TrainingImport.objects.filter(pk=record.pk).update(path="")
    record.refresh_from_db()
    return record
