"""Reads for CASE import and export. Page-facing ones take the acting membership and return only what it may
see; the unscoped ones serve the command line and the services."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from cultivate.accounts.models import Membership
from cultivate.frameworks.access import framework_scope
from cultivate.frameworks.models import Association, Competence, Framework, FrameworkVersion, VersionStatus


def visible_frameworks(membership: Membership | None) -> QuerySet[Framework]:
    return Framework.objects.filter(framework_scope(membership)).select_related(
        "owner_organisation", "owner_alliance"
    )


def framework_for(membership: Membership | None, identifier: uuid.UUID) -> Framework | None:
    return visible_frameworks(membership).filter(identifier=identifier).first()


def framework_by_identifier(identifier: uuid.UUID) -> Framework | None:
    """Unscoped: CASE import and the command line act for no role; pages use `framework_for`."""
    return (
        Framework.objects.select_related("owner_organisation", "owner_alliance")
        .filter(identifier=identifier)
        .first()
    )


def latest_version(framework: Framework) -> FrameworkVersion | None:
    return framework.versions.order_by("-number").first()


def draft_of(framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=VersionStatus.DRAFT).first()


def versions_for_update(framework: Framework) -> list[FrameworkVersion]:
    """The framework's versions, locked until the transaction ends (so two imports cannot both add one)."""
    return list(FrameworkVersion.objects.select_for_update().filter(framework=framework))


def version_to_export(
    framework: Framework, number: int | None = None, *, include_drafts: bool = True
) -> FrameworkVersion | None:
    """Version `number`, or else the published one, or else the latest (drafts only when allowed)."""
    versions = framework.versions.select_related("framework", "framework__owner_organisation")
    if not include_drafts:
        versions = versions.exclude(status=VersionStatus.DRAFT)
    if number is not None:
        return versions.filter(number=number).first()
    return versions.filter(status=VersionStatus.PUBLISHED).first() or versions.order_by("-number").first()


def exportable_versions(framework: Framework, *, include_drafts: bool) -> QuerySet[FrameworkVersion]:
    versions = framework.versions.order_by("-number")
    return versions if include_drafts else versions.exclude(status=VersionStatus.DRAFT)


def version_items(version: FrameworkVersion) -> list[Competence]:
    return list(Competence.objects.filter(version=version).order_by("parent_id", "sequence", "pk"))


def version_associations(version: FrameworkVersion) -> list[Association]:
    return list(
        Association.objects.filter(version=version).select_related("origin", "destination").order_by("pk")
    )


def version_counts(version: FrameworkVersion) -> tuple[int, int]:
    return version.items.count(), version.associations.count()


def published_items_by_identifier(
    identifiers: set[uuid.UUID], frameworks: Q, *, excluding: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """The published rows, in the frameworks `frameworks` selects, of the items with these identifiers: the
    ends of an imported package's crosswalks that are already in Cultivate. Reference frameworks first when two
    frameworks hold the same identifier."""
    if not identifiers:
        return {}
    rows = (
        Competence.objects.filter(identifier__in=identifiers, version__status=VersionStatus.PUBLISHED)
        .filter(frameworks)
        .order_by("-framework__is_reference", "framework_id")
        .values_list("identifier", "pk")
    )
    if excluding is not None:
        rows = rows.exclude(framework__identifier=excluding)
    found: dict[uuid.UUID, int] = {}
    for identifier, pk in rows:
        found.setdefault(identifier, pk)
    return found
