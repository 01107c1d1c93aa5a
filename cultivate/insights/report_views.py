"""The board report pages: an organisation admin, workforce analyst or alliance admin picks an organisation they
may see (an alliance admin may take all members together), a period and HTML or PDF. The report is made by the
worker (`tasks.run_board_report`), not in the request: the form records it and sends the reader to its status
page, which follows the stages (figures, charts, PDF) and then offers the file. Access comes from `access`
(board report section); the figures from `cultivate.insights.report`, which reads the insights store only.
Every download is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from cultivate.accounts.models import Membership, Role, User
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.jobs import job_recover_if_stale
from cultivate.organisations.models import Organisation

from . import access, dashboards, guards, selectors
from .board_reports import presenters as report_presenters
from .board_reports import selectors as report_selectors
from .board_reports import services as report_services
from .models import BoardReport
from .report import organisations_in
from .report.period import months_before
from .report_forms import ALL_MEMBERS, BoardReportForm

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _organisations(membership: Membership) -> list[Organisation]:
    if membership.role == Role.ALLIANCE_ADMIN:
        return selectors.alliance_organisations(membership)
    return [membership.organisation] if membership.organisation is not None else []


def _breadcrumbs() -> list[dict[str, str]]:
    return [{"text": "Home", "href": "/"}, {"text": "Board report", "href": "/insights/report/"}]


@login_required
def board_report(request: HttpRequest) -> HttpResponse:
    membership = guards.board_report_or_deny(request)
    assert isinstance(request.user, User)
    data = request.POST if request.method == "POST" else request.GET
    chosen_code = (data.get("organisation") or "").strip().upper()
    chosen: Organisation | None = None
    if chosen_code and chosen_code != ALL_MEMBERS:
        chosen = guards.board_report_organisation_or_deny(request, chosen_code)
    elif chosen_code == ALL_MEMBERS and membership.role != Role.ALLIANCE_ADMIN:
        deny(request, reason="Only alliance admins take a report across an alliance's members.")
    organisations = _organisations(membership)
    store = selectors.insights_store()
    latest = dashboards.latest_month_end(store) if dashboards.has_datasets(store) else None
    individual = {o.ods_code for o in organisations if access.has_individual_level_insights(membership, o)}
    alliance_label = (
        f"All member organisations of {membership.alliance.name}"
        if membership.role == Role.ALLIANCE_ADMIN and membership.alliance is not None
        else None
    )
    initial: dict[str, Any] = {"organisation": chosen.ods_code if chosen else None, "file_format": "pdf"}
    if latest is not None:
        initial.update(start=f"{months_before(latest, 12):%Y-%m}", end=f"{latest:%Y-%m}")
    form = BoardReportForm(
        request.POST if request.method == "POST" else None,
        organisations=[(o.ods_code, f"{o.name} ({o.ods_code})") for o in organisations],
        all_members_label=alliance_label,
        individual_level_codes=individual,
        initial=initial,
    )
    if latest is not None and form.is_bound and form.is_valid():
        report = _ask(request, membership, form, chosen, organisations, alliance_label or "")
        if report is not None:
            return redirect("insights:board_report_status", pk=report.pk)
    return render(
        request,
        "insights/report_form.jinja",
        {
            "page_title": "Board report",
            "form": form,
            "has_data": latest is not None,
            "latest": latest,
            "recent": report_presenters.report_rows(
                report_selectors.recent_board_reports(membership, request.user)
            ),
            "keep_days": report_services.KEEP_DAYS,
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


def _ask(
    request: HttpRequest,
    membership: Membership,
    form: BoardReportForm,
    chosen: Organisation | None,
    organisations: list[Organisation],
    alliance_label: str,
) -> BoardReport | None:
    """Record the report and queue it, or None with the problem added to the form."""
    present = organisations_in(selectors.insights_store())
    if chosen is not None:
        codes = [chosen.ods_code] if chosen.ods_code in present else []
        title = f"Workforce report: {chosen.name}"
    else:
        codes = [o.ods_code for o in organisations if o.ods_code in present]
        title = f"Workforce report: {alliance_label.lower()}"
    if not codes:
        # Only the organisations this role may see are named: the store's other contents stay unsaid.
        form.add_error(
            "organisation", "The imported workforce extracts hold no records for this organisation"
        )
        return None
    assert isinstance(request.user, User)
    report = report_services.board_report_create(
        membership=membership,
        actor=request.user,
        organisation=chosen,
        alliance=membership.alliance if chosen is None else None,
        organisation_codes=codes,
        title=title,
        period=form.period,
        file_format=form.cleaned_data["file_format"],
        # The form drops a tick that is not the role's to give; the service refuses it again.
        individual_level=bool(form.cleaned_data.get("individual_level")),
        cost_per_leaver=form.cleaned_data.get("replacement_cost"),
        commentary=form.cleaned_data.get("commentary") or "",
    )
    report_services.board_report_dispatch(report=report)
    return report


@login_required
def board_report_status(request: HttpRequest, pk: int) -> HttpResponse:
    # The page must not say "being prepared" for a report whose worker has gone.
    report = job_recover_if_stale(guards.board_report_record_or_deny(request, pk))
    detail = report_presenters.status_detail(report)
    return render(
        request,
        "insights/report_status.jinja",
        {
            "page_title": f"Board report {report.pk}",
            "report": report,
            "detail": detail,
            # WCAG 2.2.1: whoever needs longer to read the page can stop it updating itself.
            "refresh": request.GET.get("refresh") != "off",
            "breadcrumbs": _breadcrumbs(),
        },
    )


@login_required
def board_report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = guards.board_report_record_or_deny(request, pk)
    path = report_services.board_report_export(report=report, ctx=AuditContext.from_request(request))
    if path is None:
        raise Http404("This report has no file: it is not ready, was not made, or has been deleted.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        content_type=CONTENT_TYPES[report.file_format],
        filename=report_services.download_name(report),
    )
