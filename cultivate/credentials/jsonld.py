"""JSON-LD for credentials, with every context loaded from the project's own files: nothing is fetched.

The contexts come from the npm packages installed with the project (`contexts/build.cjs`, run by `make install`,
writes them to `contexts/build/contexts.json`). A document naming any other context is refused. Canonicalisation
is RDFC-1.0, which pyld names by its earlier name, URDNA2015 (the same algorithm: RDFC-1.0 is its W3C
Recommendation). pyld has no "safe mode", so `undefined_terms` does what it would: a property the contexts do not
define would be dropped from the canonical form, and so would be outside the signature; we refuse such documents
rather than sign or accept what the proof does not cover."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, cast

from pyld import jsonld  # type: ignore[import-untyped]

CONTEXTS_FILE = Path(__file__).parent / "contexts" / "build" / "contexts.json"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


class ContextNotAvailable(ValueError):
    """A document names a context this service does not ship (and it will not fetch one)."""


@functools.cache
def contexts() -> dict[str, Any]:
    try:
        loaded = json.loads(CONTEXTS_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError as error:  # pragma: no cover - an installation without `make install`
        raise RuntimeError(
            f"{CONTEXTS_FILE} is missing: run `make install` (or `node cultivate/credentials/contexts/build.cjs`)"
        ) from error
    return cast(dict[str, Any], loaded)


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the shipped contexts only."""
    document = contexts().get(url)
    if document is None:
        raise ContextNotAvailable(f"The context {url} is not one this service knows")
    # "tag": "static" lets pyld keep the processed context across operations (it never changes here).
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document), "tag": "static"}


def _options() -> dict[str, Any]:
    return {"documentLoader": document_loader}


def canonicalize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    options = {**_options(), "algorithm": "URDNA2015", "format": "application/n-quads"}
    return cast(str, jsonld.normalize(document, options))


def canonical_and_undefined(document: dict[str, Any]) -> tuple[str, list[str]]:
    """The canonical N-Quads of a document and the properties its contexts do not define, expanding it once.

    Expansion drops what no context defines, and never adds a value, so a document keeps all its properties
    exactly when its expanded form holds as many values (ids, types, literals) as it has scalars. Only when the
    counts differ is the slower comparison run, to name the properties."""
    expanded = jsonld.expand(document, _options())
    missing: list[str] = []
    if _scalars(document) != _expanded_values(expanded):
        missing = undefined_terms(document) or ["(a property no context defines)"]
    options = {**_options(), "algorithm": "URDNA2015", "format": "application/n-quads"}
    return cast(str, jsonld.normalize(expanded, options)), missing


def _scalars(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_scalars(item) for key, item in value.items() if key != "@context")
    if isinstance(value, list):
        return sum(_scalars(item) for item in value)
    return 0 if value is None else 1


def _expanded_values(value: Any) -> int:
    if isinstance(value, list):
        return sum(_expanded_values(item) for item in value)
    if not isinstance(value, dict):
        return 0
    if "@value" in value:
        return 1  # its @type is a datatype the context added, not a value of the document
    count = 1 if "@id" in value else 0
    types = value.get("@type", [])
    count += len(types) if isinstance(types, list) else 1
    return count + sum(_expanded_values(item) for key, item in value.items() if not key.startswith("@"))


def undefined_terms(document: dict[str, Any]) -> list[str]:
    """The paths of properties the document's contexts do not define (which canonicalisation would drop).

    Expands the document, compacts it again with its own context, and lists the keys that did not come back."""
    context = document.get("@context")
    expanded = jsonld.expand(document, _options())
    compacted = jsonld.compact(expanded, {"@context": context}, _options())
    missing: list[str] = []
    _compare(document, compacted, "", missing)
    return missing


def _compare(original: Any, compacted: Any, path: str, missing: list[str]) -> None:
    if isinstance(original, dict):
        if not isinstance(compacted, dict):
            missing.append(path or "(document)")
            return
        for key, value in original.items():
            if key == "@context":
                continue
            here = f"{path}.{key}" if path else key
            if key not in compacted:
                missing.append(here)
                continue
            _compare(value, compacted[key], here, missing)
    elif isinstance(original, list):
        # Compaction keeps a list's order (and turns a one-item list into the item).
        items = compacted if isinstance(compacted, list) else [compacted]
        if len(items) != len(original):
            missing.append(path)
            return
        for number, (left, right) in enumerate(zip(original, items, strict=True)):
            _compare(left, right, f"{path}[{number}]", missing)
