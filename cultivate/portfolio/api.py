"""API endpoints of this app; mounted on the one NinjaAPI in config/api.py.

The delegation check for rostering and clinical systems: "may this worker carry out this activity in this
team on this day?". Same access rules as the page, in the token's role: a person outside the role's scope
answers 404 (audited), whether or not they exist. Every answer is recorded in the audit log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny, object_or_deny
from cultivate.core.api_types import ErrorOut, ValidationErrorOut
from cultivate.core.audit import AuditContext
from cultivate.organisations import access as org_access

from . import access, delegation, selectors
from .models import DelegationProtocol
from .schemas import DelegationCheckIn, DelegationDecisionOut, ProtocolOut

router = Router()

CHECK_EXAMPLES = {
    "by person id and team id": {
        "summary": "By Cultivate ids, for today",
        "value": {"person_id": 115, "protocol": "capillary-blood-glucose", "team_id": 3},
    },
    "by staff id and team name": {
        "summary": "By staff ID and team name, on a given day",
        "value": {
            "staff_id": "10402312",
            "organisation": "RZ8",
            "protocol": "insulin-stable-diabetes",
            "team": "Wharfe Valley District Nursing",
            "date": "2026-03-02",
        },
    },
}


def _competence(ref: delegation.CompetenceRef | None) -> dict[str, Any] | None:
    return ref.as_dict() if ref is not None else None


def decision_out(decision: delegation.DelegationDecision) -> dict[str, Any]:
    person = decision.person
    assert person is not None and decision.audit_event is not None
    return {
        "allowed": decision.allowed,
        "answer": decision.answer,
        "person": {
            "id": person.pk,
            "staff_id": person.staff_id,
            "display_name": person.display_name,
            "organisation": person.organisation.ods_code,
        },
        "protocol": {
            "code": decision.protocol.code,
            "activity": decision.protocol.activity,
            "delegating_role": decision.protocol.delegating_role,
        },
        "team": {"id": decision.team.pk, "name": decision.team.name, "setting": decision.team.setting},
        "date": decision.on,
        "reasons": [
            {
                "code": r.code,
                "message": r.message,
                "competence": _competence(r.competence),
                "required_level": r.required_level,
                "held_level": r.held_level,
            }
            for r in decision.reasons
        ],
        "relied_on": [
            {
                "assessment_id": r.assessment_id,
                "competence": r.competence.as_dict(),
                "level": r.level,
                "level_label": r.level_label,
                "required_level": r.required_level,
                "assessed_on": r.assessed_on,
                "expires_on": r.expires_on,
                "assessor_name": r.assessor_name,
            }
            for r in decision.relied_on
        ],
        "conditions": decision.conditions,
        "lapses_on": decision.lapses_on if decision.allowed else None,
        "audit_event_id": decision.audit_event.pk,
    }


@router.post(
    "/delegation/checks",
    operation_id="check_delegation",
    response={
        200: DelegationDecisionOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    tags=["delegation"],
    summary="May this person carry out this activity in this team on this day?",
    description=(
        "Answers yes, or no with every reason: a competence the protocol needs is missing, below the level, "
        "expired or needs reassessing; the person holds no post in the team that day; the team's setting, the "
        "person's role or band is not covered; or the protocol is not in use. A yes lists the sign-offs it "
        "relies on and the supervision conditions to show. Every answer is recorded in the audit log "
        "(`audit_event_id`).\n\n"
        "Name the person by `person_id`, or by `staff_id` (with `organisation` if not the role's own), the "
        "protocol by its code, the team by `team_id` or by `team` (its name), and optionally the `date` (today "
        "by default).\n\n"
        "404 when the person does not exist or is outside the role's scope (the same answer for both). 400 "
        "when the protocol or team is not one of the person's organisation. 422 when the request is malformed "
        "(for example both or neither of `person_id` and `staff_id`)."
    ),
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": CHECK_EXAMPLES}}}},
)
def check(request: HttpRequest, payload: DelegationCheckIn) -> dict[str, Any]:
    membership = _membership(request)
    staff_organisation = None
    if payload.person_id is None:
        assert payload.staff_id is not None
        ods_code = payload.organisation or (
            membership.organisation.ods_code if membership and membership.organisation else ""
        )
        staff_organisation = object_or_deny(
            request,
            delegation.organisation_by_code(ods_code) if ods_code else None,
            {"organisation": ods_code or "(none)"},
            what="organisation",
            visible=lambda found: org_access.may(membership, "view_organisation", found),
        )
    subjects = selectors.delegation_check_subjects(
        person_id=payload.person_id,
        staff_id=payload.staff_id or "",
        staff_organisation=staff_organisation,
        protocol=payload.protocol,
        team_id=payload.team_id,
        team_name=payload.team or "",
    )
    person = object_or_deny(
        request,
        subjects.person,
        {"person": payload.person_id if payload.person_id is not None else f"staff ID {payload.staff_id}"},
        what="person",
        visible=lambda found: access.may(membership, "check_delegation", found),
    )
    organisation = person.organisation
    rules = subjects.rules
    if rules is None:
        raise HttpError(
            400,
            f"{organisation.ods_code} has no delegation protocol with the code ‘{payload.protocol}’. "
            "GET /api/delegation/protocols lists them.",
        )
    team = subjects.team
    if team is None:
        named = f"id {payload.team_id}" if payload.team_id is not None else f"name ‘{payload.team}’"
        raise HttpError(400, f"{organisation.ods_code} has no team with the {named}.")
    decision = delegation.delegation_check(
        membership=membership,
        person=person,
        protocol=rules.protocol,
        team=team,
        on=payload.date,
        ctx=AuditContext.from_request(request),
        channel="api",
        rules=rules,
    )
    return decision_out(decision)


def protocol_out(protocol: DelegationProtocol) -> dict[str, Any]:
    return {
        "code": protocol.code,
        "activity": protocol.activity,
        "description": protocol.description,
        "delegating_role": protocol.delegating_role,
        "is_active": protocol.is_active,
        "team_settings": list(protocol.team_settings or []),
        "roles": [role.name for role in protocol.roles.all()],
        "min_band": protocol.min_band,
        "supervision": delegation.supervision_lines(protocol.supervision),
        "requirements": [
            {
                "competence": delegation.competence_ref(r.competence).as_dict(),
                "min_level": r.min_level,
                "min_level_label": r.competence.framework.level_label(r.min_level),
            }
            for r in protocol.requirements.all()
        ],
    }


@router.get(
    "/delegation/protocols",
    operation_id="list_delegation_protocols",
    response={200: list[ProtocolOut], 401: ErrorOut, 403: ErrorOut},
    tags=["delegation"],
    summary="The delegation protocols of the role's organisation",
    description=(
        "Every protocol of the organisation the token's role belongs to, in use or not, with the competences "
        "each needs and the lowest level. Roles that act for an alliance have none (403)."
    ),
)
def protocols(request: HttpRequest) -> list[dict[str, Any]]:
    membership = _membership(request)
    organisation = membership.organisation if membership is not None else None
    if organisation is None or not access.may(membership, "view_protocols", organisation):
        deny(request, reason="Delegation protocols belong to an organisation; this role acts for none.")
    return [protocol_out(p) for p in delegation.protocols_visible_to(membership)]
