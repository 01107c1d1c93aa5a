"""An organisation adopting a shared framework, and stopping."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.organisations.models import Organisation

from ..models import (
    Adoption,
    Framework,
    FrameworkVersion,
    RoleRequirement,
    VersionStatus,
)


@transaction.atomic
def adoption_create(
    *,
    framework: Framework,
    organisation: Organisation,
    adopted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Adoption:
    """The organisation uses a shared framework (a reference one, or its alliance's) for its roles."""
    shared = framework.owner_alliance_id is None and framework.owner_organisation_id is None
    alliance_owned = framework.owner_alliance_id is not None and framework.owner_alliance_id == (
        organisation.alliance_id
    )
    if framework.extends_id is not None or not (shared or alliance_owned):
        raise ValidationError("Only a reference framework or the organisation's alliance's can be adopted.")
    if not FrameworkVersion.objects.filter(framework=framework, status=VersionStatus.PUBLISHED).exists():
        raise ValidationError("The framework has no published version yet.")
    if Adoption.objects.filter(framework=framework, organisation=organisation).exists():
        raise ValidationError(f"{organisation.name} already uses this framework.")
    adoption = Adoption(framework=framework, organisation=organisation, adopted_by=adopted_by)
    adoption.full_clean()
    adoption.save()
    audit(
        FrameworksAction.FRAMEWORK_ADOPTED,
        actor=adopted_by,
        ctx=ctx,
        obj=framework,
        organisation=organisation,
    )
    return adoption


@transaction.atomic
def adoption_remove(
    *,
    adoption: Adoption,
    removed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> None:
    in_use = RoleRequirement.objects.filter(
        organisation_id=adoption.organisation_id, competence__framework_id=adoption.framework_id
    ).count()
    if in_use:
        raise ValidationError(
            f"{in_use} role requirements use this framework. Remove them before you stop using it."
        )
    framework, organisation = adoption.framework, adoption.organisation
    adoption.delete()
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=removed_by,
        ctx=ctx,
        obj=framework,
        organisation=organisation,
        change="adoption removed",
    )
