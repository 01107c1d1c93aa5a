"""The home page and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cultivate.accounts import access as account_access
from cultivate.accounts import selectors as account_selectors
from cultivate.accounts.access import acting_membership
from cultivate.core import selectors as core_selectors
from cultivate.core.access import deny
from cultivate.core.forms import AuditFilterForm

from .home import home_actions
from .menus import home_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    if membership is None:
        return render(request, "site/no_role.jinja", {"page_title": "No role yet"})
    actions = home_actions(membership)
    return render(
        request,
        "site/home.jinja",
        {
            "page_title": "Home",
            "todo": [action for action in actions if not action.figure],
            "figures": [action for action in actions if action.figure],
            "cards": home_cards(membership),
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    if membership is None or not account_access.may(membership, "read_audit"):
        deny(request, reason="Only admins may read the audit log.")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else core_selectors.AuditFilters()
    events = account_selectors.audit_events_visible_to(membership)
    page = core_selectors.audit_log(events, filters, page=_page_number(request))
    return render(
        request,
        "site/audit_log.jinja",
        {"page_title": "Audit log", "form": form, "page": page, "form_has_errors": bool(form.errors)},
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
