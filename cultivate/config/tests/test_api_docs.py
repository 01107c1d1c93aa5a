"""The API documentation page (/api/docs): our own NHS.UK page rendered from the OpenAPI document, in place of
Swagger UI. Its accessibility is checked in the browser (tests/system/test_upload_and_api_docs_accessibility.py)."""

from __future__ import annotations

import re

from django.test import Client

from cultivate.config.api import api
from cultivate.core import openapi


def test_every_operation_and_schema_is_on_the_page(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method in item:
            assert f"<code>{method.upper()} {path}</code>" in html, (method, path)
    for name in schema["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'href="/api/openapi.json"' in html
    # The NHS.UK layout's own scripts only, and no inline styles allowed any more.
    assert "swagger" not in html.lower()
    assert all("src=" in attrs or "nonce=" in attrs for attrs in re.findall(r"<script([^>]*)>", html))
    style_src = next(p for p in response["Content-Security-Policy"].split("; ") if p.startswith("style-src"))
    assert "unsafe-inline" not in style_src


def test_types_read_as_words() -> None:
    assert openapi.type_of({"$ref": "#/components/schemas/PersonOut"}) == "PersonOut"
    assert (
        openapi.type_of({"type": "array", "items": {"$ref": "#/components/schemas/TeamOut"}})
        == "array of TeamOut"
    )
    assert openapi.type_of({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}) == (
        "string (date) or null"
    )
    assert openapi.type_of({"enum": ["current", "left"], "type": "string"}) == "one of: current, left"
    assert [str(p) for p in openapi.paragraphs("Send `a <b>`.\n\nSecond.")] == [
        "Send <code>a &lt;b&gt;</code>.",
        "Second.",
    ]
