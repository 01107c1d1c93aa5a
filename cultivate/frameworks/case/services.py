"""CASE import and export: the writes, in one transaction, and the audit records.

`case_import` reads a package (lenient), checks everything it will write, and only then writes the framework, its
version, the items (level by level, so each row is inserted with its parent already known) and the associations
with `bulk_create`; any problem means nothing is written. `case_export` writes a version out (strict)."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from cultivate.core.audit import AuditContext, audit
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.models import (
    Association,
    AssociationType,
    Competence,
    CompetenceKind,
    Framework,
    FrameworkSource,
    FrameworkVersion,
    NodeType,
    VersionStatus,
)

from ..services.versions import version_publish
from . import selectors
from .problems import Problem, index_path, key_path
from .reader import (
    CODE_MAX,
    ITEM_TYPE_MAX,
    SHORT_TITLE_MAX,
    AssociationData,
    ItemData,
    PackageData,
    as_uuid,
    read_package,
)
from .writer import build_package, schema_problems

if TYPE_CHECKING:
    from cultivate.accounts.models import User
    from cultivate.organisations.models import Alliance, Organisation

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Fields that say when or where rather than what: a package that differs only in these is "no change".
VOLATILE_FIELDS = frozenset({"uri", "lastChangeDateTime"})
VOLATILE_DOCUMENT_FIELDS = VOLATILE_FIELDS | {
    "creator",
    "adoptionStatus",
    "caseVersion",
    "title",
    "description",
}
# The CASE name of each Competence column, to give a column's problem the path of what filled it.
ITEM_PATHS = {
    "code": "humanCodingScheme",
    "title": "fullStatement",
    "short_title": "abbreviatedStatement",
    "description": "notes",
    "case_item_type": "CFItemType",
    "identifier": "identifier",
}


class CaseExportInvalid(Exception):
    """The package written does not validate against the schema it was checked with."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} schema problems")
        self.problems = problems


@dataclass
class ImportOutcome:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    framework: Framework | None = None
    version: FrameworkVersion | None = None
    created: bool = False  # a new framework
    unchanged: bool = False  # the package matches the framework's latest version: nothing written
    published: bool = False  # published as it was imported (the command line's --publish)
    items: int = 0
    associations: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            count = len(self.problems)
            return f"Not imported: {count} {'problem' if count == 1 else 'problems'}. Nothing was changed."
        assert self.framework is not None
        if self.unchanged:
            number = self.version.number if self.version else "?"
            return f"No change: the package matches version {number} of {self.framework.title}."
        number = self.version.number if self.version else ""
        status = self.version.get_status_display().lower() if self.version else "draft"
        what = f"a new framework ({status})" if self.created else f"a new {status} version {number}"
        return (
            f"Imported {self.framework.title} as {what}: {self.items} items, "
            f"{self.associations} associations."
        )


