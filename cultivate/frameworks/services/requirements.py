"""Role requirements: what a support role (and band) must have achieved, one competence at a time or a
whole domain or framework at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.organisations.models import AfcBand, Organisation, SupportRole

from ..models import (
    Adoption,
    Competence,
    Framework,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from ._shared import _descendant_ids, _level_codes

MAX_WITHIN_DAYS = 3650


def _check_requirement(
    *,
    organisation: Organisation,
    competence: Competence,
    min_level: str,
    within_days: int | None,
    afc_band: str,
    grace_days: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if grace_days is not None and not 1 <= grace_days <= MAX_WITHIN_DAYS:
        errors["grace_days"] = f"Enter a grace period from 1 to {MAX_WITHIN_DAYS} days."
    framework = competence.framework
    if competence.version.status != VersionStatus.PUBLISHED:
        errors["competence"] = "Choose a competence from the published version."
    elif competence.node_type != NodeType.COMPETENCE:
        errors["competence"] = "Choose a competence, not a domain."
    elif (
        framework.owner_organisation_id != organisation.pk
        and not Adoption.objects.filter(framework=framework, organisation=organisation).exists()
    ):
        errors["competence"] = "The organisation must own or adopt the framework first."
    if min_level not in _level_codes(framework):
        errors["min_level"] = "Choose a level of the framework."
    elif competence.levels and min_level not in competence.levels:
        errors["min_level"] = f"{competence.label} is not assessed at that level."
    if within_days is not None and not 1 <= within_days <= MAX_WITHIN_DAYS:
        errors["within_days"] = f"Enter a number of days from 1 to {MAX_WITHIN_DAYS}."
    if afc_band and afc_band not in AfcBand.values:
        errors["afc_band"] = "Choose a band from the list."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def role_requirement_create(
    *,
    organisation: Organisation,
    role: SupportRole,
    competence: Competence,
    min_level: str,
    afc_band: str = "",
    within_days: int | None = None,
    starts_on: dt.date | None = None,
    grace_days: int | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> RoleRequirement:
    _check_requirement(
        organisation=organisation,
        competence=competence,
        min_level=min_level,
        within_days=within_days,
        afc_band=afc_band,
        grace_days=grace_days,
    )
    requirement = RoleRequirement(
        organisation=organisation,
        role=role,
        afc_band=afc_band,
        competence=competence,
        min_level=min_level,
        within_days=within_days,
        starts_on=starts_on,
        grace_days=grace_days,
        created_by=created_by,
    )
    try:
        requirement.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError({"competence": "This role already requires that competence."}) from error
        raise
    requirement.save()
    _audit_requirement(requirement, "added", created_by, ctx)
    return requirement


@dataclass(frozen=True)
class DomainRequirements:
    added: list[RoleRequirement]
    already_required: int
    not_at_level: int


def _require_all(
    *,
    organisation: Organisation,
    role: SupportRole,
    competences: list[Competence],
    min_level: str,
    afc_band: str,
    within_days: int | None,
    created_by: User | None,
    starts_on: dt.date | None = None,
    grace_days: int | None = None,
) -> DomainRequirements:
    already = set(
        RoleRequirement.objects.filter(
            organisation=organisation, role=role, afc_band=afc_band, competence__in=competences
        ).values_list("competence_id", flat=True)
    )
    added: list[RoleRequirement] = []
    not_at_level = 0
    for competence in competences:
        if competence.pk in already:
            continue
        if competence.levels and min_level not in competence.levels:
            not_at_level += 1
            continue
        _check_requirement(
            organisation=organisation,
            competence=competence,
            min_level=min_level,
            within_days=within_days,
            afc_band=afc_band,
            grace_days=grace_days,
        )
        requirement = RoleRequirement(
            organisation=organisation,
            role=role,
            afc_band=afc_band,
            competence=competence,
            min_level=min_level,
            within_days=within_days,
            starts_on=starts_on,
            grace_days=grace_days,
            created_by=created_by,
        )
        requirement.full_clean()
        requirement.save()
        added.append(requirement)
    return DomainRequirements(added=added, already_required=len(already), not_at_level=not_at_level)


@transaction.atomic
def role_requirements_add_domain(
    *,
    organisation: Organisation,
    role: SupportRole,
    domain: Competence,
    min_level: str,
    afc_band: str = "",
    within_days: int | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> DomainRequirements:
    """Require every competence in a domain (and the domains inside it). Competences the role already
    requires, and those not assessed at `min_level`, are left as they are and counted."""
    if domain.node_type != NodeType.DOMAIN:
        raise ValidationError({"competence": "Choose a domain."})
    competences = list(
        Competence.objects.filter(pk__in=_descendant_ids(domain), node_type=NodeType.COMPETENCE)
        .select_related("framework", "version")
        .order_by("parent__sequence", "sequence")
    )
    if not competences:
        raise ValidationError({"competence": "That domain has no competences."})
    result = _require_all(
        organisation=organisation,
        role=role,
        competences=competences,
        min_level=min_level,
        afc_band=afc_band,
        within_days=within_days,
        created_by=created_by,
    )
    _audit_many(result, organisation, role, afc_band, domain.framework, created_by, ctx, domain=domain)
    return result


@transaction.atomic
def role_requirements_add_framework(
    *,
    organisation: Organisation,
    role: SupportRole,
    framework: Framework,
    min_level: str,
    afc_band: str = "",
    within_days: int | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> DomainRequirements:
    """Require every competence of the framework's published version: the whole Care Certificate within 84
    days, say. Skips as `role_requirements_add_domain` does."""
    competences = list(
        Competence.objects.filter(
            framework=framework, version__status=VersionStatus.PUBLISHED, node_type=NodeType.COMPETENCE
        )
        .select_related("framework", "version")
        .order_by("parent__sequence", "sequence")
    )
    if not competences:
        raise ValidationError({"competence": "The framework has no published competences."})
    result = _require_all(
        organisation=organisation,
        role=role,
        competences=competences,
        min_level=min_level,
        afc_band=afc_band,
        within_days=within_days,
        created_by=created_by,
    )
    _audit_many(result, organisation, role, afc_band, framework, created_by, ctx)
    return result


@dataclass(frozen=True)
class RolesRequirements:
    """What adding a requirement for several roles at once did: the rows added, and per role those left as
    they were (already required, or the competence is not assessed at the level)."""

    added: list[RoleRequirement]
    already_required: int
    not_at_level: int
    roles: list[str]


def _target_competences(target: Competence | Framework) -> list[Competence]:
    """The competences a requirement names: one competence, every competence in a domain (and the domains
    inside it), or every competence of a framework's published version."""
    rows = Competence.objects.select_related("framework", "version").order_by("parent__sequence", "sequence")
    if isinstance(target, Framework):
        found = list(
            rows.filter(
                framework=target, version__status=VersionStatus.PUBLISHED, node_type=NodeType.COMPETENCE
            )
        )
        if not found:
            raise ValidationError({"competence": "The framework has no published competences."})
        return found
    if target.node_type == NodeType.COMPETENCE:
        return [target]
    found = list(rows.filter(pk__in=_descendant_ids(target), node_type=NodeType.COMPETENCE))
    if not found:
        raise ValidationError({"competence": "That domain has no competences."})
    return found


