"""Writes: the reference data, pathways and their steps and requirements, qualifications (recorded, confirmed,
superseded), functional skills results, managers' support, apprenticeships, off-the-job hours and the end-point
assessment. Each checks the acting role's rule, validates (`full_clean`) and saves atomically; the sensitive
ones are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Membership, Role, User
from cultivate.core.audit import AuditContext, audit
from cultivate.organisations.models import Alliance, Organisation, Person

from . import access, off_the_job, reference
from .audit_actions import PathwaysAction
from .models import (
    Apprenticeship,
    ApprenticeshipStandard,
    ManagerSupport,
    OffTheJobEntry,
    Outcome,
    Pathway,
    Qualification,
    QualificationKind,
    QualificationStatus,
    RequirementKind,
    ResultSource,
    SkillsResult,
    Step,
    StepRequirement,
)

# A functional skills re-assessment is due this long after an initial assessment unless the educator says.
REASSESS_AFTER_DAYS = 182


def _require(membership: Membership | None, action: str, obj: Any = None) -> Membership:
    if membership is None or not access.may(membership, action, obj):
        raise PermissionDenied(f"May not {action.replace('_', ' ')}.")
    return membership


# --- Reference data ----------------------------------------------------------------------------------


def reference_load() -> dict[str, int]:
    """Load (or refresh) the reference standards and pathways; idempotent. Reference data, not personal data,
    so it is not audited."""
    with transaction.atomic():
        standards: dict[str, ApprenticeshipStandard] = {}
        ksbs = reference.ksbs()
        for row in reference.standards():
            standard, _ = ApprenticeshipStandard.objects.update_or_create(
                code=row["code"],
                version=row["version"],
                defaults={
                    "title": row["title"],
                    "level": int(row["level"]),
                    "typical_months": int(row["typical_months"]) if row["typical_months"] else None,
                    "minimum_off_the_job_hours": int(row["minimum_off_the_job_hours"])
                    if row["minimum_off_the_job_hours"]
                    else None,
                    "source": row["source"],
                    "ksbs": ksbs.get(row["code"], []),
                },
            )
            standards[row["code"]] = standard
        steps = 0
        for data in reference.pathways():
            pathway, _ = Pathway.objects.update_or_create(
                code=data["code"],
                owner_alliance=None,
                owner_organisation=None,
                defaults={
                    "title": data["title"],
                    "description": data["description"],
                    "source": data["source"],
                },
            )
            _load_steps(pathway, data["steps"], standards)
            steps += len(data["steps"])
    return {"standards": len(standards), "pathways": len(reference.pathways()), "steps": steps}


def _load_steps(
    pathway: Pathway, rows: list[dict[str, Any]], standards: dict[str, ApprenticeshipStandard]
) -> None:
    by_code: dict[str, Step] = {}
    for sequence, row in enumerate(rows):
        step, _ = Step.objects.update_or_create(
            pathway=pathway,
            code=row["code"],
            defaults={
                "title": row["title"],
                "description": row.get("description", ""),
                "band": row.get("band", ""),
                "standard": standards.get(row.get("standard", "")),
                "registered_with": row.get("registered_with", ""),
                "sequence": sequence,
                "previous": by_code.get(row.get("previous", "")),
            },
        )
        by_code[step.code] = step
        step.requirements.all().delete()
        for number, requirement in enumerate(row.get("requirements", [])):
            item = StepRequirement(
                step=step,
                kind=requirement["kind"],
                qualifications=requirement.get("qualifications", []),
                months=requirement.get("months"),
                band=requirement.get("band", ""),
                training=requirement.get("training", ""),
                evidenced_by=requirement["evidenced_by"],
                sequence=number,
            )
            item.full_clean()
            item.save()


# --- Pathways ----------------------------------------------------------------------------------------


def pathway_create(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    code: str,
    title: str,
    description: str = "",
    source: str = "",
    copy_of: Pathway | None = None,
) -> Pathway:
    """A pathway of the acting role's organisation (an alliance admin's: of their alliance), optionally a copy
    of one it can see (steps and requirements), so an organisation edits its own version of a reference one."""
    membership = _require(membership, "create_pathway")
    alliance: Alliance | None = membership.alliance if membership.organisation_id is None else None
    organisation: Organisation | None = membership.organisation
    if Pathway.objects.filter(code=code, owner_alliance=alliance, owner_organisation=organisation).exists():
        raise ValidationError({"code": "You already have a pathway with this short name"})
    with transaction.atomic():
        pathway = Pathway(
            code=code,
            title=title.strip(),
            description=description.strip(),
            source=source.strip() or (copy_of.source if copy_of else ""),
            owner_alliance=alliance,
            owner_organisation=organisation,
        )
        pathway.full_clean()
        pathway.save()
        if copy_of is not None:
            copy_steps(copy_of, pathway)
        audit(
            PathwaysAction.PATHWAY_CHANGED,
            ctx=ctx,
            obj=pathway,
            organisation=organisation,
            change="created",
            copy_of=copy_of.pk if copy_of else None,
        )
    return pathway


def copy_steps(source: Pathway, target: Pathway) -> None:
    """Copy a pathway's steps and requirements into another (an organisation's or alliance's own version)."""
    copies: dict[int, Step] = {}
    for step in source.steps.order_by("sequence", "pk"):
        previous = copies.get(step.previous_id or 0, step.previous)
        copy = Step.objects.create(
            pathway=target,
            code=step.code,
            title=step.title,
            description=step.description,
            band=step.band,
            standard=step.standard,
            registered_with=step.registered_with,
            sequence=step.sequence,
            previous=previous,
        )
        copies[step.pk] = copy
        for requirement in step.requirements.all():
            requirement.pk = None
            requirement.step = copy
            requirement.save()