def case_import(
    *,
    data: bytes | str | dict[str, Any],
    actor: User | None,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    reference: bool = False,
    ctx: AuditContext | None = None,
    filename: str = "",
    publish: bool = False,
) -> ImportOutcome:
    """Import a CASE package as a new framework owned by `organisation`, `alliance`, or nobody (`reference`);
    or, when a framework with the document's identifier exists (and belongs to the same owner), as a new
    version of it, only if its content differs from the latest version.

    The version lands as a **draft** (ADR "import as draft"): the educator checks what it changes, then
    publishes or discards it. With `publish` (the command line's `--publish`) it is published in the same
    transaction through `services.version_publish`, as a person publishing it would: the version it replaces
    is retired, role requirements move along and sign-offs carry over by identifier and content hash. A new
    framework whose package says it is a draft or retired (`adoptionStatus`) keeps that status."""
    if sum([organisation is not None, alliance is not None, reference]) > 1:
        raise ValueError("A framework has one owner: an organisation, an alliance, or none (reference).")
    read = read_package(data)
    outcome = ImportOutcome(problems=list(read.problems), warnings=list(read.warnings))
    if not read.ok or read.package is None:
        if not outcome.problems:  # never an outcome that is neither imported nor refused
            outcome.problems = [Problem("$", "could not be read as a CASE package")]
        return outcome
    package = read.package
    competences, problems = _competences(package.items)
    associations = [_association(a) for a in package.associations]
    existing = selectors.framework_by_identifier(package.identifier)
    problems += _ownership_problems(existing, organisation, alliance, reference)
    if problems:
        outcome.problems = problems
        return outcome
    targets = _known_destinations(package, existing, organisation, alliance)
    if existing is not None:
        latest = selectors.latest_version(existing)
        if latest is not None and _same_content(latest, package, competences):
            outcome.framework, outcome.version, outcome.unchanged = existing, latest, True
            _audit_import(outcome, actor, ctx, filename)
            return outcome
        draft = selectors.draft_of(existing)
        if draft is not None:
            outcome.problems = [Problem("$.CFDocument.identifier", _draft_in_the_way(draft))]
            return outcome
    try:
        with transaction.atomic():
            _write(
                outcome,
                package,
                competences,
                associations,
                targets,
                existing,
                actor,
                organisation,
                alliance,
                reference,
            )
            _audit_import(outcome, actor, ctx, filename)
            if publish and outcome.version is not None and _to_publish(outcome.version, package, existing):
                version_publish(version=outcome.version, published_by=actor, ctx=ctx)
                outcome.version.refresh_from_db()
                outcome.published = True
    except (ValidationError, DatabaseError) as error:
        # Checked beforehand, so only a race (the same framework imported twice at once) lands here.
        outcome.framework = outcome.version = None
        outcome.created = outcome.published = False
        outcome.items = outcome.associations = 0
        outcome.problems = [Problem("$", f"could not be saved: {_error_text(error)}")]
    return outcome


def _competences(items: list[ItemData]) -> tuple[list[Competence], list[Problem]]:
    """Unsaved rows for the items, each checked against its columns; problems carry the item's JSON path."""
    rows: list[Competence] = []
    problems: list[Problem] = []
    for item in items:
        mine = item.cultivate
        row = Competence(
            identifier=item.identifier,
            sequence=item.sequence,
            node_type=item.node_type,
            code=item.code,
            title=item.title,
            short_title=item.short_title,
            description=item.description,
            kind=mine.get("kind", ""),
            levels=mine.get("levels", []),
            assessed_in_practice=mine.get("assessed_in_practice", False),
            evidence_kinds=mine.get("evidence_kinds", []),
            reassess_months=mine.get("reassess_months"),
            case_item_type=item.item_type,
            case_fields=item.fields,
        )
        row.content_hash = row.compute_content_hash()  # bulk_create does not call save()
        problems += _column_problems(row, item.index)
        rows.append(row)
    return rows, problems


def _column_problems(row: Competence, index: int) -> list[Problem]:
    """The reader keeps text within the columns and checks our extension values, so this finds nothing unless
    the two fall out of step; then it names the item's path rather than failing in the database."""
    widths = {"code": CODE_MAX, "short_title": SHORT_TITLE_MAX, "case_item_type": ITEM_TYPE_MAX}
    problems = [
        Problem(key_path(index_path("$.CFItems", index), ITEM_PATHS[name]), f"longer than {width} characters")
        for name, width in widths.items()
        if len(getattr(row, name)) > width
    ]
    if row.kind and row.kind not in CompetenceKind.values:
        problems.append(Problem(index_path("$.CFItems", index), f"kind {row.kind!r} is not one we know"))
    return problems


def _association(data: AssociationData) -> Association:
    return Association(
        identifier=data.identifier,
        association_type=data.association_type,
        destination_is_document=data.destination_is_document,
        origin_ref=data.origin_ref,
        destination_ref=data.destination_ref,
        sequence_number=data.sequence_number,
        case_fields=data.fields,
    )


def _ref_identifier(ref: dict[str, Any]) -> uuid.UUID | None:
    raw = str(ref.get("identifier") or "")
    return as_uuid(raw)[0] if raw.strip() else None


