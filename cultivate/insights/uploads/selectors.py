"""Reads of insights imports and job-title reviews, scoped by the acting membership."""

from __future__ import annotations

from django.db.models import QuerySet

from cultivate.accounts.models import Membership
from cultivate.organisations.models import Organisation, SupportRole

from .. import access
from ..models import InsightsImport, JobTitleReview, JobTitleReviewStatus

RECENT = 10


def recent_imports(membership: Membership | None, organisation: Organisation) -> QuerySet[InsightsImport]:
    if not access.may(membership, "import_workforce_data", organisation):
        return InsightsImport.objects.none()
    return InsightsImport.objects.filter(organisation=organisation).select_related("started_by")[:RECENT]


def imports_of(organisation: Organisation) -> QuerySet[InsightsImport]:
    """Every import of an organisation the caller was allowed (the guard fetches one by id from here)."""
    return InsightsImport.objects.filter(organisation=organisation).select_related(
        "organisation", "started_by"
    )


def open_reviews(membership: Membership | None, organisation: Organisation) -> QuerySet[JobTitleReview]:
    if not access.may(membership, "review_job_titles", organisation):
        return JobTitleReview.objects.none()
    return JobTitleReview.objects.filter(
        organisation=organisation, status=JobTitleReviewStatus.OPEN
    ).select_related("suggested_role")


def decided_reviews(membership: Membership | None, organisation: Organisation) -> QuerySet[JobTitleReview]:
    if not access.may(membership, "review_job_titles", organisation):
        return JobTitleReview.objects.none()
    return (
        JobTitleReview.objects.filter(organisation=organisation)
        .exclude(status=JobTitleReviewStatus.OPEN)
        .select_related("role", "decided_by")
        .order_by("-decided_at")
    )


def reviews_of(organisation: Organisation) -> QuerySet[JobTitleReview]:
    return JobTitleReview.objects.filter(organisation=organisation).select_related(
        "organisation", "suggested_role"
    )


def support_roles() -> QuerySet[SupportRole]:
    return SupportRole.objects.order_by("name")
