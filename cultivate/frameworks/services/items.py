"""Writes to the items of a draft: domains and competences added, changed, moved and deleted, with their
isChildOf associations (the CASE hierarchy) kept in step."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction

from ..models import (
    Association,
    AssociationType,
    Competence,
    EvidenceKind,
    Framework,
    FrameworkVersion,
    NodeType,
)
from ._shared import _descendant_ids, _level_codes, _owner_organisation, _require_draft


def _children(version: FrameworkVersion, parent: Competence | None) -> list[Competence]:
    return list(
        Competence.objects.filter(version=version, parent=parent).order_by("sequence", "pk"),
    )


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
