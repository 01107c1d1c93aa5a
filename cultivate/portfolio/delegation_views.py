"""Pages of the delegation register: the organisation's protocols (every member reads them; admins and
educators write them) and the check "may this person carry out this activity in this team on this day?"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import Membership, User
from cultivate.core.access import deny, object_or_deny
from cultivate.core.audit import AuditContext
from cultivate.core.forms import add_service_errors
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, TeamSetting

from . import access, delegation, selectors
from .delegation_forms import DelegationCheckForm, ProtocolForm, RequirementForm
from .models import DelegationProtocol

SETTING_LABELS = dict(TeamSetting.choices)


def _organisation_or_deny(
    request: HttpRequest, action: str = "view_protocols"
) -> tuple[Membership, Organisation]:
    membership = _membership(request)
    if membership is None or membership.organisation_id is None:
        deny(request, reason="Delegation protocols belong to an organisation; this role acts for none.")
    # The role's own organisation: seen, so a refused rule answers 403.
    source, own = org_selectors.organisations_visible_to, {"pk": membership.organisation_id}
    organisation = object_or_deny(request, source, own, what="organisation", may=access.may, action=action)
    return membership, organisation


def _protocol_or_deny(request: HttpRequest, pk: int, action: str = "view_protocols") -> DelegationProtocol:
    membership = _membership(request)
    return object_or_deny(
        request,
        delegation.protocols_visible_to(membership),
        {"pk": pk},
        what="delegation protocol",
        allowed=lambda protocol: access.may(membership, action, protocol.organisation),
        action=action,
    )


def _breadcrumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [
        {"text": "Home", "href": "/"},
        {"text": "Delegation protocols", "href": "/delegation/protocols/"},
    ]
    return crumbs + [{"text": text, "href": href} for text, href in extra]


def _role_choices() -> list[tuple[int, str]]:
    return [(role.pk, role.name) for role in org_selectors.support_roles()]


def _settings_text(protocol: DelegationProtocol) -> str:
    if not protocol.team_settings:
        return "Every setting"
    return ", ".join(str(SETTING_LABELS.get(s, s)) for s in protocol.team_settings)


def _roles_text(protocol: DelegationProtocol) -> str:
    names = [role.name for role in protocol.roles.all()]
    return ", ".join(names) if names else "Any support role"


@login_required
def protocol_list(request: HttpRequest) -> HttpResponse:
    membership, organisation = _organisation_or_deny(request)
    rows = [
        {
            "href": f"/delegation/protocols/{p.pk}/",
            "activity": p.activity,
            "code": p.code,
            "settings": _settings_text(p),
            "requirements": len(p.requirements.all()),
            "active": p.is_active,
        }
        for p in delegation.protocols_visible_to(membership)
    ]
    return render(
        request,
        "portfolio/delegation_protocols.jinja",
        {
            "page_title": "Delegation protocols",
            "organisation": organisation,
            "rows": rows,
            "may_manage": access.may(membership, "manage_protocols", organisation),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
def protocol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = _protocol_or_deny(request, pk)
    membership = _membership(request)
    organisation = protocol.organisation
    return render(
        request,
        "portfolio/delegation_protocol.jinja",
        {
            "page_title": protocol.activity,
            "protocol": protocol,
            "organisation": organisation,
            "settings_text": _settings_text(protocol),
            "roles_text": _roles_text(protocol),
            "min_band": delegation.band_label(protocol.min_band) if protocol.min_band else "Any band",
            "conditions": delegation.supervision_lines(protocol.supervision),
            "requirements": [
                {
                    "pk": r.pk,
                    "competence": r.competence,
                    "framework": r.competence.framework.title,
                    "level": r.competence.framework.level_label(r.min_level),
                }
                for r in protocol.requirements.all()
            ],
            "estimate": delegation.savings_estimate(protocol),
            "may_manage": access.may(membership, "manage_protocols", organisation),
            "may_check": access.may(membership, "view_protocols", organisation),
            "breadcrumbs": _breadcrumbs(),
        },
    )


def _save_protocol(
    request: HttpRequest, organisation: Organisation, protocol: DelegationProtocol | None
) -> HttpResponseBase:
    roles = list(org_selectors.support_roles())
    initial = ProtocolForm.initial_for(protocol) if protocol is not None else None
    form = ProtocolForm(
        request.POST if request.method == "POST" else None, initial=initial, roles=_role_choices()
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data.get("roles") or [])
        kwargs = form.service_kwargs([role for role in roles if role.pk in chosen])
        assert isinstance(request.user, User)
        try:
            if protocol is None:
                saved = delegation.protocol_create(
                    organisation=organisation,
                    actor=request.user,
                    ctx=AuditContext.from_request(request),
                    **kwargs,
                )
                messages.success(
                    request, f"Protocol ‘{saved.activity}’ created. Now add the competences it needs."
                )
            else:
                saved = delegation.protocol_update(
                    protocol=protocol, actor=request.user, ctx=AuditContext.from_request(request), **kwargs
                )
                messages.success(request, f"Protocol ‘{saved.activity}’ saved.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("portfolio:protocol", pk=saved.pk)
    title = "New delegation protocol" if protocol is None else f"Change {protocol.activity}"
    extra = [] if protocol is None else [(protocol.activity, f"/delegation/protocols/{protocol.pk}/")]
    return render(
        request,
        "portfolio/delegation_protocol_form.jinja",
        {
            "page_title": title,
            "form": form,
            "form_has_errors": bool(form.errors),
            "protocol": protocol,
            "organisation": organisation,
            "breadcrumbs": _breadcrumbs(*extra),
        },
    )


@login_required
def protocol_create(request: HttpRequest) -> HttpResponseBase:
    _, organisation = _organisation_or_deny(request, "manage_protocols")
    return _save_protocol(request, organisation, None)


@login_required
def protocol_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    protocol = _protocol_or_deny(request, pk, "manage_protocols")
    return _save_protocol(request, protocol.organisation, protocol)


@login_required
def protocol_requirement_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    protocol = _protocol_or_deny(request, pk, "manage_protocols")
    organisation = protocol.organisation
    available = list(delegation.competences_available_to(organisation))
    form = RequirementForm(
        request.POST if request.method == "POST" else None,
        competences=[(c.pk, f"{c.framework.title}: {c}") for c in available],
        levels=delegation.level_choices(organisation),
    )
    if request.method == "POST" and form.is_valid():
        competence = next(c for c in available if c.pk == form.cleaned_data["competence"])
        assert isinstance(request.user, User)
        try:
            delegation.protocol_requirement_set(
                protocol=protocol,
                competence=competence,
                min_level=form.cleaned_data["min_level"],
                actor=request.user,
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{competence} is now required.")
            return redirect("portfolio:protocol", pk=protocol.pk)
    return render(
        request,
        "portfolio/delegation_requirement_form.jinja",
        {
            "page_title": f"Add a competence to {protocol.activity}",
            "form": form,
            "form_has_errors": bool(form.errors),
            "protocol": protocol,
            "breadcrumbs": _breadcrumbs((protocol.activity, f"/delegation/protocols/{protocol.pk}/")),
        },
    )


@login_required
@require_POST
def protocol_requirement_remove(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponseBase:
    protocol = _protocol_or_deny(request, pk, "manage_protocols")
    requirement = delegation.requirement_by_id(protocol, requirement_pk)
    if requirement is None:
        deny(request, reason=f"No requirement {requirement_pk} in protocol {pk}.", hide_existence=True)
    assert isinstance(request.user, User)
    delegation.protocol_requirement_remove(
        requirement=requirement, actor=request.user, ctx=AuditContext.from_request(request)
    )
    messages.success(request, f"{requirement.competence} is no longer required.")
    return redirect("portfolio:protocol", pk=protocol.pk)


# --- The check -------------------------------------------------------------------------------------------


@dataclass
class _PersonSearch:
    query: str
    matching: int
    shown: int
    own_teams: bool


def _check_form(
    request: HttpRequest, membership: Membership, organisation: Organisation
) -> tuple[DelegationCheckForm, _PersonSearch]:
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()[:100]
    # A line manager or assessor checks the people of their own teams, most often: they are listed to begin
    # with; a search by name or staff ID finds anyone else in their scope.
    own = [team.pk for team in membership.teams.all()]
    chosen = request.POST.get("person") or request.GET.get("person") or ""
    people, matching = delegation.people_for_check(
        membership, on=today, query=query, team_ids=own, include=int(chosen) if chosen.isdigit() else None
    )
    if query:
        hint = f"People matching “{query}”."
    elif own:
        hint = "People in your teams. To check someone else, find them by name or staff ID above."
    else:
        hint = "To narrow the list, find a person by name or staff ID above."
    protocols = [
        (p.code, p.activity if p.is_active else f"{p.activity} (not in use)")
        for p in delegation.protocols_visible_to(membership)
    ]
    teams = [(t.pk, t.name) for t in delegation.teams_for_check(organisation)]
    initial: dict[str, Any] = {}
    for name in ("person", "protocol", "team"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if "person" not in initial and len(people) == 1:
        initial["person"] = people[0].pk
    if "team" not in initial:
        # The manager's own team is chosen to begin with.
        initial["team"] = next((pk for pk, _ in teams if pk in own), None)
    form = DelegationCheckForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        people=[(p.pk, f"{p.display_name} ({p.staff_id})") for p in people],
        people_hint=hint,
        protocols=protocols,
        teams=teams,
    )
    return form, _PersonSearch(query, matching, len(people), bool(own) and not query)


@login_required
def delegation_check(request: HttpRequest) -> HttpResponse:
    membership, organisation = _organisation_or_deny(request)
    form, search = _check_form(request, membership, organisation)
    decision = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subjects = selectors.delegation_check_subjects(
            person_id=data["person"],
            protocol=data["protocol"],
            team_id=data["team"],
            organisation=organisation,
        )
        if subjects.person is not None:
            person = object_or_deny(
                request,
                subjects.person,
                {"person": subjects.person.pk},
                what="person",
                visible=lambda found: access.may(membership, "check_delegation", found),
            )
            # The choices came from the same selectors; a miss means the form was tampered with.
            if subjects.rules is None or subjects.team is None:
                deny(request, reason="Protocol or team not of the organisation.", hide_existence=True)
            decision = delegation.delegation_check(
                membership=membership,
                person=person,
                protocol=subjects.rules.protocol,
                team=subjects.team,
                on=data["on"],
                ctx=AuditContext.from_request(request),
                channel="page",
                rules=subjects.rules,
            )
    return render(
        request,
        "portfolio/delegation_check.jinja",
        {
            "page_title": "Check delegation",
            "form": form,
            "form_has_errors": bool(form.errors),
            "decision": decision,
            "search": search,
            "organisation": organisation,
            "breadcrumbs": _breadcrumbs(),
        },
    )