def step_chain_has_circle(step: Step | None, previous: Step | None) -> bool:
    """Whether making `previous` the step before `step` would close a circle."""
    seen: set[int] = set()
    current = previous
    while current is not None:
        if step is not None and current.pk == step.pk:
            return True
        if current.pk in seen:
            return True
        seen.add(current.pk)
        current = current.previous
    return False


def step_save(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    pathway: Pathway,
    code: str,
    title: str,
    band: str = "",
    standard: ApprenticeshipStandard | None = None,
    previous: Step | None = None,
    description: str = "",
    step: Step | None = None,
) -> Step:
    """Add a step to a pathway, or change one. A step that would follow itself, directly or round a chain of
    steps, is refused and nothing is saved."""
    _require(membership, "edit_pathway", pathway)
    if step is not None and step.pathway_id != pathway.pk:
        raise PermissionDenied("The step is not on this pathway.")
    if previous is not None and step_chain_has_circle(step, previous):
        raise ValidationError({"previous": "This would make a circle: a step cannot lead back to itself"})
    with transaction.atomic():
        target = step or Step(pathway=pathway, sequence=pathway.steps.count())
        target.code = code
        target.title = title.strip()
        target.band = band
        target.standard = standard
        target.previous = previous
        target.description = description.strip()
        target.full_clean()
        target.save()
        audit(
            PathwaysAction.PATHWAY_CHANGED,
            ctx=ctx,
            obj=pathway,
            organisation=pathway.owner_organisation,
            change="step saved",
            step=target.code,
        )
    return target


def requirement_add(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    step: Step,
    kind: str,
    evidenced_by: str,
    qualifications: Sequence[str] = (),
    months: int | None = None,
    band: str = "",
    training: str = "",
) -> StepRequirement:
    _require(membership, "edit_pathway", step.pathway)
    _requirement_check(kind, qualifications, months, band)
    with transaction.atomic():
        requirement = StepRequirement(
            step=step,
            kind=kind,
            qualifications=list(qualifications),
            months=months,
            band=band,
            training=training.strip(),
            evidenced_by=evidenced_by.strip(),
            sequence=step.requirements.count(),
        )
        requirement.full_clean()
        requirement.save()
        audit(
            PathwaysAction.PATHWAY_CHANGED,
            ctx=ctx,
            obj=step.pathway,
            organisation=step.pathway.owner_organisation,
            change="requirement added",
            step=step.code,
            kind=kind,
        )
    return requirement


def _requirement_check(kind: str, qualifications: Sequence[str], months: int | None, band: str) -> None:
    if kind == RequirementKind.QUALIFICATION and not qualifications:
        raise ValidationError(
            {"qualifications": "Select at least one qualification that meets this requirement"}
        )
    unknown = set(qualifications) - set(QualificationKind.values)
    if unknown:
        raise ValidationError({"qualifications": "Select qualifications from the list"})
    if kind == RequirementKind.EXPERIENCE and not months:
        raise ValidationError({"months": "Enter how many months of experience the step needs"})
    if kind == RequirementKind.BAND and not band:
        raise ValidationError({"band": "Select the band the step needs"})


