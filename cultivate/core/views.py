"""Static pages and the NHS-styled error pages (the home page and the audit log are the site app's)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.jinja", {"page_title": "Accessibility statement"})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.jinja", {"page_title": "Privacy"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "errors/403.jinja", {"page_title": "You do not have access to this page"}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.jinja", {"page_title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    template = loader.get_template("errors/500.jinja")
    return HttpResponse(
        template.render({"page_title": "Sorry, there is a problem with the service"}), status=500
    )


def raise_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("Deliberate error to show the 500 page.")
