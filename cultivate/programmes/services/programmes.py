"""Writing programmes: create, change, dimensions, leads, cohorts, sessions, status and copying for the next
intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.models import Competence, NodeType
from cultivate.organisations.models import Alliance, Organisation

from ..audit_actions import ProgrammeAction
from ..models import (
    DEFAULT_DIMENSIONS,
    Cohort,
    Delivery,
    Dimension,
    Programme,
    ProgrammeLead,
    ProgrammeStatus,
    SelfAssessment,
    Session,
)
from ._common import acting, owner_organisation, require


def _owner_organisations(programme: Programme) -> list[int]:
    if programme.organisation_id is not None:
        return [programme.organisation_id]
    return list(Organisation.objects.filter(alliance=programme.alliance).values_list("pk", flat=True))


def lead_add(*, ctx: AuditContext, programme: Programme, user: User) -> ProgrammeLead:
    """A lead is an educator of the owning organisation, or of a member trust for an alliance's programme."""
    require(ctx, "manage_programme", programme)
    educator = (
        Membership.objects.current()
        .filter(user=user, role=Role.EDUCATOR, organisation_id__in=_owner_organisations(programme))
        .first()
    )
    if educator is None or educator.organisation is None:
        raise ValidationError(
            {
                "user": "A lead must be an educator of the organisation that runs the programme, or of a member trust."
            }
        )
    lead, _ = ProgrammeLead.objects.get_or_create(
        programme=programme, user=user, defaults={"organisation": educator.organisation}
    )
    audit(
        ProgrammeAction.PROGRAMME_CHANGED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        lead_added=user.pk,
    )
    return lead


@transaction.atomic
def programme_create(
    *,
    ctx: AuditContext,
    title: str,
    weeks: int,
    starts_on: dt.date,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    aims: str = "",
    delivery: str = Delivery.ONLINE,
    cohort_capacity: int = 20,
    min_attendance_pct: int = 80,
    require_self_assessments: bool = True,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    competences: Sequence[Competence] = (),
) -> Programme:
    """A draft programme with its dimensions; the educator who creates it leads it. It ends `weeks` after it
    starts."""
    membership = acting(ctx)
    if not ctx.system_job:
        require(ctx, "create_programme", None)
        # The owner follows the role: an educator's organisation (or its alliance), an alliance admin's alliance.
        if membership is None or (
            (organisation is not None and organisation.pk != membership.organisation_id)
            or (alliance is not None and not _may_own_for(membership, alliance))
        ):
            raise ValidationError("You can only create programmes for your own organisation or alliance.")
    programme = Programme(
        organisation=organisation,
        alliance=alliance,
        title=title.strip(),
        aims=aims.strip(),
        weeks=weeks,
        delivery=delivery,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(weeks=weeks) - dt.timedelta(days=1),
        cohort_capacity=cohort_capacity,
        min_attendance_pct=min_attendance_pct,
        require_self_assessments=require_self_assessments,
        created_by=ctx.actor if isinstance(ctx.actor, User) else None,
    )
    programme.full_clean()
    programme.save()
    _write_dimensions(programme, dimensions)
    if competences:
        programme.competences.set(competences)
    if membership is not None and membership.role == Role.EDUCATOR and membership.organisation is not None:
        ProgrammeLead.objects.create(
            programme=programme, user=membership.user, organisation=membership.organisation
        )
    audit(
        ProgrammeAction.PROGRAMME_CREATED, ctx=ctx, obj=programme, organisation=owner_organisation(programme)
    )
    return programme


def _may_own_for(membership: Membership, alliance: Alliance) -> bool:
    if membership.role == Role.ALLIANCE_ADMIN:
        return membership.alliance_id == alliance.pk
    return membership.organisation is not None and membership.organisation.alliance_id == alliance.pk


def _write_dimensions(programme: Programme, names: Sequence[str]) -> None:
    cleaned = [name.strip() for name in names if name.strip()]
    if not cleaned:
        raise ValidationError({"dimensions": "Enter at least one self-assessment dimension."})
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise ValidationError({"dimensions": "Each self-assessment dimension must be different."})
    Dimension.objects.bulk_create(
        Dimension(programme=programme, name=name, position=index) for index, name in enumerate(cleaned)
    )


@transaction.atomic
def programme_update(
    *,
    ctx: AuditContext,
    programme: Programme,
    title: str,
    aims: str,
    weeks: int,
    delivery: str,
    starts_on: dt.date,
    cohort_capacity: int,
    min_attendance_pct: int,
    require_self_assessments: bool,
) -> Programme:
    require(ctx, "manage_programme", programme)
    programme.title, programme.aims, programme.weeks, programme.delivery = (
        title.strip(),
        aims.strip(),
        weeks,
        delivery,
    )
    programme.starts_on = starts_on
    programme.ends_on = starts_on + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    programme.cohort_capacity = cohort_capacity
    programme.min_attendance_pct = min_attendance_pct
    programme.require_self_assessments = require_self_assessments
    programme.full_clean()
    outside = programme.sessions.exclude(
        starts_at__date__gte=programme.starts_on, ends_at__date__lte=programme.ends_on
    ).count()
    if outside:
        raise ValidationError(
            f"{outside} session{'s' if outside != 1 else ''} would fall outside the programme's new dates: "
            "move them first."
        )
    programme.save()
    audit(
        ProgrammeAction.PROGRAMME_CHANGED, ctx=ctx, obj=programme, organisation=owner_organisation(programme)
    )
    return programme


