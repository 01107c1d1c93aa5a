"""API endpoints of the pathways app: pathways and their steps, a worker's qualifications and functional
skills results, apprenticeships and readiness; the same guards and rules as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.api_types import DbId, ErrorOut

from . import guards, presenters, selectors
from .models import Pathway, Step
from .schemas import ApprenticeshipOut, PathwayOut, QualificationsOut, StepOut, StepReadinessOut

router = Router()
NOT_FOUND = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _step_out(step: Step) -> dict[str, Any]:
    standard = step.standard
    return {
        "id": step.pk,
        "code": step.code,
        "title": step.title,
        "band": step.band,
        "standard": standard.code if standard else None,
        "standard_level": standard.level if standard else None,
        "registered_with": step.registered_with,
        "previous": step.previous_id,
        "requirements": [
            {
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "text": presenters.requirement_text(r),
                "evidenced_by": r.evidenced_by,
                "qualifications": list(r.qualifications),
                "months": r.months,
                "band": r.band,
                "training": r.training,
            }
            for r in step.requirements.all()
        ],
    }


def _pathway_out(pathway: Pathway) -> dict[str, Any]:
    summary = presenters.pathway_summary(pathway)
    return {
        "id": pathway.pk,
        "code": pathway.code,
        "title": pathway.title,
        "description": pathway.description,
        "owner": summary["owner"],
        "source": pathway.source,
        "steps": [_step_out(step) for step in pathway.steps.all()],
    }


@router.get(
    "/pathways",
    operation_id="list_pathways",
    response={200: list[PathwayOut], 401: ErrorOut},
    tags=["pathways"],
    summary="Career pathways the role may see",
    description="Reference pathways, the organisation's alliance's and its own, each with its steps and their "
    "entry requirements.",
)
def pathways(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pathway_out(p) for p in selectors.pathways_visible_to(_membership(request))]


@router.get(
    "/pathways/{pathway_id}",
    operation_id="get_pathway",
    response={200: PathwayOut, **NOT_FOUND},
    tags=["pathways"],
    summary="One career pathway",
)
def pathway(request: HttpRequest, pathway_id: DbId) -> dict[str, Any]:
    return _pathway_out(guards.pathway_or_deny(request, pathway_id))


@router.get(
    "/pathways/{pathway_id}/steps",
    operation_id="list_pathway_steps",
    response={200: list[StepOut], **NOT_FOUND},
    tags=["pathways"],
    summary="The steps of a pathway with their entry requirements",
)
def steps(request: HttpRequest, pathway_id: DbId) -> list[dict[str, Any]]:
    found = guards.pathway_or_deny(request, pathway_id)
    return [_step_out(step) for step in found.steps.all()]


@router.get(
    "/pathways/people/{person_id}/qualifications",
    operation_id="list_qualifications",
    response={200: QualificationsOut, **NOT_FOUND},
    tags=["pathways"],
    summary="A worker's qualifications and functional skills results",
    description="For the worker, their line manager, and their organisation's educators and admins.",
)
def qualifications(request: HttpRequest, person_id: DbId) -> dict[str, Any]:
    person = guards.person_or_deny(request, person_id)
    return {
        "person": person.pk,
        "qualifications": [
            {
                "id": q.pk,
                "kind": q.kind,
                "label": q.label,
                "awarded_on": q.awarded_on,
                "evidence": q.evidence,
                "status": q.status,
                "supersedes": q.supersedes_id,
            }
            for q in selectors.qualifications_of(person)
        ],
        "functional_skills": [
            {
                "subject": r.subject,
                "level": r.level,
                "level_label": r.get_level_display(),
                "assessed_on": r.assessed_on,
                "reassess_on": r.reassess_on,
            }
            for r in selectors.skills_results_of(person)
        ],
    }


@router.get(
    "/pathways/people/{person_id}/apprenticeships",
    operation_id="list_apprenticeships",
    response={200: list[ApprenticeshipOut], **NOT_FOUND},
    tags=["pathways"],
    summary="A worker's apprenticeships with their off-the-job progress",
)
def apprenticeships(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    result = []
    for a in selectors.apprenticeships_of(person):
        progress = selectors.apprenticeship_progress(a)
        result.append(
            {
                "id": a.pk,
                "standard": a.standard.code,
                "standard_version": a.standard.version,
                "level": a.standard.level,
                "provider": a.provider,
                "start_date": a.start_date,
                "planned_end_date": a.planned_end_date,
                "contracted_hours": a.contracted_hours,
                "gateway_on": a.gateway_on,
                "epa_on": a.epa_on,
                "epa_grade": a.epa_grade,
                "outcome": a.outcome,
                "off_the_job_required": progress.required,
                "off_the_job_logged": progress.logged,
                "off_the_job_expected_by_now": progress.expected_by_now,
                "behind": progress.behind,
            }
        )
    return result


@router.get(
    "/pathways/people/{person_id}/readiness",
    operation_id="get_readiness",
    response={200: list[StepReadinessOut], **NOT_FOUND},
    tags=["pathways"],
    summary="A worker's readiness for every step",
    description="Each requirement met, still to do or to be checked, with what would meet it and an estimated "
    "earliest date.",
)
def readiness(request: HttpRequest, person_id: DbId) -> list[dict[str, Any]]:
    person = guards.person_or_deny(request, person_id)
    result = []
    for found_pathway, results in selectors.person_readiness(
        person, _membership(request), on=timezone.localdate()
    ):
        for r in results:
            result.append(
                {
                    "step": r.step.pk,
                    "title": r.step.title,
                    "pathway": found_pathway.title,
                    "ready": r.ready,
                    "short": r.short_count,
                    "earliest": r.earliest,
                    "requirements": [
                        {
                            "kind": item.requirement.kind,
                            "summary": item.summary,
                            "state": item.state.value,
                            "to_meet": item.to_meet,
                            "earliest": item.earliest,
                            "offers": list(item.offers),
                        }
                        for item in r.results
                    ],
                }
            )
    return result
