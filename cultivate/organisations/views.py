"""Pages for people and organisations: my record, my team, the staff list, person detail, organisations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import Role
from cultivate.core.access import deny
from cultivate.portfolio import access as portfolio_access

from . import access, forms, guards, presenters, selectors


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    person = request.user.person  # type: ignore[union-attr]
    if person is None:
        return render(request, "organisations/no_record.jinja", {"page_title": "Your record"})
    return render(
        request,
        "organisations/person_detail.jinja",
        {
            "page_title": "Your record",
            "person": person,
            "detail": presenters.person_detail(
                person, selectors.employment_history(person), show_characteristics=True
            ),
            "is_self": True,
        },
    )


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not access.may(membership, "view_my_team"):
        deny(request, reason="Only line managers and assessors have a team page.")
    assert membership is not None
    # An assessor assesses support workers: registered staff in the same teams are not listed.
    support_only = membership.role == Role.ASSESSOR
    teams: list[dict[str, Any]] = [
        {
            "team": team,
            "rows": presenters.staff_rows(
                selectors.team_members(membership, team, support_only=support_only)
            ),
        }
        for team in membership.teams.all()
    ]
    managed = []
    if membership.role == Role.LINE_MANAGER:
        listed = {row["pk"] for block in teams for row in block["rows"]}
        managed = [
            row
            for row in presenters.staff_rows(selectors.managed_people(membership))
            if row["pk"] not in listed
        ]
    return render(
        request,
        "organisations/my_team.jinja",
        {
            "page_title": "My team" if membership.role == Role.LINE_MANAGER else "People I assess",
            "teams": teams,
            "managed": managed,
            "support_only": support_only,
        },
    )


@login_required
def staff_list(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "list_staff")
    membership = _membership(request)
    assert membership is not None
    form = forms.StaffFilterForm(
        request.GET or None,
        teams=[(t.pk, t.name) for t in selectors.teams_of(organisation)],
        roles=[(r.pk, r.name) for r in selectors.support_roles()],
    )
    filters = form.filters() if form.is_valid() else selectors.StaffFilters()
    page = selectors.staff_list(membership, organisation, filters, page=_page_number(request))
    return render(
        request,
        "organisations/staff_list.jinja",
        {
            "page_title": f"Staff – {organisation.name}",
            "organisation": organisation,
            "form": form,
            "page": page,
            "rows": presenters.staff_rows(page.object_list),
            "form_has_errors": bool(form.errors),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    person = guards.person_or_deny(request, pk)
    breadcrumbs = [{"text": "Home", "href": "/"}]
    if access.may(membership, "list_staff", person.organisation):
        breadcrumbs.append({"text": "Staff", "href": f"/organisations/{person.organisation.ods_code}/staff/"})
    elif access.may(membership, "view_my_team"):
        breadcrumbs.append({"text": "My team", "href": "/team/"})
    return render(
        request,
        "organisations/person_detail.jinja",
        {
            "page_title": person.display_name,
            "person": person,
            "detail": presenters.person_detail(
                person,
                selectors.employment_history(person),
                show_characteristics=access.may(membership, "view_characteristics", person),
            ),
            "is_self": request.user.person_id == person.pk,  # type: ignore[union-attr]
            "breadcrumbs": breadcrumbs,
            "portfolio_url": (
                f"/people/{person.pk}/portfolio/"
                if portfolio_access.may(membership, "view_portfolio", person)
                else ""
            ),
        },
    )


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    visible = selectors.organisations_visible_to(membership)
    return render(
        request,
        "organisations/organisations.jinja",
        {
            "page_title": "Organisations",
            "rows": presenters.organisation_rows(membership, visible),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = guards.organisation_or_deny(request, ods_code, "view_summary")
    membership = _membership(request)
    return render(
        request,
        "organisations/organisation_detail.jinja",
        {
            "page_title": organisation.name,
            "organisation": organisation,
            "summary": presenters.organisation_summary(membership, organisation),
            "may_list_staff": access.may(membership, "list_staff", organisation),
            "may_import": access.may(membership, "import_staff", organisation),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )
