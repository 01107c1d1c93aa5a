"""Pathways pages: the pathways and their editing, the public route pages, a worker's readiness,
qualifications and functional skills, apprenticeships and off-the-job hours, and an organisation's readiness
and apprenticeship outcomes. Thin: fetch through the guards, read through selectors, write through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.exports import spreadsheet_export
from cultivate.core.forms import add_service_errors
from cultivate.insights import access as insights_access
from cultivate.organisations.models import Organisation, Person

from . import access, forms, guards, presenters, progression, progression_tables, selectors, services
from .models import Apprenticeship, Pathway, QualificationStatus, Step, StepRequirement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The step the worker's home card and "my pathway" page lead with.
HEADLINE_STEP = "trainee-nursing-associate"


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    caption: str,
    button: str,
    back: str,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "pathways/form.jinja",
        {
            "page_title": title,
            "caption": caption,
            "form": form,
            "button": button,
            "back": back,
            "intro": intro,
        },
    )


def _own_person(request: HttpRequest) -> Person | None:
    return request.user.person  # type: ignore[union-attr]


def _is_self(request: HttpRequest, person: Person) -> bool:
    own = _own_person(request)
    return own is not None and own.pk == person.pk


# --- Pathways ------------------------------------------------------------------------------------------


@login_required
def pathway_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    pathways = [presenters.pathway_summary(p) for p in selectors.pathways_visible_to(membership)]
    organisation = membership.organisation if membership is not None else None
    may_confirm = organisation is not None and access.may(membership, "confirm_qualifications", organisation)
    waiting = list(selectors.waiting_for_confirmation(organisation)) if organisation and may_confirm else []
    return render(
        request,
        "pathways/pathways.jinja",
        {
            "page_title": "Career pathways",
            "pathways": pathways,
            "organisation": organisation,
            "may_create": access.may(membership, "create_pathway"),
            "may_readiness": organisation is not None
            and access.may(membership, "view_readiness", organisation),
            "may_outcomes": organisation is not None
            and access.may(membership, "view_outcomes", organisation),
            "has_record": _own_person(request) is not None,
            "waiting": presenters.qualification_rows(waiting, with_person=True),
        },
    )


@login_required
def pathway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pathway = guards.pathway_or_deny(request, pk)
    membership = _membership(request)
    return render(
        request,
        "pathways/pathway.jinja",
        {
            "page_title": pathway.title,
            "pathway": presenters.pathway_summary(pathway),
            "steps": list(selectors.steps_of(pathway)),
            "may_edit": access.may(membership, "edit_pathway", pathway),
        },
    )


@login_required
def pathway_create(request: HttpRequest) -> HttpResponseBase:
    membership = _membership(request)
    if not access.may(membership, "create_pathway"):
        deny(request, reason="May not create a pathway.")
    visible = list(selectors.pathways_visible_to(membership))
    form = forms.PathwayForm(request.POST or None, pathways=[(p.pk, p.title) for p in visible])
    if request.method == "POST" and form.is_valid():
        copy_of = next((p for p in visible if p.pk == form.cleaned_data["copy_of"]), None)
        try:
            pathway = services.pathway_create(
                ctx=AuditContext.from_request(request),
                membership=membership,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                copy_of=copy_of,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{pathway.title} created.")
            return redirect("pathways:pathway", pk=pathway.pk)
    return _form_page(
        request,
        form,
        title="Create a pathway",
        caption="Career pathways",
        button="Create pathway",
        back=reverse("pathways:list"),
        intro="Start from a pathway you can see to change its steps and requirements for your organisation.",
    )


@login_required
def step_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    pathway = guards.pathway_or_deny(request, pk, "edit_pathway")
    membership = _membership(request)
    steps = list(selectors.steps_visible_to(membership))
    form = forms.StepForm(
        request.POST or None, steps=[(s.pk, f"{s.title} ({s.pathway.title})") for s in steps]
    )
    if request.method == "POST" and form.is_valid():
        previous = next((s for s in steps if s.pk == form.cleaned_data["previous"]), None)
        try:
            services.step_save(
                ctx=AuditContext.from_request(request),
                membership=membership,
                pathway=pathway,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                band=form.cleaned_data["band"],
                previous=previous,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Step added.")
            return redirect("pathways:pathway", pk=pathway.pk)
    return _form_page(
        request,
        form,
        title="Add a step",
        caption=pathway.title,
        button="Add step",
        back=reverse("pathways:pathway", args=[pathway.pk]),
    )


@login_required
def step_edit(request: HttpRequest, pk: int, step_pk: int) -> HttpResponseBase:
    """Change a step, including which step it follows: one that would lead back to itself is refused."""
    pathway = guards.pathway_or_deny(request, pk, "edit_pathway")
    step = guards.step_or_deny(request, pathway, step_pk)
    membership = _membership(request)
    steps = [s for s in selectors.steps_visible_to(membership) if s.pk != step.pk]
    form = forms.StepForm(
        request.POST or None,
        steps=[(s.pk, f"{s.title} ({s.pathway.title})") for s in steps],
        initial={"title": step.title, "code": step.code, "band": step.band, "previous": step.previous_id},
    )
    if request.method == "POST" and form.is_valid():
        previous = next((s for s in steps if s.pk == form.cleaned_data["previous"]), None)
        try:
            services.step_save(
                ctx=AuditContext.from_request(request),
                membership=membership,
                pathway=pathway,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                band=form.cleaned_data["band"],
                standard=step.standard,
                description=step.description,
                previous=previous,
                step=step,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Step saved.")
            return redirect("pathways:pathway", pk=pathway.pk)
    return _form_page(
        request,
        form,
        title=f"Change {step.title}",
        caption=pathway.title,
        button="Save step",
        back=reverse("pathways:pathway", args=[pathway.pk]),
    )


def _requirement_page(
    request: HttpRequest,
    pathway: Pathway,
    step: Step,
    requirement: StepRequirement | None,
) -> HttpResponseBase:
    """Add an entry requirement to a step, or change one: the same form and fields, one service each."""
    initial = (
        {
            "kind": requirement.kind,
            "qualifications": requirement.qualifications,
            "months": requirement.months,
            "band": requirement.band,
            "training": requirement.training,
            "evidenced_by": requirement.evidenced_by,
        }
        if requirement is not None
        else None
    )
    form = forms.RequirementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in ("kind", "evidenced_by", "qualifications", "months", "band", "training")
        }
        ctx, membership = AuditContext.from_request(request), _membership(request)
        try:
            if requirement is None:
                services.requirement_add(ctx=ctx, membership=membership, step=step, **fields)
            else:
                services.requirement_update(ctx=ctx, membership=membership, requirement=requirement, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Requirement added." if requirement is None else "Requirement saved.")
            return redirect("pathways:pathway", pk=pathway.pk)
    return _form_page(
        request,
        form,
        title=f"Add a requirement to {step.title}"
        if requirement is None
        else f"Change a requirement of {step.title}",
        caption=pathway.title,
        button="Add requirement" if requirement is None else "Save requirement",
        back=reverse("pathways:pathway", args=[pathway.pk]),
    )


@login_required
def requirement_new(request: HttpRequest, pk: int, step_pk: int) -> HttpResponseBase:
    pathway = guards.pathway_or_deny(request, pk, "edit_pathway")
    return _requirement_page(request, pathway, guards.step_or_deny(request, pathway, step_pk), None)


@login_required
def requirement_edit(request: HttpRequest, pk: int, step_pk: int, requirement_pk: int) -> HttpResponseBase:
    """Change an entry requirement of a step of a pathway the role may edit."""
    pathway = guards.pathway_or_deny(request, pk, "edit_pathway")
    step = guards.step_or_deny(request, pathway, step_pk)
    return _requirement_page(request, pathway, step, guards.requirement_or_404(request, step, requirement_pk))


def public_routes(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Open to anyone, signed in or not: the organisation's progression routes, nothing personal."""
    organisation = guards.public_organisation_or_404(request, ods_code)
    return render(
        request,
        "pathways/public_routes.jinja",
        {
            "page_title": f"Progression routes at {organisation.name}",
            "organisation": organisation,
            "pathways": [presenters.pathway_summary(p) for p in selectors.public_pathways(organisation)],
        },
    )


