"""An OpenAPI 3 document → what the API documentation page shows: operations grouped by tag, their parameters and
responses as rows of tables, and each schema's properties. Reads only the document, so any NinjaAPI can use it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # path, query, header or cookie
    type: str
    required: bool
    description: str

    @property
    def row(self) -> tuple[str, ...]:
        return (self.name, self.where, self.type, "Yes" if self.required else "No", self.description)


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    type: str

    @property
    def row(self) -> tuple[str, ...]:
        return (self.status, self.description, self.type)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Parameter]
    body: str  # the request body's type, if any
    responses: list[Response]


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    required: bool
    description: str

    @property
    def row(self) -> tuple[str, ...]:
        return (self.name, self.type, "Yes" if self.required else "No", self.description)


@dataclass(frozen=True)
class SchemaDoc:
    name: str
    anchor: str
    description: str
    properties: list[Property]


@dataclass
class ApiDoc:
    title: str
    version: str
    description: list[Markup]
    tags: dict[str, list[Operation]] = field(default_factory=dict)
    schemas: list[SchemaDoc] = field(default_factory=list)
    security: list[tuple[str, str]] = field(default_factory=list)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict[str, Any] | None) -> str:
    """A short, readable type: `string (date)`, `array of PersonOut`, `integer or null`, `one of: a, b`."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return " or ".join(dict.fromkeys(type_of(part) for part in schema[combined]))
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    kind = schema.get("type", "")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"array of {type_of(schema.get('items'))}".strip()
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def paragraphs(text: str) -> list[Markup]:
    """Plain text with blank lines between paragraphs and `code` in backticks, as safe HTML paragraphs."""
    found = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if paragraph.strip():
            html = re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(paragraph.strip())))
            found.append(Markup(html))  # noqa: S704 - built from escaped text
    return found


def _content_type(content: dict[str, Any] | None) -> str:
    if not content:
        return ""
    media, body = next(iter(content.items()))
    return f"{type_of(body.get('schema'))} ({media})"


def document(schema: dict[str, Any]) -> ApiDoc:
    info = schema.get("info", {})
    doc = ApiDoc(
        title=info.get("title", "API"),
        version=info.get("version", ""),
        description=paragraphs(info.get("description", "")),
    )
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            operation = Operation(
                method=method.upper(),
                path=path,
                anchor=f"operation-{op.get('operationId') or re.sub(r'[^a-z0-9]+', '-', (method + path).lower())}",
                summary=op.get("summary", ""),
                description=op.get("description", ""),
                parameters=[
                    Parameter(
                        name=p["name"],
                        where=p.get("in", ""),
                        type=type_of(p.get("schema")),
                        required=bool(p.get("required")),
                        description=p.get("description", "") or p.get("schema", {}).get("description", ""),
                    )
                    for p in op.get("parameters", [])
                ],
                body=_content_type(op.get("requestBody", {}).get("content")),
                responses=[
                    Response(
                        status=str(code),
                        description=r.get("description", ""),
                        type=_content_type(r.get("content")),
                    )
                    for code, r in op.get("responses", {}).items()
                ],
            )
            doc.tags.setdefault((op.get("tags") or ["other"])[0], []).append(operation)
    components = schema.get("components", {})
    for name, body in sorted(components.get("schemas", {}).items()):
        required = set(body.get("required", []))
        doc.schemas.append(
            SchemaDoc(
                name=name,
                anchor=f"schema-{name}",
                description=body.get("description", ""),
                properties=[
                    Property(
                        name=prop,
                        type=type_of(spec),
                        required=prop in required,
                        description=spec.get("description", ""),
                    )
                    for prop, spec in body.get("properties", {}).items()
                ],
            )
        )
    for name, scheme in components.get("securitySchemes", {}).items():
        doc.security.append((name, scheme.get("description", "")))
    return doc
