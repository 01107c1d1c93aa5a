"""Job-title review: an organisation's admins and analysts decide the titles the matcher could not place, and
see how many distinct titles map to each role."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cultivate.accounts.access import acting_membership
from cultivate.accounts.models import User
from cultivate.core.access import object_or_deny
from cultivate.core.audit import AuditContext

from . import store as insights_store
from .guards import workforce_organisation_or_deny
from .job_titles import job_title_review_decide, title_counts_from_store, titles_by_role
from .uploads import presenters, selectors
from .uploads.forms import ACCEPT, ReviewDecisionForm

REVIEW = "review_job_titles"


def _breadcrumbs(ods_code: str) -> list[dict[str, str]]:
    return [
        {"text": "Home", "href": "/"},
        {"text": "Job titles", "href": f"/insights/organisations/{ods_code}/job-titles/"},
    ]


@login_required
def review_queue(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = workforce_organisation_or_deny(request, ods_code, REVIEW)
    membership = acting_membership(request)
    return render(
        request,
        "insights/review_queue.jinja",
        {
            "page_title": "Job titles to review",
            "organisation": organisation,
            "open": presenters.review_rows(selectors.open_reviews(membership, organisation)),
            "decided": presenters.decided_rows(selectors.decided_reviews(membership, organisation)[:50]),
            "breadcrumbs": [{"text": "Home", "href": "/"}],
        },
    )


@login_required
def review_decide(request: HttpRequest, ods_code: str, pk: int) -> HttpResponse:
    organisation = workforce_organisation_or_deny(request, ods_code, REVIEW)
    review = object_or_deny(
        request, selectors.reviews_of(organisation), {"pk": pk}, what="job title review", within=organisation
    )
    roles = selectors.support_roles()
    if request.method == "POST":
        form = ReviewDecisionForm(request.POST, roles=roles)
        if form.is_valid():
            assert isinstance(request.user, User)
            decided = job_title_review_decide(
                review=review,
                role=form.cleaned_data["role"],
                user=request.user,
                ctx=AuditContext.from_request(request),
            )
            outcome = f"mapped to {decided.role.name}" if decided.role else "recorded as not a support role"
            messages.success(request, f"“{decided.title}” is {outcome}.")
            return redirect("insights:review_queue", ods_code=organisation.ods_code)
    else:
        initial = {"decision": ACCEPT, "role": review.suggested_role_id} if review.suggested_role_id else {}
        form = ReviewDecisionForm(initial=initial, roles=roles)
    return render(
        request,
        "insights/review_decide.jinja",
        {
            "page_title": f"Review job title: {review.title}",
            "organisation": organisation,
            "review": review,
            "row": presenters.review_rows([review])[0],
            "form": form,
            "form_has_errors": bool(form.errors),
            "breadcrumbs": _breadcrumbs(organisation.ods_code),
        },
    )


@login_required
def review_roles(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = workforce_organisation_or_deny(request, ods_code, REVIEW)
    con = insights_store.connect(settings.INSIGHTS_STORE)
    try:
        counts = title_counts_from_store(con, organisation_code=organisation.ods_code)
    finally:
        con.close()
    rows = titles_by_role(counts, organisation)
    return render(
        request,
        "insights/review_roles.jinja",
        {
            "page_title": "Job titles per role",
            "organisation": organisation,
            "rows": presenters.titles_by_role_rows(rows),
            "distinct_titles": f"{len(counts):,}",
            "has_data": bool(counts),
            "breadcrumbs": _breadcrumbs(organisation.ods_code),
        },
    )
