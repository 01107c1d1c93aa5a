"""Navigation items per role. Which links appear is a convenience; every view checks access itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse

if TYPE_CHECKING:
    from cultivate.accounts.models import Membership


def _item(request: HttpRequest, text: str, href: str) -> dict[str, Any]:
    current = request.path == href
    active = current or (href != "/" and request.path.startswith(href))
    return {"text": text, "href": href, "current": current, "active": active}


def insights_roles() -> frozenset[str]:
    from cultivate.accounts.models import Role

    return frozenset({Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN, Role.LINE_MANAGER, Role.ASSESSOR})


def navigation_for(request: HttpRequest, membership: Membership | None) -> list[dict[str, Any]]:
    from cultivate.accounts.models import TEAM_ROLES, Role

    if membership is None:
        return []
    items = [_item(request, "Home", reverse("core:home"))]
    role = membership.role
    org = membership.organisation
    if membership.user.person_id:
        items.append(_item(request, "My portfolio", reverse("portfolio:mine")))
    if role == Role.ASSESSOR:
        items.append(_item(request, "Sign-off requests", reverse("portfolio:queue")))
    if role in TEAM_ROLES:
        items.append(_item(request, "My team", reverse("organisations:my_team")))
    if role in TEAM_ROLES or role == Role.ORG_ADMIN:
        items.append(_item(request, "Team competence", reverse("portfolio:team_list")))
    if role in TEAM_ROLES or role in (Role.ORG_ADMIN, Role.EDUCATOR):
        items.append(_item(request, "Delegation", reverse("portfolio:protocols")))
    if role in (Role.EDUCATOR, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        items.append(_item(request, "Frameworks", reverse("frameworks:list")))
    if role == Role.ORG_ADMIN and org is not None:
        items.append(_item(request, "Staff", reverse("organisations:staff", args=[org.ods_code])))
        items.append(_item(request, "Import staff", reverse("organisations:import", args=[org.ods_code])))
    if role in (Role.ANALYST, Role.EDUCATOR) and org is not None:
        items.append(
            _item(request, "Organisation", reverse("organisations:organisation", args=[org.ods_code]))
        )
    if role == Role.ALLIANCE_ADMIN:
        items.append(_item(request, "Organisations", reverse("organisations:organisations")))
    if role in insights_roles():
        # One entry for the whole section; its pages are listed in the section navigation below the header.
        items.append(_item(request, "Workforce insights", reverse("insights:index")))
    if role in (Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        items.append(_item(request, "Users", reverse("accounts:users")))
        items.append(_item(request, "Audit log", reverse("core:audit")))
    if membership.user.person_id:
        items.append(_item(request, "My record", reverse("organisations:me")))
    return items


def section_navigation_for(request: HttpRequest, membership: Membership | None) -> list[dict[str, Any]]:
    """The pages of the workforce insights section, shown on its pages only (the header has one entry for it)."""
    from cultivate.accounts.models import Role

    if membership is None or not request.path.startswith(reverse("insights:index")):
        return []
    role = membership.role
    org = membership.organisation
    if role not in insights_roles():
        return []
    items = [_item(request, "Dashboards", reverse("insights:index"))]
    if role in (Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        items.append(_item(request, "Board report", reverse("insights:board_report")))
    if role in (Role.ANALYST, Role.ORG_ADMIN) and org is not None:
        items.append(_item(request, "Import workforce data", reverse("insights:import", args=[org.ods_code])))
        items.append(_item(request, "Job titles", reverse("insights:review_queue", args=[org.ods_code])))
    # "Dashboards" is the section's root: it is current only on the dashboards, not on every insights page.
    dashboards = items[0]
    dashboards["active"] = not any(item["active"] for item in items[1:])
    return items
