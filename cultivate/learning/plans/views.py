"""Plan and supervision pages: the worker's plan (what to do next first), goals, sending; a supervisor's
decision, supervision records and the list of plans waiting and people overdue; an organisation's counts and
its supervision interval. Thin: access through `access` and `core.access.object_or_deny`, reads through
`selectors`, writes through `services`."""

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
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, Person
from cultivate.portfolio import selectors as portfolio_selectors

from . import access, forms, presenters, selectors, services
from .models import DevelopmentPlan, PlanGoal, PlanStatus

PLAN_HOME = {"text": "My development plan", "href": "/learning/plan/"}


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": "Home", "href": "/"}, {"text": "Learning", "href": "/learning/"}, *extra]


def _me(request: HttpRequest) -> Person:
    membership = _membership(request)
    person_id = membership.user.person_id if membership is not None else None
    if membership is None or not access.may(membership, "view_own_plan"):
        deny(request, reason="Only someone with a staff record of their own has a development plan.")
    return object_or_deny(
        request,
        selectors.people_for_plans,
        {"pk": person_id},
        what="person",
        may=access.may,
        action="view_plan",
    )


def _person(request: HttpRequest, pk: int, action: str) -> Person:
    return object_or_deny(
        request, selectors.people_for_plans, {"pk": pk}, what="person", may=access.may, action=action
    )


def _own_plan(request: HttpRequest) -> DevelopmentPlan:
    plan = selectors.plan_of(_me(request))
    if plan is None:
        deny(request, reason="There is no plan yet: start one first.")
    return plan


def _goal_form(request: HttpRequest, person: Person, **kwargs: object) -> forms.GoalForm:
    return forms.GoalForm(
        request.POST or None,
        offers=selectors.offers_for_person(person),
        competences=selectors.competences_for_person(person),
        steps=selectors.steps_for_person(person),
        **kwargs,
    )


# --- The worker ----------------------------------------------------------------------------------------


