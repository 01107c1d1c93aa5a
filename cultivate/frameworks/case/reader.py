"""The lenient reader: a CASE 1.1 (or 1.0) JSON package in, a checked, normalised `PackageData` out, or the
list of problems, each with its JSON path, that make the package unusable.

Refuses, as a problem on the page or the command line and never as an error, whatever Python or the database
cannot take: text nested deeper than MAX_DEPTH, numbers too long to read or too large for a float, NaN and
Infinity, and text holding the NUL character or a lone surrogate.

Lenient about what is merely unusual: references written as a URI string or as a LinkURI object, timestamps
without a zone (taken as UTC), sequence numbers written as numeric strings, nulls (taken as absent), numbers where
text is expected, identifiers that are not UUIDs (given a stable UUID made from them; the original is kept), CASE
1.0 spellings (`educationLevel` as a string, OpenSALT's `educationalLevel`, `CFPackageURI`, `CFDocumentURI`),
associations whose other end is outside the package (kept as external references), and keys CASE does not define
(kept as extensions and written back on export). Strict about what makes it unusable: text that is not JSON, no
CFDocument, items without an identifier or a fullStatement, duplicate identifiers, associations without a type or
without both ends, objects or lists where text is expected, and isChildOf cycles.

Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cultivate.frameworks.models import CompetenceKind, EvidenceKind, NodeType, VersionStatus

from .problems import Problem, index_path, key_path

# Our own namespace for the UUIDs we make from identifiers that are not UUIDs, so the same source identifier
# always becomes the same UUID (a re-import matches the earlier one).
CASE_NAMESPACE = uuid.UUID("0b6c5b1e-7f0e-4f43-9d49-3c5b8a3f1c27")
# Where our own fields go inside a CASE `extensions` object (see docs/case.md).
EXTENSION_KEY = "ext:cultivate"

# Item types that name a grouping rather than something a person is signed off against.
DOMAIN_TYPES = frozenset(
    {"domain", "strand", "cluster", "category", "section", "theme", "grouping", "area", "topic", "unit"}
)
DRAFT_WORDS = ("draft",)
RETIRED_WORDS = ("deprecated", "retired", "withdrawn", "superseded", "obsolete", "archived")

# Model column widths: longer values are cut for the column and kept whole in case_fields.
CODE_MAX, SHORT_TITLE_MAX, ITEM_TYPE_MAX, TITLE_MAX, LABEL_MAX, ASSOCIATION_TYPE_MAX = (
    60,
    300,
    200,
    300,
    50,
    40,
)

TEXT, TEXTS, LEVELS, LINK, LINKS, NODE, DATE, DATETIME, INT, DROP, EXT, ITEM_TYPE = (
    "text",
    "texts",
    "levels",
    "link",
    "links",
    "node",
    "date",
    "datetime",
    "int",
    "drop",
    "ext",
    "item_type",
)

DOCUMENT_FIELDS: dict[str, str] = {
    "identifier": TEXT,
    "uri": TEXT,
    "frameworkType": TEXT,
    "caseVersion": TEXT,
    "creator": TEXT,
    "title": TEXT,
    "lastChangeDateTime": DATETIME,
    "officialSourceURL": TEXT,
    "publisher": TEXT,
    "description": TEXT,
    "subject": TEXTS,
    "subjectURI": LINKS,
    "language": TEXT,
    "version": TEXT,
    "adoptionStatus": TEXT,
    "statusStartDate": DATE,
    "statusEndDate": DATE,
    "licenseURI": LINK,
    "notes": TEXT,
    "CFPackageURI": DROP,  # CASE 1.0: the package's own address, which 1.1 no longer has
    "extensions": EXT,
}
ITEM_FIELDS: dict[str, str] = {
    "identifier": TEXT,
    "fullStatement": TEXT,
    "alternativeLabel": TEXT,
    "CFItemType": ITEM_TYPE,
    "uri": TEXT,
    "humanCodingScheme": TEXT,
    "listEnumeration": TEXT,
    "abbreviatedStatement": TEXT,
    "conceptKeywords": TEXTS,
    "conceptKeywordsURI": LINK,
    "notes": TEXT,
    "subject": TEXTS,
    "subjectURI": LINKS,
    "language": TEXT,
    "educationLevel": LEVELS,
    "educationalLevel": LEVELS,  # OpenSALT's CASE 1.0 spelling
    "CFItemTypeURI": LINK,
    "licenseURI": LINK,
    "statusStartDate": DATE,
    "statusEndDate": DATE,
    "lastChangeDateTime": DATETIME,
    "CFDocumentURI": DROP,  # CASE 1.0: a back-reference to the package's document
    "extensions": EXT,
}
ASSOCIATION_FIELDS: dict[str, str] = {
    "identifier": TEXT,
    "associationType": TEXT,
    "sequenceNumber": INT,
    "uri": TEXT,
    "originNodeURI": NODE,
    "destinationNodeURI": NODE,
    "CFAssociationGroupingURI": LINK,
    "lastChangeDateTime": DATETIME,
    "notes": TEXT,
    "CFDocumentURI": DROP,
    "extensions": EXT,
}
DEFINITION_LISTS = ("CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes", "CFAssociationGroupings")
PACKAGE_KEYS = ("CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics", "extensions")

# How deeply objects and lists may nest. A CASE package needs about six levels and extensions a few more; the
# limit keeps every later walk (ours, json.dumps, the database's JSON) far from Python's recursion limit.
MAX_DEPTH = 64
# Digits a whole number may have. Python refuses more than 4,300 (int_max_str_digits); CASE needs ten or so.
MAX_DIGITS = 1000
# Text problems reported before the reader stops looking for more.
MAX_TEXT_PROBLEMS = 20

_RISKY_ESCAPE = re.compile(rb"\\u(0000|[dD][89a-fA-F])")
_UNREAD = object()  # parse() found no JSON (a problem says why); None is the JSON literal null


# The storable() walk's stack entry: a value, its depth, its parent's entry and its key or index there.
_Entry = tuple[Any, int, Any, str | int | None]


class _BadNumber(ValueError):
    """A number in the file that Python or the database cannot hold."""


def as_uuid(raw: str) -> tuple[uuid.UUID, bool]:
    """The UUID an identifier stands for, and whether it was one: any spelling Python reads as a UUID (upper
    case, braces, `urn:uuid:`), else a UUID made from the text in our namespace."""
    try:
        return uuid.UUID(raw.strip()), True
    except (ValueError, AttributeError):
        return uuid.uuid5(CASE_NAMESPACE, raw), False


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts "1.2" before "1.10": runs of digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower()) for part in re.findall(r"\d+|\D+", text)
    )


def parse_datetime(text: str) -> str | None:
    """ISO 8601 with a zone (UTC when the source gave none), or None when it is not a date and time."""
    value = text.strip()
    if not value:
        return None
    if len(value) > 10 and value[10] == " ":
        value = value[:10] + "T" + value[11:]
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def parse_date(text: str) -> str | None:
    value = text.strip()
    try:
        return dt.date.fromisoformat(value[:10]).isoformat() if len(value) >= 10 else None
    except ValueError:
        return None


def without_nulls(value: Any) -> Any:
    """A copy with null members of objects left out (CASE treats null as absent)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@dataclass(slots=True)
