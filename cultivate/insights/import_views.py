"""Getting workforce data into insights from the web: an organisation's admins and analysts upload an extract or
refresh the snapshot of the service's own records, then follow the task on its status page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cultivate.accounts.models import User
from cultivate.core.access import acting_membership, deny
from cultivate.core.exports import spreadsheet_export
from cultivate.core.jobs import job_recover_if_stale
from cultivate.core.jobs_problems import problems_format, problems_response
from cultivate.organisations.models import Organisation

from .access import workforce_organisation_or_deny
from .uploads import presenters, selectors, services
from .uploads.forms import ExtractUploadForm

IMPORT = "import_workforce_data"


def _breadcrumbs(organisation: Organisation) -> list[dict[str, str]]:
    return [
        {"text": "Home", "href": "/"},
        {"text": "Import workforce data", "href": f"/insights/organisations/{organisation.ods_code}/import/"},
    ]


@login_required
def import_start(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = workforce_organisation_or_deny(request, ods_code, IMPORT)
    if request.method == "POST":
        form = ExtractUploadForm(request.POST, request.FILES)
        if form.is_valid():
            assert isinstance(request.user, User)
            record = services.insights_import_create(
                organisation=organisation, actor=request.user, upload=form.cleaned_data["extract"]
            )
            services.insights_import_dispatch(record=record)
            return redirect("insights:import_status", ods_code=organisation.ods_code, pk=record.pk)
    else:
        form = ExtractUploadForm()
    return render(
        request,
        "insights/import_start.jinja",
        {
            "page_title": "Import workforce data",
            "organisation": organisation,
            "form": form,
            "form_has_errors": bool(form.errors),
            "dataset": services.extract_dataset_name(organisation),
            "max_upload_mb": services.MAX_UPLOAD_MB,
            "recent": presenters.import_rows(
                selectors.recent_imports(acting_membership(request), organisation)
            ),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
@require_POST
def snapshot_start(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = workforce_organisation_or_deny(request, ods_code, IMPORT)
    assert isinstance(request.user, User)
    record = services.insights_snapshot_create(organisation=organisation, actor=request.user)
    services.insights_import_dispatch(record=record)
    return redirect("insights:import_status", ods_code=organisation.ods_code, pk=record.pk)


@spreadsheet_export
@login_required
def import_status(request: HttpRequest, ods_code: str, pk: int) -> HttpResponseBase:
    organisation = workforce_organisation_or_deny(request, ods_code, IMPORT)
    record = selectors.insights_import_by_id(pk)
    if record is None or record.organisation_id != organisation.pk:
        deny(
            request,
            reason=f"No insights import {pk} for {organisation.ods_code}.",
            obj=organisation,
            hide_existence=True,
        )
    # The page must not say "running" for an import whose worker has gone.
    record = job_recover_if_stale(record)
    if request.GET.get("download") == "problems":
        assert isinstance(request.user, User)
        rows = services.insights_import_problems_export(record=record, actor=request.user)
        if rows is None:
            raise Http404("This import has no problems to download.")
        return problems_response(
            rows, file_format=problems_format(request.GET.get("format")), name=f"insights-import-{record.pk}"
        )
    detail = presenters.status_detail(record)
    return render(
        request,
        "insights/import_status.jinja",
        {
            "page_title": f"{'Snapshot' if detail['is_snapshot'] else 'Workforce data import'} {record.pk}",
            "organisation": organisation,
            "record": record,
            "detail": detail,
            # WCAG 2.2.1: whoever needs longer to read the page can stop it updating itself.
            "refresh": request.GET.get("refresh") != "off",
            "breadcrumbs": _breadcrumbs(organisation),
        },
    )
