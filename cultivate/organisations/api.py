"""Read-only API for organisations, teams, people and employment spells.

Every read goes through the selectors and every decision through `access`, exactly as the pages do, in the
role the request acts in (`request.membership`, set by token or session authentication). Anything outside
that role's scope answers 404, whether or not it exists, and the refusal is audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.api_types import DbId, DbOffset, ErrorOut, Text

from . import access, guards, selectors
from .models import AfcBand, EmploymentSpell, Organisation, Team
from .schemas import (
    OdsCode,
    OrganisationOut,
    PeoplePage,
    PersonDetailOut,
    ProtectedCharacteristics,
    SpellOut,
    TeamOut,
)

router = Router()

PEOPLE_PAGE_DEFAULT = 50
PEOPLE_PAGE_MAX = 200
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}


@router.get(
    "/organisations",
    operation_id="list_organisations",
    response={200: list[OrganisationOut], 401: ErrorOut},
    tags=["organisations"],
    summary="Organisations the role may see",
)
def organisations(request: HttpRequest) -> QuerySet[Organisation]:
    return selectors.organisations_visible_to(_membership(request))


@router.get(
    "/organisations/{ods_code}",
    operation_id="get_organisation",
    response={200: OrganisationOut, **NOT_FOUND},
    tags=["organisations"],
    summary="One organisation, by ODS code",
)
def organisation(request: HttpRequest, ods_code: OdsCode) -> Organisation:
    return guards.organisation_or_deny(request, ods_code, "view_organisation")


@router.get(
    "/organisations/{ods_code}/teams",
    operation_id="list_organisation_teams",
    response={200: list[TeamOut], 403: ErrorOut, **NOT_FOUND},
    tags=["organisations"],
    summary="The organisation's teams the role may see",
    description=(
        "All the organisation's teams for its admins, analysts and educators (and its alliance's admins); "
        "their own teams for line managers and assessors. Support workers have no list of teams (403)."
    ),
)
def organisation_teams(request: HttpRequest, ods_code: OdsCode) -> QuerySet[Team]:
    membership = _membership(request)
    organisation = guards.organisation_or_deny(request, ods_code, "view_organisation")
    if not access.may(membership, "list_teams", organisation):
        deny(request, reason="This role has no list of teams.", obj=organisation)
    return selectors.organisation_teams_visible_to(membership, organisation)


@router.get(
    "/teams/{team_id}",
    operation_id="get_team",
    response={200: TeamOut, **NOT_FOUND},
    tags=["teams"],
    summary="One team",
)
def team(request: HttpRequest, team_id: DbId) -> Team:
    return guards.team_or_deny(request, team_id)


@router.get(
    "/people",
    operation_id="list_people",
    response={200: PeoplePage, 401: ErrorOut},
    tags=["people"],
    summary="People the role may see",
    description=(
        "People visible to the acting role, ordered by family name, given name and staff ID, a page at a "
        "time. The team, band and status filters describe each person's current post (for leavers, any past "
        "post)."
    ),
)
def people(
    request: HttpRequest,
    organisation: Annotated[
        OdsCode | None, Query(None, description="Only this organisation (ODS code).")
    ] = None,
    team: Annotated[DbId | None, Query(None, description="Only people in this team (team id).")] = None,
    band: Annotated[AfcBand | None, Query(description="Only people on this Agenda for Change band.")] = None,
    q: Annotated[
        Text, Query("", max_length=100, description="Words to match in the name, or an exact staff ID.")
    ] = "",
    status: Annotated[
        Literal["current", "left", "all"],
        Query(description="`current`: in post today; `left`: no post today; `all`: both."),
    ] = "current",
    limit: Annotated[int, Query(ge=1, le=PEOPLE_PAGE_MAX, description="Page size.")] = PEOPLE_PAGE_DEFAULT,
    offset: Annotated[DbOffset, Query(0, description="How many people to skip.")] = 0,
) -> dict[str, Any]:
    filters = selectors.StaffFilters(q=q.strip(), team=team, band=band or "", status=status)
    matching = selectors.people_matching(_membership(request), filters, organisation_code=organisation or "")
    return {
        "count": matching.count(),
        "limit": limit,
        "offset": offset,
        "items": list(matching[offset : offset + limit]),
    }


@router.get(
    "/people/{person_id}",
    operation_id="get_person",
    response={200: PersonDetailOut, **NOT_FOUND},
    tags=["people"],
    summary="One person",
    description=(
        "`protected_characteristics` is included only when the acting role may see them: the person "
        "themselves and their organisation's admins. For every other role the field is absent from the "
        "response."
    ),
    exclude_unset=True,
)
def person(request: HttpRequest, person_id: DbId) -> PersonDetailOut:
    found = guards.person_or_deny(request, person_id, with_current_posts=True)
    detail = PersonDetailOut.from_orm(found)
    if access.may(_membership(request), "view_characteristics", found):
        detail.protected_characteristics = ProtectedCharacteristics.from_orm(found)
    return detail


@router.get(
    "/people/{person_id}/spells",
    operation_id="list_person_spells",
    response={200: list[SpellOut], **NOT_FOUND},
    tags=["people"],
    summary="A person's employment history, the latest first",
)
def person_spells(request: HttpRequest, person_id: DbId) -> list[EmploymentSpell]:
    found = guards.person_or_deny(request, person_id)
    return selectors.employment_history(found)


@router.get(
    "/spells/{spell_id}",
    operation_id="get_spell",
    response={200: SpellOut, **NOT_FOUND},
    tags=["spells"],
    summary="One employment spell",
)
def spell(request: HttpRequest, spell_id: DbId) -> EmploymentSpell:
    return guards.spell_or_deny(request, spell_id)