class NodeRef:
    """One end of an association as the package wrote it."""

    identifier: str
    uri: str
    title: str
    target_type: str = ""

    def as_ref(self) -> dict[str, str]:
        ref = {"identifier": self.identifier, "uri": self.uri, "title": self.title}
        if self.target_type:
            ref["targetType"] = self.target_type
        return ref


@dataclass(slots=True)
class ItemData:
    index: int
    identifier: uuid.UUID
    title: str
    code: str = ""
    short_title: str = ""
    description: str = ""
    item_type: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    cultivate: dict[str, Any] = field(default_factory=dict)
    parent: uuid.UUID | None = None
    sequence: int = 0
    depth: int = 0
    node_type: str = NodeType.COMPETENCE


@dataclass(slots=True)
class AssociationData:
    index: int
    identifier: uuid.UUID
    association_type: str
    origin: uuid.UUID | None
    origin_ref: dict[str, str]
    destination: uuid.UUID | None
    destination_ref: dict[str, str]
    destination_is_document: bool
    sequence_number: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    path: str = ""


@dataclass(slots=True)
class PackageData:
    identifier: uuid.UUID
    title: str
    description: str
    version_label: str
    status: str
    document: dict[str, Any]
    items: list[ItemData]
    associations: list[AssociationData]
    definitions: dict[str, Any] = field(default_factory=dict)
    rubrics: list[Any] = field(default_factory=list)
    package_extensions: dict[str, Any] = field(default_factory=dict)
    levels: list[dict[str, str]] | None = None


@dataclass(slots=True)
class ReadResult:
    package: PackageData | None
    problems: list[Problem]
    warnings: list[Problem]

    @property
    def ok(self) -> bool:
        return self.package is not None and not self.problems


def read_package(data: bytes | str | dict[str, Any]) -> ReadResult:
    """Read a CASE package from the bytes of a file, its text, or already-parsed JSON."""
    return _Reader().read(data)


