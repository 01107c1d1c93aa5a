"""Home, the audit log, static pages and the NHS-styled error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cultivate.accounts import access as account_access

from . import forms, selectors
from .access import deny
from .home import home_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None:
        return render(request, "core/no_role.jinja", {"page_title": "No role yet"})
    return render(request, "core/home.jinja", home_context(request, membership))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not account_access.may(membership, "read_audit"):
        deny(request, reason="Only admins may read the audit log.")
    form = forms.AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.AuditFilters()
    page = selectors.audit_log(membership, filters, page=_page_number(request))
    return render(
        request,
        "core/audit_log.jinja",
        {"page_title": "Audit log", "form": form, "page": page, "form_has_errors": bool(form.errors)},
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


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
