"""Learning pages: a worker's next steps and record, the catalogue and its sessions, booking and requests,
registers, mandatory training, compliance and gaps for a team and an organisation. Thin: each page checks
access through `guards`, reads through `selectors`, `compliance` and `gaps`, writes through `services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.exports import spreadsheet_export
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, TeamSetting

from . import access, compliance, forms, gaps, guards, presenters, reports, selectors, services
from .models import EnrolmentStatus, OfferKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _home(title: str = "Learning", href: str = "/learning/") -> list[dict[str, str]]:
    return [{"text": "Home", "href": "/"}, {"text": title, "href": href}]


def _own_organisation(request: HttpRequest) -> Organisation:
    membership = _membership(request)
    organisation = membership.organisation if membership is not None else None
    if organisation is None:
        deny(request, reason="This role manages no organisation's learning.")
    return organisation


# --- A worker ------------------------------------------------------------------------------------------


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "view_catalogue"):
        deny(request, reason="This role belongs to no organisation.")
    assert membership is not None
    if not access.may(membership, "view_own_learning"):
        # The section's first page: a role without a staff record of its own goes on from here.
        return render(
            request,
            "learning/no_record.jinja",
            {"page_title": "Learning", "breadcrumbs": [{"text": "Home", "href": "/"}]},
        )
    person = guards.person_or_deny(request, membership.user.person_id or 0)
    on = timezone.localdate()
    found = gaps.person_gaps(person, on=on)
    mandatory = compliance.mandatory_status_for_people([person.pk], on).get(person.pk, [])
    enrolments = selectors.enrolments_of(person)
    now = timezone.now()
    return render(
        request,
        "learning/mine.jinja",
        {
            "page_title": "My learning",
            "person": person,
            "gaps": [presenters.gap_row(gap, on) for gap in found],
            "mandatory": [presenters.subject_row(s) for s in mandatory],
            "upcoming": [e for e in enrolments if e.session.starts_at >= now and e.status in _LIVE],
            "to_complete": [
                e for e in enrolments if e.session.starts_at < now and e.status == EnrolmentStatus.BOOKED
            ],
            "completions": selectors.completions_of(person),
            "when": presenters.session_when,
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


_LIVE = {EnrolmentStatus.REQUESTED, EnrolmentStatus.BOOKED, EnrolmentStatus.WAITING}


# --- The catalogue -------------------------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "view_catalogue"):
        deny(request, reason="This role belongs to no organisation.")
    kind = request.GET.get("kind", "")
    kind = kind if kind in OfferKind.values else ""
    query = request.GET.get("q", "").strip()[:100]
    organisation = membership.organisation if membership is not None else None
    return render(
        request,
        "learning/catalogue.jinja",
        {
            "page_title": "Training catalogue",
            "offers": selectors.catalogue(membership, kind=kind, query=query),
            "kinds": OfferKind.choices,
            "kind": kind,
            "query": query,
            "may_add": organisation is not None and access.may(membership, "manage_offers", organisation),
            "breadcrumbs": _home(),
        },
    )


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = guards.offer_or_deny(request, pk)
    membership = _membership(request)
    return render(
        request,
        "learning/offer.jinja",
        {
            "page_title": offer.title,
            "offer": offer,
            "facts": presenters.offer_facts(offer),
            "develops": selectors.offer_competences(offer),
            "sessions": list(selectors.sessions_of(offer, upcoming_from=timezone.now())),
            "when": presenters.session_when,
            "places": presenters.places,
            "may_manage": access.may(membership, "manage_offer", offer),
            "breadcrumbs": _home("Training catalogue", "/learning/offers/"),
        },
    )


@login_required
def offer_new(request: HttpRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    membership = _membership(request)
    if not access.may(membership, "manage_offers", organisation):
        deny(request, reason="Only the organisation's educators and admins add offers.", obj=organisation)
    form = forms.OfferForm(request.POST or None, subjects=selectors.subjects_visible_to(membership))
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(
                ctx=AuditContext.from_request(request),
                membership=membership,
                fields=form.offer_fields(),
                organisation=organisation,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Offer ‘{offer.title}’ added.")
            return redirect("learning:offer", pk=offer.pk)
    return render(
        request,
        "learning/offer_form.jinja",
        {
            "page_title": "Add an offer",
            "form": form,
            "breadcrumbs": _home("Training catalogue", "/learning/offers/"),
        },
    )


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    offer = guards.offer_or_deny(request, pk, "manage_offer")
    form = forms.SessionForm(request.POST or None, initial={"capacity": offer.capacity})
    if request.method == "POST" and form.is_valid() and "starts_at" in form.cleaned_data:
        data = form.cleaned_data
        try:
            services.session_create(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                offer=offer,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data.get("capacity"),
                venue=data.get("venue") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session added.")
            return redirect("learning:offer", pk=offer.pk)
    return render(
        request,
        "learning/session_form.jinja",
        {
            "page_title": f"Add a session – {offer.title}",
            "form": form,
            "offer": offer,
            "breadcrumbs": _home(),
        },
    )


# --- Sessions, booking, requests -----------------------------------------------------------------------


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = guards.session_or_deny(request, pk)
    membership = _membership(request)
    own = membership.user.person_id if membership is not None else None
    register = (
        selectors.register(session, membership) if access.may(membership, "run_session", session) else []
    )
    mine = [e for e in selectors.register(session, membership) if e.person_id == own and e.status in _LIVE]
    return render(
        request,
        "learning/session.jinja",
        {
            "page_title": f"{session.offer.title}, {presenters.session_when(session)}",
            "session": session,
            "when": presenters.session_when(session),
            "taken": selectors.places_taken(session),
            "register": register,
            "may_run": access.may(membership, "run_session", session),
            "mine": mine[0] if mine else None,
            "may_enrol": access.may(membership, "enrol_self", session)
            and not mine
            and not session.is_cancelled,
            "may_book": access.may(membership, "book_places"),
            "started": session.starts_at <= timezone.now(),
            "breadcrumbs": [
                *_home("Training catalogue", "/learning/offers/"),
                {"text": session.offer.title, "href": f"/learning/offers/{session.offer_id}/"},
            ],
        },
    )


@login_required
@require_POST
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    session = guards.session_or_deny(request, pk, "enrol_self")
    try:
        services.enrolment_request(
            ctx=AuditContext.from_request(request), membership=_membership(request), session=session
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning:session", pk=session.pk)
    messages.success(request, "Your request has gone to your line manager to approve.")
    return redirect("learning:mine")


@login_required
def session_book(request: HttpRequest, pk: int) -> HttpResponse:
    session = guards.session_or_deny(request, pk)
    membership = _membership(request)
    if not access.may(membership, "book_places"):
        deny(request, reason="Places are booked by line managers, educators and admins.", obj=session)
    people = selectors.people_to_book(membership)
    form = forms.BookForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        guards.person_or_deny(request, person.pk, "book_for")
        try:
            enrolment = services.enrolment_book(
                ctx=AuditContext.from_request(request),
                membership=membership,
                session=session,
                person=person,
                protected_time=form.cleaned_data["protected_time"],
                waiting_list=form.cleaned_data["waiting_list"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.display_name}: {enrolment.get_status_display().lower()}.")
            return redirect("learning:session", pk=session.pk)
    return render(
        request,
        "learning/book.jinja",
        {
            "page_title": f"Book a place – {session.offer.title}",
            "form": form,
            "session": session,
            "when": presenters.session_when(session),
            "breadcrumbs": _home(),
        },
    )


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "book_places"):
        deny(request, reason="Requests for places are decided by line managers, educators and admins.")
    pending = [
        e for e in selectors.pending_requests(membership) if access.may(membership, "decide_enrolment", e)
    ]
    return render(
        request,
        "learning/requests.jinja",
        {
            "page_title": "Requests for places",
            "pending": pending,
            "when": presenters.session_when,
            "breadcrumbs": _home(),
        },
    )


@login_required
def enrolment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = guards.enrolment_or_deny(request, pk, "decide_enrolment")
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.enrolment_decide(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                enrolment=enrolment,
                approve=form.cleaned_data["decision"] == "approve",
                protected_time=form.cleaned_data["protected_time"],
                note=form.cleaned_data["note"] or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{decided.person.display_name}: {decided.get_status_display().lower()}."
            )
            return redirect("learning:requests")
    return render(
        request,
        "learning/decide.jinja",
        {
            "page_title": "Decide a request",
            "form": form,
            "enrolment": enrolment,
            "when": presenters.session_when(enrolment.session),
            "breadcrumbs": _home("Requests for places", "/learning/requests/"),
        },
    )


@login_required
@require_POST
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = guards.enrolment_or_deny(request, pk, "withdraw_enrolment")
    try:
        services.enrolment_withdraw(
            ctx=AuditContext.from_request(request), membership=_membership(request), enrolment=enrolment
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Place withdrawn.")
    return redirect("learning:mine")


@login_required
def enrolment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = guards.enrolment_or_deny(request, pk, "complete_own")
    form = forms.CompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            completion = services.completion_complete_own(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                enrolment=enrolment,
                completed_on=form.cleaned_data["completed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Completion recorded. It is in your portfolio as evidence.")
            return redirect("learning:evaluate", pk=completion.pk)
    return render(
        request,
        "learning/complete.jinja",
        {
            "page_title": f"Record completing {enrolment.session.offer.title}",
            "form": form,
            "enrolment": enrolment,
            "when": presenters.session_when(enrolment.session),
            "breadcrumbs": _home("My learning"),
        },
    )


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    completion = guards.completion_or_deny(request, pk, "evaluate")
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                completion=completion,
                rating=form.cleaned_data["rating"],
                useful=form.cleaned_data["useful"],
                change=form.cleaned_data["change"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your evaluation is recorded.")
            return redirect("learning:mine")
    return render(
        request,
        "learning/evaluate.jinja",
        {
            "page_title": f"Evaluate {completion.offer or completion.subject}",
            "form": form,
            "completion": completion,
            "breadcrumbs": _home("My learning"),
        },
    )


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = guards.session_or_deny(request, pk, "run_session")
    membership = _membership(request)
    register = selectors.register(session, membership)
    if request.method == "POST":
        booked = [e.pk for e in register if e.status in {EnrolmentStatus.BOOKED, EnrolmentStatus.ATTENDED}]
        came = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        try:
            made = services.attendance_record(
                ctx=AuditContext.from_request(request),
                membership=membership,
                session=session,
                attended=sorted(came & set(booked)),
                absent=sorted(set(booked) - came),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Attendance recorded: {len(made)} new completions.")
        return redirect("learning:session", pk=session.pk)
    return redirect("learning:session", pk=session.pk)


# --- A person, a team ----------------------------------------------------------------------------------


@login_required
def person_learning(request: HttpRequest, pk: int) -> HttpResponse:
    person = guards.person_or_deny(request, pk)
    on = timezone.localdate()
    return render(
        request,
        "learning/person.jinja",
        {
            "page_title": f"Learning – {person.display_name}",
            "person": person,
            "gaps": [presenters.gap_row(gap, on) for gap in gaps.person_gaps(person, on=on)],
            "mandatory": [
                presenters.subject_row(s)
                for s in compliance.mandatory_status_for_people([person.pk], on).get(person.pk, [])
            ],
            "completions": selectors.completions_of(person),
            "breadcrumbs": _home(),
        },
    )


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    teams = [
        t
        for t in org_selectors.teams_visible_to(membership)
        if access.may(membership, "view_team_learning", t)
    ]
    if not teams and not access.may(membership, "list_team_learning"):
        deny(request, reason="This role has no teams whose learning it may see.")
    return render(
        request,
        "learning/teams.jinja",
        {"page_title": "Team learning", "teams": teams, "breadcrumbs": _home()},
    )


@login_required
def team_learning(request: HttpRequest, pk: int) -> HttpResponse:
    team = guards.team_or_deny(request, pk)
    on = timezone.localdate()
    people = selectors.people_in_team(team, on)
    statuses = compliance.mandatory_status_for_people([p.pk for p in people], on)
    figures = compliance.compliance_figures(statuses, on=on)
    return render(
        request,
        "learning/team.jinja",
        {
            "page_title": f"Learning – {team.name}",
            "team": team,
            "lines": [presenters.team_line_row(line, on) for line in gaps.team_gaps(team, people, on=on)],
            "people": [
                {
                    "person": p,
                    "out_of_date": sum(1 for s in statuses.get(p.pk, []) if not s.is_compliant),
                    "required": len(statuses.get(p.pk, [])),
                }
                for p in people
            ],
            "figures": figures,
            "rate": presenters.rate(figures.compliant, figures.required, suppress=False),
            "rows": presenters.figures_rows(figures, suppress=False),
            "breadcrumbs": _home("Team learning", "/learning/teams/"),
        },
    )


# --- An organisation -----------------------------------------------------------------------------------


@login_required
def compliance_page(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_learning_figures")
    on = timezone.localdate()
    form = forms.GapFilterForm(request.GET or None)
    setting = form.cleaned_data.get("setting", "") if form.is_valid() else ""
    people = selectors.people_in_organisation(organisation, on, setting)
    figures = compliance.compliance_figures(compliance.mandatory_status_for_people(people, on), on=on)
    return render(
        request,
        "learning/compliance.jinja",
        {
            "page_title": f"Mandatory training – {organisation.name}",
            "organisation": organisation,
            "form": form,
            "setting_label": TeamSetting(setting).label if setting else "",
            "figures": figures,
            "rate": presenters.rate(figures.compliant, figures.required),
            "rows": presenters.figures_rows(figures),
            "may_manage": access.may(_membership(request), "manage_offers", organisation),
            "breadcrumbs": _home(),
        },
    )


@login_required
def mandatory(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_offers")
    membership = _membership(request)
    ctx = AuditContext.from_request(request)
    subject_form = forms.SubjectForm(request.POST if request.POST.get("form") == "subject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "reference":
                made = services.subjects_adopt_reference(
                    ctx=ctx, membership=membership, organisation=organisation
                )
                messages.success(request, f"{len(made)} Core Skills Training Framework subjects added.")
                return redirect("learning:mandatory", ods_code=organisation.ods_code)
            if subject_form.is_valid():
                services.subject_create(
                    ctx=ctx, membership=membership, organisation=organisation, **subject_form.cleaned_data
                )
                messages.success(request, "Subject added.")
                return redirect("learning:mandatory", ods_code=organisation.ods_code)
        except ValidationError as error:
            add_service_errors(subject_form, error)
    return render(
        request,
        "learning/mandatory.jinja",
        {
            "page_title": f"Mandatory training subjects – {organisation.name}",
            "organisation": organisation,
            "subjects": selectors.subjects_of(organisation),
            "form": subject_form,
            "breadcrumbs": _home(),
        },
    )


@login_required
def subject_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = guards.subject_or_deny(request, pk)
    membership = _membership(request)
    ctx = AuditContext.from_request(request)
    renewal = forms.RenewalForm(
        request.POST if request.POST.get("form") == "renewal" else None,
        initial={"renewal_months": subject.renewal_months},
    )
    requirement = forms.RequirementForm(request.POST if request.POST.get("form") == "requirement" else None)
    if request.method == "POST":
        try:
            if renewal.is_bound and renewal.is_valid():
                services.subject_set_renewal(
                    ctx=ctx,
                    membership=membership,
                    subject=subject,
                    renewal_months=renewal.cleaned_data["renewal_months"],
                )
                messages.success(request, "Renewal period changed.")
                return redirect("learning:subject", pk=subject.pk)
            if requirement.is_bound and requirement.is_valid():
                services.requirement_add(
                    ctx=ctx,
                    membership=membership,
                    subject=subject,
                    role=requirement.cleaned_data["role"],
                    setting=requirement.cleaned_data["setting"],
                )
                messages.success(request, "Requirement added.")
                return redirect("learning:subject", pk=subject.pk)
            if request.POST.get("form") == "remove":
                found = selectors.requirement_of(subject, request.POST.get("requirement", ""))
                if found is not None:
                    services.requirement_remove(ctx=ctx, membership=membership, requirement=found)
                    messages.success(request, "Requirement removed.")
                return redirect("learning:subject", pk=subject.pk)
        except ValidationError as error:
            add_service_errors(renewal if renewal.is_bound else requirement, error)
    return render(
        request,
        "learning/subject.jinja",
        {
            "page_title": subject.name,
            "subject": subject,
            "requirements": list(subject.requirements.select_related("role")),
            "renewal": renewal,
            "requirement": requirement,
            "breadcrumbs": _home(
                "Mandatory training subjects",
                f"/learning/organisations/{subject.organisation.ods_code}/mandatory/",
            ),
        },
    )


def _coverage(
    request: HttpRequest, organisation: Organisation
) -> tuple[forms.GapFilterForm, list[dict[str, Any]]]:
    form = forms.GapFilterForm(request.GET or None)
    setting = form.cleaned_data.get("setting", "") if form.is_valid() else ""
    lines = gaps.organisation_gaps(organisation, setting=setting)
    roles = gaps.roles_of(lines)
    return form, [presenters.coverage_row(line, roles) for line in lines]


@login_required
def organisation_gaps(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_learning_figures")
    form, rows = _coverage(request, organisation)
    counts = {
        code: sum(1 for r in rows if r["finding_code"] == code) for code in ("gap", "thin", "duplication")
    }
    return render(
        request,
        "learning/gaps.jinja",
        {
            "page_title": f"Training gaps – {organisation.name}",
            "organisation": organisation,
            "form": form,
            "rows": rows,
            "counts": counts,
            "query": request.GET.urlencode(),
            "breadcrumbs": _home(),
        },
    )


@spreadsheet_export
@login_required
def organisation_gaps_xlsx(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_learning_figures")
    _, rows = _coverage(request, organisation)
    response = HttpResponse(presenters.coverage_workbook(rows), content_type=XLSX)
    filename = f"training-gaps-{organisation.ods_code}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def reports_page(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_learning_figures")
    return render(
        request,
        "learning/reports.jinja",
        {
            "page_title": f"Evaluations and spend – {organisation.name}",
            "organisation": organisation,
            "by_offer": [
                presenters.evaluation_row(line) for line in reports.evaluations(organisation, by="offer")
            ],
            "by_provider": [
                presenters.evaluation_row(line) for line in reports.evaluations(organisation, by="provider")
            ],
            "by_session": [
                presenters.evaluation_row(line)
                for line in reports.evaluations(organisation, by="session")[:20]
            ],
            "spend": {
                title: [presenters.spend_row(line) for line in reports.spend(organisation, by=by)]
                for by, title in (("setting", "Setting"), ("role", "Role"), ("band", "Band"))
            },
            "breadcrumbs": _home(),
        },
    )


@login_required
def offer_develops(request: HttpRequest, pk: int) -> HttpResponse:
    """The competences an offer develops: add (knowledge or skill, up to a level) or remove."""
    offer = guards.offer_or_deny(request, pk, "manage_offer")
    membership = _membership(request)
    ctx = AuditContext.from_request(request)
    organisation = offer.organisation or (membership.organisation if membership is not None else None)
    available = selectors.competences_to_develop(organisation) if organisation is not None else None
    form = forms.DevelopsForm(
        request.POST if request.POST.get("form") == "add" else None, competences=available
    )
    if request.method == "POST":
        if request.POST.get("form") == "remove":
            link = selectors.develops_link(offer, request.POST.get("link", ""))
            if link is not None:
                services.offer_undevelop(
                    ctx=ctx, membership=membership, offer=offer, competence=link.competence
                )
                messages.success(request, f"{link.competence.label} removed.")
            return redirect("learning:develops", pk=offer.pk)
        if form.is_valid():
            try:
                services.offer_develops(
                    ctx=ctx,
                    membership=membership,
                    offer=offer,
                    competence=form.cleaned_data["competence"],
                    part=form.cleaned_data["part"],
                    up_to_level=form.cleaned_data["up_to_level"].strip(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['competence'].label} added.")
                return redirect("learning:develops", pk=offer.pk)
    return render(
        request,
        "learning/develops.jinja",
        {
            "page_title": f"Competences it develops – {offer.title}",
            "offer": offer,
            "develops": selectors.offer_competences(offer),
            "form": form,
            "breadcrumbs": [
                *_home("Training catalogue", "/learning/offers/"),
                {"text": offer.title, "href": f"/learning/offers/{offer.pk}/"},
            ],
        },
    )
