"""Team pages for line managers, assessors and organisation admins: the competence matrix (with CSV and XLSX
exports) and the delegation view (who may do what today, and what lapses in the next 30 days)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny, object_or_deny
from cultivate.core.audit import AuditContext
from cultivate.core.exports import spreadsheet_export
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Team

from . import access, delegation, matrix
from .delegation_forms import MatrixFilterForm

# Roles the team pages are for (`access.can_view_team_competence`); others are refused the list outright.
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _team_or_deny(request: HttpRequest, pk: int) -> Team:
    source = org_selectors.teams_visible_to
    action = "view_team_competence"
    return object_or_deny(request, source, {"pk": pk}, what="team", may=access.may, action=action)


def _breadcrumbs(team: Team | None = None) -> list[dict[str, str]]:
    crumbs = [{"text": "Home", "href": "/"}, {"text": "Team competence", "href": "/teams/"}]
    if team is not None:
        crumbs.append({"text": team.name, "href": f"/teams/{team.pk}/competence/"})
    return crumbs


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    teams = [
        team
        for team in org_selectors.teams_visible_to(membership).order_by("name")
        if access.may(membership, "view_team_competence", team)
    ]
    if not teams and not access.may(membership, "view_team_list"):
        deny(request, reason="This role has no teams whose competence it may see.")
    return render(
        request,
        "portfolio/team_list.jinja",
        {"page_title": "Team competence", "teams": teams, "breadcrumbs": [{"text": "Home", "href": "/"}]},
    )


def _matrix(request: HttpRequest, team: Team) -> tuple[matrix.Matrix, MatrixFilterForm]:
    choices = matrix.filter_choices(team)
    form = MatrixFilterForm(request.GET or None, frameworks=choices[0], domains=choices[1])
    return matrix.team_matrix(team=team, filters=form.filters(), choices=choices), form


@login_required
def team_competence(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_deny(request, pk)
    built, form = _matrix(request, team)
    filters = request.GET.copy()
    view = filters.pop("view", [matrix.VIEW_TABLE])[-1]
    query = filters.urlencode()
    return render(
        request,
        "portfolio/team_competence.jinja",
        {
            "page_title": f"Competence – {team.name}",
            "team": team,
            "matrix": built,
            "form": form,
            "form_has_errors": bool(form.errors),
            "export_query": f"?{query}" if query else "",
            "people_view": view == matrix.VIEW_PEOPLE,
            "view_query": f"?{query}&view=" if query else "?view=",
            "breadcrumbs": _breadcrumbs(),
        },
    )


@spreadsheet_export
@login_required
def team_competence_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in EXPORT_TYPES:
        raise Http404("No such export format.")
    team = _team_or_deny(request, pk)
    built, _ = _matrix(request, team)
    content = matrix.matrix_csv(built) if file_format == "csv" else matrix.matrix_xlsx(built)
    matrix.matrix_export_audit(matrix=built, file_format=file_format, ctx=AuditContext.from_request(request))
    response = HttpResponse(content, content_type=EXPORT_TYPES[file_format])
    filename = f"competence-team-{team.pk}-{built.on.isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def team_delegation(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_deny(request, pk)
    grid = delegation.team_delegation(team=team, on=timezone.localdate())
    return render(
        request,
        "portfolio/team_delegation.jinja",
        {
            "page_title": f"Delegation – {team.name}",
            "team": team,
            "grid": grid,
            "breadcrumbs": _breadcrumbs(team),
        },
    )
