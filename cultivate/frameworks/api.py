"""API for frameworks (read) and role requirements (read, and add for several roles at once); mounted on the one
NinjaAPI in config/api.py.

Same selectors and access rules as the pages, in the role the request acts in. A framework or organisation
outside that role's scope answers 404, whether or not it exists, and the refusal is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.accounts.models import User
from cultivate.core.api_types import ErrorOut
from cultivate.core.audit import AuditContext
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.schemas import OdsCode

from . import guards, selectors, services
from .models import Association, Competence, Framework, RoleRequirement, VersionStatus
from .schemas import FrameworkDetailOut, FrameworkOut, RequirementIn, RequirementOut

router = Router()

NOT_FOUND = {401: ErrorOut, 404: ErrorOut}


def _owner(framework: Framework) -> tuple[str, str | None]:
    if framework.owner_organisation is not None:
        return "organisation", framework.owner_organisation.ods_code
    if framework.owner_alliance is not None:
        return "alliance", framework.owner_alliance.code
    return "reference", None


def _framework_out(framework: Framework, adopted: set[int], published_number: int | None) -> dict[str, Any]:
    owner_kind, owner = _owner(framework)
    return {
        "identifier": framework.identifier,
        "title": framework.title,
        "description": framework.description,
        "owner_kind": owner_kind,
        "owner": owner,
        "extends": framework.extends.identifier if framework.extends else None,
        "source": framework.source,
        "is_reference": framework.is_reference,
        "published_version": published_number,
        "adopted": framework.pk in adopted,
    }


def _item_out(item: Competence, parents: dict[int, uuid.UUID], links: list[Association]) -> dict[str, Any]:
    return {
        "identifier": item.identifier,
        "node_type": item.node_type,
        "code": item.code,
        "title": item.title,
        "short_title": item.short_title,
        "kind": item.kind,
        "levels": list(item.levels or []),
        "assessed_in_practice": item.assessed_in_practice,
        "evidence_kinds": list(item.evidence_kinds or []),
        "reassess_months": item.reassess_months,
        "parent": parents.get(item.parent_id) if item.parent_id else None,
        "sequence": item.sequence,
        "crosswalks": [
            {
                "association_type": link.association_type,
                "framework": link.destination.framework.identifier if link.destination else None,
                "item": link.destination.identifier
                if link.destination
                else link.destination_ref.get("identifier"),
                "code": link.destination.code if link.destination else "",
                "title": link.destination.title
                if link.destination
                else str(link.destination_ref.get("title", "")),
            }
            for link in links
        ],
    }


@router.get(
    "/frameworks",
    operation_id="list_frameworks",
    response={200: list[FrameworkOut], 401: ErrorOut},
    tags=["frameworks"],
    summary="Frameworks the role may see",
    description=(
        "Reference frameworks (for everyone), the acting organisation's alliance's frameworks and the "
        "organisation's own (including its local competences). `adopted` says whether the role's organisation "
        "uses a shared framework."
    ),
)
def frameworks(request: HttpRequest) -> list[dict[str, Any]]:
    membership = _membership(request)
    adopted = selectors.adopted_framework_ids(membership.organisation if membership else None)
    result = []
    for framework in selectors.frameworks_visible_to(membership):
        versions = getattr(framework, "version_list", [])
        published = next((v.number for v in versions if v.status == VersionStatus.PUBLISHED), None)
        result.append(_framework_out(framework, adopted, published))
    return result


@router.get(
    "/frameworks/{identifier}",
    operation_id="get_framework",
    response={200: FrameworkDetailOut, **NOT_FOUND},
    tags=["frameworks"],
    summary="One framework with its published version's items",
    description=(
        "The framework, its levels, its published and retired versions, and the published version's domains "
        "and competences depth first, each with its parent's identifier and its crosswalks. `items` is empty "
        "when no version is published. Drafts are not included."
    ),
)
def framework(request: HttpRequest, identifier: uuid.UUID) -> dict[str, Any]:
    found = guards.framework_or_deny(request, identifier)
    membership = _membership(request)
    versions = [v for v in selectors.versions_of(found) if v.status != VersionStatus.DRAFT]
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    items = selectors.version_items(published) if published else []
    parents = {item.pk: item.identifier for item in items}
    links = selectors.crosswalks_of(published) if published else {}
    adopted = selectors.adopted_framework_ids(membership.organisation if membership else None)
    return {
        **_framework_out(found, adopted, published.number if published else None),
        "levels": found.level_list,
        "versions": versions,
        "items": [_item_out(item, parents, links.get(item.pk, [])) for item in items],
    }


@router.get(
    "/organisations/{ods_code}/role-requirements",
    operation_id="list_role_requirements",
    response={200: list[RequirementOut], **NOT_FOUND},
    tags=["frameworks"],
    summary="An organisation's role requirements",
    description=(
        "Which competences each support role (and band) needs, at which level, within how many days of "
        "starting in the role. Every role in the organisation may read them, and its alliance's admins."
    ),
)
def role_requirements(request: HttpRequest, ods_code: OdsCode) -> list[dict[str, Any]]:
    organisation = guards.organisation_or_deny(request, ods_code, "view_requirements")
    return [_requirement_out(requirement) for requirement in selectors.role_requirements_of(organisation)]


def _requirement_out(requirement: RoleRequirement) -> dict[str, Any]:
    return {
        "id": requirement.pk,
        "role_id": requirement.role_id,
        "role": requirement.role.name,
        "afc_band": requirement.afc_band,
        "framework": requirement.competence.framework.identifier,
        "competence": requirement.competence.identifier,
        "code": requirement.competence.code,
        "title": requirement.competence.title,
        "min_level": requirement.min_level,
        "within_days": requirement.within_days,
        "starts_on": requirement.starts_on,
        "grace_days": requirement.grace_days,
        "current": requirement.competence.version.status == VersionStatus.PUBLISHED,
    }


@router.post(
    "/organisations/{ods_code}/role-requirements",
    operation_id="add_role_requirements",
    response={201: list[RequirementOut], 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND},
    tags=["frameworks"],
    summary="Require a competence, a domain or a framework of one or several roles",
    description=(
        "What the requirement form does: for every role in `roles`, require `item` (a competence, or every "
        "competence in a domain) of the framework's published version, or with no `item` every competence of "
        "it, at `min_level`, within `within_days` of starting in the role, with the grace period `grace_days` "
        "from `starts_on` for people already in post. Competences a role already requires, or not assessed at "
        "the level, are left as they are. All or nothing. Educators and organisation admins of the "
        "organisation; 400 for a level, band or period the framework refuses, 409 when every role already "
        "requires the one competence named. Answers the requirements added."
    ),
)
def add_role_requirements(
    request: HttpRequest, ods_code: OdsCode, payload: RequirementIn
) -> Status[list[dict[str, Any]]]:
    organisation = guards.organisation_or_deny(request, ods_code, "manage_requirements")
    framework = guards.framework_or_deny(request, payload.framework)
    target: Competence | Framework = framework
    if payload.item is not None:
        item = selectors.published_item_by_identifier(framework, payload.item)
        if item is None:
            raise HttpError(404, "No such item in the framework's published version.")
        target = item
    roles = [org_selectors.support_role(pk) for pk in dict.fromkeys(payload.roles)]
    chosen = [role for role in roles if role is not None]
    if len(chosen) != len(roles):
        raise HttpError(400, "Every role must be a support role's id.")
    try:
        result = services.role_requirements_add(
            organisation=organisation,
            roles=chosen,
            target=target,
            min_level=payload.min_level,
            afc_band=payload.afc_band,
            within_days=payload.within_days,
            starts_on=payload.starts_on,
            grace_days=payload.grace_days,
            created_by=request.user if isinstance(request.user, User) else None,
            ctx=AuditContext.from_request(request),
        )
    except ValidationError as error:
        words = " ".join(error.messages)
        raise HttpError(409 if "already requires" in words else 400, words) from None
    return Status(201, [_requirement_out(requirement) for requirement in result.added])
