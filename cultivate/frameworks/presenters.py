"""Turn frameworks, versions and items into display data for templates (labels, tags, trees, rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse

from cultivate.accounts.models import Membership

from .models import (
    Association,
    AssociationType,
    Competence,
    CompetenceKind,
    EvidenceKind,
    Framework,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from .selectors import PublishPreview, tree_order

VERSION_TAGS = {
    VersionStatus.DRAFT: "nhsuk-tag--blue",
    VersionStatus.PUBLISHED: "nhsuk-tag--green",
    VersionStatus.RETIRED: "nhsuk-tag--grey",
}

CROSSWALK_LABELS = {
    AssociationType.EXACT_MATCH_OF: "Exact match",
    AssociationType.IS_RELATED_TO: "Related to",
    AssociationType.IS_PART_OF: "Part of",
}


def version_tag(version: FrameworkVersion) -> dict[str, str]:
    return {"text": version.get_status_display(), "classes": VERSION_TAGS[VersionStatus(version.status)]}


def owner_label(framework: Framework) -> str:
    if framework.extends_id is not None and framework.owner_organisation is not None:
        return f"Local competences of {framework.owner_organisation.name}"
    if framework.owner_organisation is not None:
        return framework.owner_organisation.name
    if framework.owner_alliance is not None:
        return framework.owner_alliance.name
    return "Reference framework"


def framework_kind(framework: Framework) -> str:
    if framework.extends_id is not None:
        return "Local competences"
    if framework.owner_organisation_id is not None:
        return "Organisation"
    if framework.owner_alliance_id is not None:
        return "Alliance"
    return "Reference"


def version_name(version: FrameworkVersion, *, in_sentence: bool = False) -> str:
    """ "Version 2 (2025.1)", or "version 2 (2025.1)" inside a sentence."""
    word = "version" if in_sentence else "Version"
    return f"{word} {version.number}" + (f" ({version.label})" if version.label else "")


def framework_rows(frameworks: Iterable[Framework], adopted_ids: set[int]) -> list[dict[str, Any]]:
    rows = []
    for framework in frameworks:
        versions: list[FrameworkVersion] = getattr(framework, "version_list", [])
        published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        rows.append(
            {
                "title": framework.title,
                "href": reverse("frameworks:detail", args=[framework.identifier]),
                "owner": owner_label(framework),
                "kind": framework_kind(framework),
                "published": version_name(published) if published else "None published",
                "has_draft": any(v.status == VersionStatus.DRAFT for v in versions),
                "adopted": framework.pk in adopted_ids,
                "shared": framework.owner_organisation_id is None,
            }
        )
    return rows


def framework_sections(
    membership: Membership | None, frameworks: Sequence[Framework], adopted_ids: set[int]
) -> list[dict[str, Any]]:
    """The list page's sections: my organisation's, my alliance's, reference."""
    mine = [f for f in frameworks if f.owner_organisation_id is not None]
    alliance = [f for f in frameworks if f.owner_alliance_id is not None]
    reference = [f for f in frameworks if f.owner_organisation_id is None and f.owner_alliance_id is None]
    organisation = membership.organisation if membership is not None else None
    alliance_name = (
        membership.alliance.name
        if membership is not None and membership.alliance is not None
        else (organisation.alliance.name if organisation is not None and organisation.alliance else "")
    )
    sections = []
    if organisation is not None:
        sections.append(
            {
                "id": "organisation",
                "title": f"{organisation.name}’s frameworks",
                "empty": "Your organisation has no frameworks of its own yet.",
                "rows": framework_rows(mine, adopted_ids),
            }
        )
    if alliance_name:
        sections.append(
            {
                "id": "alliance",
                "title": f"{alliance_name}’s shared frameworks",
                "empty": "The alliance has not shared any frameworks yet.",
                "rows": framework_rows(alliance, adopted_ids),
            }
        )
    sections.append(
        {
            "id": "reference",
            "title": "Reference frameworks",
            "empty": "No reference frameworks are loaded.",
            "rows": framework_rows(reference, adopted_ids),
        }
    )
    return sections


def levels_label(framework: Framework, codes: Sequence[str]) -> str:
    if not codes:
        return "Any level"
    return ", ".join(framework.level_label(code) for code in codes)


def crosswalk_rows(links: Iterable[Association]) -> list[dict[str, Any]]:
    rows = []
    for link in links:
        target = link.destination
        if target is not None:
            text = f"{target.code} {target.label}".strip()
            framework_title = target.framework.title
            href = (
                reverse("frameworks:detail", args=[target.framework.identifier])
                + f"#item-{target.identifier}"
            )
        else:
            text = str(link.destination_ref.get("title") or link.destination_ref.get("identifier") or "")
            framework_title = "Outside Cultivate"
            href = ""
        rows.append(
            {
                "pk": link.pk,
                "type": CROSSWALK_LABELS.get(AssociationType(link.association_type), link.association_type)
                if link.association_type in AssociationType.values
                else link.association_type,
                "target": text,
                "framework": framework_title,
                "href": href,
            }
        )
    return rows


