"""The strict writer: a framework version out as a CASE 1.1 package that validates against the official 1.1
JSON schema (CFPackage, draft 2019-09, with formats checked).

What it guarantees: every identifier is a UUID (ones we made from non-UUID source identifiers stay as made, the
original travels in our extension); every object has its `uri` and an ISO 8601 `lastChangeDateTime` with a zone;
the hierarchy is one `isChildOf` per item (to its parent, or to the document for top-level items) with an integer
`sequenceNumber`; nothing is written where the 1.1 schema forbids extra properties: keys the source had that CASE
does not define, and our own authored fields, go in each object's `extensions`."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from cultivate.frameworks.models import (
    Association,
    AssociationType,
    Competence,
    Framework,
    FrameworkVersion,
    NodeType,
    VersionStatus,
)

from .problems import Problem
from .reader import CASE_NAMESPACE, EXTENSION_KEY, as_uuid, parse_date, parse_datetime, status_from_adoption

CASE_PATH = "/frameworks/case"
ADOPTION_STATUS = {
    VersionStatus.DRAFT: "Draft",
    VersionStatus.PUBLISHED: "Adopted",
    VersionStatus.RETIRED: "Deprecated",
}
EXTENSION_TYPE = re.compile(r"(ext:)[a-z|A-Z|0-9|.|-|_]+")  # the 1.1 schema's pattern for extension types

# Optional fields of a CFDocument and a CFItem in the order the specification lists them, by kind.
DOCUMENT_OPTIONAL = (
    ("frameworkType", "text"),
    ("officialSourceURL", "text"),
    ("publisher", "text"),
    ("subject", "texts"),
    ("subjectURI", "links"),
    ("language", "text"),
    ("statusStartDate", "date"),
    ("statusEndDate", "date"),
    ("licenseURI", "link"),
    ("notes", "text"),
)
ITEM_OPTIONAL = (
    ("alternativeLabel", "text"),
    ("listEnumeration", "text"),
    ("conceptKeywords", "texts"),
    ("conceptKeywordsURI", "link"),
    ("subject", "texts"),
    ("subjectURI", "links"),
    ("language", "text"),
    ("educationLevel", "texts"),
    ("CFItemTypeURI", "link"),
    ("licenseURI", "link"),
    ("statusStartDate", "date"),
    ("statusEndDate", "date"),
)
ITEM_KNOWN = {name for name, _ in ITEM_OPTIONAL} | {
    "uri",
    "lastChangeDateTime",
    "humanCodingScheme",
    "abbreviatedStatement",
    "CFItemType",
    "sourceIdentifier",
    "extensions",
}
DOCUMENT_KNOWN = {name for name, _ in DOCUMENT_OPTIONAL} | {
    "uri",
    "lastChangeDateTime",
    "creator",
    "title",
    "description",
    "version",
    "adoptionStatus",
    "caseVersion",
    "sourceIdentifier",
    "packageExtensions",
    "extensions",
}
ASSOCIATION_KNOWN = {
    "uri",
    "lastChangeDateTime",
    "notes",
    "CFAssociationGroupingURI",
    "sourceIdentifier",
    "extensions",
}

# Definitions: for each list, its required text fields and its optional text fields (besides identifier, uri,
# lastChangeDateTime and extensions, which every entry has).
DEFINITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CFConcepts": (("title", "hierarchyCode"), ("keywords", "description")),
    "CFSubjects": (("title", "hierarchyCode"), ("description",)),
    "CFLicenses": (("title", "licenseText"), ("description",)),
    "CFItemTypes": (("title", "description", "hierarchyCode"), ("typeCode",)),
    "CFAssociationGroupings": (("title",), ("description",)),
}


def case_base(site_url: str) -> str:
    return site_url.rstrip("/") + CASE_PATH


def uuid_text(raw: Any) -> str:
    return str(as_uuid(str(raw))[0])


def iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


class Writer:
    """Writes one version; `site_url` is where this Cultivate is reached (settings.SITE_URL)."""

    def __init__(self, version: FrameworkVersion, *, site_url: str) -> None:
        self.version = version
        self.framework: Framework = version.framework
        self.base = case_base(site_url)
        self.changed = iso(version.updated_at or dt.datetime.now(dt.UTC))
        self.document = dict(version.case_document or {})
        self.document_identifier = str(self.framework.identifier)
        self.document_uri = self.text(self.document.get("uri")) or self.uri(
            "CFDocuments", self.document_identifier
        )

    # Small pieces -------------------------------------------------------------------------------------------

    def uri(self, kind: str, identifier: str) -> str:
        return f"{self.base}/{kind}/{identifier}"

    @staticmethod
    def text(value: Any) -> str:
        if value is None or isinstance(value, dict | list | bool):
            return ""
        return str(value)

    def when(self, value: Any) -> str:
        return (parse_datetime(value) if isinstance(value, str) else None) or self.changed

    def link(self, value: Any) -> dict[str, str] | None:
        """A LinkURI: title, a UUID identifier and uri, all text."""
        if isinstance(value, str):
            value = {"uri": value}
        if not isinstance(value, dict):
            return None
        uri = self.text(value.get("uri"))
        raw = self.text(value.get("identifier")) or uri
        if not raw:
            return None
        return {"title": self.text(value.get("title")), "identifier": uuid_text(raw), "uri": uri}

    def optional(self, out: dict[str, Any], source: dict[str, Any], spec: Iterable[tuple[str, str]]) -> None:
        for name, kind in spec:
            value = source.get(name)
            if value is None:
                continue
            if kind == "text":
                text = self.text(value)
                if text:
                    out[name] = text
            elif kind == "texts":
                texts = [self.text(v) for v in (value if isinstance(value, list) else [value])]
                if any(texts):
                    out[name] = [t for t in texts if t]
            elif kind == "link":
                link = self.link(value)
                if link:
                    out[name] = link
            elif kind == "links":
                links = [self.link(v) for v in (value if isinstance(value, list) else [value])]
                if any(links):
                    out[name] = [link for link in links if link]
            elif kind == "date":
                day = parse_date(value) if isinstance(value, str) else None
                if day:
                    out[name] = day

    @staticmethod
    def extensions(stored: dict[str, Any], known: set[str], ours: dict[str, Any]) -> dict[str, Any]:
        """The object's own extensions, the keys it had that we do not write in their own right, and ours."""
        out: dict[str, Any] = {}
        given = stored.get("extensions")
        if isinstance(given, dict):
            out.update(given)
        for key, value in stored.items():
            if key not in known:
                out.setdefault(key, value)
        if ours:
            out[EXTENSION_KEY] = ours
        return out

    # The package --------------------------------------------------------------------------------------------

    def package(self, items: list[Competence], associations: list[Association]) -> dict[str, Any]:
        ordered = self.ordered(items)
        package: dict[str, Any] = {
            "CFDocument": self.cf_document(),
            "CFItems": [self.cf_item(item) for item in ordered],
            "CFAssociations": self.cf_associations(ordered, associations),
        }
        definitions = self.cf_definitions(self.version.case_definitions or {})
        if definitions:
            package["CFDefinitions"] = definitions
        rubrics = [self.cf_rubric(r) for r in self.version.case_rubrics or [] if isinstance(r, dict)]
        if rubrics:
            package["CFRubrics"] = rubrics
        extensions = self.document.get("packageExtensions")
        if isinstance(extensions, dict) and extensions:
            package["extensions"] = extensions
        return package

    def cf_document(self) -> dict[str, Any]:
        stored = self.document
        title = self.framework.title
        stored_title = self.text(stored.get("title"))
        if stored_title.startswith(title):  # a title longer than the column was kept whole
            title = stored_title
        adoption = self.text(stored.get("adoptionStatus"))
        if not adoption or status_from_adoption(adoption) != self.version.status:
            adoption = ADOPTION_STATUS[VersionStatus(self.version.status)]
        out: dict[str, Any] = {
            "identifier": self.document_identifier,
            "uri": self.document_uri,
            "caseVersion": "1.1",
            "creator": self.text(stored.get("creator")) or self.owner_name(),
            "title": title,
            "lastChangeDateTime": self.changed,
        }
        if self.framework.description:
            out["description"] = self.framework.description
        out["version"] = self.version.label or str(self.version.number)
        out["adoptionStatus"] = adoption
        self.optional(out, stored, DOCUMENT_OPTIONAL)
        ours: dict[str, Any] = {}
        if self.framework.levels:
            ours["levels"] = self.framework.levels
        if stored.get("sourceIdentifier"):
            ours["sourceIdentifier"] = stored["sourceIdentifier"]
        extensions = self.extensions(stored, DOCUMENT_KNOWN, ours)
        if extensions:
            out["extensions"] = extensions
        return out

    def owner_name(self) -> str:
        owner = self.framework.owner_organisation or self.framework.owner_alliance
        return str(owner) if owner is not None else "Cultivate"

    @staticmethod
    def ordered(items: list[Competence]) -> list[Competence]:
        """Parents before their children, siblings by sequence: the order a reader shows them in."""
        present = {item.pk for item in items}
        children: dict[int | None, list[Competence]] = {}
        for item in items:
            parent = item.parent_id if item.parent_id in present else None
            children.setdefault(parent, []).append(item)
        for siblings in children.values():
            siblings.sort(key=lambda c: (c.sequence, c.pk))
        out: list[Competence] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(reversed(children.get(item.pk, [])))
        return out

    def item_uri(self, item: Competence) -> str:
        return self.text((item.case_fields or {}).get("uri")) or self.uri("CFItems", str(item.identifier))

    def cf_item(self, item: Competence) -> dict[str, Any]:
        stored = dict(item.case_fields or {})
        out: dict[str, Any] = {
            "identifier": str(item.identifier),
            "fullStatement": item.title,
            "uri": self.item_uri(item),
            "lastChangeDateTime": self.when(stored.get("lastChangeDateTime")),
        }
        item_type = item.case_item_type or NodeType(item.node_type).label
        out["CFItemType"] = _whole(item_type, stored.get("CFItemType"))
        if item.code:
            out["humanCodingScheme"] = _whole(item.code, stored.get("humanCodingScheme"))
        if item.short_title:
            out["abbreviatedStatement"] = _whole(item.short_title, stored.get("abbreviatedStatement"))
        if item.description:
            out["notes"] = item.description
        self.optional(out, stored, ITEM_OPTIONAL)
        ours: dict[str, Any] = {"nodeType": item.node_type}
        if item.kind:
            ours["kind"] = item.kind
        if item.levels:
            ours["levels"] = list(item.levels)
        if item.assessed_in_practice:
            ours["assessedInPractice"] = True
        if item.evidence_kinds:
            ours["evidenceKinds"] = list(item.evidence_kinds)
        if item.reassess_months:
            ours["reassessMonths"] = item.reassess_months
        if stored.get("sourceIdentifier"):
            ours["sourceIdentifier"] = stored["sourceIdentifier"]
        out["extensions"] = self.extensions(stored, ITEM_KNOWN, ours)
        return out

    # Associations -------------------------------------------------------------------------------------------

    def node(self, item: Competence) -> dict[str, str]:
        return {"title": item.label, "identifier": str(item.identifier), "uri": self.item_uri(item)}

    def document_node(self) -> dict[str, str]:
        return {
            "title": self.framework.title,
            "identifier": self.document_identifier,
            "uri": self.document_uri,
        }

    def ref_node(self, ref: dict[str, Any]) -> dict[str, str]:
        """An end outside Cultivate as the source named it (LinkGenURI: the identifier need not be a UUID)."""
        uri = self.text(ref.get("uri"))
        node = {
            "title": self.text(ref.get("title")),
            "identifier": self.text(ref.get("identifier")) or uri,
            "uri": uri,
        }
        target = self.text(ref.get("targetType"))
        if target == "CASE" or EXTENSION_TYPE.search(target):
            node["targetType"] = target
        return node

    def cf_associations(self, items: list[Competence], rows: list[Association]) -> list[dict[str, Any]]:
        in_version = {item.pk: item for item in items}
        children_rows: dict[int, list[Association]] = {}
        others: list[Association] = []
        for row in rows:
            if row.association_type == AssociationType.IS_CHILD_OF and row.origin_id in in_version:
                children_rows.setdefault(row.origin_id, []).append(row)
            else:
                others.append(row)
        out: list[dict[str, Any]] = []
        for item in items:
            parent = in_version.get(item.parent_id) if item.parent_id else None
            primary: Association | None = None
            for row in children_rows.get(item.pk, []):
                matches = row.destination_id == parent.pk if parent else row.destination_is_document
                if matches and primary is None:
                    primary = row
                else:
                    others.append(row)  # a second parent the source gave (CASE allows several)
            destination = self.node(parent) if parent else self.document_node()
            if primary is not None:
                stored = primary.case_fields or {}
                identifier = str(primary.identifier)
            else:
                stored = {}
                parent_key = str(parent.identifier) if parent else "document"
                identifier = str(uuid.uuid5(CASE_NAMESPACE, f"isChildOf/{item.identifier}/{parent_key}"))
            out.append(
                self.cf_association(
                    identifier,
                    AssociationType.IS_CHILD_OF,
                    self.node(item),
                    destination,
                    item.sequence,
                    stored,
                )
            )
        others.sort(key=lambda row: (row.association_type, row.sequence_number or 0, row.pk))
        for row in others:
            start = self.row_end(row.origin, row.origin_ref, False)
            end = self.row_end(row.destination, row.destination_ref, row.destination_is_document)
            if start is None or end is None:
                continue  # an end that no longer exists: nothing true can be written
            out.append(
                self.cf_association(
                    str(row.identifier),
                    row.association_type,
                    start,
                    end,
                    row.sequence_number,
                    row.case_fields or {},
                )
            )
        return out

    def row_end(
        self, item: Competence | None, ref: dict[str, Any], is_document: bool
    ) -> dict[str, str] | None:
        if item is not None:
            if item.version_id == self.version.pk:
                return self.node(item)
            # An item of another framework (a crosswalk): its own CASE address where it has one, else ours.
            uri = self.text((item.case_fields or {}).get("uri")) or self.uri("CFItems", str(item.identifier))
            return {"title": item.label, "identifier": str(item.identifier), "uri": uri}
        if is_document:
            return self.document_node()
        if ref and (ref.get("identifier") or ref.get("uri")):
            return self.ref_node(ref)
        return None

    def cf_association(
        self,
        identifier: str,
        association_type: str,
        origin: dict[str, str],
        destination: dict[str, str],
        sequence: int | None,
        stored: dict[str, Any],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "identifier": identifier,
            "associationType": _association_type(association_type),
            "uri": self.text(stored.get("uri")) or self.uri("CFAssociations", identifier),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": self.when(stored.get("lastChangeDateTime")),
        }
        if sequence is not None:
            out["sequenceNumber"] = int(sequence)
        grouping = self.link(stored.get("CFAssociationGroupingURI"))
        if grouping:
            out["CFAssociationGroupingURI"] = grouping
        notes = self.text(stored.get("notes"))
        if notes:
            out["notes"] = notes
        ours = {"sourceIdentifier": stored["sourceIdentifier"]} if stored.get("sourceIdentifier") else {}
        if out["associationType"] != association_type:
            ours["associationType"] = association_type
        extensions = self.extensions(stored, ASSOCIATION_KNOWN, ours)
        if extensions:
            out["extensions"] = extensions
        return out

    # Definitions and rubrics --------------------------------------------------------------------------------

    def entity(
        self,
        raw: dict[str, Any],
        kind: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        *,
        numbers: tuple[str, ...] = (),
        integers: tuple[str, ...] = (),
        uuids: tuple[str, ...] = (),
        links: tuple[str, ...] = (),
        children: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """One definition or rubric object with exactly the properties its 1.1 schema allows; anything else the
        source had goes to its extensions."""
        raw_identifier = self.text(raw.get("identifier")) or self.text(raw.get("uri"))
        identifier = uuid_text(raw_identifier) if raw_identifier else str(uuid.uuid4())
        out: dict[str, Any] = {
            "identifier": identifier,
            "uri": self.text(raw.get("uri")) or self.uri(kind, identifier),
        }
        for name in required:
            out[name] = self.text(raw.get(name))
        for name in optional:
            if self.text(raw.get(name)):
                out[name] = self.text(raw.get(name))
        for name in numbers:
            value = raw.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[name] = value
        for name in integers:
            value = raw.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                out[name] = value
            elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
                out[name] = int(value)
        for name in uuids:
            if self.text(raw.get(name)):
                out[name] = uuid_text(raw[name])
        for name in links:
            link = self.link(raw.get(name))
            if link:
                out[name] = link
        out["lastChangeDateTime"] = self.when(raw.get("lastChangeDateTime"))
        written = set(out) | set(children) | {"extensions"}
        extensions = dict(raw["extensions"]) if isinstance(raw.get("extensions"), dict) else {}
        for key, value in raw.items():
            if key not in written:
                extensions.setdefault(key, value)
        if extensions:
            out["extensions"] = extensions
        return out

    def cf_definitions(self, stored: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, (required, optional) in DEFINITIONS.items():
            entries = stored.get(key)
            if isinstance(entries, list) and entries:
                out[key] = [self.entity(e, key, required, optional) for e in entries if isinstance(e, dict)]
        if isinstance(stored.get("extensions"), dict) and stored["extensions"]:
            out["extensions"] = stored["extensions"]
        return out

    def cf_rubric(self, raw: dict[str, Any]) -> dict[str, Any]:
        out = self.entity(raw, "CFRubrics", (), ("title", "description"), children=("CFRubricCriteria",))
        criteria = [self.cf_criterion(c) for c in raw.get("CFRubricCriteria") or [] if isinstance(c, dict)]
        if criteria:
            out["CFRubricCriteria"] = criteria
        return out

    def cf_criterion(self, raw: dict[str, Any]) -> dict[str, Any]:
        out = self.entity(
            raw,
            "CFRubricCriteria",
            (),
            ("category", "description"),
            numbers=("weight",),
            integers=("position",),
            uuids=("rubricId",),
            links=("CFItemURI",),
            children=("CFRubricCriterionLevels",),
        )
        levels = [self.cf_level(c) for c in raw.get("CFRubricCriterionLevels") or [] if isinstance(c, dict)]
        if levels:
            out["CFRubricCriterionLevels"] = levels
        return out

    def cf_level(self, raw: dict[str, Any]) -> dict[str, Any]:
        out = self.entity(
            raw,
            "CFRubricCriterionLevels",
            (),
            ("description", "quality", "feedback"),
            numbers=("score",),
            integers=("position",),
            uuids=("rubricCriterionId",),
        )
        # The 1.1 schema makes a level's extensions a list of objects, unlike everywhere else.
        if "extensions" in out:
            out["extensions"] = [out["extensions"]]
        return out


def build_package(
    version: FrameworkVersion, items: list[Competence], associations: list[Association], *, site_url: str
) -> dict[str, Any]:
    return Writer(version, site_url=site_url).package(items, associations)


def schema_problems(package: dict[str, Any], schema: dict[str, Any]) -> list[Problem]:
    """Every way `package` breaks `schema` (with formats checked: uuid, date, date-time), by JSON path."""
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(package), key=lambda e: e.json_path)
    return [Problem(error.json_path, error.message) for error in errors]


def _whole(column: str, stored: Any) -> str:
    """The value as the source wrote it when the column holds a cut-down copy of it."""
    return stored if isinstance(stored, str) and stored.startswith(column) else column


def _association_type(value: str) -> str:
    if value in AssociationType.values or EXTENSION_TYPE.search(value):
        return value
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "", value)
    return f"ext:{cleaned or 'association'}"
