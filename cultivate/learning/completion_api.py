"""Evaluations in the API, added to the learning router: an offer's evaluations by the role's organisation's
people in aggregate (fewer than 5 responses hidden), and a worker's own evaluation of a completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import deny
from cultivate.core.api_types import DbId, ErrorOut

from . import access, completion_selectors, guards
from .presenters import SMALL_NUMBER

router = Router(tags=["learning"])
NOT_FOUND = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class OfferEvaluationsOut(Schema):
    offer_id: int
    organisation: str
    responses: int | None = Field(description="Evaluations by the organisation's people; null when 1 to 4.")
    mean_rating: float | None = Field(description="From 1 (very poor) to 5 (excellent); null when hidden.")
    rated_good: float | None = Field(description="The share rating it 4 or 5; null when hidden.")
    suppressed: bool


class EvaluationOut(Schema):
    completion_id: int
    rating: int
    useful: str
    change: str
    submitted_at: dt.datetime


@router.get(
    "/learning/offers/{offer_id}/evaluations",
    operation_id="get_offer_evaluations",
    response={200: OfferEvaluationsOut, **NOT_FOUND},
    summary="An offer's evaluations by the organisation's people, in aggregate",
    description="For the organisation's educators, admins and analysts. Fewer than 5 responses: hidden.",
)
def offer_evaluations(request: HttpRequest, offer_id: DbId) -> dict[str, Any]:
    offer = guards.offer_or_deny(request, offer_id)
    membership = _membership(request)
    organisation = membership.organisation if membership is not None else None
    if organisation is None or not access.may(membership, "view_learning_figures", organisation):
        deny(
            request, reason="Evaluations are read in aggregate by educators, admins and analysts.", obj=offer
        )
    found = completion_selectors.offer_evaluations(offer, organisation)
    hidden = 0 < found.responses < SMALL_NUMBER
    return {
        "offer_id": offer.pk,
        "organisation": organisation.ods_code,
        "responses": None if hidden else found.responses,
        "mean_rating": None if hidden or found.mean is None else round(found.mean, 2),
        "rated_good": None if hidden or not found.responses else round(found.good / found.responses, 3),
        "suppressed": hidden,
    }


@router.get(
    "/learning/completions/{completion_id}/evaluation",
    operation_id="get_own_evaluation",
    response={200: EvaluationOut, **NOT_FOUND},
    summary="Your own evaluation of something you completed",
    description="Nobody else's: evaluations reach others only in aggregate. 404 when not evaluated yet.",
)
def own_evaluation(request: HttpRequest, completion_id: DbId) -> dict[str, Any]:
    completion = guards.completion_or_deny(request, completion_id, "evaluate")
    evaluation = completion_selectors.own_evaluation(completion)
    if evaluation is None:
        raise HttpError(404, "Not evaluated yet.")
    return {
        "completion_id": completion.pk,
        "rating": evaluation.rating,
        "useful": evaluation.useful,
        "change": evaluation.change,
        "submitted_at": evaluation.created_at,
    }
