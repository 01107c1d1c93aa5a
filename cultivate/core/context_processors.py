"""Layout data for every page: the active role, the role switcher and the count of unread notifications (the
site app adds the navigation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import unread_count


def layout(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "cspNonce": getattr(request, "csp_nonce", None),
        "unread_notifications": unread_count(getattr(request, "user", None)),
    }