def requirement_update(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    requirement: StepRequirement,
    kind: str,
    evidenced_by: str,
    qualifications: Sequence[str] = (),
    months: int | None = None,
    band: str = "",
    training: str = "",
) -> StepRequirement:
    """Change an entry requirement of a step of a pathway the role may edit. What the new kind does not use is
    cleared, so a requirement never carries another kind's figures."""
    step = requirement.step
    _require(membership, "edit_pathway", step.pathway)
    _requirement_check(kind, qualifications, months, band)
    with transaction.atomic():
        requirement.kind = kind
        requirement.qualifications = list(qualifications) if kind == RequirementKind.QUALIFICATION else []
        requirement.months = months if kind == RequirementKind.EXPERIENCE else None
        requirement.band = band if kind in (RequirementKind.EXPERIENCE, RequirementKind.BAND) else ""
        requirement.training = training.strip() if kind == RequirementKind.MANDATORY_TRAINING else ""
        requirement.evidenced_by = evidenced_by.strip()
        requirement.full_clean()
        requirement.save()
        audit(
            PathwaysAction.PATHWAY_CHANGED,
            ctx=ctx,
            obj=step.pathway,
            organisation=step.pathway.owner_organisation,
            change="requirement changed",
            step=step.code,
            requirement=requirement.pk,
            kind=kind,
        )
    return requirement


# --- Qualifications ----------------------------------------------------------------------------------


def qualification_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    person: Person,
    kind: str,
    awarded_on: dt.date,
    evidence: str,
    title: str = "",
    awarding_body: str = "",
    supersedes: Qualification | None = None,
) -> Qualification:
    """Record a qualification (waiting for an admin to confirm it). With `supersedes`, the new record replaces
    an earlier one of the same person, which is marked superseded in the same transaction."""
    membership = _require(membership, "record_qualification", person)
    if awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": "The date awarded must be today or in the past"})
    if kind == QualificationKind.OTHER and not title.strip():
        raise ValidationError({"title": "Enter the name of the qualification"})
    if supersedes is not None and (
        supersedes.person_id != person.pk or supersedes.status == QualificationStatus.SUPERSEDED
    ):
        raise ValidationError("Only a current qualification of the same person can be superseded.")
    with transaction.atomic():
        qualification = Qualification(
            person=person,
            kind=kind,
            title=title.strip(),
            awarding_body=awarding_body.strip(),
            awarded_on=awarded_on,
            evidence=evidence.strip(),
            recorded_by=membership.user,
            supersedes=supersedes,
        )
        qualification.full_clean()
        if supersedes is not None:
            supersedes.status = QualificationStatus.SUPERSEDED
            supersedes.save(update_fields=["status", "updated_at"])
        qualification.save()
        audit(
            PathwaysAction.QUALIFICATION_SUPERSEDED if supersedes else PathwaysAction.QUALIFICATION_RECORDED,
            ctx=ctx,
            obj=qualification,
            organisation=person.organisation,
            kind=kind,
            supersedes=supersedes.pk if supersedes else None,
        )
    return qualification


def qualification_update(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    qualification: Qualification,
    awarded_on: dt.date,
    evidence: str,
    title: str = "",
    awarding_body: str = "",
    kind: str = "",
) -> Qualification:
    """Correct a qualification not yet confirmed; a confirmed one is superseded instead, never edited."""
    _require(membership, "edit_qualification", qualification.person)
    if qualification.status == QualificationStatus.CONFIRMED:
        raise ValidationError(
            "A confirmed qualification cannot be changed: record a correction that supersedes it."
        )
    if qualification.status != QualificationStatus.RECORDED:
        raise ValidationError("This record has been replaced by a correction: change that one instead.")
    kind = kind or qualification.kind
    if awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": "The date awarded must be today or in the past"})
    if kind == QualificationKind.OTHER and not title.strip():
        raise ValidationError({"title": "Enter the name of the qualification"})
    with transaction.atomic():
        qualification.kind = kind
        qualification.awarded_on = awarded_on
        qualification.evidence = evidence.strip()
        qualification.title = title.strip()
        qualification.awarding_body = awarding_body.strip()
        qualification.full_clean()
        qualification.save()
        audit(
            PathwaysAction.QUALIFICATION_RECORDED,
            ctx=ctx,
            obj=qualification,
            organisation=qualification.person.organisation,
            change="corrected",
        )
    return qualification


