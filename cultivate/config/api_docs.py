"""The API documentation page at /api/docs: our own page, rendered from the OpenAPI document with the NHS.UK
layout, in place of django-ninja's Swagger UI, which fails accessibility checks (contrast, names, keyboard).
Public, like the document itself: it holds no data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from cultivate.config.api import api
from cultivate.core import openapi


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    doc = openapi.document(schema)
    return render(
        request,
        "api_docs.jinja",
        {"page_title": "API documentation", "doc": doc, "openapi_url": reverse("api:openapi-json")},
    )
