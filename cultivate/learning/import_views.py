"""Import of completions from a learning system's export: an organisation's educators and admins upload
`training.csv` (or XLSX), then follow the import and read its report or its problems."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import object_or_deny
from cultivate.core.audit import AuditContext
from cultivate.core.exports import spreadsheet_export
from cultivate.core.forms import add_service_errors
from cultivate.core.jobs import job_recover_if_stale
from cultivate.core.jobs_presenter import job_problems, job_progress, job_status_tag
from cultivate.core.jobs_problems import problems_format, problems_response

from . import guards, selectors, services
from .models import TrainingImportStatus


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Export of completions",
        help_text="training.csv (person_id, course_code, course_title, completed_on, mandatory, hours, cost_gbp) "
        "or an XLSX workbook with those columns.",
        error_messages={"required": "Choose the file to import"},
    )


@login_required
def import_start(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_offers")
    membership = _membership(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.training_import_start(
                ctx=AuditContext.from_request(request),
                membership=membership,
                organisation=organisation,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("learning:import_status", ods_code=organisation.ods_code, pk=record.pk)
    return render(
        request,
        "learning/import_start.jinja",
        {
            "page_title": "Import completions",
            "organisation": organisation,
            "form": form,
            "recent": list(selectors.imports_of(organisation, membership)[:10]),
            "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Learning", "href": "/learning/"}],
        },
    )


@spreadsheet_export
@login_required
def import_status(request: HttpRequest, ods_code: str, pk: int) -> HttpResponseBase:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_offers")
    record = object_or_deny(
        request,
        selectors.imports_of(organisation, _membership(request)),
        {"pk": pk},
        what="training import",
        within=organisation,
    )
    record = job_recover_if_stale(record)
    if request.GET.get("download") == "problems":
        if not record.problem_count:
            raise Http404("This import has no problems to download.")
        return problems_response(
            record.job_problem_rows(),
            file_format=problems_format(request.GET.get("format")),
            name=f"training-import-{record.pk}",
        )
    return render(
        request,
        "learning/import_status.jinja",
        {
            "page_title": f"Import of completions {record.pk}",
            "organisation": organisation,
            "record": record,
            "status": job_status_tag(record, {TrainingImportStatus.REJECTED: "nhsuk-tag--red"}),
            "progress": job_progress(record) if record.is_busy else None,
            "problems": job_problems(record) if record.problem_count else None,
            "report": record.report or {},
            "refresh": request.GET.get("refresh") != "off",
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {
                    "text": "Import completions",
                    "href": f"/learning/organisations/{organisation.ods_code}/import/",
                },
            ],
        },
    )
