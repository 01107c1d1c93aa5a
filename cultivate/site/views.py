"""The home page and the audit log (its page and its exports)."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cultivate.accounts import access as account_access
from cultivate.accounts import selectors as account_selectors
from cultivate.accounts.access import acting_membership
from cultivate.accounts.models import Membership
from cultivate.core import selectors as core_selectors
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.exports import spreadsheet_export
from cultivate.core.forms import AuditFilterForm
from cultivate.organisations import selectors as org_selectors

from . import presenters, services
from .home import home_actions
from .menus import home_cards

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
    membership = _audit_reader(request)
    form, filters = _audit_filters(request, membership)
    page = core_selectors.audit_log(
        account_selectors.audit_events_visible_to(membership), filters, page=_page_number(request)
    )
    people = org_selectors.people_by_id(membership, presenters.people_in(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "site/audit_log.jinja",
        {
            "page_title": "Audit log",
            "form": form,
            "page": page,
            "rows": [presenters.audit_row(event, people) for event in page.object_list],
            "form_has_errors": bool(form.errors),
            "export_query": f"?{query.urlencode()}" if query else "",
            "export_limit": services.EXPORT_LIMIT,
        },
    )


@spreadsheet_export
@login_required
def audit_log_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in EXPORT_TYPES:
        raise Http404("No such export format.")
    membership = _audit_reader(request)
    form, filters = _audit_filters(request, membership)
    events = list(
        core_selectors.audit_events_filtered(account_selectors.audit_events_visible_to(membership), filters)[
            : services.EXPORT_LIMIT
        ]
    )
    people = org_selectors.people_by_id(membership, presenters.people_in(events))
    rows = presenters.export_rows(presenters.audit_row(event, people) for event in events)
    content = services.audit_log_export(
        ctx=AuditContext.from_request(request),
        membership=membership,
        rows=rows,
        file_format=file_format,
        filters=form.described() if form.is_valid() else {},
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[file_format])
    filename = f"audit-log-{timezone.localdate().isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _audit_reader(request: HttpRequest) -> Membership:
    membership = acting_membership(request)
    if membership is None or not account_access.may(membership, "read_audit"):
        deny(request, reason="Only admins may read the audit log.")
    assert membership is not None
    return membership


def _audit_filters(
    request: HttpRequest, membership: Membership
) -> tuple[AuditFilterForm, core_selectors.AuditFilters]:
    form = AuditFilterForm(request.GET or None)
    if not form.is_valid():
        return form, core_selectors.AuditFilters()
    filters = form.filters()
    person = form.cleaned_data.get("person") or ""
    if person.strip():
        ids = org_selectors.person_ids_matching(membership, person)
        filters = dataclasses.replace(filters, person_ids=tuple(ids))
    return form, filters


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
