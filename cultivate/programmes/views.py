"""Programme pages for leads and applicants: the list, a programme, creating, editing, dimensions, copying,
cohorts and sessions, applications and their history, and the cohort allocation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import Role
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.portfolio import presenters as portfolio_presenters
from cultivate.portfolio import selectors as portfolio_selectors

from . import access, forms, guards, presenters, selectors, services
from .models import ApplicationStatus, CohortStatus, Programme, ProgrammeStatus


def _ctx(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _try(request: HttpRequest, form: Form, action: Any) -> bool:
    """Run a service; a ValidationError goes on the form (beside its field, or in the summary)."""
    try:
        action()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
def index(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    programmes = list(selectors.programmes_visible_to(membership))
    managed = [p for p in programmes if access.may(membership, "manage_programme", p)]
    open_ = [p for p in programmes if p not in managed and p.status == ProgrammeStatus.OPEN]
    return render(
        request,
        "programmes/index.jinja",
        {
            "page_title": "Programmes",
            "managed": managed,
            "open": open_,
            "applications": list(selectors.my_applications(membership)),
            "may_create": access.may(membership, "create_programme"),
            "presenters": presenters,
        },
    )


def _owner_choices(request: HttpRequest) -> list[tuple[str, str]]:
    membership = _membership(request)
    if membership is None:
        return []
    if membership.role == Role.ALLIANCE_ADMIN and membership.alliance is not None:
        return [(f"a{membership.alliance_id}", str(membership.alliance))]
    organisation = membership.organisation
    if organisation is None:
        return []
    choices = [(f"o{organisation.pk}", organisation.name)]
    if organisation.alliance is not None:
        choices.append((f"a{organisation.alliance_id}", f"{organisation.alliance} (all member trusts)"))
    return choices


@login_required
def create(request: HttpRequest) -> HttpResponseBase:
    membership = _membership(request)
    if not access.may(membership, "create_programme"):
        deny(request, reason="Only educators and alliance admins create programmes.")
    data = request.POST if request.method == "POST" else None
    owners = _owner_choices(request)
    form = forms.ProgrammeForm(data)
    owner_form = forms.OwnerForm(data, owners=owners, initial={"owner": owners[0][0] if owners else ""})
    if data is not None and form.is_valid() and owner_form.is_valid():
        owner = owner_form.cleaned_data["owner"]
        # The choices are the role's own organisation and alliance only (_owner_choices).
        organisation = membership.organisation if membership and owner.startswith("o") else None
        alliance = None
        if membership is not None and owner.startswith("a"):
            alliance = (
                membership.alliance
                if membership.role == Role.ALLIANCE_ADMIN
                else (membership.organisation.alliance if membership.organisation else None)
            )
        created: list[Programme] = []
        if _try(
            request,
            form,
            lambda: created.append(
                services.programme_create(
                    ctx=_ctx(request),
                    organisation=organisation,
                    alliance=alliance,
                    **form.cleaned_data,
                )
            ),
        ):
            messages.success(request, f"Programme ‘{created[0].title}’ created as a draft.")
            return redirect("programmes:programme", pk=created[0].pk)
    return render(
        request,
        "programmes/programme_form.jinja",
        {"page_title": "Create a programme", "form": form, "owner_form": owner_form},
    )


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    found = guards.programme_or_deny(request, pk)
    membership = _membership(request)
    manage = access.may(membership, "manage_programme", found)
    context: dict[str, Any] = {
        "page_title": found.title,
        "programme": found,
        "manage": manage,
        "cohorts": list(selectors.programme_cohorts(found)),
        "sessions": list(selectors.programme_sessions(found)),
        "dimensions": list(found.dimensions.all()),
        "leads": list(found.leads.select_related("user", "organisation")),
        "competences": selectors.programme_competences(found),
        "may_apply": access.may(membership, "apply", found),
        "may_nominate": access.may(membership, "nominate", found),
        "organisation_outcomes": not manage and access.may(membership, "view_organisation_outcomes", found),
        "my_application": selectors.my_application_to(membership, found),
        "criteria": services.criteria_text(found),
        "presenters": presenters,
        "statuses": ProgrammeStatus,
    }
    if manage:
        context["kpis"] = {k: presenters.kpi_rows(v) for k, v in selectors.attendance_kpis(found).items()}
        context["by_status"] = selectors.applications_by_status(found)
        context["status_labels"] = dict(ApplicationStatus.choices)
    return render(request, "programmes/programme.jinja", context)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    data = request.POST if request.method == "POST" else None
    initial = {
        "title": found.title,
        "aims": found.aims,
        "weeks": found.weeks,
        "starts_on": found.starts_on,
        "delivery": found.delivery,
        "cohort_capacity": found.cohort_capacity,
        "min_attendance_pct": found.min_attendance_pct,
        "require_self_assessments": found.require_self_assessments,
    }
    form = forms.ProgrammeForm(data, initial=initial)
    if (
        data is not None
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: services.programme_update(ctx=_ctx(request), programme=found, **form.cleaned_data),
        )
    ):
        messages.success(request, "Programme changed.")
        return redirect("programmes:programme", pk=found.pk)
    return render(
        request,
        "programmes/programme_form.jinja",
        {"page_title": f"Change {found.title}", "form": form, "programme": found},
    )


@login_required
def dimensions(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    data = request.POST if request.method == "POST" else None
    form = forms.DimensionsForm(data, initial={"names": "\n".join(d.name for d in found.dimensions.all())})
    if (
        data is not None
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: services.dimensions_set(ctx=_ctx(request), programme=found, names=form.lines()),
        )
    ):
        messages.success(request, "Self-assessment dimensions changed.")
        return redirect("programmes:programme", pk=found.pk)
    return render(
        request,
        "programmes/simple_form.jinja",
        {
            "page_title": "Self-assessment dimensions",
            "form": form,
            "programme": found,
            "submit": "Save dimensions",
        },
    )


@login_required
def leads(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    eligible = {str(u.pk): u for u in selectors.eligible_leads(found)}
    form = forms.LeadForm(
        request.POST if request.method == "POST" else None,
        educators=[(k, u.full_name or u.email) for k, u in eligible.items()],
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: services.lead_add(
                ctx=_ctx(request), programme=found, user=eligible[form.cleaned_data["user"]]
            ),
        )
    ):
        messages.success(request, "Lead added.")
        return redirect("programmes:programme", pk=found.pk)
    current = ", ".join(str(lead.user) for lead in found.leads.select_related("user")) or "None yet"
    return render(
        request,
        "programmes/simple_form.jinja",
        {
            "page_title": "Add a lead",
            "form": form,
            "programme": found,
            "submit": "Add the lead",
            "intro": f"Leads now: {current}. A lead is an educator of the organisation that runs the programme, "
            "or of a member trust for an alliance's programme.",
        },
    )


@login_required
def competences(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The framework competences the programme covers: found by a word or code, ticked in groups by framework
    and domain (the evidence form's picker)."""
    found = guards.programme_or_deny(request, pk, "manage_programme")
    options = selectors.competence_options(_membership(request))
    by_pk = {c.pk: c for c in options}
    current = selectors.programme_competences(found)
    form = forms.CompetencesForm(
        request.POST if request.method == "POST" else None,
        choices=portfolio_presenters.competence_choices(options),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: services.programme_set_competences(
                ctx=_ctx(request),
                programme=found,
                competences=[by_pk[i] for i in form.competence_ids() if i in by_pk],
            ),
        )
    ):
        messages.success(request, "Competences the programme covers changed.")
        return redirect("programmes:programme", pk=found.pk)
    find = request.GET.get("find", "")
    selected = (
        request.POST.getlist("competences") if request.method == "POST" else [str(c.pk) for c in current]
    )
    return render(
        request,
        "programmes/competences.jinja",
        {
            "page_title": "Competences the programme covers",
            "programme": found,
            "form": form,
            "find": find,
            "groups": portfolio_presenters.competence_groups(
                options, portfolio_selectors.parents_of(options), find=find, selected=selected
            ),
            "no_competences": not options,
        },
    )


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    try:
        services.programme_set_status(
            ctx=_ctx(request), programme=found, status=request.POST.get("status", "")
        )
        messages.success(request, f"The programme is now: {found.get_status_display().lower()}.")
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return redirect("programmes:programme", pk=found.pk)