def _known_destinations(
    package: PackageData,
    existing: Framework | None,
    organisation: Organisation | None,
    alliance: Alliance | None,
) -> dict[uuid.UUID, int]:
    """Destinations outside the package that are items of frameworks already in Cultivate which the new
    framework's owner may use (reference frameworks, its own, its alliance's): they become real links (so a
    crosswalk counts for evidence), keeping the reference as the package gave it."""
    wanted = {
        identifier
        for a in package.associations
        if a.destination is None and not a.destination_is_document
        for identifier in [_ref_identifier(a.destination_ref)]
        if identifier is not None
    }
    if not wanted:
        return {}
    if existing is not None and organisation is None and alliance is None:
        organisation, alliance = existing.owner_organisation, existing.owner_alliance
    usable = Q(framework__owner_organisation__isnull=True, framework__owner_alliance__isnull=True)
    if organisation is not None:
        usable |= Q(framework__owner_organisation=organisation)
        if organisation.alliance_id:
            usable |= Q(framework__owner_alliance_id=organisation.alliance_id)
    if alliance is not None:
        usable |= Q(framework__owner_alliance=alliance)
    return selectors.published_items_by_identifier(wanted, usable, excluding=package.identifier)


def _ownership_problems(
    existing: Framework | None,
    organisation: Organisation | None,
    alliance: Alliance | None,
    reference: bool,
) -> list[Problem]:
    path = "$.CFDocument.identifier"
    if existing is None:
        if organisation is None and alliance is None and not reference:
            return [
                Problem(
                    "$", "a new framework needs an owner: an organisation, an alliance, or none (reference)"
                )
            ]
        return []
    if organisation is None and alliance is None and not reference:
        return []  # the command line adding a version to whichever framework has this identifier
    same = (
        (organisation is not None and existing.owner_organisation_id == organisation.pk)
        or (alliance is not None and existing.owner_alliance_id == alliance.pk)
        or (
            reference
            and existing.is_reference
            and existing.owner_organisation_id is None
            and existing.owner_alliance_id is None
        )
    )
    if same:
        return []
    return [
        Problem(
            path,
            "a framework with this identifier is already in Cultivate and is not yours to change: "
            "ask its owner, or give the package a new identifier",
        )
    ]


def _write(
    outcome: ImportOutcome,
    package: PackageData,
    competences: list[Competence],
    associations: list[Association],
    targets: dict[uuid.UUID, int],
    existing: Framework | None,
    actor: User | None,
    organisation: Organisation | None,
    alliance: Alliance | None,
    reference: bool,
) -> None:
    if existing is None:
        framework = Framework(
            identifier=package.identifier,
            title=package.title,
            description=package.description,
            owner_organisation=organisation,
            owner_alliance=alliance,
            source=FrameworkSource.CASE,
            is_reference=reference,
            levels=package.levels or [],
            created_by=actor,
        )
        framework.full_clean()
        framework.save()
        number = 1
        outcome.created = True
    else:
        framework = existing
        versions = selectors.versions_for_update(framework)
        draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
        if draft is not None:  # one made since the check above
            raise ValidationError(_draft_in_the_way(draft))
        number = max((v.number for v in versions), default=0) + 1
        if package.levels and package.levels != framework.levels:
            outcome.warnings.append(
                Problem(
                    "$.CFDocument.extensions",
                    "the package's proficiency levels differ from the framework's; the framework's were kept",
                )
            )
    # Every import lands as a draft; publishing is a step of its own (`case_import(publish=True)` takes it).
    version = FrameworkVersion(
        framework=framework,
        number=number,
        label=package.version_label,
        status=VersionStatus.DRAFT,
        case_document=package.document,
        case_definitions=package.definitions,
        case_rubrics=package.rubrics,
    )
    version.full_clean()
    version.save()

    # Level by level, parents first, so every row goes in with its parent's key already known.
    pk_of: dict[uuid.UUID, int] = {}
    by_depth: dict[int, list[tuple[ItemData, Competence]]] = {}
    for item, row in zip(package.items, competences, strict=True):
        row.version, row.framework = version, framework
        by_depth.setdefault(item.depth, []).append((item, row))
    for depth in sorted(by_depth):
        level = by_depth[depth]
        for item, row in level:
            row.parent_id = pk_of[item.parent] if item.parent is not None else None
        Competence.objects.bulk_create([row for _, row in level], batch_size=BATCH_SIZE)
        if any(row.pk is None for _, row in level):  # databases that cannot return keys from a bulk insert
            pk_of.update(Competence.objects.filter(version=version).values_list("identifier", "pk"))
        else:
            pk_of.update((row.identifier, row.pk) for _, row in level)
    for data, link in zip(package.associations, associations, strict=True):
        link.version = version
        link.origin_id = pk_of[data.origin] if data.origin is not None else None
        if data.destination is not None:
            link.destination_id = pk_of[data.destination]
        elif not data.destination_is_document:
            known = _ref_identifier(data.destination_ref)
            link.destination_id = targets.get(known) if known is not None else None
    Association.objects.bulk_create(associations, batch_size=BATCH_SIZE)
    outcome.framework, outcome.version = framework, version
    outcome.items, outcome.associations = len(competences), len(associations)