@login_required
def my_plan(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    plan = selectors.plan_of(person)
    goals = selectors.goals_of(plan) if plan is not None else []
    today = timezone.localdate()
    supervisors = portfolio_selectors.line_manager_users([person.pk]).get(person.pk, [])
    return render(
        request,
        "learning/plans/mine.jinja",
        {
            "page_title": "My development plan",
            "person": person,
            "plan": plan,
            "goals": goals,
            "link": presenters.goal_link,
            "next": presenters.next_step(plan, goals, today),
            "tags": presenters.TAGS,
            "supervisors": supervisors,
            "meetings": list(selectors.meetings_of(person)[:5]),
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
def plan_edit(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    if not access.may(_membership(request), "write_own_plan", person):
        deny(request, reason="Only the worker writes their plan.", obj=person)
    plan = selectors.plan_of(person)
    today = timezone.localdate()
    initial = (
        {"starts_on": plan.starts_on, "review_on": plan.review_on}
        if plan is not None
        else {"starts_on": today}
    )
    form = forms.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_save(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                starts_on=form.cleaned_data["starts_on"],
                review_on=form.cleaned_data["review_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Plan dates saved.")
            return redirect("learning:goal_new" if not saved.goals.exists() else "learning:plan")
    return render(
        request,
        "learning/plans/plan_form.jinja",
        {
            "page_title": "Plan dates" if plan is not None else "Start your development plan",
            "form": form,
            "plan": plan,
            "breadcrumbs": _crumbs(PLAN_HOME),
        },
    )


def _save_goal(
    request: HttpRequest, form: forms.GoalForm, plan: DevelopmentPlan, goal: PlanGoal | None
) -> bool:
    data = form.cleaned_data
    try:
        services.goal_save(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            plan=plan,
            goal=goal,
            text=data["text"],
            action=data["action"] or "",
            offer=data["offer"],
            competence=data["competence"],
            step=data["step"],
            target_on=data["target_on"],
            is_done=data["is_done"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
def goal_new(request: HttpRequest) -> HttpResponse:
    plan = _own_plan(request)
    form = _goal_form(request, plan.person)
    if request.method == "POST" and form.is_valid() and _save_goal(request, form, plan, None):
        messages.success(request, "Goal added.")
        return redirect("learning:plan")
    return render(
        request,
        "learning/plans/goal_form.jinja",
        {"page_title": "Add a goal", "form": form, "goal": None, "breadcrumbs": _crumbs(PLAN_HOME)},
    )


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request)
    goal = object_or_deny(request, plan.goals.all(), {"pk": pk}, what="goal", within=plan)
    initial = {
        "text": goal.text,
        "action": goal.action,
        "offer": goal.offer_id,
        "competence": goal.competence_id,
        "step": goal.step_id,
        "target_on": goal.target_on,
        "is_done": goal.is_done,
    }
    form = _goal_form(request, plan.person, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_goal(request, form, plan, goal):
        messages.success(request, "Goal changed.")
        return redirect("learning:plan")
    return render(
        request,
        "learning/plans/goal_form.jinja",
        {"page_title": "Change a goal", "form": form, "goal": goal, "breadcrumbs": _crumbs(PLAN_HOME)},
    )


@login_required
@require_POST
def goal_remove(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request)
    goal = object_or_deny(request, plan.goals.all(), {"pk": pk}, what="goal", within=plan)
    services.goal_remove(ctx=AuditContext.from_request(request), membership=_membership(request), goal=goal)
    messages.success(request, "Goal removed.")
    return redirect("learning:plan")


@login_required
@require_POST
def plan_propose(request: HttpRequest) -> HttpResponse:
    plan = _own_plan(request)
    try:
        services.plan_propose(
            ctx=AuditContext.from_request(request), membership=_membership(request), plan=plan
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Plan sent to your supervisor.")
    return redirect("learning:plan")


# --- The supervisor ------------------------------------------------------------------------------------


@login_required
def person_plan(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "view_plan")
    membership = _membership(request)
    plan = selectors.plan_of(person)
    may_decide = (
        plan is not None
        and plan.status == PlanStatus.PROPOSED
        and access.may(membership, "decide_plan", person)
    )
    form = forms.DecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if plan is None or form is None:
            deny(request, reason="This plan is not waiting for this role's decision.", obj=person)
        if form.is_valid():
            agree = form.cleaned_data["decision"] == "agree"
            try:
                services.plan_decide(
                    ctx=AuditContext.from_request(request),
                    membership=membership,
                    plan=plan,
                    agree=agree,
                    reason=form.cleaned_data["reason"] or "",
                    review_notes=form.cleaned_data["review_notes"] or "",
                    review_on=form.cleaned_data["review_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{person.display_name}'s plan agreed."
                    if agree
                    else f"Changes asked of {person.display_name}.",
                )
                return redirect("learning:plan_person", pk=person.pk)
    return render(
        request,
        "learning/plans/person.jinja",
        {
            "page_title": f"{person.display_name}: development plan",
            "person": person,
            "plan": plan,
            "goals": selectors.goals_of(plan) if plan is not None else [],
            "link": presenters.goal_link,
            "tags": presenters.TAGS,
            "form": form,
            "may_record": access.may(membership, "record_supervision", person),
            "breadcrumbs": _crumbs({"text": "Supervision", "href": "/learning/supervision/"}),
        },
    )


@login_required
def person_supervision(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "view_plan")
    membership = _membership(request)
    meetings = list(selectors.meetings_of(person))
    own = membership is not None and membership.user.person_id == person.pk
    return render(
        request,
        "learning/plans/supervision.jinja",
        {
            "page_title": "My supervision" if own else f"{person.display_name}: supervision",
            "person": person,
            "own": own,
            "meetings": [(m, access.may(membership, "read_private_note", m)) for m in meetings],
            "may_record": access.may(membership, "record_supervision", person),
            "breadcrumbs": _crumbs(
                PLAN_HOME if own else {"text": "Supervision", "href": "/learning/supervision/"}
            ),
        },
    )


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "record_supervision")
    form = forms.MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                person=person,
                held_on=form.cleaned_data["held_on"],
                agreed_actions=form.cleaned_data["agreed_actions"] or "",
                private_note=form.cleaned_data["private_note"] or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Supervision with {person.display_name} recorded.")
            return redirect("learning:supervision_person", pk=person.pk)
    return render(
        request,
        "learning/plans/meeting_form.jinja",
        {
            "page_title": f"Record supervision with {person.display_name}",
            "form": form,
            "person": person,
            "breadcrumbs": _crumbs({"text": "Supervision", "href": "/learning/supervision/"}),
        },
    )


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if membership is None or not access.may(membership, "supervise"):
        deny(request, reason="Only line managers supervise.")
    today = timezone.localdate()
    return render(
        request,
        "learning/plans/supervisor.jinja",
        {
            "page_title": "Supervision",
            "waiting": list(selectors.waiting_for(membership)),
            "overdue": selectors.overdue_people(membership, today),
            "months": selectors.interval_months(membership.organisation),
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
def organisation_supervision(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation: Organisation = object_or_deny(
        request,
        org_selectors.organisations_visible_to,
        {"ods_code": ods_code.upper()},
        what="organisation",
        may=access.may,
        action="view_supervision_figures",
    )
    membership = _membership(request)
    may_set = access.may(membership, "set_supervision_interval", organisation)
    months = selectors.interval_months(organisation)
    form = forms.IntervalForm(request.POST or None, initial={"interval_months": months}) if may_set else None
    if request.method == "POST":
        if form is None:
            deny(
                request,
                reason="Only the organisation's admins set the supervision interval.",
                obj=organisation,
            )
        if form.is_valid():
            try:
                services.interval_set(
                    ctx=AuditContext.from_request(request),
                    membership=membership,
                    organisation=organisation,
                    months=form.cleaned_data["interval_months"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Supervision interval saved.")
                return redirect("learning:supervision_figures", ods_code=organisation.ods_code)
    return render(
        request,
        "learning/plans/figures.jinja",
        {
            "page_title": f"Development plans and supervision at {organisation.name}",
            "organisation": organisation,
            "figures": selectors.organisation_figures(organisation),
            "form": form,
            "breadcrumbs": _crumbs(),
        },
    )