@login_required
def copy(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    data = request.POST if request.method == "POST" else None
    form = forms.CopyForm(data)
    made: list[Programme] = []
    if (
        data is not None
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: made.append(
                services.programme_copy(
                    ctx=_ctx(request),
                    programme=found,
                    starts_on=form.cleaned_data["starts_on"],
                    title=form.cleaned_data["title"],
                )
            ),
        )
    ):
        messages.success(request, "Programme copied for the next intake, as a draft.")
        return redirect("programmes:programme", pk=made[0].pk)
    return render(
        request,
        "programmes/simple_form.jinja",
        {
            "page_title": "Copy for the next intake",
            "form": form,
            "programme": found,
            "submit": "Copy the programme",
            "intro": "The copy keeps the aims, criteria, dimensions, leads, cohorts and sessions (moved to the new "
            "dates). Nobody's application or place is copied.",
        },
    )


@login_required
def cohort_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    data = request.POST if request.method == "POST" else None
    form = forms.CohortForm(
        data, initial={"capacity": found.cohort_capacity, "name": f"Cohort {found.cohorts.count() + 1}"}
    )
    if (
        data is not None
        and form.is_valid()
        and _try(
            request,
            form,
            lambda: services.cohort_create(ctx=_ctx(request), programme=found, **form.cleaned_data),
        )
    ):
        messages.success(request, f"Cohort ‘{form.cleaned_data['name']}’ added.")
        return redirect("programmes:programme", pk=found.pk)
    return render(
        request,
        "programmes/simple_form.jinja",
        {"page_title": "Add a cohort", "form": form, "programme": found, "submit": "Add the cohort"},
    )


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    data = request.POST if request.method == "POST" else None
    cohorts = {str(c.pk): c for c in selectors.programme_cohorts(found)}
    form = forms.SessionForm(data, cohorts=[(k, c.name) for k, c in cohorts.items()])
    if data is not None and form.is_valid():
        d = form.cleaned_data
        if _try(
            request,
            form,
            lambda: services.session_create(
                ctx=_ctx(request),
                programme=found,
                topic=d["topic"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                venue=d["venue"],
                joining_link=d["joining_link"],
                facilitator=d["facilitator"],
                cohort=cohorts.get(d["cohort"]),
            ),
        ):
            messages.success(request, f"Session ‘{d['topic']}’ added.")
            return redirect("programmes:programme", pk=found.pk)
    return render(
        request,
        "programmes/simple_form.jinja",
        {"page_title": "Add a session", "form": form, "programme": found, "submit": "Add the session"},
    )


@login_required
def applications(request: HttpRequest, pk: int) -> HttpResponse:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    return render(
        request,
        "programmes/applications.jinja",
        {
            "page_title": f"Applications to {found.title}",
            "programme": found,
            "applications": list(selectors.programme_applications(found)),
            "presenters": presenters,
        },
    )


def _apply_form(request: HttpRequest, programme: Programme, form_class: Any, **extra: Any) -> Any:
    cohorts = [
        (str(c.pk), c.name) for c in selectors.programme_cohorts(programme) if c.status != CohortStatus.CLOSED
    ]
    return form_class(request.POST if request.method == "POST" else None, cohorts=cohorts, **extra)


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "apply")
    form = _apply_form(request, found, forms.ApplicationForm)
    person = request.user.person  # type: ignore[union-attr]
    if person is None:  # `apply` needs the user's own staff record
        deny(request, reason="Only someone with a staff record applies.", obj=found)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [c for c in selectors.programme_cohorts(found) if str(c.pk) in d.get("cohorts", [])]
        if _try(
            request,
            form,
            lambda: services.application_submit(
                ctx=_ctx(request),
                programme=found,
                person=person,
                statement=d["statement"],
                availability=d["availability"],
                available_cohorts=chosen,
            ),
        ):
            messages.success(
                request, "Application sent. Your line manager will be asked to agree protected time."
            )
            return redirect("programmes:mine")
    return render(
        request,
        "programmes/apply.jinja",
        {"page_title": f"Apply for {found.title}", "form": form, "programme": found},
    )


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "nominate")
    membership = _membership(request)
    own = getattr(request.user, "person_id", None)
    people = {str(p.pk): p for p in org_selectors.people_visible_to(membership) if p.pk != own}
    form = _apply_form(
        request,
        found,
        forms.NominationForm,
        people=[(k, f"{p.given_name} {p.family_name}") for k, p in people.items()],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [c for c in selectors.programme_cohorts(found) if str(c.pk) in d.get("cohorts", [])]
        if _try(
            request,
            form,
            lambda: services.application_nominate(
                ctx=_ctx(request),
                programme=found,
                person=people[d["person"]],
                statement=d["statement"],
                availability=d["availability"],
                available_cohorts=chosen,
            ),
        ):
            messages.success(request, "Nomination sent, with protected time agreed.")
            return redirect("programmes:programme", pk=found.pk)
    return render(
        request,
        "programmes/apply.jinja",
        {"page_title": f"Nominate someone for {found.title}", "form": form, "programme": found},
    )


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.application_or_deny(request, pk)
    membership = _membership(request)
    manage = access.may(membership, "manage_application", found)
    own = access.may(membership, "own_application", found)
    agree = access.may(membership, "agree_protected_time", found)
    form = forms.MoveForm(request.POST if request.method == "POST" else None)
    decline = forms.DeclineTimeForm(
        request.POST if request.method == "POST" and request.POST.get("decline") else None, prefix="decline"
    )
    if request.method == "POST":
        if not (manage or own or agree):
            deny(request, reason="May not change this application.", obj=found)
        if request.POST.get("decline") and agree:
            if decline.is_valid() and _try(
                request,
                decline,
                lambda: services.application_decline_protected_time(
                    ctx=_ctx(request), application=found, reason=decline.cleaned_data["reason"]
                ),
            ):
                messages.success(request, "Protected time not agreed: the application is withdrawn.")
                return redirect("programmes:application", pk=found.pk)
        elif request.POST.get("agree") and agree:
            if _try(
                request,
                form,
                lambda: services.application_agree_protected_time(ctx=_ctx(request), application=found),
            ):
                messages.success(request, "Protected time agreed.")
                return redirect("programmes:application", pk=found.pk)
        elif form.is_valid() and _try(
            request,
            form,
            lambda: services.application_move(
                ctx=_ctx(request),
                application=found,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
            ),
        ):
            messages.success(
                request, f"Application: {ApplicationStatus(form.cleaned_data['to']).label.lower()}."
            )
            return redirect("programmes:application", pk=found.pk)
    allowed = services.applications.TRANSITIONS.get(found.status, frozenset())
    moves = [
        (s, ApplicationStatus(s).label)
        for s in ApplicationStatus.values
        if s in allowed and ((own and s in services.applications.APPLICANT_MOVES) or manage)
    ]
    return render(
        request,
        "programmes/application.jinja",
        {
            "page_title": f"Application: {presenters.name(found)}",
            "application": found,
            "form": form,
            "decline": decline,
            "history": list(selectors.application_history(found)),
            "moves": moves,
            "agree": agree and found.status == ApplicationStatus.SUBMITTED,
            "manage": manage,
            "presenters": presenters,
        },
    )


@login_required
def allocation(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = guards.programme_or_deny(request, pk, "manage_programme")
    if request.method == "POST":
        try:
            run = services.cohorts_allocate(ctx=_ctx(request), programme=found)
            messages.success(request, f"Allocation run: {run.placed} placed. Pinned and moved people kept.")
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        return redirect("programmes:allocation", pk=found.pk)
    cohorts = list(selectors.programme_cohorts(found))
    last = selectors.latest_cohort_run(found)
    unplaced = {int(k): v for k, v in (last.unplaced if last else {}).items()}
    pending = [a for a in selectors.programme_applications(found) if a.status == ApplicationStatus.ACCEPTED]
    return render(
        request,
        "programmes/allocation.jinja",
        {
            "page_title": f"Cohort allocation: {found.title}",
            "programme": found,
            "cohorts": cohorts,
            "members": {c.pk: list(selectors.cohort_members(c)) for c in cohorts},
            "run": presenters.run_summary(last),
            "unplaced": [(a, unplaced[a.pk]) for a in pending if a.pk in unplaced],
            "accepted": len(pending),
            "presenters": presenters,
        },
    )


@login_required
@require_POST
def placement(request: HttpRequest, pk: int) -> HttpResponseBase:
    participant = guards.participant_or_deny(request, pk, "manage_placement")
    form = forms.PlacementForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            if action == "move":
                target = next(
                    (
                        c
                        for c in selectors.programme_cohorts(participant.cohort.programme)
                        if c.pk == form.cleaned_data["cohort"]
                    ),
                    None,
                )
                if target is None:
                    raise ValidationError("Choose a cohort to move them to.")
                services.placement_move(ctx=_ctx(request), participant=participant, cohort=target)
                messages.success(request, f"{presenters.name(participant)} moved to {target.name}.")
            else:
                services.placement_pin(ctx=_ctx(request), participant=participant, pinned=action == "pin")
                messages.success(
                    request, f"{presenters.name(participant)} {'pinned' if action == 'pin' else 'unpinned'}."
                )
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
    return redirect("programmes:allocation", pk=participant.cohort.programme_id)