def qualification_confirm(
    *, ctx: AuditContext, membership: Membership | None, qualification: Qualification
) -> Qualification:
    membership = _require(membership, "confirm_qualification", qualification.person)
    if qualification.status != QualificationStatus.RECORDED:
        raise ValidationError("Only a qualification waiting for confirmation can be confirmed.")
    with transaction.atomic():
        qualification.status = QualificationStatus.CONFIRMED
        qualification.confirmed_by = membership.user
        qualification.confirmed_at = timezone.now()
        qualification.full_clean()
        qualification.save()
        audit(
            PathwaysAction.QUALIFICATION_CONFIRMED,
            ctx=ctx,
            obj=qualification,
            organisation=qualification.person.organisation,
            kind=qualification.kind,
        )
    return qualification


# --- Functional skills -------------------------------------------------------------------------------


def skills_result_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    person: Person,
    subject: str,
    level: str,
    assessed_on: dt.date,
    reassess_on: dt.date | None = None,
    source: str = ResultSource.EDUCATOR,
) -> SkillsResult:
    """An initial assessment result, entered by an educator (`membership`) or imported (no membership: the
    import command's context names its job)."""
    if membership is not None or source == ResultSource.EDUCATOR:
        _require(membership, "record_skills", person)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date of the assessment must be today or in the past"})
    reassess_on = reassess_on or assessed_on + dt.timedelta(days=REASSESS_AFTER_DAYS)
    if reassess_on <= assessed_on:
        raise ValidationError({"reassess_on": "The re-assessment date must be after the assessment"})
    with transaction.atomic():
        result = SkillsResult(
            person=person,
            subject=subject,
            level=level,
            assessed_on=assessed_on,
            reassess_on=reassess_on,
            source=source,
            entered_by=membership.user if membership is not None else None,
        )
        result.full_clean()
        result.save()
        audit(
            PathwaysAction.SKILLS_RESULT_RECORDED,
            ctx=ctx,
            obj=result,
            organisation=person.organisation,
            subject=subject,
            level=level,
            source=source,
        )
    return result


def skills_results_import(
    *, ctx: AuditContext, organisation: Organisation, rows: Sequence[dict[str, str]]
) -> int:
    """Import initial assessment results (columns staff_id, subject, level, assessed_on and optionally
    reassess_on, dates as YYYY-MM-DD) for an organisation's people. Every row is checked first: one bad row
    refuses the file with each problem by row number, and nothing is saved."""
    from .models import SkillsLevel, SkillsSubject

    people = {p.staff_id: p for p in Person.objects.filter(organisation=organisation)}
    problems: list[str] = []
    parsed: list[tuple[Person, str, str, dt.date, dt.date | None]] = []
    for number, row in enumerate(rows, start=2):
        person = people.get((row.get("staff_id") or "").strip())
        subject = (row.get("subject") or "").strip().lower()
        level = (row.get("level") or "").strip().upper()
        try:
            assessed = dt.date.fromisoformat((row.get("assessed_on") or "").strip())
            reassess_text = (row.get("reassess_on") or "").strip()
            reassess = dt.date.fromisoformat(reassess_text) if reassess_text else None
        except ValueError:
            problems.append(f"Row {number}: dates must be like 2026-01-31")
            continue
        if person is None:
            problems.append(f"Row {number}: no one with that staff ID in {organisation.name}")
        elif subject not in SkillsSubject.values:
            problems.append(f"Row {number}: the subject must be english, maths or digital")
        elif level not in SkillsLevel.values:
            problems.append(f"Row {number}: the level must be E1, E2, E3, L1 or L2")
        else:
            parsed.append((person, subject, level, assessed, reassess))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for person, subject, level, assessed, reassess in parsed:
            skills_result_record(
                ctx=ctx,
                membership=None,
                person=person,
                subject=subject,
                level=level,
                assessed_on=assessed,
                reassess_on=reassess,
                source=ResultSource.IMPORT,
            )
    return len(parsed)


def support_give(
    *, ctx: AuditContext, membership: Membership | None, person: Person, step: Step
) -> ManagerSupport:
    membership = _require(membership, "support_step", person)
    with transaction.atomic():
        support, _created = ManagerSupport.objects.get_or_create(
            person=person,
            step=step,
            defaults={"given_by": membership.user, "given_on": timezone.localdate()},
        )
        audit(
            PathwaysAction.MANAGER_SUPPORT_GIVEN,
            ctx=ctx,
            obj=support,
            organisation=person.organisation,
            step=step.code,
        )
    return support


# --- Apprenticeships ---------------------------------------------------------------------------------


