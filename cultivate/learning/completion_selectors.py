"""Reads for one completion's page and for evaluations in the API: the competences a completion stands as
evidence for, one's own evaluation, and an offer's evaluations in aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from cultivate.frameworks.models import Competence
from cultivate.organisations.models import Organisation

from .models import Completion, Evaluation, Offer, OfferCompetence


def evidence_competences(completion: Completion) -> list[Competence]:
    """The competences the completion's portfolio evidence is linked to (crosswalk equivalents included); for a
    completion without evidence, none."""
    if completion.evidence_id is None:
        return []
    return list(
        Competence.objects.filter(evidence_links__evidence_id=completion.evidence_id)
        .select_related("framework")
        .order_by("framework__title", "code", "pk")
    )


def offer_develops(completion: Completion) -> list[OfferCompetence]:
    if completion.offer_id is None:
        return []
    return list(
        OfferCompetence.objects.filter(offer_id=completion.offer_id)
        .select_related("competence", "competence__framework")
        .order_by("competence__framework__title", "competence__code")
    )


def own_evaluation(completion: Completion) -> Evaluation | None:
    """The completion's evaluation (the caller was allowed the completion and is its person)."""
    return Evaluation.objects.filter(completion=completion).first()


@dataclass(frozen=True)
class OfferEvaluations:
    responses: int
    mean: float | None
    good: int  # rated 4 or 5


def offer_evaluations(offer: Offer, organisation: Organisation) -> OfferEvaluations:
    """The evaluations of the offer by the organisation's people: one aggregate query."""
    found = Evaluation.objects.filter(
        completion__offer=offer, completion__person__organisation=organisation
    ).aggregate(responses=Count("pk"), mean=Avg("rating"), good=Count("pk", filter=Q(rating__gte=4)))
    return OfferEvaluations(
        responses=found["responses"] or 0,
        mean=float(found["mean"]) if found["mean"] is not None else None,
        good=found["good"] or 0,
    )
