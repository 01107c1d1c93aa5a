"""A participant's pages: my programme (place, partner, next session), check-in, the self-assessments, session
evaluations and the end-of-programme feedback. Answers are the person's own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors

from . import forms, guards, presenters, selectors, services
from .models import Stage


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    places = []
    for place in selectors.my_places(membership):
        partners = (
            [m for m in place.partner_group.members.select_related("person") if m.pk != place.pk]
            if place.partner_group
            else []
        )
        sessions = list(selectors.cohort_sessions(place.cohort))
        places.append(
            {
                "place": place,
                "partners": partners,
                "next": next((s for s in sessions if s.ends_at >= timezone.now()), None),
                "now_session": selectors.session_for_checkin(place),
                "assessments": selectors.own_self_assessments(place),
                "to_evaluate": selectors.sessions_to_evaluate(place),
                "feedback": selectors.own_feedback(place),
                "sessions": sessions,
            }
        )
    return render(
        request,
        "programmes/mine.jinja",
        {
            "page_title": "My programme",
            "places": places,
            "applications": list(selectors.my_applications(membership)),
            "presenters": presenters,
            "now": timezone.now(),
        },
    )


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponseBase:
    place = guards.participant_or_deny(request, pk, "own_participation")
    session = selectors.session_for_checkin(place)
    form = forms.CheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if session is None:
            form.add_error("code", "There is no session to check in to now: the code has expired")
        else:
            try:
                services.check_in(
                    ctx=AuditContext.from_request(request),
                    session=session,
                    participant=place,
                    code=form.cleaned_data["code"],
                )
                messages.success(request, f"You are checked in to {session.topic}.")
                return redirect("programmes:mine")
            except ValidationError as error:
                add_service_errors(form, error)
    return render(
        request,
        "programmes/check_in.jinja",
        {
            "page_title": "Check in",
            "form": form,
            "session": session,
            "place": place,
            "presenters": presenters,
        },
    )


@login_required
def self_assessment(request: HttpRequest, pk: int, stage: str) -> HttpResponseBase:
    place = guards.participant_or_deny(request, pk, "own_participation")
    if stage not in Stage.values:
        deny(request, reason="No such self-assessment.", obj=place, hide_existence=True)
    dimensions = list(place.cohort.programme.dimensions.all())
    form = forms.SelfAssessmentForm(
        request.POST if request.method == "POST" else None, dimensions=[(d.pk, d.name) for d in dimensions]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_submit(
                ctx=AuditContext.from_request(request), participant=place, stage=stage, scores=form.scores()
            )
            messages.success(
                request, "Thank you. Only you see your answers; leads see totals for the cohort."
            )
            return redirect("programmes:mine")
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "programmes/survey.jinja",
        {
            "page_title": f"Self-assessment: {Stage(stage).label.lower()}",
            "form": form,
            "place": place,
            "intro": "Rate yourself from 1 (not at all) to 5 (very much) on each. There are no right answers.",
            "submit": "Send my answers",
        },
    )


@login_required
def evaluation(request: HttpRequest, pk: int, session_pk: int) -> HttpResponseBase:
    place = guards.participant_or_deny(request, pk, "own_participation")
    session = guards.session_or_deny(request, session_pk)
    form = forms.EvaluationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(
                ctx=AuditContext.from_request(request),
                session=session,
                participant=place,
                **form.cleaned_data,
            )
            messages.success(request, "Thank you for your evaluation.")
            return redirect("programmes:mine")
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "programmes/survey.jinja",
        {
            "page_title": f"Evaluate: {session.topic}",
            "form": form,
            "place": place,
            "submit": "Send",
            "intro": f"{presenters.session_when(session)}. Only totals are shown to the lead.",
        },
    )


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponseBase:
    place = guards.participant_or_deny(request, pk, "own_participation")
    form = forms.FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                ctx=AuditContext.from_request(request), participant=place, **form.cleaned_data
            )
            messages.success(request, "Thank you for your feedback.")
            return redirect("programmes:mine")
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "programmes/survey.jinja",
        {
            "page_title": "Your feedback on the programme",
            "form": form,
            "place": place,
            "submit": "Send my feedback",
            "intro": "Your answers are private: the programme's leads see only totals.",
        },
    )
