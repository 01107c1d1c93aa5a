"""Writes for frameworks: authoring drafts, versions (draft, publish, retire), adoption, local competences,
crosswalks and role requirements. Each is validated (`full_clean()`), atomic where it touches several rows,
and audited.

Only a draft changes. A published or retired version is a record of what people were assessed against, so
every item, crosswalk and hierarchy edit checks `version.is_editable` here, whatever the caller checked.

Publishing a version is where sign-offs meet change: the preview (`version_publish_preview`) and the record
(`change_summary`) come from the same computation, so what the educator confirmed is what is kept."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, ProtectedError
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.organisations.models import AfcBand, Alliance, Organisation, SupportRole

from .models import (
    CROSSWALK_TYPES,
    Adoption,
    Association,
    AssociationType,
    Competence,
    EvidenceKind,
    Framework,
    FrameworkSource,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)

LEVEL_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_WITHIN_DAYS = 3650


# --- helpers -------------------------------------------------------------------------------------------


def _require_draft(version: FrameworkVersion) -> None:
    if not version.is_editable:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: it cannot change. "
            "Start a new draft to make changes."
        )


def _owner_organisation(framework: Framework) -> Organisation | None:
    return framework.owner_organisation


def _level_codes(framework: Framework) -> list[str]:
    return [level["code"] for level in framework.level_list]


def _children(version: FrameworkVersion, parent: Competence | None) -> list[Competence]:
    return list(
        Competence.objects.filter(version=version, parent=parent).order_by("sequence", "pk"),
    )


def _descendant_ids(item: Competence) -> set[int]:
    """Every item below `item` in its version (one query for the version, walked in memory)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Competence.objects.filter(version_id=item.version_id).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = list(children[item.pk])
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children[pk])
    return found


def _sync_child_association(item: Competence, old_parent_id: int | None) -> None:
    """Keep the item's isChildOf association (CASE hierarchy) in step with `parent` and `sequence`."""
    links = Association.objects.filter(
        version_id=item.version_id, association_type=AssociationType.IS_CHILD_OF, origin=item
    )
    link = (
        links.filter(destination_is_document=True).first()
        if old_parent_id is None
        else links.filter(destination_id=old_parent_id).first()
    ) or links.first()
    if link is None:
        link = Association(
            version_id=item.version_id, association_type=AssociationType.IS_CHILD_OF, origin=item
        )
    link.destination = item.parent
    link.destination_is_document = item.parent_id is None
    link.sequence_number = item.sequence
    link.full_clean()
    link.save()


def _resequence(version: FrameworkVersion, items: Sequence[Competence]) -> None:
    """Number siblings 1, 2, 3… in the given order, and their isChildOf sequence numbers with them."""
    changed = []
    for position, sibling in enumerate(items, start=1):
        if sibling.sequence != position:
            sibling.sequence = position
            changed.append(sibling)
    if changed:
        # Sequence is not part of the content hash, so bulk_update (which skips save()) is safe here.
        Competence.objects.bulk_update(changed, ["sequence"])
        by_origin = {sibling.pk: sibling.sequence for sibling in changed}
        links = list(
            Association.objects.filter(
                version=version, association_type=AssociationType.IS_CHILD_OF, origin_id__in=by_origin
            )
        )
        for link in links:
            assert link.origin_id is not None
            link.sequence_number = by_origin[link.origin_id]
        Association.objects.bulk_update(links, ["sequence_number"])


def _clean_item_fields(
    framework: Framework,
    *,
    levels: Iterable[str],
    evidence_kinds: Iterable[str],
) -> tuple[list[str], list[str]]:
    known_levels = _level_codes(framework)
    chosen_levels = [code for code in known_levels if code in set(levels)]
    unknown = sorted(set(levels) - set(known_levels))
    errors: dict[str, str] = {}
    if unknown:
        errors["levels"] = f"The framework has no level {', '.join(unknown)}."
    kinds = [kind for kind in EvidenceKind.values if kind in set(evidence_kinds)]
    if set(evidence_kinds) - set(EvidenceKind.values):
        errors["evidence_kinds"] = "Choose evidence kinds from the list."
    if errors:
        raise ValidationError(errors)
    return chosen_levels, kinds


