"""The outcomes report's pages: a programme's and a cohort's, each also as PDF and XLSX (`?download=pdf|xlsx`).
Thin: the guard fetches the programme or cohort for the role, `outcomes` reads and assembles, the template shows
each chart with its table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.exports import spreadsheet_export

from . import access, guards, outcomes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@spreadsheet_export
def programme_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    programme = guards.programme_or_deny(request, pk, "view_some_outcomes")
    membership = _membership(request)
    # Whoever runs the programme sees it all; an organisation's managers, HR and analysts their own people.
    narrowed = None if access.may(membership, "view_programme_outcomes", programme) else membership
    report = outcomes.programme_outcomes(
        membership, programme, organisation=narrowed.organisation if narrowed is not None else None
    )
    return _respond(request, report)


@login_required
@spreadsheet_export
def cohort_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = guards.cohort_or_deny(request, pk, "view_cohort_outcomes")
    report = outcomes.programme_outcomes(request.membership, cohort.programme, cohort=cohort)  # type: ignore[attr-defined]
    return _respond(request, report)


def _respond(request: HttpRequest, report: outcomes.ProgrammeOutcomes) -> HttpResponse:
    download = request.GET.get("download", "")
    parts = outcomes.sections(report)
    name = f"outcomes-{slugify(report.whole.label) or report.programme.pk}-{timezone.localdate().isoformat()}"
    if download in ("pdf", "xlsx"):
        audit(
            CoreAction.EXPORT,
            ctx=AuditContext.from_request(request),
            obj=report.cohort or report.programme,
            organisation=report.organisation or report.programme.organisation,
            what=f"programme outcomes: {report.whole.label}",
            format=download,
        )
    if download == "xlsx":
        response = HttpResponse(outcomes.outcomes_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if download == "pdf":
        from cultivate.insights.report.render import chart_svg, render_pdf

        svgs = {s.key: chart_svg({**s.chart, "width": 480}, f"chart-{s.key}") for s in parts if s.chart}
        html = render_to_string(
            "programmes/outcomes_print.jinja", {"report": report, "sections": parts, "svgs": svgs}
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return render(
        request,
        "programmes/outcomes.jinja",
        {
            "report": report,
            "sections": [(s, outcomes.chart_json(s.chart) if s.chart else "") for s in parts],
            "page_title": f"Outcomes – {report.whole.label}",
        },
    )