def item_detail(item: Competence, framework: Framework) -> dict[str, Any]:
    kinds = dict(CompetenceKind.choices)
    evidence = dict(EvidenceKind.choices)
    return {
        "pk": item.pk,
        "anchor": f"item-{item.identifier}",
        "identifier": str(item.identifier),
        "is_domain": item.node_type == NodeType.DOMAIN,
        "code": item.code,
        "label": item.label,
        "title": item.title,
        "short_title": item.short_title,
        "description": item.description,
        "kind": kinds.get(item.kind, ""),
        "levels": levels_label(framework, item.levels or []),
        "in_practice": item.assessed_in_practice,
        "evidence": ", ".join(str(evidence.get(k, k)) for k in item.evidence_kinds or []),
        "reassess_months": item.reassess_months,
    }


def tree(
    items: Iterable[Competence], framework: Framework, crosswalks: dict[int, list[Association]] | None = None
) -> list[dict[str, Any]]:
    """Nested nodes for the tree macro: each with `children`, its crosswalks, and whether it can move up or
    down among its siblings."""
    crosswalks = crosswalks or {}
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for item, depth in tree_order(items):
        node = item_detail(item, framework)
        node.update(depth=depth, children=[], crosswalks=crosswalk_rows(crosswalks.get(item.pk, [])))
        nodes[item.pk] = node
        parent = nodes.get(item.parent_id) if item.parent_id else None
        (parent["children"] if parent is not None else roots).append(node)

    def mark(siblings: list[dict[str, Any]]) -> None:
        for index, node in enumerate(siblings):
            node["first"] = index == 0
            node["last"] = index == len(siblings) - 1
            mark(node["children"])

    mark(roots)
    return roots


def count_items(items: Iterable[Competence]) -> dict[str, int]:
    counts = {"domains": 0, "competences": 0}
    for item in items:
        counts["domains" if item.node_type == NodeType.DOMAIN else "competences"] += 1
    return counts


def parent_choices(
    domains: Sequence[tuple[Competence, int]], exclude: set[int] | None = None
) -> list[tuple[str, str]]:
    """Select options for "place in": the top level, then each domain indented by depth with dashes (a select
    cannot nest options, and a screen reader reads the dashes as a level)."""
    exclude = exclude or set()
    options = [("", "Top level of the framework")]
    for domain, depth in domains:
        if domain.pk in exclude:
            continue
        prefix = "– " * depth
        options.append((str(domain.pk), f"{prefix}{domain.code} {domain.label}".replace("  ", " ").strip()))
    return options


def competence_choices(
    items: Sequence[tuple[Competence, int]], *, domains_as_all: bool
) -> list[tuple[str, str]]:
    """Options for choosing an item: "c:<pk>" for a competence; with `domains_as_all`, "d:<pk>" for "every
    competence in" a domain."""
    options = []
    for item, depth in items:
        prefix = "– " * depth
        text = f"{item.code} {item.label}".strip()
        if item.node_type == NodeType.DOMAIN:
            if domains_as_all:
                options.append((f"d:{item.pk}", f"{prefix}All competences in {text}"))
        else:
            options.append((f"c:{item.pk}", f"{prefix}{text}"))
    return options


def requirement_groups(requirements: Iterable[RoleRequirement]) -> list[dict[str, Any]]:
    """Requirements grouped by role and band, in the order given."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for requirement in requirements:
        key = (requirement.role.name, requirement.afc_band)
        group = groups.setdefault(
            key,
            {
                "role": requirement.role.name,
                "band": f"Band {requirement.afc_band}" if requirement.afc_band else "Every band",
                "rows": [],
            },
        )
        competence = requirement.competence
        framework = competence.framework
        group["rows"].append(
            {
                "pk": requirement.pk,
                "code": competence.code,
                "label": competence.label,
                "framework": framework.title,
                "framework_href": reverse("frameworks:detail", args=[framework.identifier]),
                "level": framework.level_label(requirement.min_level),
                "within": (f"{requirement.within_days} days" if requirement.within_days else "No deadline")
                + (
                    f"; {requirement.grace_days} days' grace for those in post when it began"
                    if requirement.grace_days
                    else ""
                ),
                "outdated": competence.version.status != VersionStatus.PUBLISHED,
            }
        )
    return list(groups.values())


def import_changes(preview: PublishPreview, associations: int) -> dict[str, Any]:
    """What an imported draft changes, for the import's check page: the counts, and for a new version of a
    framework already here, one row per item that is new, changed, moved or removed (matched by CASE
    identifier), changed ones first because they decide who is reassessed."""
    diff = preview.diff
    rows: list[dict[str, Any]] = []
    for what, items, tag in (
        ("Changed", diff.changed, "nhsuk-tag--orange"),
        ("New", diff.added, "nhsuk-tag--green"),
        ("Removed", diff.removed, "nhsuk-tag--red"),
        ("Moved or renamed", diff.moved, "nhsuk-tag--grey"),
    ):
        for item in items:
            rows.append(
                {
                    "what": what,
                    "tag": tag,
                    "code": item.code,
                    "label": item.label,
                    "is_domain": item.node_type == NodeType.DOMAIN,
                    "identifier": str(item.identifier),
                    "changes": ", ".join(item.changes),
                    "reassess": preview.reassess_by_item.get(item.identifier, 0),
                }
            )
    return {
        "counts": [
            ("New items", len(diff.added)),
            ("Changed items", len(diff.changed)),
            ("Removed items", len(diff.removed)),
            ("Moved or renamed items", len(diff.moved)),
            ("Associations", associations),
        ],
        "rows": rows if preview.previous is not None else [],
    }
