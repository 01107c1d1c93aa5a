"""Cohort pages: the cohort (members, partners, sessions, follow-up list), practice partners, registers,
closing, and the cohort community."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors

from . import access, forms, guards, presenters, selectors, services
from .models import CohortStatus


@login_required
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    found = guards.cohort_or_deny(request, pk)
    membership = _membership(request)
    manage = access.may(membership, "manage_cohort", found)
    members = list(selectors.cohort_members(found))
    groups: dict[int, list[Any]] = {}
    for m in members:
        if m.partner_group_id:
            groups.setdefault(m.partner_group_id, []).append(m)
    sessions = list(selectors.cohort_sessions(found))
    context: dict[str, Any] = {
        "page_title": found.name,
        "cohort": found,
        "programme": found.programme,
        "manage": manage,
        "members": members,
        "groups": groups,
        "sessions": sessions,
        "now": timezone.now(),
        "presenters": presenters,
        "closed": found.status == CohortStatus.CLOSED,
    }
    if manage:
        context["follow_up"] = selectors.missed_two_in_a_row(found)
        context["partner_run"] = presenters.run_summary(
            selectors.latest_run(found.programme, "partners", found)
        )
        context["evaluations"] = {
            s.pk: presenters.rating_summary(selectors.session_evaluation_summary(s)[1]) for s in sessions
        }
        if found.status == CohortStatus.CLOSED:
            context["outcomes"] = services.cohort_outcomes(found)
    return render(request, "programmes/cohort.jinja", context)


@login_required
@require_POST
def partners(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.cohort_or_deny(request, pk, "manage_cohort")
    group_pk = request.POST.get("group", "")
    try:
        if group_pk.isdigit():
            group = guards.partner_group_or_deny(request, found, int(group_pk))
            fixed = request.POST.get("fixed") == "1"
            services.partner_group_fix(ctx=AuditContext.from_request(request), group=group, fixed=fixed)
            messages.success(
                request, "Partners kept for the next pairing." if fixed else "Partners released."
            )
        else:
            services.partners_pair(ctx=AuditContext.from_request(request), cohort=found)
            messages.success(request, "Practice partners paired. Partners you kept stayed together.")
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return redirect("programmes:cohort", pk=found.pk)


@login_required
def register(request: HttpRequest, pk: int, session_pk: int) -> HttpResponseBase:
    found = guards.cohort_or_deny(request, pk, "manage_cohort")
    session = guards.session_or_deny(request, session_pk)
    if session.programme_id != found.programme_id or session.cohort_id not in (None, found.pk):
        deny(request, reason="The session is not one of this cohort's.", obj=session, hide_existence=True)
    people = services.session_participants(session, found)
    marks = selectors.register_marks(session, found)
    form = forms.RegisterForm(
        request.POST if request.method == "POST" else None,
        people=[(p.pk, presenters.name(p)) for p in people],
        marks=marks,
    )
    if request.method == "POST" and form.is_valid():
        try:
            n = services.register_take(
                ctx=AuditContext.from_request(request), session=session, cohort=found, marks=form.marks()
            )
            messages.success(request, f"Register saved for {n} {'person' if n == 1 else 'people'}.")
            return redirect("programmes:cohort", pk=found.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    opens, closes = services.attendance.checkin_window(session)
    now = timezone.now()
    return render(
        request,
        "programmes/register.jinja",
        {
            "page_title": f"Register: {session.topic}",
            "cohort": found,
            "session": session,
            "form": form,
            "show_code": opens <= now <= closes and found.status != CohortStatus.CLOSED,
            "presenters": presenters,
        },
    )


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.cohort_or_deny(request, pk, "manage_cohort")
    if request.method == "POST":
        try:
            outcomes = services.cohort_close(ctx=AuditContext.from_request(request), cohort=found)
            done = sum(1 for o in outcomes if o.completed)
            messages.success(request, f"Cohort closed: {done} of {len(outcomes)} completed.")
            return redirect("programmes:cohort", pk=found.pk)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
            return redirect("programmes:cohort", pk=found.pk)
    outcomes = services.cohort_outcomes(found)
    names = {m.pk: presenters.name(m) for m in selectors.cohort_members(found)}
    return render(
        request,
        "programmes/close.jinja",
        {
            "page_title": f"Close {found.name}",
            "cohort": found,
            "outcomes": outcomes,
            "names": names,
            "criteria": services.criteria_text(found.programme),
        },
    )


@login_required
def community(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.cohort_or_deny(request, pk, "view_community")
    membership = _membership(request)
    lead = access.may(membership, "manage_cohort", found)
    form = forms.PostForm(request.POST if request.method == "POST" else None, lead=lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_add(ctx=AuditContext.from_request(request), cohort=found, **form.cleaned_data)
            messages.success(request, "Posted.")
            return redirect("programmes:community", pk=found.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "programmes/community.jinja",
        {
            "page_title": f"{found.name} community",
            "cohort": found,
            "posts": list(selectors.cohort_posts(found)),
            "form": form,
            "lead": lead,
        },
    )


@login_required
def post_hide(request: HttpRequest, pk: int) -> HttpResponseBase:
    post = guards.post_or_deny(request, pk)
    if not access.may(_membership(request), "manage_cohort", post.cohort):
        deny(request, reason="Only the cohort's leads hide posts.", obj=post)
    form = forms.HideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_hide(
                ctx=AuditContext.from_request(request), post=post, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Post hidden. The reason is kept with it.")
            return redirect("programmes:community", pk=post.cohort_id)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "programmes/simple_form.jinja",
        {
            "page_title": "Hide a post",
            "form": form,
            "submit": "Hide the post",
            "intro": post.body or post.link,
            "back": ("programmes:community", post.cohort_id),
        },
    )
