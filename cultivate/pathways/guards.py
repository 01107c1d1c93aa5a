"""The pathways app's objects fetched for the acting role, or refused: each is one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.accounts.access import acting_membership
from cultivate.core.access import object_or_deny
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, Person

from . import access, selectors
from .models import Apprenticeship, Pathway, Qualification, Step, StepRequirement


def pathway_or_deny(request: HttpRequest, pk: int, action: str = "") -> Pathway:
    source = selectors.pathways_visible_to
    may = access.may if action else None
    return object_or_deny(request, source, {"pk": pk}, what="pathway", may=may, action=action)


def step_or_deny(request: HttpRequest, pathway: Pathway, pk: int) -> Step:
    return object_or_deny(request, selectors.steps_of(pathway), {"pk": pk}, what="step", within=pathway)


def requirement_or_404(request: HttpRequest, step: Step, pk: int) -> StepRequirement:
    return object_or_deny(request, step.requirements.all(), {"pk": pk}, what="requirement", within=step)


def visible_step_or_deny(request: HttpRequest, pk: int) -> Step:
    return object_or_deny(request, selectors.steps_visible_to, {"pk": pk}, what="step")


def public_organisation_or_404(request: HttpRequest, ods_code: str) -> Organisation:
    """The organisation of a public route page: anyone may read it (nothing personal is shown)."""
    source = selectors.organisations_with_public_routes()
    return object_or_deny(request, source, {"ods_code": ods_code.upper()}, what="organisation")


def person_or_deny(request: HttpRequest, pk: int, action: str = "view_record") -> Person:
    """A worker whose record (qualifications, results, apprenticeships, readiness) the role may see: 404
    outside it; 403 when it may see it but not do `action`."""
    source = selectors.record_people_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="person", may=access.may, action=action)


def qualification_or_deny(request: HttpRequest, pk: int, action: str) -> Qualification:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.qualifications_visible_to(membership),
        {"pk": pk},
        what="qualification",
        allowed=lambda q: access.may(membership, action, q.person),
        action=action,
    )


def apprenticeship_or_deny(request: HttpRequest, pk: int, action: str = "view_record") -> Apprenticeship:
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.apprenticeships_visible_to(membership),
        {"pk": pk},
        what="apprenticeship",
        allowed=lambda a: access.may(membership, action, a.person),
        action=action,
    )


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    source = org_selectors.organisations_visible_to
    code = {"ods_code": ods_code.upper()}
    return object_or_deny(request, source, code, what="organisation", may=access.may, action=action)