def apprenticeship_create(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    person: Person,
    standard: ApprenticeshipStandard,
    provider: str,
    start_date: dt.date,
    planned_end_date: dt.date,
    contracted_hours: Decimal,
    days_per_week: int = 5,
) -> Apprenticeship:
    if membership is not None or ctx.system_job == "":
        _require(membership, "manage_apprenticeship", person)
    if planned_end_date <= start_date:
        raise ValidationError({"planned_end_date": "The planned end date must be after the start date"})
    rule = off_the_job.rule_for(start_date)
    earliest_end = off_the_job.minimum_end(rule, start_date) if rule is not None else None
    if earliest_end is not None and planned_end_date < earliest_end:
        months = rule.minimum_months if rule is not None else 0
        raise ValidationError(
            {"planned_end_date": f"An apprenticeship starting then must last at least {months} months"}
        )
    with transaction.atomic():
        apprenticeship = Apprenticeship(
            person=person,
            standard=standard,
            provider=provider.strip(),
            start_date=start_date,
            planned_end_date=planned_end_date,
            contracted_hours=contracted_hours,
            days_per_week=days_per_week,
            educator=membership.user if membership is not None and membership.role == Role.EDUCATOR else None,
        )
        apprenticeship.full_clean()
        apprenticeship.save()
        audit(
            PathwaysAction.APPRENTICESHIP_CHANGED,
            ctx=ctx,
            obj=apprenticeship,
            organisation=person.organisation,
            standard=standard.code,
            change="started",
        )
    return apprenticeship


def off_the_job_log(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    apprenticeship: Apprenticeship,
    on: dt.date,
    hours: Decimal,
    activity: str,
    ksbs: Sequence[str] = (),
) -> OffTheJobEntry:
    """Log off-the-job hours on a day. Refused: a day before the start, in the future or after gateway (none
    counts after gateway), or more hours than the day's contracted hours (including what is already logged
    that day)."""
    membership = _require(membership, "log_off_the_job", apprenticeship.person)
    if on < apprenticeship.start_date:
        raise ValidationError({"on": "The date must be on or after the apprenticeship started"})
    if on > timezone.localdate():
        raise ValidationError({"on": "The date must be today or in the past"})
    if apprenticeship.gateway_on is not None and on > apprenticeship.gateway_on:
        raise ValidationError(
            {"on": "Hours after gateway do not count: the date must be on or before gateway"}
        )
    known = {k["code"] for k in apprenticeship.standard.ksbs}
    if set(ksbs) - known:
        raise ValidationError({"ksbs": "Select knowledge, skills and behaviours from the standard's list"})
    with transaction.atomic():
        already = OffTheJobEntry.objects.filter(apprenticeship=apprenticeship, on=on).aggregate(
            total=Sum("hours")
        )["total"] or Decimal(0)
        if already + hours > apprenticeship.daily_hours:
            raise ValidationError(
                {
                    "hours": f"That is more than the {apprenticeship.daily_hours.normalize():f} hours contracted "
                    f"that day ({already.normalize():f} already logged)"
                }
            )
        entry = OffTheJobEntry(
            apprenticeship=apprenticeship,
            on=on,
            hours=hours,
            activity=activity.strip(),
            ksbs=list(ksbs),
            recorded_by=membership.user,
        )
        entry.full_clean()
        entry.save()
    return entry


def apprenticeship_epa_record(
    *,
    ctx: AuditContext,
    membership: Membership | None,
    apprenticeship: Apprenticeship,
    gateway_on: dt.date | None,
    epa_on: dt.date | None,
    epa_grade: str,
    outcome: str,
    outcome_on: dt.date | None,
) -> Apprenticeship:
    """Gateway, the end-point assessment and its grade, and what happened after (kept on, progressed, left)."""
    if membership is not None or ctx.system_job == "":
        _require(membership, "manage_apprenticeship", apprenticeship.person)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if gateway_on is not None and gateway_on < apprenticeship.start_date:
        errors["gateway_on"] = "Gateway must be on or after the start date"
    if epa_on is not None and gateway_on is not None and epa_on < gateway_on:
        errors["epa_on"] = "The end-point assessment must be on or after gateway"
    if epa_grade and epa_on is None:
        errors["epa_on"] = "Enter the date of the end-point assessment"
    if outcome and outcome_on is None:
        errors["outcome_on"] = "Enter the date of the outcome"
    for name, value in (("gateway_on", gateway_on), ("epa_on", epa_on), ("outcome_on", outcome_on)):
        if value is not None and value > today and name not in errors:
            errors[name] = "The date must be today or in the past"
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = "Select what happened after the apprenticeship"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        apprenticeship.gateway_on = gateway_on
        apprenticeship.epa_on = epa_on
        apprenticeship.epa_grade = epa_grade
        apprenticeship.outcome = outcome
        apprenticeship.outcome_on = outcome_on
        apprenticeship.full_clean()
        apprenticeship.save()
        audit(
            PathwaysAction.EPA_RECORDED,
            ctx=ctx,
            obj=apprenticeship,
            organisation=apprenticeship.person.organisation,
            grade=epa_grade,
            outcome=outcome,
        )
    return apprenticeship