def _to_publish(version: FrameworkVersion, package: PackageData, existing: Framework | None) -> bool:
    """Whether `--publish` publishes this version: yes, unless it is a new framework whose package says it is
    a draft (kept a draft) or retired (kept as a retired version, readable and never in use)."""
    if existing is not None or package.status == VersionStatus.PUBLISHED:
        return True
    if package.status == VersionStatus.RETIRED:
        version.status = VersionStatus.RETIRED
        version.retired_at = timezone.now()
        version.save(update_fields=["status", "retired_at", "updated_at"])
    return False


def _draft_in_the_way(draft: FrameworkVersion) -> str:
    return (
        f"this framework already has a draft (version {draft.number}), and a framework has one draft at a "
        "time: publish or discard it, then import the package again"
    )


def _audit_import(
    outcome: ImportOutcome, actor: User | None, ctx: AuditContext | None, filename: str
) -> None:
    framework, version = outcome.framework, outcome.version
    assert framework is not None and version is not None
    audit(
        FrameworksAction.FRAMEWORK_IMPORTED,
        actor=actor,
        ctx=ctx,
        obj=framework,
        organisation=framework.owner_organisation,
        identifier=str(framework.identifier),
        version=version.number,
        result="unchanged" if outcome.unchanged else ("created" if outcome.created else "new_version"),
        items=outcome.items,
        associations=outcome.associations,
        file=filename[:200],
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    # The database's own words can hold SQL and table names: they go to the log, not to the page.
    reference = secrets.token_hex(6)
    logger.error("CASE import not saved, reference %s", reference, exc_info=error)
    return f"the database refused it (reference {reference}); nothing was changed"


# Telling "no change" from a change -------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _fields(stored: dict[str, Any] | None) -> str:
    return _canonical({k: v for k, v in (stored or {}).items() if k not in VOLATILE_FIELDS})


def _item_signature(row: Competence, parent: uuid.UUID | None) -> tuple[Any, ...]:
    return (
        str(parent) if parent else "",
        row.sequence,
        row.node_type,
        row.code,
        row.title,
        row.short_title,
        row.description,
        row.kind,
        _canonical(row.levels or []),
        row.assessed_in_practice,
        _canonical(row.evidence_kinds or []),
        row.reassess_months,
        # An authored item has no CASE type; an export names it by its node type, which reads back the same.
        row.case_item_type or NodeType(row.node_type).label,
        _fields(row.case_fields),
    )


def _end(identifier: uuid.UUID | None, ref: dict[str, Any], is_document: bool) -> str:
    if identifier is not None:
        return str(identifier)
    if is_document:
        return "document"
    known = _ref_identifier(ref)
    return str(known) if known is not None else str(ref.get("uri") or "")


def _document_signature(
    title: str, description: str, label: str, document: dict[str, Any]
) -> tuple[Any, ...]:
    rest = {k: v for k, v in document.items() if k not in VOLATILE_DOCUMENT_FIELDS | {"version"}}
    return (title, description, label, _canonical(rest))


Signature = tuple[tuple[Any, ...], dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]]


