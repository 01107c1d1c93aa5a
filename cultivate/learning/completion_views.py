"""One completion's page: what was completed, when, through which offer and session, the competences it stands
as portfolio evidence for, and its evaluation (the worker's own). Linked from the worker's learning record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.access import object_or_deny

from . import access, completion_selectors, selectors
from .models import Completion


@login_required
def completion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    completion: Completion = object_or_deny(
        request,
        selectors.completions_visible_to,
        {"pk": pk},
        what="completion",
        allowed=lambda c: access.may(membership, "view_person_learning", c.person),
    )
    own = membership is not None and membership.user.person_id == completion.person_id
    evaluation = completion_selectors.own_evaluation(completion) if own else None
    title = str(completion.offer or completion.subject)
    return render(
        request,
        "learning/completion.jinja",
        {
            "page_title": f"Completed: {title}",
            "title": title,
            "completion": completion,
            "own": own,
            "evidence_for": completion_selectors.evidence_competences(completion),
            "develops": completion_selectors.offer_develops(completion),
            "evaluation": evaluation,
            "may_evaluate": own and evaluation is None and access.may(membership, "evaluate", completion),
            "breadcrumbs": [
                {"text": "Home", "href": "/"},
                {"text": "Learning", "href": "/learning/"},
                {
                    "text": "My learning" if own else completion.person.display_name,
                    "href": "/learning/" if own else f"/learning/people/{completion.person_id}/",
                },
            ],
        },
    )