@transaction.atomic
def dimensions_set(*, ctx: AuditContext, programme: Programme, names: Sequence[str]) -> None:
    """Replace the self-assessment dimensions: only before anyone has answered, so answers keep their meaning."""
    require(ctx, "manage_programme", programme)
    if SelfAssessment.objects.filter(participant__cohort__programme=programme).exists():
        raise ValidationError(
            {
                "dimensions": "People have already answered the self-assessment: its dimensions can no longer change."
            }
        )
    programme.dimensions.all().delete()
    _write_dimensions(programme, names)
    audit(
        ProgrammeAction.PROGRAMME_CHANGED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        dimensions=len(names),
    )


@transaction.atomic
def programme_set_competences(
    *, ctx: AuditContext, programme: Programme, competences: Sequence[Competence]
) -> None:
    """The framework competences the programme covers: their CASE identifiers go on every certificate issued
    from then on (certificates already issued keep theirs). Only competences, not domains."""
    require(ctx, "manage_programme", programme)
    if any(c.node_type != NodeType.COMPETENCE for c in competences):
        raise ValidationError({"competences": "Choose competences, not the domains that group them."})
    programme.competences.set(competences)
    audit(
        ProgrammeAction.PROGRAMME_CHANGED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        competences=len(competences),
    )


def programme_set_status(*, ctx: AuditContext, programme: Programme, status: str) -> Programme:
    require(ctx, "manage_programme", programme)
    if status not in ProgrammeStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == ProgrammeStatus.OPEN and not programme.cohorts.exists():
        raise ValidationError("Add at least one cohort before taking applications.")
    programme.status = status
    programme.save(update_fields=["status", "updated_at"])
    audit(
        ProgrammeAction.PROGRAMME_CHANGED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        status=status,
    )
    return programme


def cohort_create(
    *, ctx: AuditContext, programme: Programme, name: str, capacity: int | None = None
) -> Cohort:
    require(ctx, "manage_programme", programme)
    name = name.strip()
    if programme.cohorts.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"This programme already has a cohort called {name}."})
    cohort = Cohort(programme=programme, name=name, capacity=capacity or programme.cohort_capacity)
    cohort.full_clean()
    cohort.save()
    audit(
        ProgrammeAction.PROGRAMME_CHANGED,
        ctx=ctx,
        obj=programme,
        organisation=owner_organisation(programme),
        cohort_added=cohort.name,
    )
    return cohort


def session_create(
    *,
    ctx: AuditContext,
    programme: Programme,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str = "",
    joining_link: str = "",
    facilitator: str = "",
    cohort: Cohort | None = None,
) -> Session:
    require(ctx, "manage_programme", programme)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Session times must be timezone-aware.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session must end after it starts."})
    start_day, end_day = timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date()
    if start_day < programme.starts_on or end_day > programme.ends_on:
        raise ValidationError(
            {
                "starts_at": "The session must be within the programme's dates "
                f"({programme.starts_on:%-d %B %Y} to {programme.ends_on:%-d %B %Y})."
            }
        )
    if cohort is not None and cohort.programme_id != programme.pk:
        raise ValidationError({"cohort": "Choose a cohort of this programme."})
    session = Session(
        programme=programme,
        cohort=cohort,
        topic=topic.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue.strip(),
        joining_link=joining_link.strip(),
        facilitator=facilitator.strip(),
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def programme_copy(
    *, ctx: AuditContext, programme: Programme, starts_on: dt.date, title: str = ""
) -> Programme:
    """The next intake: a draft with the same aims, criteria, dimensions, leads, competences, cohorts (empty)
    and programme-wide sessions moved by the same number of days. Applications and people are not copied."""
    require(ctx, "manage_programme", programme)
    shift = starts_on - programme.starts_on
    copy = Programme(
        organisation=programme.organisation,
        alliance=programme.alliance,
        title=(title or programme.title).strip(),
        aims=programme.aims,
        weeks=programme.weeks,
        delivery=programme.delivery,
        starts_on=starts_on,
        ends_on=programme.ends_on + shift,
        cohort_capacity=programme.cohort_capacity,
        min_attendance_pct=programme.min_attendance_pct,
        require_self_assessments=programme.require_self_assessments,
        copied_from=programme,
        created_by=ctx.actor if isinstance(ctx.actor, User) else None,
    )
    copy.full_clean()
    copy.save()
    _write_dimensions(copy, [d.name for d in programme.dimensions.all()])
    copy.competences.set(programme.competences.all())
    ProgrammeLead.objects.bulk_create(
        ProgrammeLead(programme=copy, user_id=lead.user_id, organisation_id=lead.organisation_id)
        for lead in programme.leads.all()
    )
    Cohort.objects.bulk_create(
        Cohort(programme=copy, name=c.name, capacity=c.capacity) for c in programme.cohorts.all()
    )
    Session.objects.bulk_create(
        Session(
            programme=copy,
            topic=s.topic,
            starts_at=s.starts_at + shift,
            ends_at=s.ends_at + shift,
            venue=s.venue,
            joining_link=s.joining_link,
            facilitator=s.facilitator,
        )
        for s in programme.sessions.filter(cohort__isnull=True)
    )
    audit(
        ProgrammeAction.PROGRAMME_COPIED,
        ctx=ctx,
        obj=copy,
        organisation=owner_organisation(copy),
        copied_from=programme.pk,
    )
    return copy