def _signature(
    document: tuple[Any, ...],
    items: Iterable[tuple[Competence, uuid.UUID | None]],
    associations: Iterable[tuple[str, str, str, str, int | None, dict[str, Any]]],
) -> Signature:
    """The document's content, each item's content and place, and each association other than isChildOf
    (the hierarchy is already in the items' places). Timestamps and addresses are left out."""
    return (
        document,
        {str(row.identifier): _item_signature(row, parent) for row, parent in items},
        {
            identifier: (kind, origin, destination, sequence, _fields(fields))
            for identifier, kind, origin, destination, sequence, fields in associations
            if kind != AssociationType.IS_CHILD_OF
        },
    )


def _same_content(version: FrameworkVersion, package: PackageData, competences: list[Competence]) -> bool:
    ours, theirs = _signature_of_version(version), _signature_of_package(package, competences)
    if not package.version_label:
        # A package without a version string says nothing about it (our export writes the number).
        ours = ((*ours[0][:2], "", *ours[0][3:]), ours[1], ours[2])
    return ours == theirs


def _signature_of_package(package: PackageData, competences: list[Competence]) -> Signature:
    return _signature(
        _document_signature(package.title, package.description, package.version_label, package.document),
        ((row, item.parent) for item, row in zip(package.items, competences, strict=True)),
        (
            (
                str(a.identifier),
                a.association_type,
                _end(a.origin, a.origin_ref, False),
                _end(a.destination, a.destination_ref, a.destination_is_document),
                a.sequence_number,
                a.fields,
            )
            for a in package.associations
        ),
    )


def _signature_of_version(version: FrameworkVersion) -> Signature:
    framework = version.framework
    document = version.case_document or {}
    rows = selectors.version_items(version)
    identifier_of = {row.pk: row.identifier for row in rows}
    # Places as an import gives them (1, 2, 3… among siblings), whatever numbers the rows hold.
    siblings: dict[int | None, list[Competence]] = {}
    for row in rows:
        siblings.setdefault(row.parent_id, []).append(row)
    for group in siblings.values():
        group.sort(key=lambda row: (row.sequence, row.pk))
        for position, row in enumerate(group, start=1):
            row.sequence = position
    return _signature(
        _document_signature(
            str(document.get("title") or framework.title),
            str(document.get("description") or framework.description),
            version.label or str(version.number),
            document,
        ),
        ((row, identifier_of.get(row.parent_id) if row.parent_id else None) for row in rows),
        (
            (
                str(a.identifier),
                a.association_type,
                _end(a.origin.identifier if a.origin else None, a.origin_ref, False),
                _end(
                    a.destination.identifier if a.destination else None,
                    a.destination_ref,
                    a.destination_is_document,
                ),
                a.sequence_number,
                a.case_fields,
            )
            for a in selectors.version_associations(version)
        ),
    )


# Export ---------------------------------------------------------------------------------------------------


def configured_schema() -> dict[str, Any] | None:
    """The CASE 1.1 schema to check every export against, when settings.CASE_SCHEMA_PATH names one."""
    path = getattr(settings, "CASE_SCHEMA_PATH", "")
    if not path:
        return None
    loaded: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded


def case_export(
    *,
    version: FrameworkVersion,
    actor: User | None = None,
    ctx: AuditContext | None = None,
    schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The version as a CASE 1.1 package; checked against `schema` (or the configured one) when there is one,
    raising CaseExportInvalid rather than handing out a package that does not validate."""
    package = build_package(
        version,
        selectors.version_items(version),
        selectors.version_associations(version),
        site_url=settings.SITE_URL,
    )
    schema = schema if schema is not None else configured_schema()
    if schema is not None:
        problems = schema_problems(package, schema)
        if problems:
            raise CaseExportInvalid(problems)
    framework = version.framework
    audit(
        FrameworksAction.FRAMEWORK_EXPORTED,
        actor=actor,
        ctx=ctx,
        obj=framework,
        organisation=framework.owner_organisation,
        identifier=str(framework.identifier),
        version=version.number,
        items=len(package["CFItems"]),
        associations=len(package["CFAssociations"]),
    )
    return package


def package_json(package: dict[str, Any]) -> bytes:
    """UTF-8 JSON as people read it: characters as themselves, not escaped."""
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
