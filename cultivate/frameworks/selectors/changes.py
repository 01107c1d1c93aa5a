"""What publishing a draft would change: the diff against the published version, item by item, and its
consequences for sign-offs and requirements (the publish page's preview and the change summary kept)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import dependents
from ..dependents import ProtocolRequirementRef
from ..models import (
    CROSSWALK_TYPES,
    Association,
    Competence,
    FrameworkVersion,
    RoleRequirement,
    VersionStatus,
)

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
    protocol_requirements_orphaned: list[ProtocolRequirementRef] = field(default_factory=list)

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
                        "protocol": p.activity,
                        "organisation": p.organisation_code,
                        "competence": str(p.competence_identifier),
                        "code": p.competence_code,
                    }
                    for p in self.protocol_requirements_orphaned
                ],
            },
        }


def version_publish_preview(*, version: FrameworkVersion) -> PublishPreview:
    """The diff against the published version and its consequences for sign-offs and requirements (those
    the portfolio keeps come through `dependents`)."""
    others = dependents.registered()
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
    for row in others.standing_sign_offs(framework):
        identifier, digest, people = row.identifier, row.content_hash, row.people
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
    for protocol_requirement in others.protocol_requirements_elsewhere(framework, version):
        if protocol_requirement.competence_identifier in new_hashes:
            preview.protocol_requirements_moving += 1
        else:
            preview.protocol_requirements_orphaned.append(protocol_requirement)
    return preview