def status_from_adoption(adoption_status: str) -> str:
    words = adoption_status.lower()
    if any(word in words for word in DRAFT_WORDS):
        return VersionStatus.DRAFT
    if any(word in words for word in RETIRED_WORDS):
        return VersionStatus.RETIRED
    return VersionStatus.PUBLISHED


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.moments: dict[str, Any] = {}
        self.handlers: dict[str, Callable[[Any, str], Any]] = {
            TEXT: self.text,
            ITEM_TYPE: self.item_type,
            TEXTS: self.texts,
            LEVELS: self.levels,
            LINK: self.link,
            LINKS: self.links,
            NODE: self.node,
            DATE: self.date,
            DATETIME: self.datetime,
            INT: self.integer,
        }

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Problem(path, message))

    def result(self, package: PackageData | None) -> ReadResult:
        return ReadResult(package if not self.problems else None, self.problems, self.warnings)

    # The file as a whole ------------------------------------------------------------------------------------

    def read(self, data: bytes | str | dict[str, Any]) -> ReadResult:
        root = self.parse(data)
        # Text read from UTF-8 bytes holds NUL or a lone surrogate only where JSON escapes one (\u0000,
        # \ud800): without such an escape in the file, only the depth needs checking.
        text_checks = not isinstance(data, bytes) or bool(_RISKY_ESCAPE.search(data))
        if root is _UNREAD or not self.storable(root, text_checks=text_checks):
            return self.result(None)
        if not isinstance(root, dict):
            self.problem(
                "$",
                f"must be a JSON object holding a CASE package (CFDocument, CFItems, ...), not {_kind_of(root)}",
            )
            return self.result(None)
        if "CFDocument" not in root and isinstance(root.get("CFPackage"), dict):
            root = root["CFPackage"]  # some servers wrap the package in one more object
        package_extensions = self.package_extensions(root)
        document = root.get("CFDocument")
        if not isinstance(document, dict):
            self.problem("$.CFDocument", "required" if document is None else "must be an object")
            return self.result(None)
        raw_items = self.array(root, "CFItems")
        raw_associations = self.array(root, "CFAssociations")
        definitions = self.definitions(root.get("CFDefinitions"))
        rubrics = self.rubrics(root.get("CFRubrics"))
        doc = self.document(document)
        items = self.items(raw_items, doc)
        associations = self.associations(raw_associations, items, doc)
        if self.problems or doc is None:
            return self.result(None)
        ordered = self.hierarchy(items, associations)
        if self.problems:
            return self.result(None)
        identifier, title, fields, levels = doc
        fields.pop("rawIdentifier", None)
        package = PackageData(
            identifier=identifier,
            title=title[:TITLE_MAX],
            description=str(fields.get("description", "")),
            version_label=str(fields.get("version", ""))[:LABEL_MAX],
            status=status_from_adoption(str(fields.get("adoptionStatus", ""))),
            document={
                **fields,
                "title": title,
                **({"packageExtensions": package_extensions} if package_extensions else {}),
            },
            items=ordered,
            associations=associations,
            definitions=definitions,
            rubrics=rubrics,
            package_extensions=package_extensions,
            levels=levels,
        )
        return self.result(package)

    def parse(self, data: bytes | str | dict[str, Any]) -> Any:
        if isinstance(data, dict):
            return data
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                self.problem("$", f"the file is not UTF-8 text (byte {error.start} cannot be read)")
                return _UNREAD
        if not data.strip():
            self.problem("$", "the file is empty")
            return _UNREAD
        try:
            return json.loads(data, parse_int=_whole, parse_float=_real, parse_constant=_constant)
        except json.JSONDecodeError as error:
            self.problem("$", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")
        except _BadNumber as error:
            self.problem("$", str(error))
        except RecursionError:  # the decoder's own limit, far beyond MAX_DEPTH
            self.problem("$", _too_deep())
        return _UNREAD

    def storable(self, root: Any, *, text_checks: bool = True) -> bool:
        """Whether the JSON nests no deeper than MAX_DEPTH and all its text (keys too) can be stored: no NUL
        character (PostgreSQL refuses it) and no lone surrogate (not UTF-8). Walked without recursion; a path
        is worked out only for a problem."""
        if isinstance(root, str):
            why = _unstorable(root)
            if why:
                self.problem("$", f"text {why}")
            return not why
        found = 0
        stack: list[_Entry] = [(root, 0, None, None)] if isinstance(root, dict | list) else []
        while stack and found < MAX_TEXT_PROBLEMS:
            entry = stack.pop()
            value, depth = entry[0], entry[1]
            if depth >= MAX_DEPTH:
                self.problem(_path_of(entry), _too_deep())
                return False
            members = value.items() if isinstance(value, dict) else enumerate(value)
            for key, member in members:
                if text_checks and isinstance(key, str) and (why := _unstorable(key)):
                    found += 1
                    self.problem(_path_of(entry), f"a key {why}")
                if isinstance(member, str):
                    if text_checks and (why := _unstorable(member)):
                        found += 1
                        self.problem(_path_of(entry, key), f"text {why}")
                elif isinstance(member, dict | list):
                    stack.append((member, depth + 1, entry, key))
        return not found

    def array(self, root: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        """The objects of a top-level list with their paths; absent or null is an empty list."""
        value = root.get(key)
        path = f"$.{key}"
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, "must be a list")
            return []
        out = []
        for n, entry in enumerate(value):
            if isinstance(entry, dict):
                out.append((index_path(path, n), entry))
            elif entry is not None:
                self.problem(index_path(path, n), "must be an object")
        return out

    def package_extensions(self, root: dict[str, Any]) -> dict[str, Any]:
        extensions: dict[str, Any] = {}
        given = root.get("extensions")
        if isinstance(given, dict):
            extensions.update(without_nulls(given))
        elif given is not None:
            self.problem("$.extensions", "must be an object")
        for key, value in root.items():
            if key not in PACKAGE_KEYS and key != "CFPackage" and value is not None:
                extensions.setdefault(key, without_nulls(value))
                self.warn(key_path("$", key), "not a CASE key: kept as an extension")
        return extensions

    def definitions(self, value: Any) -> dict[str, Any]:
        if value is None or value == []:  # CASE 1.0 allowed an empty list
            return {}
        if not isinstance(value, dict):
            self.problem("$.CFDefinitions", "must be an object")
            return {}
        out: dict[str, Any] = {}
        for key, entries in value.items():
            path = key_path("$.CFDefinitions", key)
            if entries is None:
                continue
            if key in DEFINITION_LISTS:
                if not isinstance(entries, list):
                    self.problem(path, "must be a list")
                    continue
                kept = []
                for n, entry in enumerate(entries):
                    if isinstance(entry, dict):
                        kept.append(without_nulls(entry))
                    elif entry is not None:
                        self.problem(index_path(path, n), "must be an object")
                out[key] = kept
            elif key == "extensions":
                if isinstance(entries, dict):
                    out.setdefault("extensions", {}).update(without_nulls(entries))
                else:
                    self.problem(path, "must be an object")
            else:
                out.setdefault("extensions", {})[key] = without_nulls(entries)
                self.warn(path, "not a CASE key: kept as an extension")
        return out

    def rubrics(self, value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("$.CFRubrics", "must be a list")
            return []
        kept = []
        for n, entry in enumerate(value):
            if isinstance(entry, dict):
                kept.append(without_nulls(entry))
            elif entry is not None:
                self.problem(index_path("$.CFRubrics", n), "must be an object")
        return kept

    # Fields of one object -----------------------------------------------------------------------------------

    def fields(self, raw: dict[str, Any], path: str, spec: dict[str, str]) -> dict[str, Any]:
        """The known fields, normalised, plus `extensions` holding the object's own extensions and every key
        CASE does not define (and any value we could not use, so nothing is lost)."""
        out: dict[str, Any] = {}
        extensions: dict[str, Any] = {}
        given = raw.get("extensions")
        if isinstance(given, dict):
            extensions.update(without_nulls(given))
        elif given is not None:
            self.problem(key_path(path, "extensions"), "must be an object")
        for key, value in raw.items():
            if value is None or key == "extensions":
                continue
            kind = spec.get(key)
            if kind is None:
                extensions.setdefault(key, without_nulls(value))
                continue
            if kind == DROP:
                continue
            if kind == TEXT and type(value) is str:  # the common case, without the general machinery
                out[key] = value
                continue
            here = f"{path}.{key}"  # spec keys are plain names
            normalised = self.handlers[kind](value, here)
            if normalised is _UNUSABLE:
                extensions.setdefault(key, value)
                self.warn(here, f"{_describe(kind)} that could not be read: kept as an extension")
            elif normalised is not None:
                out[key] = normalised
        if "educationalLevel" in out:
            out.setdefault("educationLevel", out["educationalLevel"])
            del out["educationalLevel"]
        if extensions:
            out["extensions"] = extensions
        return out

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # a number where text is expected: unusual, but its meaning is plain
        self.problem(path, "must be text")
        return None

    def item_type(self, value: Any, path: str) -> str | None:
        if isinstance(value, dict):  # some CASE 1.0 servers wrote the type as a LinkURI
            return self.text(value.get("title") or "", key_path(path, "title"))
        return self.text(value, path)

    def texts(self, value: Any, path: str) -> list[str] | None:
        if isinstance(value, str):
            return [value] if value.strip() else None
        if not isinstance(value, list):
            self.problem(path, "must be a list of text")
            return None
        out = []
        for n, entry in enumerate(value):
            if entry is None:
                continue
            text = self.text(entry, index_path(path, n))
            if text is not None:
                out.append(text)
        return out

    def levels(self, value: Any, path: str) -> list[str] | None:
        if isinstance(value, str):  # CASE 1.0: "09,10,11"
            parts = [part.strip() for part in value.split(",")]
            return [part for part in parts if part] or None
        return self.texts(value, path)

    def link(self, value: Any, path: str, *, node: bool = False) -> Any:
        if isinstance(value, str):
            return {"title": "", "identifier": "", "uri": value} if value.strip() else None
        if not isinstance(value, dict):
            self.problem(path, "must be a LinkURI object (title, identifier, uri) or a URI")
            return None
        if value.keys() == _LINK_KEYS and all(type(v) is str for v in value.values()):
            return dict(value) if value["identifier"] or value["uri"] else None  # the common case
        link: dict[str, str] = {}
        names = ("title", "identifier", "uri", "targetType") if node else ("title", "identifier", "uri")
        for name in names:
            if value.get(name) is not None:
                text = self.text(value[name], key_path(path, name))
                link[name] = text if text is not None else ""
        for name in value:
            if name not in names and value[name] is not None:
                self.warn(key_path(path, name), "not part of a LinkURI: left out")
        if not link.get("identifier") and not link.get("uri"):
            return None
        for name in ("title", "identifier", "uri"):
            link.setdefault(name, "")
        return link

    def links(self, value: Any, path: str) -> list[dict[str, str]] | None:
        if not isinstance(value, list):
            value = [value]
        out = []
        for n, entry in enumerate(value):
            if entry is None:
                continue
            link = self.link(entry, index_path(path, n))
            if link is not None:
                out.append(link)
        return out

    def node(self, value: Any, path: str) -> NodeRef | None:
        link = self.link(value, path, node=True)
        if link is None:
            return None
        return NodeRef(link["identifier"], link["uri"], link["title"], link.get("targetType", ""))

    def date(self, value: Any, path: str) -> Any:
        text = self.text(value, path)
        if text is None:
            return None
        return parse_date(text) or _UNUSABLE

    def datetime(self, value: Any, path: str) -> Any:
        text = self.text(value, path)
        if text is None:
            return None
        # Exports often stamp every object with the same time: parse each distinct one once.
        parsed = self.moments.get(text)
        if parsed is None:
            parsed = self.moments[text] = parse_datetime(text) or _UNUSABLE
        return parsed

    def integer(self, value: Any, path: str) -> Any:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float | str) and _whole_number(value):
            number = int(value)
        # A 32-bit integer, as the CASE schema and the database column hold.
        return number if number is not None and -(2**31) <= number < 2**31 else _UNUSABLE

    def required_text(self, fields: dict[str, Any], key: str, path: str) -> str:
        value = fields.pop(key, None)
        if value is None or not str(value).strip():
            if not any(p.path == key_path(path, key) for p in self.problems):
                self.problem(key_path(path, key), "required")
            return ""
        return str(value)

    # The document, items and associations -------------------------------------------------------------------

    def document(
        self, raw: dict[str, Any]
    ) -> tuple[uuid.UUID, str, dict[str, Any], list[dict[str, str]] | None] | None:
        path = "$.CFDocument"
        fields = self.fields(raw, path, DOCUMENT_FIELDS)
        raw_identifier = self.required_text(fields, "identifier", path)
        title = self.required_text(fields, "title", path).strip()
        if not raw_identifier or not title:
            return None
        identifier, is_uuid = as_uuid(raw_identifier)
        mine = fields.get("extensions", {}).pop(EXTENSION_KEY, None)
        if "extensions" in fields and not fields["extensions"]:
            del fields["extensions"]
        if not is_uuid:
            fields["sourceIdentifier"] = raw_identifier
            self.warn(key_path(path, "identifier"), "not a UUID: a UUID was made from it")
        elif isinstance(mine, dict) and isinstance(mine.get("sourceIdentifier"), str):
            fields["sourceIdentifier"] = mine["sourceIdentifier"]
        levels = self.document_levels(mine, key_path(key_path(path, "extensions"), EXTENSION_KEY))
        fields["rawIdentifier"] = raw_identifier
        return identifier, title, fields, levels

    def document_levels(self, mine: Any, path: str) -> list[dict[str, str]] | None:
        if not isinstance(mine, dict) or "levels" not in mine:
            return None
        levels = mine["levels"]
        if (
            isinstance(levels, list)
            and all(isinstance(level, dict) for level in levels)
            and all(isinstance(level.get("code"), str) and level["code"] for level in levels)
            and len({level["code"] for level in levels}) == len(levels)
        ):
            return [
                {"code": level["code"], "label": str(level.get("label") or level["code"])} for level in levels
            ]
        self.warn(key_path(path, "levels"), "each level needs a different code: the levels were left out")
        return None

    def items(self, raw_items: list[tuple[str, dict[str, Any]]], doc: Any) -> list[ItemData]:
        items: list[ItemData] = []
        seen: dict[uuid.UUID, str] = {}
        document_identifier = doc[0] if doc else None
        for n, (path, raw) in enumerate(raw_items):
            fields = self.fields(raw, path, ITEM_FIELDS)
            raw_identifier = self.required_text(fields, "identifier", path)
            title = self.required_text(fields, "fullStatement", path)
            if not raw_identifier:
                continue
            identifier, is_uuid = as_uuid(raw_identifier)
            if identifier in seen:
                self.problem(
                    key_path(path, "identifier"), f"duplicate identifier, also used by {seen[identifier]}"
                )
                continue
            seen[identifier] = path
            if identifier == document_identifier:
                self.problem(key_path(path, "identifier"), "the same identifier as the CFDocument")
                continue
            if not title:
                continue
            extensions = fields.get("extensions", {})
            mine = extensions.pop(EXTENSION_KEY, None)
            if not extensions:
                fields.pop("extensions", None)
            item = ItemData(index=n, identifier=identifier, title=title)
            if not is_uuid:
                fields["sourceIdentifier"] = raw_identifier
                self.warn(key_path(path, "identifier"), "not a UUID: a UUID was made from it")
            item.cultivate = self.item_extension(mine, key_path(key_path(path, "extensions"), EXTENSION_KEY))
            if "sourceIdentifier" in item.cultivate:
                fields.setdefault("sourceIdentifier", item.cultivate.pop("sourceIdentifier"))
            item.code = self.column(fields, "humanCodingScheme", CODE_MAX)
            item.short_title = self.column(fields, "abbreviatedStatement", SHORT_TITLE_MAX)
            item.item_type = self.column(fields, "CFItemType", ITEM_TYPE_MAX)
            if not item.item_type and fields.get("CFItemTypeURI", {}).get("title"):
                item.item_type = fields["CFItemTypeURI"]["title"][:ITEM_TYPE_MAX]
            item.description = fields.pop("notes", "")
            item.fields = fields
            items.append(item)
        return items

    def column(self, fields: dict[str, Any], key: str, width: int) -> str:
        """A value for a column of `width` characters; a longer one stays whole in the fields for export."""
        value = str(fields.get(key, "")).strip()
        if len(value) <= width:
            fields.pop(key, None)
            return value
        return value[:width]

    def item_extension(self, mine: Any, path: str) -> dict[str, Any]:
        """Our own fields from an earlier export, checked one by one: a bad one is left out with a warning."""
        if mine is None:
            return {}
        if not isinstance(mine, dict):
            self.warn(path, "must be an object: left out")
            return {}
        out: dict[str, Any] = {}
        checks: dict[str, tuple[str, Callable[[Any], bool]]] = {
            "nodeType": ("node_type", lambda v: v in NodeType.values),
            "kind": ("kind", lambda v: v in CompetenceKind.values or v == ""),
            "levels": ("levels", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
            "assessedInPractice": ("assessed_in_practice", lambda v: isinstance(v, bool)),
            "evidenceKinds": (
                "evidence_kinds",
                lambda v: isinstance(v, list) and all(x in EvidenceKind.values for x in v),
            ),
            "reassessMonths": (
                "reassess_months",
                lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 120,
            ),
            "sourceIdentifier": ("sourceIdentifier", lambda v: isinstance(v, str) and bool(v)),
        }
        for key, value in mine.items():
            if key not in checks:
                self.warn(key_path(path, key), "not one of our fields: left out")
                continue
            name, check = checks[key]
            if value is None:
                continue
            if check(value):
                out[name] = value
            else:
                self.warn(key_path(path, key), "not a value we can use: left out")
        return out

    def associations(
        self, raw_associations: list[tuple[str, dict[str, Any]]], items: list[ItemData], doc: Any
    ) -> list[AssociationData]:
        by_identifier = {item.identifier: item for item in items}
        by_uri = {item.fields["uri"]: item.identifier for item in items if item.fields.get("uri")}
        document_identifier = doc[0] if doc else None
        document_keys = set()
        if doc:
            document_keys = {doc[2].get("rawIdentifier", ""), str(document_identifier), doc[2].get("uri", "")}
            document_keys.discard("")

        known: dict[str, uuid.UUID] = {}  # each item is named by several associations: parse it once

        def resolve(ref: NodeRef) -> tuple[str, uuid.UUID | None]:
            for candidate in (ref.identifier, _last_segment(ref.uri) if not ref.identifier else ""):
                if candidate:
                    found = known.get(candidate)
                    if found is None:
                        found = known[candidate] = as_uuid(candidate)[0]
                    if found in by_identifier:
                        return "item", found
                    if found == document_identifier or candidate in document_keys:
                        return "document", None
            if ref.uri in by_uri:
                return "item", by_uri[ref.uri]
            if ref.uri and ref.uri in document_keys:
                return "document", None
            return "external", None

        out: list[AssociationData] = []
        seen: dict[uuid.UUID, str] = {}
        for n, (path, raw) in enumerate(raw_associations):
            fields = self.fields(raw, path, ASSOCIATION_FIELDS)
            association_type = self.required_text(fields, "associationType", path).strip()
            origin = fields.pop("originNodeURI", None)
            destination = fields.pop("destinationNodeURI", None)
            for key, ref in (("originNodeURI", origin), ("destinationNodeURI", destination)):
                if ref is None and not any(p.path == key_path(path, key) for p in self.problems):
                    self.problem(key_path(path, key), "required (with an identifier or a uri)")
            if len(association_type) > ASSOCIATION_TYPE_MAX:
                self.problem(
                    key_path(path, "associationType"), f"longer than {ASSOCIATION_TYPE_MAX} characters"
                )
                continue
            if origin is None or destination is None or not association_type:
                continue
            raw_identifier = fields.pop("identifier", "")
            if raw_identifier.strip():
                identifier, is_uuid = as_uuid(raw_identifier)
                if not is_uuid:
                    fields["sourceIdentifier"] = raw_identifier
            else:
                identifier = uuid.uuid5(
                    CASE_NAMESPACE,
                    f"association/{origin.identifier or origin.uri}/{association_type}/"
                    f"{destination.identifier or destination.uri}/{n}",
                )
                self.warn(key_path(path, "identifier"), "missing: one was made from the association's ends")
            if identifier in seen:
                self.problem(
                    key_path(path, "identifier"), f"duplicate identifier, also used by {seen[identifier]}"
                )
                continue
            seen[identifier] = path
            extensions = fields.get("extensions", {})
            mine = extensions.pop(EXTENSION_KEY, None)
            if isinstance(mine, dict) and isinstance(mine.get("sourceIdentifier"), str):
                fields.setdefault("sourceIdentifier", mine["sourceIdentifier"])
            if isinstance(mine, dict) and isinstance(mine.get("associationType"), str):
                # A type CASE 1.1 has no name for, written by us as ext:...; the original comes back.
                association_type = mine["associationType"][:ASSOCIATION_TYPE_MAX] or association_type
            if "extensions" in fields and not fields["extensions"]:
                del fields["extensions"]
            sequence = fields.pop("sequenceNumber", None)
            origin_kind, origin_id = resolve(origin)
            destination_kind, destination_id = resolve(destination)
            out.append(
                AssociationData(
                    index=n,
                    identifier=identifier,
                    association_type=association_type,
                    origin=origin_id,
                    origin_ref=origin.as_ref() if origin_kind != "item" else {},
                    destination=destination_id,
                    destination_ref=destination.as_ref() if destination_kind == "external" else {},
                    destination_is_document=destination_kind == "document",
                    sequence_number=sequence,
                    fields=fields,
                    path=path,
                )
            )
        return out

    # The hierarchy ------------------------------------------------------------------------------------------

    def hierarchy(self, items: list[ItemData], associations: list[AssociationData]) -> list[ItemData]:
        """Set each item's parent (its first isChildOf in the package), its place among its siblings and its
        depth; refuse isChildOf cycles; return the items parents first, siblings in order."""
        by_identifier = {item.identifier: item for item in items}
        parents: dict[uuid.UUID, list[tuple[uuid.UUID, AssociationData]]] = {}
        primary: dict[uuid.UUID, AssociationData] = {}
        has_children: set[uuid.UUID] = set()
        for association in associations:
            if association.association_type != "isChildOf" or association.origin is None:
                continue
            child = association.origin
            if association.destination is not None:
                parents.setdefault(child, []).append((association.destination, association))
                has_children.add(association.destination)
            if (association.destination is not None or association.destination_is_document) and (
                child not in primary
            ):
                primary[child] = association
        self.cycles(parents, by_identifier)
        if self.problems:
            return []
        siblings: dict[uuid.UUID | None, list[tuple[Any, ...]]] = {}
        for item in items:
            link = primary.get(item.identifier)
            item.parent = link.destination if link else None
            sequence = link.sequence_number if link else None
            order = (
                (0, sequence) if sequence is not None else (1, 0),
                natural_key(str(item.fields.get("listEnumeration", ""))),
                natural_key(item.code),
                link.index if link else len(associations) + item.index,
            )
            siblings.setdefault(item.parent, []).append((order, item))
            if item.identifier in has_children:
                item.node_type = NodeType.DOMAIN
            elif item.cultivate.get("node_type"):
                item.node_type = item.cultivate["node_type"]
            elif item.item_type.strip().lower() in DOMAIN_TYPES:
                item.node_type = NodeType.DOMAIN
        for entries in siblings.values():
            entries.sort(key=lambda entry: entry[0])
        ordered: list[ItemData] = []
        stack: list[tuple[ItemData, int]] = [(entry[1], 0) for entry in reversed(siblings.get(None, []))]
        for position, entry in enumerate(siblings.get(None, []), start=1):
            entry[1].sequence = position
        while stack:
            item, depth = stack.pop()
            item.depth = depth
            ordered.append(item)
            children = siblings.get(item.identifier, [])
            for position, entry in enumerate(children, start=1):
                entry[1].sequence = position
            stack.extend((entry[1], depth + 1) for entry in reversed(children))
        return ordered

    def cycles(
        self,
        parents: dict[uuid.UUID, list[tuple[uuid.UUID, AssociationData]]],
        by_identifier: dict[uuid.UUID, ItemData],
    ) -> None:
        """Depth-first over isChildOf edges (child to parent); an edge back into the path closes a cycle."""
        state: dict[uuid.UUID, int] = {}  # 1 on the current path, 2 finished

        def name(identifier: uuid.UUID) -> str:
            item = by_identifier.get(identifier)
            return (item.code or str(identifier)) if item else str(identifier)

        for start in parents:
            if state.get(start):
                continue
            path: list[uuid.UUID] = []
            stack: list[tuple[uuid.UUID, int]] = [(start, 0)]
            while stack:
                node, position = stack.pop()
                if position == 0:
                    state[node] = 1
                    path.append(node)
                edges = parents.get(node, [])
                if position < len(edges):
                    stack.append((node, position + 1))
                    target, association = edges[position]
                    if state.get(target) == 1:
                        loop = [*path[path.index(target) :], target]
                        self.problem(
                            key_path(association.path, "destinationNodeURI"),
                            "isChildOf makes a cycle: " + " → ".join(name(i) for i in loop),
                        )
                    elif not state.get(target):
                        stack.append((target, 0))
                else:
                    state[node] = 2
                    path.pop()


_LINK_KEYS = {"title", "identifier", "uri"}


class _Unusable:
    """A value of the right type that still cannot be read (a date that is not a date)."""


_UNUSABLE = _Unusable()


def _describe(kind: str) -> str:
    return {DATE: "a date", DATETIME: "a date and time", INT: "a whole number"}.get(kind, "a value")


def _whole_number(value: float | str) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return re.fullmatch(r"\s*[+-]?\d{1,12}\s*", value) is not None


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _BadNumber(
            f"holds a number of {len(text.lstrip('-')):,} digits; more than {MAX_DIGITS:,} cannot be read"
        )
    return int(text)


def _real(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _BadNumber(f"holds a number too large to read ({text[:20]}{'…' if len(text) > 20 else ''})")
    return number


def _constant(text: str) -> Any:
    raise _BadNumber(f"holds {text}, which is not a number JSON allows")


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list"


def _too_deep() -> str:
    return f"objects and lists nested more than {MAX_DEPTH} levels deep; a CASE package needs far fewer"


def _unstorable(text: str) -> str:
    """Why this text cannot be stored ("holding ..."), or "" when it can."""
    if "\x00" in text:
        return "holding the NUL character (U+0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"holding a lone surrogate (U+{ord(text[error.start]):04X}), which is not valid Unicode"
    return ""


def _path_of(entry: _Entry, last: str | int | None = None) -> str:
    """The JSON path of the entry's value, or of its member `last`, from the chain of parent entries."""
    steps: list[str | int] = [] if last is None else [last]
    while entry[2] is not None:
        steps.append(entry[3])  # type: ignore[arg-type]
        entry = entry[2]
    path = "$"
    for step in reversed(steps):
        path = index_path(path, step) if isinstance(step, int) else key_path(path, _printable(step))
    return path


def _printable(key: str) -> str:
    """A key as it can be shown: NUL and lone surrogates written as escapes."""
    return key.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def _last_segment(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1] if uri else ""
