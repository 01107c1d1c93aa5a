"""Crosswalks: a draft's items mapped to items of another framework's published version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction

from ..models import (
    CROSSWALK_TYPES,
    Association,
    AssociationType,
    Competence,
    VersionStatus,
)
from ._shared import _owner_organisation, _require_draft


@transaction.atomic
def crosswalk_add(
    *,
    origin: Competence,
    destination: Competence,
    association_type: str = AssociationType.EXACT_MATCH_OF,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Association:
    """Map an item of a draft to an item of another framework's published version (a reference standard, the
    alliance's framework, or the shared framework an extension adds to)."""
    version = origin.version
    _require_draft(version)
    if association_type not in CROSSWALK_TYPES:
        raise ValidationError({"association_type": "Choose exact match, related or part of."})
    if destination.framework_id == origin.framework_id:
        raise ValidationError({"destination": "A crosswalk maps to another framework."})
    if destination.version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"destination": "Map to the published version of the other framework."})
    existing = Association.objects.filter(
        version=version,
        origin=origin,
        association_type=association_type,
        destination__framework_id=destination.framework_id,
        destination__identifier=destination.identifier,
    )
    if existing.exists():
        raise ValidationError({"destination": "This mapping already exists."})
    link = Association(
        version=version, association_type=association_type, origin=origin, destination=destination
    )
    link.full_clean()
    link.save()
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=created_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        change="crosswalk added",
        version=version.number,
        origin=str(origin.identifier),
        association_type=association_type,
        destination=str(destination.identifier),
        destination_framework=str(destination.framework.identifier),
    )
    return link


@transaction.atomic
def crosswalk_remove(
    *,
    association: Association,
    removed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> None:
    version = association.version
    _require_draft(version)
    if association.association_type not in CROSSWALK_TYPES:
        raise ValidationError("Only crosswalks are removed here; move items to change the hierarchy.")
    detail = {
        "origin": str(association.origin.identifier) if association.origin else "",
        "association_type": association.association_type,
        "destination": str(association.destination.identifier) if association.destination else "",
    }
    association.delete()
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=removed_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        change="crosswalk removed",
        version=version.number,
        **detail,
    )
