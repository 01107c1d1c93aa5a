"""Puts the signed-in user's active role (a Membership) on the request as `request.membership`."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import selectors

SESSION_KEY = "cultivate_membership_id"


class ActiveRoleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = selectors.current_memberships(user=request.user)
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_KEY)
            active = next((m for m in memberships if m.pk == chosen), None)
            if active is None and memberships:
                active = memberships[0]
                request.session[SESSION_KEY] = active.pk
            request.membership = active  # type: ignore[attr-defined]
        return self.get_response(request)
