"""Reads for frameworks. Each selector that lists takes the acting Membership and returns only what
`access.framework_scope` allows; the `*_by_*` lookups return an object whether or not it is visible, for the
caller to check with `access` (so that a refusal is audited). What publishing a draft would change (the diff
and the preview) is in `changes`, importable from here."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from cultivate.accounts.models import Membership
from cultivate.organisations.models import Organisation

from .. import access
from ..models import (
    CROSSWALK_TYPES,
    Adoption,
    Association,
    AssociationType,
    Competence,
    Framework,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)

# What publishing a draft would change (the publish page and `services.version_publish` read it).
from .changes import ItemChange as ItemChange
from .changes import PublishPreview as PublishPreview
from .changes import VersionDiff as VersionDiff
from .changes import version_diff as version_diff
from .changes import version_publish_preview as version_publish_preview

Key = tuple[int, uuid.UUID]  # (framework id, item identifier): an item across versions


def _frameworks() -> QuerySet[Framework]:
    return Framework.objects.select_related("owner_alliance", "owner_organisation", "extends")


def frameworks_visible_to(membership: Membership | None) -> QuerySet[Framework]:
    published = FrameworkVersion.objects.filter(framework=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return (
        _frameworks()
        .filter(access.framework_scope(membership))
        .annotate(has_published=Exists(published))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=FrameworkVersion.objects.order_by("-number"),
                to_attr="version_list",
            )
        )
        .order_by("title", "pk")
    )


def frameworks_with_drafts(membership: Membership | None) -> list[Framework]:
    """The frameworks this membership may see that have a draft version (one query); whether it may write
    each is for `access.may(..., "author_framework", ...)`."""
    draft = FrameworkVersion.objects.filter(framework=OuterRef("pk"), status=VersionStatus.DRAFT)
    return list(
        _frameworks().filter(access.framework_scope(membership)).filter(Exists(draft)).order_by("title", "pk")
    )


def framework_by_identifier(
    identifier: uuid.UUID,
) -> Framework | None:  # unscoped: for commands and CASE import
    """The framework whatever its owner: the command line and CASE import act for no role. Pages and the API
    fetch through `frameworks_visible_to` (`guards.framework_or_deny`)."""
    return _frameworks().filter(identifier=identifier).first()


def versions_of(framework: Framework) -> list[FrameworkVersion]:
    return list(FrameworkVersion.objects.filter(framework=framework).select_related("published_by"))


def versions_of_framework(framework: Framework) -> QuerySet[FrameworkVersion]:
    """The framework's versions (a framework the caller already fetched through its scope)."""
    return FrameworkVersion.objects.filter(framework=framework).select_related("framework", "published_by")


def published_version(framework: Framework) -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(framework=framework, status=VersionStatus.PUBLISHED).first()


def draft_version(framework: Framework) -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(framework=framework, status=VersionStatus.DRAFT).first()