# --- Off-the-job shortfall notices -------------------------------------------------------------------------


@dataclass
class ShortfallReport:
    behind: int = 0  # apprenticeships behind today
    fell_behind: int = 0  # of them, newly behind since the last run (their people were told)
    caught_up: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "behind": self.behind,
            "fell_behind": self.fell_behind,
            "caught_up": self.caught_up,
            "notifications": self.notifications,
        }


def _educators_of(organisation_ids: set[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.current()
        .filter(role=Role.EDUCATOR, organisation_id__in=organisation_ids, user__is_active=True)
        .select_related("user")
    ):
        if membership.organisation_id is not None:
            found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def shortfall_notices_send(*, on: dt.date | None = None) -> ShortfallReport:
    """Tell the apprentice, their line manager and their educator when an apprenticeship in training (no
    gateway, no outcome) falls behind on off-the-job hours (`off_the_job.Progress.behind`): once when it falls
    behind, again only after it has caught up and fallen behind anew. Safe to run as often as you like: the day
    it fell behind is recorded on the apprenticeship (`behind_since`)."""
    from cultivate.core.notify import Subject, notify
    from cultivate.portfolio.selectors import line_manager_users
    from cultivate.portfolio.services import user_of

    from . import selectors

    on = on or timezone.localdate()
    report = ShortfallReport()
    ongoing = list(
        Apprenticeship.objects.filter(
            gateway_on__isnull=True, outcome="", start_date__lte=on, planned_end_date__gte=on
        )
        .select_related("standard", "person", "educator")
        .order_by("pk")
    )
    progress = selectors.progress_of(ongoing, on=on)
    newly = [a for a in ongoing if progress[a.pk].behind and a.behind_since is None]
    recovered = [a.pk for a in ongoing if not progress[a.pk].behind and a.behind_since is not None]
    report.behind = sum(1 for a in ongoing if progress[a.pk].behind)
    managers = line_manager_users([a.person_id for a in newly], on) if newly else {}
    educators = _educators_of({a.person.organisation_id for a in newly if a.educator is None})
    with transaction.atomic():
        if recovered:
            report.caught_up = Apprenticeship.objects.filter(pk__in=recovered).update(behind_since=None)
        for apprenticeship in newly:
            Apprenticeship.objects.filter(pk=apprenticeship.pk).update(behind_since=on)
            report.fell_behind += 1
            found = progress[apprenticeship.pk]
            shortfall = f"{found.shortfall.normalize():f}"
            weekly = f"{found.weekly_to_catch_up.normalize():f}"
            url = reverse("pathways:apprenticeship", args=[apprenticeship.pk])
            name = apprenticeship.person.display_name
            told: set[int] = set()
            apprentice = user_of(apprenticeship.person)
            if apprentice is not None:
                notify(
                    user=apprentice,
                    title=f"You are {shortfall} off-the-job hours behind",
                    body=f"About {weekly} hours a week from now would catch up by the planned end of your "
                    f"{apprenticeship.standard.title} apprenticeship. Log your hours, or talk to your "
                    "educator and your manager about protected time.",
                    url=url,
                    subject=Subject.of(apprenticeship),
                )
                told.add(apprentice.pk)
            others = [
                *managers.get(apprenticeship.person_id, []),
                *(
                    [apprenticeship.educator]
                    if apprenticeship.educator is not None
                    else educators.get(apprenticeship.person.organisation_id, [])
                ),
            ]
            for user in others:
                if user.pk in told or not user.is_active:
                    continue
                notify(
                    user=user,
                    title=f"{name} is {shortfall} off-the-job hours behind",
                    body=f"{name}'s {apprenticeship.standard.title} apprenticeship needs about {weekly} "
                    "hours a week from now to catch up by the planned end.",
                    url=url,
                    subject=Subject.of(apprenticeship),
                )
                told.add(user.pk)
            report.notifications += len(told)
    return report