@transaction.atomic
def role_requirements_add(
    *,
    organisation: Organisation,
    roles: list[SupportRole],
    target: Competence | Framework,
    min_level: str,
    afc_band: str = "",
    within_days: int | None = None,
    starts_on: dt.date | None = None,
    grace_days: int | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> RolesRequirements:
    """Require a competence, a domain or a whole framework of several roles at once, with one level, deadline,
    start and grace period: the requirement form's one submission. What a role already requires is left as it
    is and counted; all or nothing (one transaction). One audit record for the whole addition."""
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    competences = _target_competences(target)
    first = competences[0]
    # Checked once before writing, so that a bad level or period is one error, not one per row: against a
    # competence assessed at the level (for a domain, those that are not are left out and counted).
    probe = next((c for c in competences if not c.levels or min_level in c.levels), first)
    _check_requirement(
        organisation=organisation,
        competence=probe,
        min_level=min_level,
        within_days=within_days,
        afc_band=afc_band,
        grace_days=grace_days,
    )
    added: list[RoleRequirement] = []
    already = not_at_level = 0
    for role in roles:
        result = _require_all(
            organisation=organisation,
            role=role,
            competences=competences,
            min_level=min_level,
            afc_band=afc_band,
            within_days=within_days,
            created_by=created_by,
            starts_on=starts_on,
            grace_days=grace_days,
        )
        added += result.added
        already += result.already_required
        not_at_level += result.not_at_level
    if not added and len(competences) == 1 and already:
        raise ValidationError(
            {"competence": "Every role chosen already requires that competence."}
            if len(roles) > 1
            else {"competence": "This role already requires that competence."}
        )
    framework = first.framework
    audit(
        FrameworksAction.REQUIREMENT_CHANGED,
        actor=created_by,
        ctx=ctx,
        obj=framework,
        organisation=organisation,
        change="added",
        roles=[role.name for role in roles],
        afc_band=afc_band,
        target=str(target.identifier),
        target_kind="framework" if isinstance(target, Framework) else target.node_type,
        min_level=min_level,
        within_days=within_days,
        starts_on=starts_on.isoformat() if starts_on else None,
        grace_days=grace_days,
        added=len(added),
        already_required=already,
        not_at_level=not_at_level,
    )
    return RolesRequirements(
        added=added, already_required=already, not_at_level=not_at_level, roles=[r.name for r in roles]
    )


def _audit_many(
    result: DomainRequirements,
    organisation: Organisation,
    role: SupportRole,
    afc_band: str,
    framework: Framework,
    actor: User | None,
    ctx: AuditContext | None,
    domain: Competence | None = None,
) -> None:
    audit(
        FrameworksAction.REQUIREMENT_CHANGED,
        actor=actor,
        ctx=ctx,
        obj=framework,
        organisation=organisation,
        change="domain added" if domain is not None else "framework added",
        role=role.name,
        afc_band=afc_band,
        domain=str(domain.identifier) if domain is not None else "",
        added=len(result.added),
        already_required=result.already_required,
        not_at_level=result.not_at_level,
    )


@transaction.atomic
def role_requirement_update(
    *,
    requirement: RoleRequirement,
    min_level: str,
    within_days: int | None,
    starts_on: dt.date | None = None,
    grace_days: int | None = None,
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> RoleRequirement:
    """Change the level, deadline and the grace period: people in post before the requirement began
    (`starts_on`, empty for the day it was added) are due `grace_days` after it began."""
    _check_requirement(
        organisation=requirement.organisation,
        competence=requirement.competence,
        min_level=min_level,
        within_days=within_days,
        afc_band=requirement.afc_band,
        grace_days=grace_days,
    )
    requirement.min_level = min_level
    requirement.within_days = within_days
    requirement.starts_on = starts_on
    requirement.grace_days = grace_days
    requirement.full_clean()
    requirement.save(update_fields=["min_level", "within_days", "starts_on", "grace_days", "updated_at"])
    _audit_requirement(requirement, "changed", changed_by, ctx)
    return requirement


@transaction.atomic
def role_requirement_delete(
    *,
    requirement: RoleRequirement,
    deleted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> None:
    _audit_requirement(requirement, "removed", deleted_by, ctx)
    requirement.delete()


def _audit_requirement(
    requirement: RoleRequirement, change: str, actor: User | None, ctx: AuditContext | None
) -> None:
    audit(
        FrameworksAction.REQUIREMENT_CHANGED,
        actor=actor,
        ctx=ctx,
        obj=requirement,
        organisation=requirement.organisation,
        change=change,
        role=requirement.role.name,
        afc_band=requirement.afc_band,
        competence=str(requirement.competence.identifier),
        code=requirement.competence.code,
        min_level=requirement.min_level,
        within_days=requirement.within_days,
        starts_on=requirement.starts_on.isoformat() if requirement.starts_on else None,
        grace_days=requirement.grace_days,
    )
