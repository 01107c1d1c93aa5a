"""Staff import pages: an organisation's admins upload people.csv and assignments.csv, then follow the import
and read its report."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import User
from cultivate.core.access import object_or_deny
from cultivate.core.audit import AuditContext
from cultivate.core.exports import spreadsheet_export
from cultivate.core.jobs import job_recover_if_stale
from cultivate.core.jobs_problems import problems_format, problems_response

from . import guards
from .models import Organisation, StaffImport
from .staff_import import presenters, services
from .staff_import import selectors as import_selectors
from .staff_import.forms import StaffImportForm


def _breadcrumbs(organisation: Organisation) -> list[dict[str, str]]:
    return [
        {"text": "Home", "href": "/"},
        {"text": organisation.name, "href": f"/organisations/{organisation.ods_code}/"},
    ]


@login_required
def import_start(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "import_staff")
    if request.method == "POST":
        form = StaffImportForm(request.POST, request.FILES)
        if form.is_valid():
            assert isinstance(request.user, User)
            record = services.staff_import_create(
                organisation=organisation,
                actor=request.user,
                people=form.cleaned_data["people"],
                assignments=form.cleaned_data["assignments"],
            )
            services.staff_import_dispatch(record=record)
            return redirect("organisations:import_status", ods_code=organisation.ods_code, pk=record.pk)
    else:
        form = StaffImportForm()
    return render(
        request,
        "organisations/import_start.jinja",
        {
            "page_title": "Import staff records",
            "organisation": organisation,
            "form": form,
            "form_has_errors": bool(form.errors),
            "recent": presenters.import_rows(
                import_selectors.recent_imports(_membership(request), organisation)
            ),
            "background_rows": settings.STAFF_IMPORT_BACKGROUND_ROWS,
            "breadcrumbs": _breadcrumbs(organisation),
        },
    )


def _record(request: HttpRequest, ods_code: str, pk: int) -> tuple[Organisation, StaffImport]:
    organisation = guards.organisation_or_deny(request, ods_code, "import_staff")
    record = object_or_deny(
        request,
        import_selectors.imports_of(organisation),
        {"pk": pk},
        what="staff import",
        within=organisation,
    )
    # The page must not say "running" for an import whose worker has gone.
    return organisation, job_recover_if_stale(record)


@login_required
@require_POST
def import_confirm(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    """The preview's buttons: import the checked files, or cancel. Either works once; a second press (or a
    stale page) just shows the import as it now is."""
    _organisation, record = _record(request, ods_code, pk)
    assert isinstance(request.user, User)
    if request.POST.get("action") == "cancel":
        services.staff_import_cancel(record=record)
    else:
        services.staff_import_confirm(record=record, actor=request.user)
    return redirect("organisations:import_status", ods_code=ods_code, pk=record.pk)


@spreadsheet_export
@login_required
def import_status(request: HttpRequest, ods_code: str, pk: int) -> HttpResponseBase:
    organisation, record = _record(request, ods_code, pk)
    if request.GET.get("download") == "problems":
        rows = services.staff_import_problems_export(record=record, ctx=AuditContext.from_request(request))
        if rows is None:
            raise Http404("This import has no problems to download.")
        return problems_response(
            rows, file_format=problems_format(request.GET.get("format")), name=f"staff-import-{record.pk}"
        )
    return render(
        request,
        "organisations/import_status.jinja",
        {
            "page_title": f"Staff import {record.pk}",
            "organisation": organisation,
            "record": record,
            "detail": presenters.status_detail(record),
            # WCAG 2.2.1: whoever needs longer to read the page can stop it refreshing itself.
            "refresh": request.GET.get("refresh") != "off",
            "breadcrumbs": [
                *_breadcrumbs(organisation),
                {"text": "Import staff records", "href": f"/organisations/{organisation.ods_code}/import/"},
            ],
        },
    )
