"""Portfolio pages: my portfolio and a person's (read-only), a competence, evidence and its files, sign-off
requests, the assessor's queue and review, corrections and withdrawals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import Membership
from cultivate.core.access import deny, object_or_deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors
from cultivate.frameworks.models import Competence
from cultivate.organisations.models import Person

from . import access, forms, presenters, selectors, services
from .models import Assessment, Evidence, RequestStatus, SignOffRequest


def _own_person(request: HttpRequest) -> Person | None:
    return request.user.person  # type: ignore[union-attr]


def _no_portfolio(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/no_portfolio.jinja", {"page_title": "Your portfolio"})


def _person_or_deny(request: HttpRequest, pk: int, action: str = "view_portfolio") -> Person:
    source = selectors.portfolios_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="person", may=access.may, action=action)


def _competence_or_deny(request: HttpRequest, person: Person, pk: int) -> Competence:
    return object_or_deny(
        request,
        selectors.competences(),
        {"pk": pk},
        what="competence for this portfolio",
        visible=lambda competence: selectors.competence_is_available(person, competence),
        within=person,
    )


def _evidence_or_deny(request: HttpRequest, pk: int, action: str = "view_portfolio") -> Evidence:
    membership = _membership(request)
    return object_or_deny(
        request,
        selectors.evidence_visible_to(membership),
        {"pk": pk},
        what="evidence",
        allowed=lambda evidence: access.may(membership, action, evidence.person),
        action=action,
    )


def _request_or_deny(request: HttpRequest, pk: int, action: str) -> SignOffRequest:
    membership = _membership(request)
    return object_or_deny(
        request,
        selectors.requests_visible_to(membership),
        {"pk": pk},
        what="sign-off request",
        allowed=lambda item: access.may(membership, action, item.person),
        action=action,
    )


def _is_self(request: HttpRequest, person: Person) -> bool:
    return bool(request.user.person_id == person.pk)  # type: ignore[union-attr]


def _portfolio_crumbs(request: HttpRequest, person: Person) -> list[dict[str, str]]:
    crumbs = [{"text": "Home", "href": "/"}]
    if _is_self(request, person):
        crumbs.append({"text": "Your portfolio", "href": reverse("portfolio:mine")})
    else:
        crumbs.append(
            {"text": person.display_name, "href": reverse("organisations:person", args=[person.pk])}
        )
        crumbs.append(
            {"text": "Portfolio", "href": reverse("portfolio:person", args=[person.pk])},
        )
    return crumbs


def _competence_href(request: HttpRequest, person: Person) -> Any:
    if _is_self(request, person):
        return lambda c: reverse("portfolio:competence", args=[c.pk])
    return lambda c: reverse("portfolio:person_competence", args=[person.pk, c.pk])


# --- Portfolio ---------------------------------------------------------------------------------------


def _portfolio(request: HttpRequest, person: Person) -> HttpResponse:
    is_self = _is_self(request, person)
    overview = presenters.portfolio_overview(person, _competence_href(request, person))
    context: dict[str, Any] = {
        "page_title": "Your portfolio" if is_self else f"Portfolio – {person.display_name}",
        "person": person,
        "is_self": is_self,
        "overview": overview,
        "breadcrumbs": [{"text": "Home", "href": "/"}]
        if is_self
        else [
            {"text": "Home", "href": "/"},
            {"text": person.display_name, "href": reverse("organisations:person", args=[person.pk])},
        ],
    }
    if is_self:
        context["requests"] = presenters.request_rows(
            r
            for r in selectors.requests_for(person)
            if r.status in {RequestStatus.OPEN, RequestStatus.RETURNED}
        )
        context["evidence_count"] = selectors.evidence_of(person).count()
    return render(request, "portfolio/portfolio.jinja", context)


@login_required
def my_portfolio(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return _no_portfolio(request)
    return _portfolio(request, person)


@login_required
def person_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    return _portfolio(request, _person_or_deny(request, pk))


def _competence_page(request: HttpRequest, person: Person, competence: Competence) -> HttpResponseBase:
    current = selectors.published_competence(competence)
    if current is not None and current.pk != competence.pk:
        # Always show the competence as now published (its history covers every version).
        href = _competence_href(request, person)(current)
        return redirect(href)
    membership = _membership(request)
    detail = presenters.competence_detail(person, competence)
    may_sign_off = access.may(membership, "sign_off", person)
    return render(
        request,
        "portfolio/competence.jinja",
        {
            "page_title": competence.label,
            "person": person,
            "is_self": _is_self(request, person),
            "may_edit": access.may(membership, "edit_portfolio", person),
            "may_sign_off": may_sign_off,
            "published": current is not None,
            "detail": detail,
            "breadcrumbs": _portfolio_crumbs(request, person),
        },
    )


@login_required
def my_competence(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = _own_person(request)
    if person is None:
        return _no_portfolio(request)
    return _competence_page(request, person, _competence_or_deny(request, person, pk))


@login_required
def person_competence(request: HttpRequest, person_pk: int, pk: int) -> HttpResponseBase:
    person = _person_or_deny(request, person_pk)
    return _competence_page(request, person, _competence_or_deny(request, person, pk))


# --- Evidence ----------------------------------------------------------------------------------------


@login_required
def evidence_list(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return _no_portfolio(request)
    return render(
        request,
        "portfolio/evidence_list.jinja",
        {
            "page_title": "Your evidence",
            "rows": presenters.evidence_rows(selectors.evidence_of(person)),
            "breadcrumbs": _portfolio_crumbs(request, person),
        },
    )


def _competence_options(person: Person, extra: list[Competence]) -> list[Competence]:
    required = selectors.required_competences(person)
    seen = {c.pk for c in required}
    return [*required, *(c for c in extra if c.pk not in seen)]


@login_required
def evidence_new(request: HttpRequest) -> HttpResponseBase:
    person = _own_person(request)
    if person is None:
        return _no_portfolio(request)
    membership = _membership(request)
    if not access.may(membership, "edit_portfolio", person):
        deny(request, reason="Only the worker adds evidence to their portfolio.", obj=person)
    preselected: list[Competence] = []
    chosen = request.GET.get("competence", "")
    if chosen.isdigit():
        competence = _competence_or_deny(request, person, int(chosen))
        preselected = [selectors.published_competence(competence) or competence]
    options = _competence_options(person, preselected)
    form = forms.EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        competence_choices=presenters.competence_choices(options),
        initial={"competences": [c.pk for c in preselected]},
    )
    if request.method == "POST" and form.is_valid():
        by_pk = {c.pk: c for c in options}
        try:
            evidence = services.evidence_create(
                membership=membership,
                person=person,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                occurred_on=form.cleaned_data["occurred_on"],
                text=form.cleaned_data["text"],
                witness_name=form.cleaned_data["witness_name"],
                witness_role=form.cleaned_data["witness_role"],
                competences=[by_pk[pk] for pk in form.competence_ids() if pk in by_pk],
                files=form.cleaned_data["attachments"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Evidence ‘{evidence.title}’ added.")
            return redirect(reverse("portfolio:evidence", args=[evidence.pk]) + "?added=1")
    find = request.GET.get("find", "")
    selected = (
        request.POST.getlist("competences") if request.method == "POST" else [str(c.pk) for c in preselected]
    )
    return render(
        request,
        "portfolio/evidence_form.jinja",
        {
            "page_title": "Add evidence",
            "form": form,
            "form_has_errors": bool(form.errors),
            "find": find,
            "preselected": chosen if chosen.isdigit() else "",
            "groups": presenters.competence_groups(
                options, selectors.parents_of(options), find=find, selected=selected
            ),
            "no_competences": not options,
            "breadcrumbs": _portfolio_crumbs(request, person),
        },
    )


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence_or_deny(request, pk)
    person = evidence.person
    is_self = _is_self(request, person)
    may_edit = access.may(_membership(request), "edit_portfolio", person)
    detail = presenters.evidence_detail(evidence)
    # The next step after adding evidence: ask for sign-off of what it shows (unless already asked).
    asked = {r.competence_id for r in selectors.requests_for(person) if r.status == RequestStatus.OPEN}
    return render(
        request,
        "portfolio/evidence_detail.jinja",
        {
            "page_title": evidence.title,
            "evidence": evidence,
            "person": person,
            "is_self": is_self,
            "may_edit": may_edit,
            "detail": detail,
            "ask_for": [link for link in detail["direct"] if link["pk"] not in asked] if may_edit else [],
            "just_added": request.GET.get("added") == "1",
            "breadcrumbs": [
                *_portfolio_crumbs(request, person),
                *([{"text": "Your evidence", "href": reverse("portfolio:evidence_list")}] if is_self else []),
            ],
        },
    )


@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = _evidence_or_deny(request, pk, "edit_portfolio")
    person = evidence.person
    lock_reason = services.evidence_lock_reason(evidence)
    files = list(evidence.files.all())
    form = forms.EvidenceEditForm(
        request.POST if request.method == "POST" and not lock_reason else None,
        request.FILES if request.method == "POST" and not lock_reason else None,
        file_choices=[(f.pk, f.original_name) for f in files],
        initial={
            "kind": evidence.kind,
            "title": evidence.title,
            "occurred_on": evidence.occurred_on,
            "text": evidence.text,
            "witness_name": evidence.witness_name,
            "witness_role": evidence.witness_role,
        },
    )
    if request.method == "POST" and not lock_reason and form.is_valid():
        try:
            services.evidence_update(
                membership=_membership(request),
                evidence=evidence,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                occurred_on=form.cleaned_data["occurred_on"],
                text=form.cleaned_data["text"],
                witness_name=form.cleaned_data["witness_name"],
                witness_role=form.cleaned_data["witness_role"],
                add_files=form.cleaned_data["attachments"],
                remove_file_ids=form.remove_file_ids(),
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Evidence changed.")
            return redirect("portfolio:evidence", pk=evidence.pk)
    return render(
        request,
        "portfolio/evidence_edit.jinja",
        {
            "page_title": f"Change evidence – {evidence.title}",
            "evidence": evidence,
            "form": form,
            "form_has_errors": bool(form.errors),
            "lock_reason": lock_reason,
            "breadcrumbs": [
                *_portfolio_crumbs(request, person),
                {"text": evidence.title, "href": reverse("portfolio:evidence", args=[evidence.pk])},
            ],
        },
    )


@login_required
def evidence_links(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Link evidence to more competences, or unlink it from one (unless relied on for it)."""
    evidence = _evidence_or_deny(request, pk, "edit_portfolio")
    person = evidence.person
    membership = _membership(request)
    linked = {link.competence_id for link in evidence.links.all()}
    options = [c for c in _competence_options(person, []) if c.pk not in linked]
    form = forms.LinkForm(
        request.POST if request.method == "POST" and "unlink" not in request.POST else None,
        competence_choices=presenters.competence_choices(options),
    )
    if request.method == "POST" and "unlink" in request.POST:
        chosen = request.POST["unlink"]
        target = object_or_deny(
            request,
            selectors.competences(),
            {"pk": int(chosen) if chosen.isdigit() else 0},
            what="competence linked to this evidence",
            visible=lambda competence: competence.pk in linked,
            within=evidence,
        )
        try:
            services.evidence_unlink(
                membership=membership,
                evidence=evidence,
                competences=[target],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, f"Evidence no longer linked to {target.label}.")
        return redirect("portfolio:evidence_links", pk=evidence.pk)
    if request.method == "POST" and form.is_valid():
        by_pk = {c.pk: c for c in options}
        made = services.evidence_link(
            membership=membership,
            evidence=evidence,
            competences=[by_pk[pk] for pk in form.competence_ids() if pk in by_pk],
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, f"Linked to {len(made)} more competence{'s' if len(made) != 1 else ''}.")
        return redirect("portfolio:evidence", pk=evidence.pk)
    locked = selectors.locked_competence_keys(evidence)
    return render(
        request,
        "portfolio/evidence_links.jinja",
        {
            "page_title": f"Competences – {evidence.title}",
            "evidence": evidence,
            "detail": presenters.evidence_detail(evidence),
            "locked": {
                link.competence_id
                for link in evidence.links.all()
                if (link.competence.framework_id, link.competence.identifier) in locked
            },
            "form": form,
            "form_has_errors": bool(form.errors),
            "has_options": bool(options),
            "breadcrumbs": [
                *_portfolio_crumbs(request, person),
                {"text": evidence.title, "href": reverse("portfolio:evidence", args=[evidence.pk])},
            ],
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    evidence = _evidence_or_deny(request, pk)
    record = selectors.evidence_file_by_id(evidence, file_pk)
    if record is None:
        deny(request, reason=f"No file {file_pk} on evidence {pk}.", obj=evidence, hide_existence=True)
    try:
        handle = services.evidence_file_open(
            membership=_membership(request), evidence_file=record, ctx=AuditContext.from_request(request)
        )
    except FileNotFoundError:
        deny(
            request,
            reason=f"Evidence file {record.pk} is missing from storage.",
            obj=evidence,
            hide_existence=True,
        )
    response = FileResponse(
        handle, as_attachment=True, filename=record.original_name, content_type=record.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Sign-off requests -------------------------------------------------------------------------------


@login_required
def request_new(request: HttpRequest) -> HttpResponseBase:
    person = _own_person(request)
    if person is None:
        return _no_portfolio(request)
    membership = _membership(request)
    if not access.may(membership, "edit_portfolio", person):
        deny(request, reason="Only the worker asks for sign-off of their own competences.", obj=person)
    data = request.POST if request.method == "POST" else None
    chosen = (data or request.GET).get("competence", "")
    competence: Competence | None = None
    if chosen.isdigit():
        found = _competence_or_deny(request, person, int(chosen))
        competence = selectors.published_competence(found) or found
    options = _competence_options(person, [competence] if competence else [])
    evidence = (
        selectors.evidence_for_competence(person, competence)
        if competence
        else list(selectors.evidence_of(person))
    )
    assessors = selectors.assessors_for(person)
    form = forms.SignOffRequestForm(
        data,
        competences=presenters.competence_choices(options),
        levels=services.level_choices(competence) if competence else [],
        evidence=[
            (e.pk, f"{e.title} ({presenters.KIND_LABELS.get(e.kind, e.kind)}, {e.occurred_on:%d/%m/%Y})")
            for e in evidence
        ],
        assessors=[(u.pk, u.full_name or u.email) for u in assessors],
        initial={"competence": competence.pk if competence else None, "evidence": [e.pk for e in evidence]},
    )
    if data is not None and form.is_valid() and competence is not None:
        by_pk = {e.pk: e for e in evidence}
        by_user = {u.pk: u for u in assessors}
        try:
            services.signoff_request_create(
                membership=membership,
                person=person,
                competence=competence,
                level_sought=form.cleaned_data["level_sought"],
                evidence=[by_pk[pk] for pk in form.evidence_ids() if pk in by_pk],
                message=form.cleaned_data["message"],
                assessor=by_user.get(form.cleaned_data["assessor"])
                if form.cleaned_data["assessor"]
                else None,
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Sign-off of {competence.label} requested. The assessor has been told."
            )
            return redirect("portfolio:competence", pk=competence.pk)
    return render(
        request,
        "portfolio/request_form.jinja",
        {
            "page_title": "Ask for sign-off",
            "form": form,
            "form_has_errors": bool(form.errors),
            "competence": competence,
            "in_practice": bool(competence and competence.assessed_in_practice),
            "no_assessors": not assessors,
            "breadcrumbs": _portfolio_crumbs(request, person),
        },
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _request_or_deny(request, pk, "edit_portfolio")
    membership = _membership(request)
    try:
        services.signoff_request_cancel(
            membership=membership, signoff_request=item, ctx=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, "Request cancelled.")
    return redirect("portfolio:competence", pk=item.competence_id)


# --- Assessors ---------------------------------------------------------------------------------------


def _assessor_membership(request: HttpRequest) -> Membership:
    membership = _membership(request)
    if membership is None or not access.may(membership, "review_sign_offs"):
        deny(request, reason="Only assessors have a sign-off queue.")
    return membership


QUEUE_PAGE_SIZE = 25


@login_required
def assessor_queue(request: HttpRequest) -> HttpResponse:
    membership = _assessor_membership(request)
    teams, competences = selectors.assessor_queue_choices(membership)
    form = forms.QueueFilterForm(request.GET or None, teams=teams, competences=competences)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilters(
        team=data.get("team"),
        competence=data.get("competence") or "",
        waiting_days=data.get("waiting"),
        mine=data.get("mine") == "1",
        sort=data.get("sort") or "oldest",
    )
    paginator = Paginator(selectors.assessor_queue_filtered(membership, filters), QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portfolio/queue.jinja",
        {
            "page_title": "Sign-off requests",
            "form": form,
            "rows": presenters.queue_rows(page.object_list, user_pk=membership.user.pk),
            "page": page,
            "count": paginator.count,
            "total": selectors.assessor_queue(membership).count(),
            "filtered": any(request.GET.get(name) for name in ("team", "competence", "waiting", "mine")),
            "recent": presenters.decision_rows(selectors.recent_decisions(membership)),
            "registered": membership.user.is_registered_professional,
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


def _request_for_assessor(request: HttpRequest, pk: int) -> SignOffRequest:
    return _request_or_deny(request, pk, "sign_off")


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _request_for_assessor(request, pk)
    membership = _membership(request)
    person = item.person
    competence = selectors.published_competence(item.competence) or item.competence
    levels = services.level_choices(competence)
    action = request.POST.get("action") if request.method == "POST" else None
    sign_form = forms.SignOffForm(
        request.POST if action == "sign_off" else None,
        prefix="signoff",
        levels=levels,
        initial={"level": item.level_sought},
    )
    return_form = forms.ReturnForm(request.POST if action == "return" else None, prefix="return")
    if action is not None and item.status != RequestStatus.OPEN:
        messages.warning(request, "This request has already been decided or cancelled.")
        return redirect("portfolio:review", pk=item.pk)
    detail = presenters.competence_detail(person, competence)
    below_needed = ""
    if (
        action == "sign_off"
        and sign_form.is_valid()
        and detail["required_rank"]
        and competence.framework.level_rank(sign_form.cleaned_data["level"]) < detail["required_rank"]
        and not sign_form.cleaned_data["confirm_below"]
    ):
        # A sign-off below the level the role needs does not meet the requirement: ask once more.
        below_needed = detail["row"].required_level
    elif action == "sign_off" and sign_form.is_valid():
        try:
            services.signoff_sign_off(
                membership=membership,
                signoff_request=item,
                level=sign_form.cleaned_data["level"],
                assessed_on=sign_form.cleaned_data["assessed_on"],
                comments=sign_form.cleaned_data["comments"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(sign_form, error)
        else:
            messages.success(request, f"{competence.label} signed off for {person.display_name}.")
            return redirect("portfolio:queue")
    if action == "return" and return_form.is_valid():
        try:
            services.signoff_return(
                membership=membership,
                signoff_request=item,
                feedback=return_form.cleaned_data["feedback"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(return_form, error)
        else:
            messages.success(request, f"Returned to {person.display_name} with your feedback.")
            return redirect("portfolio:queue")
    evidence = list(item.evidence.all())
    return render(
        request,
        "portfolio/review.jinja",
        {
            "page_title": f"Review – {person.display_name}, {competence.label}",
            "item": item,
            "person": person,
            "competence": competence,
            "detail": detail,
            "below_needed": below_needed,
            "chosen_level": competence.framework.level_label(sign_form.cleaned_data["level"])
            if below_needed
            else "",
            "request_row": presenters.request_rows([item])[0],
            "evidence": [
                {
                    "row": presenters.evidence_rows([e])[0],
                    "text": e.text,
                    "witness": ", ".join(filter(None, [e.witness_name, e.witness_role])),
                    "files": presenters.file_rows(e, e.files.all()),
                }
                for e in evidence
            ],
            "practice_missing": services.practice_evidence_missing(competence, evidence),
            "sign_form": sign_form,
            "return_form": return_form,
            "form_has_errors": bool(sign_form.errors or return_form.errors),
            "is_open": item.status == RequestStatus.OPEN,
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": "Sign-off requests", "href": reverse("portfolio:queue")},
            ],
        },
    )


def _assessment_for_assessor(request: HttpRequest, pk: int) -> Assessment:
    membership = _membership(request)
    return object_or_deny(
        request,
        selectors.assessments_visible_to(membership),
        {"pk": pk},
        what="assessment",
        allowed=lambda assessment: access.may(membership, "sign_off", assessment.person),
        action="sign_off",
    )


def _supersede_page(
    request: HttpRequest, assessment: Assessment, form: Form, template: str, title: str
) -> HttpResponse:
    person = assessment.person
    return render(
        request,
        template,
        {
            "page_title": title,
            "assessment": assessment,
            "person": person,
            "competence": assessment.competence,
            "history": presenters.assessment_history([assessment]),
            "standing": selectors.is_standing(assessment),
            "form": form,
            "form_has_errors": bool(form.errors),
            "back": reverse("portfolio:person_competence", args=[person.pk, assessment.competence_id]),
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": person.display_name, "href": reverse("portfolio:person", args=[person.pk])},
            ],
        },
    )


@login_required
def assessment_correct(request: HttpRequest, pk: int) -> HttpResponseBase:
    assessment = _assessment_for_assessor(request, pk)
    levels = services.level_choices(assessment.competence)
    form = forms.CorrectionForm(
        request.POST if request.method == "POST" else None,
        levels=levels,
        initial={"level": assessment.level, "assessed_on": assessment.assessed_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_correct(
                membership=_membership(request),
                assessment=assessment,
                level=form.cleaned_data["level"],
                assessed_on=form.cleaned_data["assessed_on"],
                reason=form.cleaned_data["reason"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sign-off corrected. The earlier record is kept, marked as superseded.")
            return redirect(
                "portfolio:person_competence", person_pk=assessment.person_id, pk=assessment.competence_id
            )
    return _supersede_page(
        request, assessment, form, "portfolio/assessment_correct.jinja", "Correct a sign-off"
    )


@login_required
def assessment_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    assessment = _assessment_for_assessor(request, pk)
    form = forms.WithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_withdraw(
                membership=_membership(request),
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sign-off withdrawn. The earlier record is kept, marked as superseded.")
            return redirect(
                "portfolio:person_competence", person_pk=assessment.person_id, pk=assessment.competence_id
            )
    return _supersede_page(
        request, assessment, form, "portfolio/assessment_withdraw.jinja", "Withdraw a sign-off"
    )
