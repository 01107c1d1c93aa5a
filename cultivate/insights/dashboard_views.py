"""Workforce insights dashboards: an alliance's, an organisation's and a team's, each with four dashboards
(overview, retention, progression, sickness absence), and CSV/XLSX downloads of every table.

Access and scope come from `access` (the scope is then enforced in SQL by `dashboards.scoped_connection`);
figures from `dashboards`; formatting from `presenters`. One DuckDB connection serves a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.core import exports
from cultivate.core.access import deny
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.exports import spreadsheet_export
from cultivate.organisations.models import Organisation, Team

from . import access, dashboards, guards, member_totals, presenters, selectors
from .dashboard_forms import DashboardFilterForm
from .store import extract_date

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALL_BREAKDOWNS = list(dashboards.BREAKDOWNS)


@dataclass
class Place:
    """Where a dashboard is (alliance, organisation or team): its scope, names and links."""

    scope: dashboards.Scope
    label: str
    url_name: str
    url_args: tuple[Any, ...]
    breadcrumbs: list[dict[str, str]]
    breakdowns: list[str]
    organisation: Organisation | None = None
    team: Team | None = None
    # Values in a table's drill column → the narrower dashboard's URL (without the dashboard name).
    drill: dict[str, tuple[str, tuple[Any, ...]]] | None = None
    # ODS code → "Name (CODE)", for figures grouped by organisation.
    organisation_labels: dict[str, str] | None = None

    def url(self, dashboard: str) -> str:
        return reverse(self.url_name, args=[*self.url_args, dashboard])


def _home_crumbs() -> list[dict[str, str]]:
    return [{"text": "Home", "href": "/"}]


def _alliance_place(request: HttpRequest) -> Place:
    alliance = guards.dashboard_alliance_or_deny(request)
    membership = guards.dashboards_or_deny(request)
    organisations = selectors.alliance_organisations(membership)
    return Place(
        scope=access.alliance_dashboard_scope(organisations),
        label=alliance.name,
        url_name="insights:alliance",
        url_args=(),
        breadcrumbs=_home_crumbs(),
        breakdowns=ALL_BREAKDOWNS,
        drill={o.ods_code: ("insights:organisation", (o.ods_code,)) for o in organisations},
        organisation_labels={
            o.ods_code: dashboards.organisation_label(o.name, o.ods_code) for o in organisations
        },
    )


def _organisation_place(request: HttpRequest, ods_code: str) -> Place:
    organisation = guards.dashboard_organisation_or_deny(request, ods_code)
    membership = guards.dashboards_or_deny(request)
    crumbs = _home_crumbs()
    if membership.role == Role.ALLIANCE_ADMIN:
        crumbs.append({"text": "Alliance insights", "href": reverse("insights:alliance", args=["overview"])})
    teams = selectors.drill_teams(membership, organisation)
    return Place(
        scope=access.organisation_dashboard_scope(membership, organisation),
        label=organisation.name,
        url_name="insights:organisation",
        url_args=(organisation.ods_code,),
        breadcrumbs=crumbs,
        breakdowns=["team", *[b for b in ALL_BREAKDOWNS if b not in ("team", "organisation_code")]],
        organisation=organisation,
        drill={name: ("insights:team", (team.pk,)) for name, team in teams.items()},
    )


def _team_place(request: HttpRequest, team_id: int) -> Place:
    team = guards.dashboard_team_or_deny(request, team_id)
    membership = guards.dashboards_or_deny(request)
    crumbs = _home_crumbs()
    crumbs.append(
        {
            "text": team.organisation.name,
            "href": reverse("insights:organisation", args=[team.organisation.ods_code, "overview"]),
        }
    )
    return Place(
        scope=access.team_dashboard_scope(membership, team),
        label=f"{team.name}, {team.organisation.name}",
        url_name="insights:team",
        url_args=(team.pk,),
        breadcrumbs=crumbs,
        breakdowns=[b for b in ALL_BREAKDOWNS if b not in ("team", "organisation_code")],
        organisation=team.organisation,
        team=team,
    )


def _compute(request: HttpRequest, place: Place, name: str) -> dict[str, Any]:
    if name not in dashboards.DASHBOARDS:
        raise Http404("No such dashboard.")
    store = selectors.insights_store()
    context: dict[str, Any] = {"place": place, "name": name, "dashboard": None}
    latest = dashboards.latest_month_end(store) if dashboards.has_datasets(store) else None
    if latest is None:
        return context
    form = DashboardFilterForm(request.GET or None, latest=latest, breakdowns=place.breakdowns)
    window = dashboards.window_ending(form.window_end())
    with dashboards.scoped_connection(store, place.scope) as con:
        built = dashboards.build(
            con,
            name,
            scope=place.scope,
            window=window,
            breakdown=form.breakdown(),
            extract=extract_date(store),
            cost_per_leaver=form.cost_per_leaver(),
            organisation_labels=place.organisation_labels,
        )
    context.update(dashboard=built, form=form, query=form.query())
    return context


def _page(request: HttpRequest, place: Place, name: str) -> HttpResponse:
    context = _compute(request, place, name)
    built: dashboards.Dashboard | None = context["dashboard"]
    query = context.get("query", "")
    tables = []
    if built is not None:
        labels = place.organisation_labels or {}
        links = {
            labels.get(value, value): reverse(url_name, args=[*args, name]) + query
            for value, (url_name, args) in (place.drill or {}).items()
        }
        for table in built.tables:
            shown = presenters.present_table(table, links if table.drill else None)
            shown["exports"] = {
                fmt: reverse(f"{place.url_name}_export", args=[*place.url_args, name, table.key, fmt]) + query
                for fmt in EXPORT_TYPES
            }
            tables.append(shown)
    form = context.get("form")
    return render(
        request,
        "insights/dashboard.jinja",
        {
            **context,
            "page_title": f"{dashboards.DASHBOARDS[name]} – {place.label}",
            "tables": tables,
            "tabs": [
                {"text": title, "href": place.url(key) + query, "current": key == name}
                for key, title in dashboards.DASHBOARDS.items()
            ],
            "window_label": dashboards.window_label(built.window) if built else "",
            "breakdown_label": dashboards.BREAKDOWNS.get(built.breakdown, "") if built else "",
            "form_has_errors": bool(form is not None and form.errors),
            "breadcrumbs": place.breadcrumbs,
        },
    )


def _export(request: HttpRequest, place: Place, name: str, table_key: str, file_format: str) -> HttpResponse:
    if file_format not in EXPORT_TYPES:
        raise Http404("No such export format.")
    built = _compute(request, place, name)["dashboard"]
    if built is None:
        raise Http404("The insights store holds no data yet.")
    try:
        table = built.table(table_key)
    except KeyError:
        raise Http404("No such table.") from None
    if file_format == "csv":
        content = presenters.table_csv(built, table)
    else:
        content = presenters.table_xlsx(built, table, place.label)
    audit(
        CoreAction.EXPORT,
        ctx=AuditContext.from_request(request),
        obj=place.team or place.organisation,
        organisation=place.organisation,
        what=f"workforce insights: {built.title} – {table.title}",
        format=file_format,
        organisations=list(place.scope.organisations),
        teams=list(place.scope.teams) if place.scope.teams is not None else None,
        window=built.window.as_json(),
        breakdown=built.breakdown,
        suppressed=built.suppressed,
        rows=len(table.rows),
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[file_format])
    slug = "-".join(str(a) for a in place.url_args) or "alliance"
    filename = f"insights-{slug}-{name}-{table.key}-{built.window.end.isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    membership = guards.dashboards_or_deny(request)
    if membership.role == Role.ALLIANCE_ADMIN:
        return redirect("insights:alliance", "overview")
    if membership.organisation is None:
        deny(request, reason="This role belongs to no organisation.")
    return redirect("insights:organisation", membership.organisation.ods_code, "overview")


@login_required
def alliance_dashboard(request: HttpRequest, dashboard: str) -> HttpResponse:
    return _page(request, _alliance_place(request), dashboard)


@login_required
def organisation_dashboard(request: HttpRequest, ods_code: str, dashboard: str) -> HttpResponse:
    return _page(request, _organisation_place(request, ods_code), dashboard)


@login_required
def team_dashboard(request: HttpRequest, team_id: int, dashboard: str) -> HttpResponse:
    return _page(request, _team_place(request, team_id), dashboard)


@spreadsheet_export
@login_required
def alliance_export(request: HttpRequest, dashboard: str, table: str, file_format: str) -> HttpResponse:
    return _export(request, _alliance_place(request), dashboard, table, file_format)


@spreadsheet_export
@login_required
def organisation_export(
    request: HttpRequest, ods_code: str, dashboard: str, table: str, file_format: str
) -> HttpResponse:
    return _export(request, _organisation_place(request, ods_code), dashboard, table, file_format)


@spreadsheet_export
@login_required
def team_export(
    request: HttpRequest, team_id: int, dashboard: str, table: str, file_format: str
) -> HttpResponse:
    return _export(request, _team_place(request, team_id), dashboard, table, file_format)


# Competence and mandatory training across an alliance's members (totals per trust only) -----------------------


def _member_tables(request: HttpRequest) -> tuple[Any, list[dashboards.Table]]:
    alliance = guards.member_totals_or_deny(request)
    membership = guards.dashboards_or_deny(request)
    totals = member_totals.member_totals(selectors.alliance_organisations(membership))
    return alliance, member_totals.tables(totals)


@login_required
def alliance_members(request: HttpRequest) -> HttpResponse:
    alliance, built = _member_tables(request)
    tables = []
    for table in built:
        shown = presenters.present_table(table)
        shown["exports"] = {
            fmt: reverse("insights:alliance_members_export", args=[table.key, fmt]) for fmt in EXPORT_TYPES
        }
        tables.append(shown)
    return render(
        request,
        "insights/member_totals.jinja",
        {
            "page_title": f"Competence and training across member trusts – {alliance.name}",
            "alliance": alliance,
            "tables": tables,
            "today": timezone.localdate(),
            "breadcrumbs": [
                *_home_crumbs(),
                {"text": "Alliance insights", "href": reverse("insights:alliance", args=["overview"])},
            ],
        },
    )


@spreadsheet_export
@login_required
def alliance_members_export(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    if file_format not in EXPORT_TYPES:
        raise Http404("No such export format.")
    alliance, built = _member_tables(request)
    found = next((t for t in built if t.key == table), None)
    if found is None:
        raise Http404("No such table.")
    today = timezone.localdate()
    if file_format == "csv":
        content = exports.csv_bytes(presenters.export_header(found), presenters.export_rows(found))
    else:
        content = presenters.xlsx_with_about(found, member_totals.about_lines(found, alliance.name, today))
    audit(
        CoreAction.EXPORT,
        ctx=AuditContext.from_request(request),
        obj=alliance,
        what=f"competence and training across member trusts: {found.title}",
        format=file_format,
        rows=len(found.rows),
        suppressed=True,
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[file_format])
    filename = f"member-trusts-{found.key}-{today.isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