def _check_parent(version: FrameworkVersion, item: Competence | None, parent: Competence | None) -> None:
    if parent is None:
        return
    if parent.version_id != version.pk:
        raise ValidationError({"parent": "The domain must be in the same version."})
    if parent.node_type != NodeType.DOMAIN:
        raise ValidationError({"parent": "Items can only be placed in a domain."})
    if item is not None and (parent.pk == item.pk or parent.pk in _descendant_ids(item)):
        raise ValidationError({"parent": "A domain cannot be placed inside itself."})


def _check_code(version: FrameworkVersion, code: str, item: Competence | None) -> None:
    if not code:
        return
    clash = Competence.objects.filter(version=version, code__iexact=code)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise ValidationError({"code": f"Another item in this version already has the code {code}."})


# --- frameworks ----------------------------------------------------------------------------------------


def _clean_levels(levels: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    for level in levels:
        code = (level.get("code") or "").strip().lower()
        label = (level.get("label") or "").strip()
        if not code and not label:
            continue
        if not LEVEL_CODE.match(code):
            raise ValidationError(
                {"levels": f"Level code ‘{code}’: use lower-case letters, digits, hyphens or underscores."}
            )
        if not label:
            raise ValidationError({"levels": f"Level {code} needs a label."})
        cleaned.append({"code": code, "label": label})
    if not cleaned:
        raise ValidationError({"levels": "A framework needs at least one level."})
    if len({level["code"] for level in cleaned}) != len(cleaned):
        raise ValidationError({"levels": "Each level needs its own code."})
    return cleaned


@transaction.atomic
def framework_create(
    *,
    title: str,
    description: str = "",
    owner: Organisation | Alliance,
    levels: Sequence[dict[str, str]] | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """A new framework owned by an organisation or an alliance, with an empty draft (version 1)."""
    framework = Framework(
        title=title.strip(),
        description=description.strip(),
        owner_organisation=owner if isinstance(owner, Organisation) else None,
        owner_alliance=owner if isinstance(owner, Alliance) else None,
        source=FrameworkSource.AUTHORED,
        levels=_clean_levels(levels) if levels else [],
        created_by=created_by,
    )
    framework.full_clean()
    framework.save()
    version = FrameworkVersion(framework=framework, number=1)
    version.full_clean()
    version.save()
    audit(
        FrameworksAction.FRAMEWORK_CREATED,
        actor=created_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        title=framework.title,
    )
    return framework


def framework_update(
    *,
    framework: Framework,
    title: str,
    description: str,
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    framework.title = title.strip()
    framework.description = description.strip()
    framework.full_clean()
    framework.save(update_fields=["title", "description", "updated_at"])
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=changed_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="details",
    )
    return framework


def _levels_in_use(framework: Framework) -> dict[str, str]:
    """Level code → what uses it (items, requirements, sign-offs), for refusing to remove it."""
    from cultivate.portfolio.models import Assessment, ProtocolRequirement

    used: dict[str, str] = {}
    for levels in Competence.objects.filter(framework=framework).values_list("levels", flat=True):
        for code in levels or []:
            used.setdefault(code, "a competence")
    for code in RoleRequirement.objects.filter(competence__framework=framework).values_list(
        "min_level", flat=True
    ):
        used.setdefault(code, "a role requirement")
    for code in ProtocolRequirement.objects.filter(competence__framework=framework).values_list(
        "min_level", flat=True
    ):
        used.setdefault(code, "a delegation protocol")
    for code in Assessment.objects.filter(framework=framework).values_list("level", flat=True).distinct():
        if code:
            used.setdefault(code, "a sign-off")
    return used


@transaction.atomic
def framework_levels_set(
    *,
    framework: Framework,
    levels: Sequence[dict[str, str]],
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """Replace the framework's ordered levels (lowest first).

    Levels belong to the framework, not to a version, so they are guarded: a code in use cannot be removed,
    and once sign-offs exist (which store the level's position, `level_rank`) existing levels keep their
    positions; new levels go after them. Labels can always be reworded."""
    from cultivate.portfolio.models import Assessment

    cleaned = _clean_levels(levels)
    old_codes = _level_codes(framework)
    new_codes = [level["code"] for level in cleaned]
    used = _levels_in_use(framework)
    removed = [code for code in old_codes if code not in new_codes]
    for code in removed:
        if code in used:
            raise ValidationError(
                {"levels": f"Level {code} is used by {used[code]}, so it cannot be removed."}
            )
    if Assessment.objects.filter(framework=framework).exists():
        kept = [code for code in old_codes if code in new_codes]
        if new_codes[: len(kept)] != kept or kept != old_codes[: len(kept)]:
            raise ValidationError(
                {
                    "levels": "Sign-offs have been recorded against this framework: keep the existing levels "
                    "in the same order and add new levels after them."
                }
            )
    framework.levels = cleaned
    framework.full_clean()
    framework.save(update_fields=["levels", "updated_at"])
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=changed_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="levels",
        levels=new_codes,
    )
    return framework


@transaction.atomic
def extension_create(
    *,
    framework: Framework,
    organisation: Organisation,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Framework:
    """An organisation's local competences for a shared framework: a framework of its own that `extends` the
    shared one (so the shared one is never forked), with the same levels and an empty draft."""
    if framework.extends_id is not None:
        raise ValidationError("Local competences extend a shared framework, not another extension.")
    if not (
        (framework.owner_alliance_id is None and framework.owner_organisation_id is None)
        or (
            framework.owner_alliance_id is not None
            and framework.owner_alliance_id == organisation.alliance_id
        )
    ):
        raise ValidationError("Only a reference framework or the organisation's alliance's can be extended.")
    if Framework.objects.filter(extends=framework, owner_organisation=organisation).exists():
        raise ValidationError(f"{organisation.name} already has local competences for this framework.")
    title = f"{framework.title}: local competences ({organisation.name})"
    extension = Framework(
        title=title[:300],
        description=f"Competences {organisation.name} adds to {framework.title}.",
        owner_organisation=organisation,
        extends=framework,
        source=FrameworkSource.AUTHORED,
        levels=list(framework.levels),
        created_by=created_by,
    )
    extension.full_clean()
    extension.save()
    version = FrameworkVersion(framework=extension, number=1)
    version.full_clean()
    version.save()
    audit(
        FrameworksAction.FRAMEWORK_CREATED,
        actor=created_by,
        ctx=ctx,
        obj=extension,
        organisation=organisation,
        extends=str(framework.identifier),
    )
    return extension


# --- versions ------------------------------------------------------------------------------------------


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
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=deleted_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change="draft discarded",
        version=number,
    )


# --- items of a draft -----------------------------------------------------------------------------------


@transaction.atomic
def competence_create(
    *,
    version: FrameworkVersion,
    title: str,
    parent: Competence | None = None,
    node_type: str = NodeType.COMPETENCE,
    code: str = "",
    short_title: str = "",
    description: str = "",
    kind: str = "",
    levels: Iterable[str] = (),
    assessed_in_practice: bool = False,
    evidence_kinds: Iterable[str] = (),
    reassess_months: int | None = None,
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Competence:
    """Add a domain or a competence to a draft, after its siblings."""
    _require_draft(version)
    framework = version.framework
    _check_parent(version, None, parent)
    code = code.strip()
    _check_code(version, code, None)
    chosen_levels, kinds = _clean_item_fields(
        framework, levels=list(levels), evidence_kinds=list(evidence_kinds)
    )
    last = Competence.objects.filter(version=version, parent=parent).aggregate(n=Max("sequence"))["n"]
    item = Competence(
        version=version,
        framework=framework,
        parent=parent,
        sequence=(last or 0) + 1,
        node_type=node_type,
        code=code,
        title=title.strip(),
        short_title=short_title.strip(),
        description=description.strip(),
        kind=kind,
        levels=chosen_levels,
        assessed_in_practice=assessed_in_practice,
        evidence_kinds=kinds,
        reassess_months=reassess_months,
    )
    item.content_hash = item.compute_content_hash()
    item.full_clean()
    item.save()
    _sync_child_association(item, old_parent_id=parent.pk if parent else None)
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=created_by,
        ctx=ctx,
        obj=framework,
        organisation=_owner_organisation(framework),
        change=f"{node_type} added",
        version=version.number,
        identifier=str(item.identifier),
        code=item.code,
    )
    return item


def domain_create(
    *,
    version: FrameworkVersion,
    title: str,
    parent: Competence | None = None,
    code: str = "",
    short_title: str = "",
    description: str = "",
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Competence:
    """A domain groups competences (and other domains); it is never assessed itself."""
    return competence_create(
        version=version,
        title=title,
        parent=parent,
        node_type=NodeType.DOMAIN,
        code=code,
        short_title=short_title,
        description=description,
        created_by=created_by,
        ctx=ctx,
    )


@transaction.atomic
def competence_update(
    *,
    competence: Competence,
    title: str,
    code: str = "",
    short_title: str = "",
    description: str = "",
    kind: str = "",
    levels: Iterable[str] = (),
    assessed_in_practice: bool = False,
    evidence_kinds: Iterable[str] = (),
    reassess_months: int | None = None,
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Competence:
    version = competence.version
    _require_draft(version)
    code = code.strip()
    _check_code(version, code, competence)
    chosen_levels, kinds = _clean_item_fields(
        version.framework, levels=list(levels), evidence_kinds=list(evidence_kinds)
    )
    before = competence.content_hash
    competence.code = code
    competence.title = title.strip()
    competence.short_title = short_title.strip()
    competence.description = description.strip()
    competence.levels = chosen_levels
    competence.evidence_kinds = kinds
    competence.reassess_months = reassess_months
    if competence.node_type == NodeType.COMPETENCE:
        competence.kind = kind
        competence.assessed_in_practice = assessed_in_practice
    competence.content_hash = competence.compute_content_hash()
    competence.full_clean()
    competence.save()
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=changed_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        change=f"{competence.node_type} changed",
        version=version.number,
        identifier=str(competence.identifier),
        content_changed=before != competence.content_hash,
    )
    return competence


@transaction.atomic
def competence_move(
    *,
    competence: Competence,
    parent: Competence | None,
    position: int | None = None,
    moved_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Competence:
    """Put an item in `parent` (None: the top level) at `position` (1 = first; None = last). Moving never
    changes the content hash, so sign-offs carry over."""
    version = competence.version
    _require_draft(version)
    _check_parent(version, competence, parent)
    old_parent_id = competence.parent_id
    old_siblings = [s for s in _children(version, competence.parent) if s.pk != competence.pk]
    new_siblings = (
        old_siblings
        if (parent.pk if parent else None) == old_parent_id
        else [s for s in _children(version, parent) if s.pk != competence.pk]
    )
    index = len(new_siblings) if position is None else max(0, min(position - 1, len(new_siblings)))
    competence.parent = parent
    competence.save(update_fields=["parent"])
    ordered = [*new_siblings[:index], competence, *new_siblings[index:]]
    _resequence(version, ordered)
    if (parent.pk if parent else None) != old_parent_id:
        _resequence(version, old_siblings)
    competence.refresh_from_db()
    _sync_child_association(competence, old_parent_id=old_parent_id)
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=moved_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        change=f"{competence.node_type} moved",
        version=version.number,
        identifier=str(competence.identifier),
    )
    return competence


def competence_shift(
    *,
    competence: Competence,
    offset: int,
    moved_by: User | None = None,
    ctx: AuditContext | None = None,
) -> Competence:
    """Move an item up (offset -1) or down (+1) among its siblings."""
    siblings = _children(competence.version, competence.parent)
    index = next(i for i, s in enumerate(siblings) if s.pk == competence.pk)
    return competence_move(
        competence=competence,
        parent=competence.parent,
        position=max(1, index + 1 + offset),
        moved_by=moved_by,
        ctx=ctx,
    )


@transaction.atomic
def competence_delete(
    *,
    competence: Competence,
    deleted_by: User | None = None,
    ctx: AuditContext | None = None,
) -> int:
    """Delete an item from a draft, with everything below it. Returns how many items went."""
    version = competence.version
    _require_draft(version)
    below = _descendant_ids(competence)
    parent = competence.parent
    identifier, node_type = competence.identifier, competence.node_type
    try:
        competence.delete()
    except ProtectedError as error:
        raise ValidationError(
            "Something outside this draft refers to this item (a sign-off request or a delegation protocol), "
            "so it cannot be deleted."
        ) from error
    _resequence(version, _children(version, parent))
    audit(
        FrameworksAction.FRAMEWORK_CHANGED,
        actor=deleted_by,
        ctx=ctx,
        obj=version.framework,
        organisation=_owner_organisation(version.framework),
        change=f"{node_type} deleted",
        version=version.number,
        identifier=str(identifier),
        items_below=len(below),
    )
    return 1 + len(below)


# --- crosswalks -----------------------------------------------------------------------------------------


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


# --- diff and publish ----------------------------------------------------------------------------------

CONTENT_FIELDS = {
    "title": "statement",
    "description": "description",
    "kind": "kind",
    "levels": "levels",
    "assessed_in_practice": "assessed in practice",
}
DETAIL_FIELDS = {
    "code": "code",
    "short_title": "short title",
    "evidence_kinds": "evidence kinds",
    "reassess_months": "reassessment interval",
    "node_type": "type",
}


@dataclass(frozen=True)
class ItemChange:
    identifier: uuid.UUID
    code: str
    label: str
    node_type: str
    changes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifier": str(self.identifier),
            "code": self.code,
            "label": self.label,
            "node_type": self.node_type,
            "changes": list(self.changes),
        }


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions, item by item (matched by identifier).

    `changed`: the content (statement, description, kind, levels, in practice) differs, so the content hash
    does and sign-offs need reassessment. `moved`: same content, but moved in the hierarchy or reordered,
    renamed (code or short title) or other details changed; sign-offs carry over."""

    added: list[ItemChange]
    removed: list[ItemChange]
    changed: list[ItemChange]
    moved: list[ItemChange]
    crosswalks_added: int = 0
    crosswalks_removed: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.moved
            or self.crosswalks_added
            or self.crosswalks_removed
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": [c.as_dict() for c in self.added],
            "removed": [c.as_dict() for c in self.removed],
            "changed": [c.as_dict() for c in self.changed],
            "moved": [c.as_dict() for c in self.moved],
            "crosswalks_added": self.crosswalks_added,
            "crosswalks_removed": self.crosswalks_removed,
        }


def _sibling_order(items: Iterable[Competence], survivors: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each surviving item's position among its surviving siblings: inserting or deleting a neighbour does not
    count as moving the others."""
    by_parent: dict[int | None, list[Competence]] = defaultdict(list)
    for item in items:
        if item.identifier in survivors:
            by_parent[item.parent_id].append(item)
    order: dict[uuid.UUID, int] = {}
    for siblings in by_parent.values():
        for position, item in enumerate(sorted(siblings, key=lambda s: (s.sequence, s.pk))):
            order[item.identifier] = position
    return order


def _crosswalk_keys(version: FrameworkVersion) -> set[tuple[Any, ...]]:
    rows = Association.objects.filter(version=version, association_type__in=CROSSWALK_TYPES).values_list(
        "origin__identifier", "association_type", "destination__framework_id", "destination__identifier"
    )
    return set(rows)


def _change(item: Competence, changes: Iterable[str] = ()) -> ItemChange:
    return ItemChange(
        identifier=item.identifier,
        code=item.code,
        label=item.label,
        node_type=item.node_type,
        changes=tuple(changes),
    )


def version_diff(old: FrameworkVersion | None, new: FrameworkVersion) -> VersionDiff:
    """Compare two versions of a framework item by item (a read; three queries per version)."""
    new_items = list(Competence.objects.filter(version=new).select_related("parent"))
    old_items = list(Competence.objects.filter(version=old).select_related("parent")) if old else []
    old_by_id = {item.identifier: item for item in old_items}
    new_by_id = {item.identifier: item for item in new_items}
    survivors = set(old_by_id) & set(new_by_id)
    old_order = _sibling_order(old_items, survivors)
    new_order = _sibling_order(new_items, survivors)

    def tree_key(item: Competence) -> tuple[int, int]:
        return (item.parent.sequence if item.parent else 0, item.sequence)

    added = [_change(item) for item in sorted(new_items, key=tree_key) if item.identifier not in old_by_id]
    removed = [_change(item) for item in sorted(old_items, key=tree_key) if item.identifier not in new_by_id]
    changed: list[ItemChange] = []
    moved: list[ItemChange] = []
    for item in sorted(new_items, key=tree_key):
        before = old_by_id.get(item.identifier)
        if before is None:
            continue
        content = [label for name, label in CONTENT_FIELDS.items() if _differs(before, item, name)]
        details = [label for name, label in DETAIL_FIELDS.items() if _differs(before, item, name)]
        place = []
        before_parent = before.parent.identifier if before.parent else None
        after_parent = item.parent.identifier if item.parent else None
        if before_parent != after_parent:
            place.append("moved to another domain")
        elif old_order.get(item.identifier) != new_order.get(item.identifier):
            place.append("reordered")
        if before.content_hash != item.content_hash:
            changed.append(_change(item, [*content, *details, *place]))
        elif details or place:
            moved.append(_change(item, [*details, *place]))
    old_links = _crosswalk_keys(old) if old else set()
    new_links = _crosswalk_keys(new)
    return VersionDiff(
        added=added,
        removed=removed,
        changed=changed,
        moved=moved,
        crosswalks_added=len(new_links - old_links),
        crosswalks_removed=len(old_links - new_links),
    )


def _differs(before: Competence, after: Competence, name: str) -> bool:
    a, b = getattr(before, name), getattr(after, name)
    if name in {"levels", "evidence_kinds"}:
        return sorted(a or []) != sorted(b or [])
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() != b.strip()
    return bool(a != b)


@dataclass
class PublishPreview:
    """What publishing `version` will do, shown before the educator confirms and recorded as it happens."""

    version: FrameworkVersion
    previous: FrameworkVersion | None
    diff: VersionDiff
    # People whose standing sign-off (against the version being replaced) carries over, needs reassessment
    # because the competence's content changed, or no longer counts because the competence was removed.
    carried_over: int = 0
    reassess: int = 0
    no_longer_counted: int = 0
    reassess_by_item: dict[uuid.UUID, int] = field(default_factory=dict)
    requirements_moving: int = 0
    requirements_orphaned: list[RoleRequirement] = field(default_factory=list)
    protocol_requirements_moving: int = 0
    protocol_requirements_orphaned: list[Any] = field(default_factory=list)

    def as_summary(self) -> dict[str, Any]:
        return {
            "previous_version": self.previous.number if self.previous else None,
            **self.diff.as_dict(),
            "counts": {
                "added": len(self.diff.added),
                "removed": len(self.diff.removed),
                "changed": len(self.diff.changed),
                "moved": len(self.diff.moved),
            },
            "sign_offs": {
                "carried_over": self.carried_over,
                "reassess": self.reassess,
                "no_longer_counted": self.no_longer_counted,
                "reassess_by_item": {str(k): v for k, v in self.reassess_by_item.items()},
            },
            "requirements": {
                "moved": self.requirements_moving,
                "competence_removed": [
                    {
                        "id": r.pk,
                        "organisation": r.organisation.ods_code,
                        "role": r.role.name,
                        "afc_band": r.afc_band,
                        "competence": str(r.competence.identifier),
                        "code": r.competence.code,
                        "label": r.competence.label,
                    }
                    for r in self.requirements_orphaned
                ],
            },
            "protocol_requirements": {
                "moved": self.protocol_requirements_moving,
                "competence_removed": [
                    {
                        "id": p.pk,
                        "protocol": p.protocol.activity,
                        "organisation": p.protocol.organisation.ods_code,
                        "competence": str(p.competence.identifier),
                        "code": p.competence.code,
                    }
                    for p in self.protocol_requirements_orphaned
                ],
            },
        }


def _sign_off_counts(
    framework: Framework, previous: FrameworkVersion | None, version: FrameworkVersion
) -> Any:
    """People with a standing sign-off per (identifier, content hash): sign-offs and corrections not
    superseded by a later record. Counted from `portfolio.Assessment` by framework, identifier and hash."""
    from cultivate.portfolio.models import Assessment, AssessmentKind

    return (
        Assessment.objects.filter(
            framework=framework,
            kind__in=[AssessmentKind.SIGN_OFF, AssessmentKind.CORRECTION],
            superseded_by__isnull=True,
        )
        .values("competence_identifier", "content_hash")
        .annotate(people=Count("person", distinct=True))
    )


def version_publish_preview(*, version: FrameworkVersion) -> PublishPreview:
    """The diff against the published version and its consequences for sign-offs and requirements."""
    from cultivate.portfolio.models import ProtocolRequirement

    framework = version.framework
    previous = (
        FrameworkVersion.objects.filter(framework=framework, status=VersionStatus.PUBLISHED)
        .exclude(pk=version.pk)
        .first()
    )
    preview = PublishPreview(version=version, previous=previous, diff=version_diff(previous, version))
    new_hashes = dict(Competence.objects.filter(version=version).values_list("identifier", "content_hash"))
    old_hashes = (
        dict(Competence.objects.filter(version=previous).values_list("identifier", "content_hash"))
        if previous
        else {}
    )
    for row in _sign_off_counts(framework, previous, version):
        identifier, digest, people = row["competence_identifier"], row["content_hash"], row["people"]
        if identifier in new_hashes and digest == new_hashes[identifier]:
            preview.carried_over += people
        elif old_hashes.get(identifier) == digest:
            # Valid until now; after publishing, the content no longer matches (or the item is gone).
            if identifier in new_hashes:
                preview.reassess += people
                preview.reassess_by_item[identifier] = preview.reassess_by_item.get(identifier, 0) + people
            else:
                preview.no_longer_counted += people
        # Anything else already needed reassessment before this version.

    requirements = list(
        RoleRequirement.objects.filter(competence__framework=framework)
        .exclude(competence__version=version)
        .select_related("organisation", "role", "competence")
    )
    for requirement in requirements:
        if requirement.competence.identifier in new_hashes:
            preview.requirements_moving += 1
        else:
            preview.requirements_orphaned.append(requirement)
    protocol_requirements = list(
        ProtocolRequirement.objects.filter(competence__framework=framework)
        .exclude(competence__version=version)
        .select_related("protocol", "protocol__organisation", "competence")
    )
    for protocol_requirement in protocol_requirements:
        if protocol_requirement.competence.identifier in new_hashes:
            preview.protocol_requirements_moving += 1
        else:
            preview.protocol_requirements_orphaned.append(protocol_requirement)
    return preview


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
    from cultivate.portfolio.models import ProtocolRequirement

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

    protocol_taken: set[tuple[int, int]] = set(
        ProtocolRequirement.objects.filter(competence__version=version).values_list(
            "protocol_id", "competence_id"
        )
    )
    protocol_moves = []
    for protocol_requirement in (
        ProtocolRequirement.objects.filter(competence__framework=framework)
        .exclude(competence__version=version)
        .select_related("competence")
    ):
        row = new_rows.get(protocol_requirement.competence.identifier)
        if row is None:
            continue
        protocol_key = (protocol_requirement.protocol_id, row.pk)
        if protocol_key in protocol_taken:
            protocol_requirement.delete()
            continue
        protocol_taken.add(protocol_key)
        protocol_requirement.competence = row
        protocol_moves.append(protocol_requirement)
    ProtocolRequirement.objects.bulk_update(protocol_moves, ["competence"])

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


# --- adoption -------------------------------------------------------------------------------------------


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


# --- role requirements ----------------------------------------------------------------------------------


def _check_requirement(
    *,
    organisation: Organisation,
    competence: Competence,
    min_level: str,
    within_days: int | None,
    afc_band: str,
) -> None:
    errors: dict[str, str] = {}
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
    created_by: User | None = None,
    ctx: AuditContext | None = None,
) -> RoleRequirement:
    _check_requirement(
        organisation=organisation,
        competence=competence,
        min_level=min_level,
        within_days=within_days,
        afc_band=afc_band,
    )
    requirement = RoleRequirement(
        organisation=organisation,
        role=role,
        afc_band=afc_band,
        competence=competence,
        min_level=min_level,
        within_days=within_days,
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
        )
        requirement = RoleRequirement(
            organisation=organisation,
            role=role,
            afc_band=afc_band,
            competence=competence,
            min_level=min_level,
            within_days=within_days,
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
    changed_by: User | None = None,
    ctx: AuditContext | None = None,
) -> RoleRequirement:
    _check_requirement(
        organisation=requirement.organisation,
        competence=requirement.competence,
        min_level=min_level,
        within_days=within_days,
        afc_band=requirement.afc_band,
    )
    requirement.min_level = min_level
    requirement.within_days = within_days
    requirement.full_clean()
    requirement.save(update_fields=["min_level", "within_days", "updated_at"])
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
    )
