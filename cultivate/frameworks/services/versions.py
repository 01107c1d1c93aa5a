"""Writes to versions: a new draft (a copy of the published version), discarding a draft, publishing and
retiring."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction

from .. import dependents
from ..models import (
    Association,
    Competence,
    Framework,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from ..selectors.changes import PublishPreview, version_publish_preview
from ._shared import _owner_organisation, _require_draft
from .frameworks import framework_delete


@transaction.atomic
def version_draft_create(
    *,
    framework: Framework,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> FrameworkVersion:
    """A new draft holding a copy of the published version (or, with none published, the latest one): the
    same items with the same identifiers, the same hierarchy and the same associations (crosswalks too)."""
    versions = list(FrameworkVersion.objects.select_for_update().filter(framework=framework))
    if any(v.status == VersionStatus.DRAFT for v in versions):
        raise ValidationError("This framework already has a draft. Finish or discard it first.")
    base = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    if base is None and versions:
        base = max(versions, key=lambda v: v.number)
    draft = FrameworkVersion(
        framework=framework,
        number=max((v.number for v in versions), default=0) + 1,
        case_document=dict(base.case_document) if base else {},
        case_definitions=dict(base.case_definitions) if base else {},
        case_rubrics=list(base.case_rubrics) if base else [],
    )
    draft.full_clean()
    draft.save()
    if base is not None:
        _copy_items(base, draft)
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=created_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="draft created",
        version=draft.number,
        copied_from=base.number if base else None,
    )
    return draft


def _copy_items(base: FrameworkVersion, draft: FrameworkVersion) -> None:
    items = list(Competence.objects.filter(version=base).select_related("parent"))
    copies = []
    for item in items:
        copy = Competence(
            version=draft,
            framework_id=draft.framework_id,
            identifier=item.identifier,
            sequence=item.sequence,
            node_type=item.node_type,
            code=item.code,
            title=item.title,
            short_title=item.short_title,
            description=item.description,
            kind=item.kind,
            levels=list(item.levels or []),
            assessed_in_practice=item.assessed_in_practice,
            evidence_kinds=list(item.evidence_kinds or []),
            reassess_months=item.reassess_months,
            case_item_type=item.case_item_type,
            case_fields=dict(item.case_fields or {}),
        )
        # bulk_create skips save(), which is where the hash is normally set.
        copy.content_hash = copy.compute_content_hash()
        copies.append(copy)
    Competence.objects.bulk_create(copies)
    by_identifier = {c.identifier: c for c in Competence.objects.filter(version=draft)}
    with_parent = []
    for item in items:
        if item.parent is not None:
            copy = by_identifier[item.identifier]
            copy.parent = by_identifier[item.parent.identifier]
            with_parent.append(copy)
    Competence.objects.bulk_update(with_parent, ["parent"])

    old_to_new = {item.pk: by_identifier[item.identifier] for item in items}
    associations = []
    for link in Association.objects.filter(version=base):
        # Ends inside the base version move to the copies; ends in other frameworks (crosswalk targets) stay.
        origin_id = old_to_new[link.origin_id].pk if link.origin_id in old_to_new else link.origin_id
        destination_id = (
            old_to_new[link.destination_id].pk if link.destination_id in old_to_new else link.destination_id
        )
        associations.append(
            Association(
                version=draft,
                identifier=link.identifier,
                association_type=link.association_type,
                origin_id=origin_id,
                destination_id=destination_id,
                destination_is_document=link.destination_is_document,
                origin_ref=dict(link.origin_ref or {}),
                destination_ref=dict(link.destination_ref or {}),
                sequence_number=link.sequence_number,
                case_fields=dict(link.case_fields or {}),
            )
        )
    Association.objects.bulk_create(associations)


@transaction.atomic
def version_draft_delete(
    *,
    version: FrameworkVersion,
    deleted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> None:
    """Discard a draft (nothing outside the draft points at its rows: requirements and sign-offs are only
    ever given against published versions)."""
    _require_draft(version)
    framework = version.framework
    number = version.number
    try:
        version.delete()
    except ProtectedError as error:
        raise ValidationError(
            "Something still refers to an item of this draft, so it cannot be discarded."
        ) from (error)
    audit(
        FrameworksAction.FRAMEWORK_DISCARDED,
        actor=deleted_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        version=number,
    )


@transaction.atomic
def import_discard(
    *,
    version: FrameworkVersion,
    discarded_by: User | None = None,
    ctx: AuditContext | None = None,
) -> bool:
    """Discard an imported draft: the draft goes, and when it was the framework's only version (a new
    framework imported by mistake) the framework goes with it. True when the framework was deleted."""
    framework = version.framework
    version_draft_delete(version=version, deleted_by=discarded_by, ctx=ctx)
    if FrameworkVersion.objects.filter(framework=framework).exists():
        return False
    framework_delete(framework=framework, deleted_by=discarded_by, ctx=ctx)
    return True


@transaction.atomic
def version_publish(
    *,
    version: FrameworkVersion,
    published_by: User | None = None,
    ctx: AuditContext | None = None,
) -> PublishPreview:
    """Publish a draft: the published version it replaces is retired, role requirements and delegation
    protocol requirements move to the new rows with the same identifier, and what changed is recorded in
    `change_summary`. Sign-offs need no moving: status is computed by identifier and content hash."""
    version = FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    _require_draft(version)
    framework = version.framework
    if not Competence.objects.filter(version=version, node_type=NodeType.COMPETENCE).exists():
        raise ValidationError("Add at least one competence before publishing.")
    preview = version_publish_preview(version=version)
    now = timezone.now()
    if preview.previous is not None:
        preview.previous.status = VersionStatus.RETIRED
        preview.previous.retired_at = now
        preview.previous.save(update_fields=["status", "retired_at", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = published_by
    version.change_summary = preview.as_summary()
    version.full_clean()
    version.save()

    new_rows = {row.identifier: row for row in Competence.objects.filter(version=version)}
    taken: set[tuple[int, int, str, int]] = set(
        RoleRequirement.objects.filter(competence__version=version).values_list(
            "organisation_id", "role_id", "afc_band", "competence_id"
        )
    )
    to_move = []
    for requirement in (
        RoleRequirement.objects.filter(competence__framework=framework)
        .exclude(competence__version=version)
        .select_related("competence")
    ):
        row = new_rows.get(requirement.competence.identifier)
        if row is None:
            continue
        key = (requirement.organisation_id, requirement.role_id, requirement.afc_band, row.pk)
        if key in taken:
            # The same requirement reached the new row another way; this older copy adds nothing.
            requirement.delete()
            continue
        taken.add(key)
        requirement.competence = row
        to_move.append(requirement)
    RoleRequirement.objects.bulk_update(to_move, ["competence"])

    dependents.registered().protocol_requirements_follow(version, new_rows)

    audit(
        FrameworksAction.FRAMEWORK_PUBLISHED,
        actor=published_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        version=version.number,
        previous_version=preview.previous.number if preview.previous else None,
        **version.change_summary["counts"],
        sign_offs_carried_over=preview.carried_over,
        sign_offs_to_reassess=preview.reassess,
        requirements_moved=len(to_move),
        requirements_competence_removed=len(preview.requirements_orphaned),
    )
    return preview


@transaction.atomic
def version_retire(
    *,
    version: FrameworkVersion,
    retired_by: User | None = None,
    ctx: AuditContext | None = None,
) -> FrameworkVersion:
    """Withdraw the published version without a replacement: the framework then has none published, so its
    competences drop out of requirements and status until a new version is published."""
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError("Only the published version can be retired.")
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at", "updated_at"])
    audit(
        FrameworksAction.FRAMEWORK_RETIRED,
        actor=retired_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        version=version.number,
    )
    return version
