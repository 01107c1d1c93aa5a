"""Support-at-work pages: one's own requests for flexible working and post-incident support, a line manager's
decisions and records, and an organisation's rates for analysts and HR. Thin: access through
`support_access` (via `core.access.object_or_deny`), reads through `support_selectors`, writes through
`support_services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny, object_or_deny
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.exports import spreadsheet_export
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation

from . import support_access, support_forms, support_report, support_selectors, support_services
from .support_models import FlexibleDecision, FlexibleWorkingRequest, IncidentSupport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HUB = {"text": "Support at work", "href": "/learning/support/"}


def _crumbs(*more: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": "Home", "href": "/"}, {"text": "Learning", "href": "/learning/"}, *more]


def _flexible_or_deny(request: HttpRequest, pk: int, action: str = "view_flexible") -> FlexibleWorkingRequest:
    return object_or_deny(
        request,
        support_selectors.flexible_visible_to,
        {"pk": pk},
        what="flexible working request",
        may=support_access.may,
        action=action,
    )


def _support_or_deny(request: HttpRequest, pk: int, action: str = "view_support") -> IncidentSupport:
    return object_or_deny(
        request,
        support_selectors.support_visible_to,
        {"pk": pk},
        what="support record",
        may=support_access.may,
        action=action,
    )


def _organisation_or_deny(request: HttpRequest, ods_code: str) -> Organisation:
    return object_or_deny(
        request,
        org_selectors.organisations_visible_to,
        {"ods_code": ods_code.upper()},
        what="organisation",
        may=support_access.may,
        action="view_support_figures",
    )


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if membership is None or not support_access.may(membership, "support_pages"):
        deny(request, reason="Support at work is for people with a staff record and line managers.")
    today = timezone.localdate()
    return render(
        request,
        "learning/support/hub.jinja",
        {
            "page_title": "Support at work",
            "today": today,
            "own_requests": support_selectors.own_flexible(membership),
            "own_support": support_selectors.own_support(membership),
            "may_ask": support_access.may(membership, "ask_flexible"),
            "is_manager": support_access.may(membership, "manage_support"),
            "to_decide": support_selectors.flexible_to_decide(membership),
            "decided": support_selectors.flexible_decided_for_team(membership),
            "team_support": support_selectors.support_for_team(membership),
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
def flexible_new(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not support_access.may(membership, "ask_flexible"):
        deny(request, reason="Only a worker with a staff record asks for flexible working.")
    form = support_forms.FlexibleAskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = support_services.flexible_request(
                ctx=AuditContext.from_request(request), membership=membership, ask=form.ask()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Your request has gone to your line manager. They must decide by "
                f"{made.decision_due_on:%-d %B %Y}.",
            )
            return redirect("learning:flexible", pk=made.pk)
    return render(
        request,
        "learning/support/flexible_form.jinja",
        {"page_title": "Ask for flexible working", "form": form, "breadcrumbs": _crumbs(HUB)},
    )


@login_required
def flexible_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _flexible_or_deny(request, pk)
    membership = _membership(request)
    appeal = support_forms.AppealForm(request.POST or None, initial={"appeal_note": item.appeal_note})
    if request.method == "POST":
        if not support_access.may(membership, "note_appeal", item):
            deny(request, reason="Only the line manager or HR note an appeal.", obj=item)
        if appeal.is_valid():
            try:
                support_services.flexible_note_appeal(
                    ctx=AuditContext.from_request(request),
                    membership=membership,
                    request=item,
                    note=appeal.cleaned_data["appeal_note"],
                )
            except ValidationError as error:
                add_service_errors(appeal, error)
            else:
                messages.success(request, "Appeal noted.")
                return redirect("learning:flexible", pk=item.pk)
    today = timezone.localdate()
    return render(
        request,
        "learning/support/flexible.jinja",
        {
            "page_title": f"Flexible working request of {item.person.display_name}",
            "item": item,
            "overdue": item.decision == FlexibleDecision.PENDING and item.decision_due_on < today,
            "may_decide": item.decision == FlexibleDecision.PENDING
            and support_access.may(membership, "decide_flexible", item),
            "may_withdraw": support_access.may(membership, "withdraw_flexible", item),
            "may_appeal": item.decision in {FlexibleDecision.REFUSED, FlexibleDecision.APPROVED_CHANGED}
            and support_access.may(membership, "note_appeal", item),
            "appeal": appeal,
            "breadcrumbs": _crumbs(HUB),
        },
    )


@login_required
def flexible_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _flexible_or_deny(request, pk, "decide_flexible")
    form = support_forms.FlexibleDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = support_services.flexible_decide(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                request=item,
                decision=data["decision"],
                decided_on=data.get("decided_on"),
                refusal_reason=data.get("refusal_reason") or "",
                note=data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{decided.person.display_name}: {decided.get_decision_display().lower()}."
            )
            return redirect("learning:support")
    return render(
        request,
        "learning/support/flexible_decide.jinja",
        {
            "page_title": f"Decide {item.person.display_name}'s request",
            "form": form,
            "item": item,
            "breadcrumbs": _crumbs(
                HUB, {"text": "Request", "href": f"/learning/support/flexible/{item.pk}/"}
            ),
        },
    )


@login_required
@require_POST
def flexible_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _flexible_or_deny(request, pk, "withdraw_flexible")
    try:
        support_services.flexible_withdraw(
            ctx=AuditContext.from_request(request), membership=_membership(request), request=item
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Request withdrawn.")
    return redirect("learning:support")


@login_required
def support_new(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not support_access.may(membership, "manage_support"):
        deny(request, reason="Post-incident support is recorded by line managers.")
    form = support_forms.SupportForm(
        request.POST or None, people=support_selectors.people_to_support(membership)
    )
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        if not support_access.may(membership, "record_support", person):
            deny(request, reason="Only the person's line manager records support.", obj=person)
        try:
            record = support_services.support_record(
                ctx=AuditContext.from_request(request),
                membership=membership,
                person=person,
                offered=form.offered(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Support for {person.display_name} recorded.")
            return redirect("learning:support_record", pk=record.pk)
    return render(
        request,
        "learning/support/support_form.jinja",
        {
            "page_title": "Record support after an incident",
            "form": form,
            "breadcrumbs": _crumbs(HUB),
        },
    )


@login_required
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _support_or_deny(request, pk)
    membership = _membership(request)
    may_change = support_access.may(membership, "change_support", record)
    form = support_forms.FollowUpForm(
        request.POST or None, initial={"answer": record.answer, "done_on": record.follow_up_done_on}
    )
    if request.method == "POST":
        if not may_change:
            deny(request, reason="Only the line manager records the follow-up.", obj=record)
        if form.is_valid():
            try:
                support_services.support_follow_up(
                    ctx=AuditContext.from_request(request),
                    membership=membership,
                    record=record,
                    answer=form.cleaned_data["answer"],
                    done_on=form.cleaned_data.get("done_on"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Follow-up saved.")
                return redirect("learning:support_record", pk=record.pk)
    return render(
        request,
        "learning/support/support.jinja",
        {
            "page_title": f"Support after an incident – {record.person.display_name}",
            "record": record,
            "form": form,
            "may_change": may_change,
            "due": record.follow_up_done_on is None and record.follow_up_on <= timezone.localdate(),
            "breadcrumbs": _crumbs(HUB),
        },
    )


@login_required
def figures(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = _organisation_or_deny(request, ods_code)
    report = support_report.figures(organisation)
    return render(
        request,
        "learning/support/figures.jinja",
        {
            "page_title": f"Support at work in figures – {organisation.name}",
            "report": report,
            "sections": [
                (table, support_report.chart(table), support_report.display(table)) for table in report.tables
            ],
            "breadcrumbs": _crumbs(),
        },
    )


@spreadsheet_export
@login_required
def figures_export(request: HttpRequest, ods_code: str, file_format: str) -> HttpResponse:
    organisation = _organisation_or_deny(request, ods_code)
    if file_format not in {"csv", "xlsx"}:
        deny(request, reason="Downloads are CSV or XLSX.", obj=organisation, hide_existence=True)
    report = support_report.figures(organisation)
    audit(
        CoreAction.EXPORT,
        ctx=AuditContext.from_request(request),
        obj=organisation,
        organisation=organisation,
        what="support at work figures",
        file_format=file_format,
    )
    if file_format == "csv":
        response = HttpResponse(support_report.csv_file(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(support_report.xlsx_file(report), content_type=XLSX)
    filename = f"support-at-work-{organisation.ods_code}-{report.on.isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
