"""The navigation for every page: the header's links and the current section's, for the acting role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cultivate.core.access import acting_membership

from .menus import header_links, section_links


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = acting_membership(request)
    return {
        "navigation": header_links(request, membership),
        "section_navigation": section_links(request, membership),
    }