def tree_order(items: Iterable[Competence]) -> list[tuple[Competence, int]]:
    """Items depth first in their order (parents before their children), each with its depth (0 = top)."""
    children: dict[int | None, list[Competence]] = defaultdict(list)
    pks = set()
    for item in items:
        children[item.parent_id].append(item)
        pks.add(item.pk)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.sequence, s.pk))
    ordered: list[tuple[Competence, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in children.get(parent_id, []):
            ordered.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    # Items whose parent is outside the list (never in a consistent version) still appear, at the top.
    for parent_id in [p for p in children if p is not None and p not in pks]:
        walk(parent_id, 0)
    return ordered


def version_items(version: FrameworkVersion) -> list[Competence]:
    """The version's items, depth first."""
    items = Competence.objects.filter(version=version).select_related("framework")
    return [item for item, _depth in tree_order(items)]


def items_of(version: FrameworkVersion) -> QuerySet[Competence]:
    return Competence.objects.filter(version=version).select_related("version", "framework", "parent")


def domains_of(version: FrameworkVersion) -> list[tuple[Competence, int]]:
    items = Competence.objects.filter(version=version, node_type=NodeType.DOMAIN)
    return tree_order(items)


def crosswalks_of(version: FrameworkVersion) -> dict[int, list[Association]]:
    """Crosswalks from items of the version, by origin item, with their targets and target frameworks."""
    result: dict[int, list[Association]] = defaultdict(list)
    links = (
        Association.objects.filter(version=version, association_type__in=CROSSWALK_TYPES)
        .select_related("destination", "destination__framework", "destination__version")
        .order_by("origin_id", "association_type", "pk")
    )
    for link in links:
        if link.origin_id is not None:
            result[link.origin_id].append(link)
    return result


def crosswalk_by_id(version: FrameworkVersion, pk: int) -> Association | None:
    return (
        Association.objects.filter(version=version, pk=pk, association_type__in=CROSSWALK_TYPES)
        .select_related("version", "version__framework", "origin", "destination")
        .first()
    )


def crosswalk_target_frameworks(membership: Membership | None, framework: Framework) -> list[Framework]:
    """Frameworks an item of `framework` may be mapped to: visible, published, not itself. Reference
    frameworks first."""
    return sorted(
        (f for f in frameworks_visible_to(membership).exclude(pk=framework.pk) if f.has_published),  # type: ignore[attr-defined]
        key=lambda f: (not f.is_reference, f.title),
    )


def published_competences(framework: Framework) -> list[tuple[Competence, int]]:
    """Items of the framework's published version, depth first with depth."""
    items = Competence.objects.filter(framework=framework, version__status=VersionStatus.PUBLISHED)
    return tree_order(items)


def published_item(framework: Framework, pk: int) -> Competence | None:
    return (
        Competence.objects.filter(framework=framework, version__status=VersionStatus.PUBLISHED, pk=pk)
        .select_related("framework", "version")
        .first()
    )


def association_count(version: FrameworkVersion) -> int:
    """How many associations a version holds (the hierarchy and crosswalks): the import check page's count."""
    return Association.objects.filter(version=version).count()


def published_item_by_identifier(framework: Framework, identifier: uuid.UUID) -> Competence | None:
    """A domain or competence of the framework's published version, by its CASE identifier (the API's key)."""
    return (
        Competence.objects.filter(
            framework=framework, version__status=VersionStatus.PUBLISHED, identifier=identifier
        )
        .select_related("framework", "version")
        .first()
    )


# --- adoption and extension ----------------------------------------------------------------------------


def adopted_framework_ids(organisation: Organisation | None) -> set[int]:
    if organisation is None:
        return set()
    return set(Adoption.objects.filter(organisation=organisation).values_list("framework_id", flat=True))


def adoption_of(framework: Framework, organisation: Organisation | None) -> Adoption | None:
    if organisation is None:
        return None
    return (
        Adoption.objects.filter(framework=framework, organisation=organisation)
        .select_related("framework", "organisation")
        .first()
    )


def adopting_organisations(framework: Framework) -> list[Organisation]:
    return list(Organisation.objects.filter(adoptions__framework=framework).order_by("name"))


def extension_of(framework: Framework, organisation: Organisation | None) -> Framework | None:
    if organisation is None:
        return None
    return _frameworks().filter(extends=framework, owner_organisation=organisation).first()


def extensions_visible_to(membership: Membership | None, framework: Framework) -> list[Framework]:
    return list(_frameworks().filter(access.framework_scope(membership), extends=framework))


def frameworks_usable_by(organisation: Organisation) -> list[Framework]:
    """Frameworks whose published competences the organisation may require of its roles: its own and those
    it has adopted."""
    published = FrameworkVersion.objects.filter(framework=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    return list(
        _frameworks()
        .filter(Q(owner_organisation=organisation) | Q(adoptions__organisation=organisation))
        .filter(Exists(published))
        .distinct()
        .order_by("title")
    )


# --- role requirements ----------------------------------------------------------------------------------


def role_requirements_of(organisation: Organisation) -> list[RoleRequirement]:
    return list(
        RoleRequirement.objects.filter(organisation=organisation)
        .select_related("role", "competence", "competence__framework", "competence__version")
        .order_by("role__name", "afc_band", "competence__framework__title", "competence__code", "pk")
    )


@dataclass(frozen=True)
class RequirementFilters:
    """The role requirements page's filters; None or empty: any."""

    role: int | None = None
    band: str | None = None  # "" for requirements of every band (not narrowed to one)
    framework: uuid.UUID | None = None
    domain: uuid.UUID | None = None  # a domain of `framework`: its competences and those of domains inside it


def role_requirements_filtered(
    organisation: Organisation, filters: RequirementFilters
) -> QuerySet[RoleRequirement]:
    """An organisation's role requirements narrowed by role, band, framework and domain, in the list's order
    (role, band, framework, code), for paging."""
    rows = RoleRequirement.objects.filter(organisation=organisation).select_related(
        "role", "competence", "competence__framework", "competence__version"
    )
    if filters.role is not None:
        rows = rows.filter(role_id=filters.role)
    if filters.band is not None:
        rows = rows.filter(afc_band=filters.band)
    if filters.framework is not None:
        rows = rows.filter(competence__framework__identifier=filters.framework)
        if filters.domain is not None:
            rows = rows.filter(
                competence__identifier__in=_identifiers_below(filters.framework, filters.domain)
            )
    return rows.order_by("role__name", "afc_band", "competence__framework__title", "competence__code", "pk")


def _identifiers_below(framework: uuid.UUID, domain: uuid.UUID) -> set[uuid.UUID]:
    """The identifiers of every item inside a domain, across the framework's versions (an item keeps its
    identifier; a requirement may still name a row of an older version)."""
    rows = list(
        Competence.objects.filter(framework__identifier=framework).values_list(
            "version_id", "pk", "parent_id", "identifier"
        )
    )
    children: dict[int | None, list[tuple[int, uuid.UUID]]] = defaultdict(list)
    for _version, pk, parent, identifier in rows:
        children[parent].append((pk, identifier))
    found: set[uuid.UUID] = set()
    stack = [pk for _version, pk, _parent, identifier in rows if identifier == domain]
    while stack:
        for pk, identifier in children.get(stack.pop(), []):
            found.add(identifier)
            stack.append(pk)
    return found


def requirement_filter_choices(
    organisation: Organisation,
) -> tuple[list[tuple[int, str]], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """What the filters offer: the roles, bands and frameworks the organisation's requirements name, and the
    domains of those frameworks' published versions (as "framework:domain")."""
    rows = RoleRequirement.objects.filter(organisation=organisation)
    roles = sorted(set(rows.values_list("role_id", "role__name")), key=lambda r: r[1])
    bands = sorted(set(rows.values_list("afc_band", flat=True)))
    frameworks = sorted(
        {
            (str(i), title)
            for i, title in rows.values_list(
                "competence__framework__identifier", "competence__framework__title"
            )
        },
        key=lambda f: f[1],
    )
    ids = [uuid.UUID(i) for i, _ in frameworks]
    domains = [
        (f"{framework}:{identifier}", f"{code} {short or title}".strip()[:120] + f" ({framework_title})")
        for framework, identifier, code, short, title, framework_title in Competence.objects.filter(
            framework__identifier__in=ids, version__status=VersionStatus.PUBLISHED, node_type=NodeType.DOMAIN
        )
        .order_by("framework__title", "parent_id", "sequence", "pk")
        .values_list(
            "framework__identifier", "identifier", "code", "short_title", "title", "framework__title"
        )
    ]
    band_choices = [(band, f"Band {band}" if band else "Every band (not narrowed)") for band in bands]
    return roles, band_choices, frameworks, domains


def role_requirement_by_id(organisation: Organisation, pk: int) -> RoleRequirement | None:
    return (
        RoleRequirement.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation", "role", "competence", "competence__framework", "competence__version")
        .first()
    )


# --- crosswalk equivalents ------------------------------------------------------------------------------


def _key_filter(prefix: str, keys: set[Key]) -> Q:
    by_framework: dict[int, set[uuid.UUID]] = defaultdict(set)
    for framework_id, identifier in keys:
        by_framework[framework_id].add(identifier)
    condition = Q(pk__in=[])
    for framework_id, identifiers in by_framework.items():
        condition |= Q(**{f"{prefix}framework_id": framework_id, f"{prefix}identifier__in": identifiers})
    return condition


def crosswalk_equivalents(
    competence_ids: Sequence[int] | Iterable[int], membership: Membership | None = None
) -> dict[int, set[int]]:
    """For each competence (a row of any version), the competences that count as the same thing for
    evidence: published rows of other items that map exactly (exactMatchOf) to the same target, that it maps
    exactly to, or that map exactly to it.

    Only exact matches count (isRelatedTo and isPartOf do not), only crosswalks recorded in published
    versions, and only one step: A → T and B → T make A, B and T equivalent to each other, but a further
    B → U does not make A equivalent to U. Items are matched across versions by (framework, identifier), so a
    crosswalk to an older row of the target still counts; the answer gives each item's published row.
    Only competences are returned (never domains), and with `membership` only those in frameworks it may see.
    Every competence asked about has a key in the answer (an empty set when nothing maps). Four queries,
    whatever the sizes."""
    ids = list(dict.fromkeys(competence_ids))
    if not ids:
        return {}
    rows = {
        pk: (framework_id, identifier)
        for pk, framework_id, identifier in Competence.objects.filter(pk__in=ids).values_list(
            "pk", "framework_id", "identifier"
        )
    }
    asked: set[Key] = set(rows.values())

    exact = Association.objects.filter(
        association_type=AssociationType.EXACT_MATCH_OF,
        version__status=VersionStatus.PUBLISHED,
        origin__isnull=False,
        destination__isnull=False,
    )
    fields = (
        "origin__framework_id",
        "origin__identifier",
        "destination__framework_id",
        "destination__identifier",
    )
    # Edges touching what was asked, then every edge into the targets found (other items mapping to them).
    first = {
        ((of, oi), (df, di))
        for of, oi, df, di in exact.filter(
            _key_filter("origin__", asked) | _key_filter("destination__", asked)
        ).values_list(*fields)
    }
    targets = {destination for origin, destination in first if origin in asked}
    second = (
        {
            ((of, oi), (df, di))
            for of, oi, df, di in exact.filter(_key_filter("destination__", targets)).values_list(*fields)
        }
        if targets
        else set()
    )
    edges = first | second
    maps_to: dict[Key, set[Key]] = defaultdict(set)
    mapped_from: dict[Key, set[Key]] = defaultdict(set)
    for origin, destination in edges:
        maps_to[origin].add(destination)
        mapped_from[destination].add(origin)

    equivalent_keys: dict[Key, set[Key]] = {}
    for key in asked:
        found: set[Key] = set(mapped_from[key])
        for target in maps_to[key]:
            found.add(target)
            found |= mapped_from[target]
        found.discard(key)
        equivalent_keys[key] = found

    wanted = set().union(*equivalent_keys.values()) if equivalent_keys else set()
    published: dict[Key, int] = {}
    if wanted:
        candidates = Competence.objects.filter(
            _key_filter("", wanted), version__status=VersionStatus.PUBLISHED, node_type=NodeType.COMPETENCE
        )
        if membership is not None:
            candidates = candidates.filter(
                framework__in=Framework.objects.filter(access.framework_scope(membership))
            )
        published = {
            (framework_id, identifier): pk
            for pk, framework_id, identifier in candidates.values_list("pk", "framework_id", "identifier")
        }
    return {
        pk: {published[k] for k in equivalent_keys[key] if k in published} for pk, key in rows.items()
    } | {pk: set() for pk in ids if pk not in rows}
