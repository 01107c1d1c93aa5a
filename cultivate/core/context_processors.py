"""Layout data for every page: navigation for the active role and the role switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import navigation_for, section_navigation_for
from .selectors import unread_count


def layout(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(request, membership),
        "section_navigation": section_navigation_for(request, membership),
        "cspNonce": getattr(request, "csp_nonce", None),
        "unread_notifications": unread_count(getattr(request, "user", None)),
    }