# --- A worker's record and readiness -------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponseBase:
    person = _own_person(request)
    if person is None:
        return render(request, "pathways/no_record.jinja", {"page_title": "Your career pathway"})
    return _record_page(request, person, is_self=True)


@login_required
def person_record(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = guards.person_or_deny(request, pk)
    return _record_page(request, person, is_self=_is_self(request, person))


def _record_page(request: HttpRequest, person: Person, *, is_self: bool) -> HttpResponse:
    membership = _membership(request)
    today = timezone.localdate()
    by_pathway = selectors.person_readiness(person, membership, on=today)
    apprenticeships = list(selectors.apprenticeships_of(person))
    headline = next(
        (r for _pathway, results in by_pathway for r in results if r.step.code == HEADLINE_STEP),
        None,
    )
    return render(
        request,
        "pathways/record.jinja",
        {
            "page_title": "Your career pathway" if is_self else f"Career pathway – {person.display_name}",
            "person": person,
            "is_self": is_self,
            "headline": headline,
            "headline_text": presenters.readiness_headline(headline, today) if headline else "",
            "headline_rows": presenters.readiness_rows(headline) if headline else [],
            "pathways": [
                (
                    pathway,
                    [
                        {"step": r.step, "short": r.short_count, "ready": r.ready, "nearly": r.nearly}
                        for r in results
                    ],
                )
                for pathway, results in by_pathway
            ],
            "qualifications": presenters.qualification_rows(list(selectors.qualifications_of(person))),
            "skills": presenters.skills_rows(selectors.latest_skills(person), today),
            "apprenticeships": presenters.apprenticeship_rows(
                apprenticeships, selectors.progress_of(apprenticeships, on=today)
            ),
            "may_record": access.may(membership, "record_qualification", person),
            "may_confirm": access.may(membership, "confirm_qualification", person),
            "may_skills": access.may(membership, "record_skills", person),
            "may_support": access.may(membership, "support_step", person),
            "may_apprenticeship": access.may(membership, "manage_apprenticeship", person),
            "support_form": forms.SupportForm(
                steps=[(s.pk, s.title) for s in selectors.steps_for_person(person)]
            )
            if access.may(membership, "support_step", person)
            else None,
        },
    )


@login_required
def person_step(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    person = guards.person_or_deny(request, pk)
    step = guards.visible_step_or_deny(request, step_pk)
    today = timezone.localdate()
    result = selectors.step_readiness(person, step, on=today)
    is_self = _is_self(request, person)
    return render(
        request,
        "pathways/step_readiness.jinja",
        {
            "page_title": f"What is left to become a {step.title.lower()}"
            if is_self
            else f"{person.display_name}: {step.title}",
            "person": person,
            "is_self": is_self,
            "step": presenters.step_card(step),
            "headline": presenters.readiness_headline(result, today) if is_self else "",
            "rows": presenters.readiness_rows(result),
            "short": result.short_count,
        },
    )


@login_required
def qualification_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = guards.person_or_deny(request, pk, "record_qualification")
    form = forms.QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_record(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                person=person,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Qualification recorded. An admin will check the evidence and confirm it."
            )
            return redirect(_record_url(request, person))
    return _form_page(
        request,
        form,
        title="Record a qualification",
        caption=person.display_name,
        button="Record qualification",
        back=_record_url(request, person),
    )


@login_required
def qualification_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Change a qualification still waiting for confirmation. A confirmed one is never changed: the page sends
    the user to record a correction that supersedes it."""
    qualification = guards.qualification_or_deny(request, pk, "edit_qualification")
    if qualification.status == QualificationStatus.CONFIRMED:
        messages.error(
            request, "A confirmed qualification cannot be changed: record a correction that supersedes it."
        )
        return redirect("pathways:qualification_supersede", pk=qualification.pk)
    if qualification.status != QualificationStatus.RECORDED:
        messages.error(request, "This record has been replaced by a correction: change that one instead.")
        return redirect(_record_url(request, qualification.person))
    form = forms.QualificationForm(
        request.POST or None,
        initial={
            "kind": qualification.kind,
            "title": qualification.title,
            "awarding_body": qualification.awarding_body,
            "awarded_on": qualification.awarded_on,
            "evidence": qualification.evidence,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_update(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                qualification=qualification,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Qualification saved. An admin will check the evidence and confirm it.")
            return redirect(_record_url(request, qualification.person))
    return _form_page(
        request,
        form,
        title=f"Change {qualification.label}",
        caption=qualification.person.display_name,
        button="Save qualification",
        back=_record_url(request, qualification.person),
        intro="You can change a qualification until an admin confirms it.",
    )


@login_required
def qualification_supersede(request: HttpRequest, pk: int) -> HttpResponseBase:
    old = guards.qualification_or_deny(request, pk, "record_qualification")
    form = forms.QualificationForm(request.POST or None, initial={"kind": old.kind, "title": old.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_record(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                person=old.person,
                supersedes=old,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The correction is recorded and replaces the earlier record.")
            return redirect(_record_url(request, old.person))
    return _form_page(
        request,
        form,
        title=f"Correct {old.label}",
        caption=old.person.display_name,
        button="Record the correction",
        back=_record_url(request, old.person),
        intro="A confirmed qualification is never changed: the correction is a new record that replaces it, "
        "and an admin confirms it again.",
    )


@login_required
@require_POST
def qualification_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    qualification = guards.qualification_or_deny(request, pk, "confirm_qualification")
    try:
        services.qualification_confirm(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            qualification=qualification,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{qualification.label} confirmed for {qualification.person.display_name}.")
    return redirect("pathways:person", pk=qualification.person_id)


@login_required
def skills_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = guards.person_or_deny(request, pk, "record_skills")
    form = forms.SkillsResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.skills_result_record(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                person=person,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment result recorded.")
            return redirect("pathways:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title="Record a functional skills initial assessment",
        caption=person.display_name,
        button="Record result",
        back=reverse("pathways:person", args=[person.pk]),
    )


@login_required
@require_POST
def support_give(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = guards.person_or_deny(request, pk, "support_step")
    steps = list(selectors.steps_for_person(person))
    form = forms.SupportForm(request.POST, steps=[(s.pk, s.title) for s in steps])
    if form.is_valid():
        step = next(s for s in steps if s.pk == form.cleaned_data["step"])
        services.support_give(
            ctx=AuditContext.from_request(request), membership=_membership(request), person=person, step=step
        )
        messages.success(request, f"Your support for {step.title.lower()} is recorded.")
    else:
        messages.error(request, "Select the step you support.")
    return redirect("pathways:person", pk=person.pk)


def _record_url(request: HttpRequest, person: Person) -> str:
    if _is_self(request, person):
        return reverse("pathways:mine")
    return reverse("pathways:person", args=[person.pk])


# --- Apprenticeships -----------------------------------------------------------------------------------


@login_required
def apprenticeship_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = guards.person_or_deny(request, pk, "manage_apprenticeship")
    standards = list(selectors.standards())
    form = forms.ApprenticeshipForm(
        request.POST or None, standards=[(s.pk, f"{s.title} (level {s.level}, {s.code})") for s in standards]
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        standard = next(s for s in standards if s.pk == data.pop("standard"))
        try:
            apprenticeship = services.apprenticeship_create(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                person=person,
                standard=standard,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Apprenticeship recorded.")
            return redirect("pathways:apprenticeship", pk=apprenticeship.pk)
    return _form_page(
        request,
        form,
        title="Record an apprenticeship",
        caption=person.display_name,
        button="Record apprenticeship",
        back=reverse("pathways:person", args=[person.pk]),
    )


@login_required
def apprenticeship_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    apprenticeship = guards.apprenticeship_or_deny(request, pk)
    membership = _membership(request)
    may_log = access.may(membership, "log_off_the_job", apprenticeship.person)
    ksbs = [(k["code"], f"{k['code']}: {k['text']}") for k in apprenticeship.standard.ksbs]
    form = forms.OffTheJobForm(request.POST if request.method == "POST" else None, ksbs=ksbs)
    if request.method == "POST":
        if not may_log:
            deny(request, reason="May not log off-the-job hours for this apprentice.", obj=apprenticeship)
        if form.is_valid():
            try:
                services.off_the_job_log(
                    ctx=AuditContext.from_request(request),
                    membership=membership,
                    apprenticeship=apprenticeship,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Hours logged.")
                return redirect("pathways:apprenticeship", pk=apprenticeship.pk)
    return _apprenticeship_page(request, apprenticeship, form if may_log else None)


def _apprenticeship_page(
    request: HttpRequest, apprenticeship: Apprenticeship, form: Form | None
) -> HttpResponse:
    progress = selectors.apprenticeship_progress(apprenticeship)
    person = apprenticeship.person
    return render(
        request,
        "pathways/apprenticeship.jinja",
        {
            "page_title": "Your apprenticeship"
            if _is_self(request, person)
            else f"Apprenticeship – {person.display_name}",
            "apprenticeship": apprenticeship,
            "summary": presenters.apprenticeship_summary(apprenticeship),
            "progress": presenters.progress_summary(apprenticeship, progress),
            "entries": presenters.entry_rows(list(selectors.entries_of(apprenticeship)[:50])),
            "form": form,
            "may_manage": access.may(_membership(request), "manage_apprenticeship", person),
            "back": _record_url(request, person),
        },
    )


@login_required
def apprenticeship_epa(request: HttpRequest, pk: int) -> HttpResponseBase:
    apprenticeship = guards.apprenticeship_or_deny(request, pk, "manage_apprenticeship")
    form = forms.EpaForm(
        request.POST or None,
        initial={
            "gateway_on": apprenticeship.gateway_on,
            "epa_on": apprenticeship.epa_on,
            "epa_grade": apprenticeship.epa_grade,
            "outcome": apprenticeship.outcome,
            "outcome_on": apprenticeship.outcome_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.apprenticeship_epa_record(
                ctx=AuditContext.from_request(request),
                membership=_membership(request),
                apprenticeship=apprenticeship,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "End-point assessment and outcome saved.")
            return redirect("pathways:apprenticeship", pk=apprenticeship.pk)
    return _form_page(
        request,
        form,
        title="Gateway, end-point assessment and outcome",
        caption=apprenticeship.person.display_name,
        button="Save",
        back=reverse("pathways:apprenticeship", args=[apprenticeship.pk]),
    )


# --- An organisation -----------------------------------------------------------------------------------


@login_required
def organisation_readiness(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_readiness")
    membership = _membership(request)
    steps, people, found = selectors.organisation_readiness(organisation, membership)
    context: dict[str, object] = {
        "page_title": "Who is ready for the next step",
        "organisation": organisation,
        "rows": presenters.organisation_rows(steps, people, found),
        "people": len(people),
        # Band progression by ethnic group and disability across everyone is the insights app's fairness
        # dashboard: linked beside readiness for the roles that may read it.
        "fairness": reverse("insights:organisation", args=[organisation.ods_code, "fairness"])
        if insights_access.may(membership, "view_organisation_insights", organisation)
        else "",
    }
    if access.may(membership, "view_progression", organisation):
        context.update(_progression_context(organisation))
    return render(request, "pathways/organisation_readiness.jinja", context)


def _progression_context(organisation: Organisation) -> dict[str, object]:
    window, people, anything, steps = progression.organisation_progression(organisation)
    likelihoods = progression_tables.likelihood_rows([anything, *steps])
    spec, alt = progression_tables.chart(likelihoods)
    return {
        "progression_period": progression_tables.period_words(window),
        "progression_people": people,
        "progression_headings": progression_tables.COHORT_HEADINGS,
        "progression_rows": progression_tables.cohort_rows([anything, *steps]),
        "likelihood_headings": progression_tables.LIKELIHOOD_HEADINGS,
        "likelihood_rows": progression_tables.likelihood_table(likelihoods),
        "chart_json": spec,
        "chart_alt": alt,
        "approximation": progression_tables.APPROXIMATION,
    }


@login_required
def organisation_progression(request: HttpRequest, ods_code: str) -> HttpResponse:
    """Do ready people progress? Aggregates only, suppressed for every reader."""
    organisation = guards.organisation_or_deny(request, ods_code, "view_progression")
    return render(
        request,
        "pathways/organisation_progression.jinja",
        {
            "page_title": "Do ready people progress?",
            "organisation": organisation,
            **_progression_context(organisation),
        },
    )


@spreadsheet_export
@login_required
def organisation_progression_xlsx(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_progression")
    window, people, anything, steps = progression.organisation_progression(organisation)
    body = progression_tables.workbook(organisation.name, window, people, [anything, *steps])
    audit(
        CoreAction.EXPORT,
        ctx=AuditContext.from_request(request),
        obj=organisation,
        organisation=organisation,
        what="career pathways: do ready people progress",
        format="xlsx",
    )
    response = HttpResponse(body, content_type=XLSX)
    filename = f"ready-people-progression-{organisation.ods_code}-{window.end.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def organisation_apprenticeships(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_outcomes")
    membership = _membership(request)
    individual = membership is not None and membership.role in access.EDITOR_ROLES
    apprenticeships = list(selectors.apprenticeships_of_organisation(organisation)) if individual else []
    return render(
        request,
        "pathways/organisation_apprenticeships.jinja",
        {
            "page_title": "Apprenticeships and what happened after",
            "organisation": organisation,
            "cohorts": presenters.cohort_rows(selectors.outcomes_by_cohort(organisation)),
            "apprenticeships": presenters.apprenticeship_rows(
                apprenticeships, selectors.progress_of(apprenticeships), with_person=True
            )
            if individual
            else [],
        },
    )
