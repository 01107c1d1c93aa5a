"""The board report page: an organisation admin, workforce analyst or alliance admin picks an organisation they
may see (an alliance admin may take all members together) and a period, and downloads the report as HTML or
PDF. Access comes from `access` (board report section); the figures from `cultivate.insights.report`, which
reads the insights store only. Every download is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cultivate.accounts.models import Membership, Role
from cultivate.core.access import deny
from cultivate.core.audit import audit
from cultivate.core.models import AuditAction
from cultivate.organisations.models import Organisation

from . import access, dashboards, selectors
from .report import ReportError, build_report, organisations_in, render_html, render_pdf
from .report.period import months_before
from .report_forms import ALL_MEMBERS, BoardReportForm

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _organisations(membership: Membership) -> list[Organisation]:
    if membership.role == Role.ALLIANCE_ADMIN:
        return selectors.alliance_organisations(membership)
    return [membership.organisation] if membership.organisation is not None else []


@login_required
def board_report(request: HttpRequest) -> HttpResponse:
    membership = access.board_report_or_deny(request)
    chosen_code = (request.GET.get("organisation") or "").strip().upper()
    chosen: Organisation | None = None
    if chosen_code and chosen_code != ALL_MEMBERS:
        chosen = access.board_report_organisation_or_deny(request, chosen_code)
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
        request.GET if "start" in request.GET else None,
        organisations=[(o.ods_code, f"{o.name} ({o.ods_code})") for o in organisations],
        all_members_label=alliance_label,
        individual_level_codes=individual,
        initial=initial,
    )
    if latest is not None and form.is_bound and form.is_valid():
        response = _download(request, form, chosen, organisations, alliance_label or "", store)
        if response is not None:
            return response
    return render(
        request,
        "insights/report_form.jinja",
        {
            "page_title": "Board report",
            "form": form,
            "has_data": latest is not None,
            "latest": latest,
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


def _download(
    request: HttpRequest,
    form: BoardReportForm,
    chosen: Organisation | None,
    organisations: list[Organisation],
    alliance_label: str,
    store: Path,
) -> HttpResponse | None:
    """The report file, or None with the problem added to the form."""
    present = organisations_in(store)
    if chosen is not None:
        codes = [chosen.ods_code] if chosen.ods_code in present else []
        label, title = chosen.ods_code, f"Workforce report: {chosen.name}"
    else:
        codes = [o.ods_code for o in organisations if o.ods_code in present]
        label = "alliance"
        title = f"Workforce report: {alliance_label.lower()}"
    if not codes:
        # Only the organisations this role may see are named: the store's other contents stay unsaid.
        form.add_error(
            "organisation", "The imported workforce extracts hold no records for this organisation"
        )
        return None
    data = form.cleaned_data
    individual_level = bool(data.get("individual_level"))
    period = form.period
    try:
        report = build_report(store, period, codes, individual_level=individual_level, title=title)
    except ReportError:
        form.add_error(
            "organisation", "The imported workforce extracts hold no records for this organisation"
        )
        return None
    file_format = data["file_format"]
    html = render_html(report)
    body = render_pdf(html) if file_format == "pdf" else html.encode("utf-8")
    audit(
        AuditAction.EXPORT,
        request=request,
        obj=chosen,
        organisation=chosen,
        what="workforce board report",
        organisations=codes,
        period=period.as_json(),
        format=file_format,
        individual_level=individual_level,
    )
    name = f"workforce-report-{label.lower()}-{_stamp(period.start)}-{_stamp(period.end)}.{file_format}"
    return HttpResponse(
        body,
        content_type=CONTENT_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _stamp(day: dt.date) -> str:
    return day.isoformat()
