"""What the home page shows for each role: where to go next, with a few figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cultivate.accounts.models import Membership, Role


def _card(heading: str, href: str, description: str) -> dict[str, str]:
    return {"heading": heading, "href": href, "description": description}


def home_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    role = membership.role
    org = membership.organisation
    cards: list[dict[str, str]] = []
    if request.user.person_id:  # type: ignore[union-attr]
        cards.append(_card("My record", reverse("organisations:me"), "Your post, team and employment history."))
    if role == Role.LINE_MANAGER:
        cards.append(_card("My team", reverse("organisations:my_team"), "The people you manage and their posts."))
    if role == Role.ASSESSOR:
        cards.append(_card("People I assess", reverse("organisations:my_team"),
                           "Support workers in the teams you assess for."))
    if role == Role.ORG_ADMIN and org is not None:
        cards.append(_card("Staff", reverse("organisations:staff", args=[org.ods_code]),
                           "Search and filter everyone employed by the organisation."))
        cards.append(_card("Import staff records", reverse("organisations:import", args=[org.ods_code]),
                           "Upload people.csv and assignments.csv from ESR."))
    if role in (Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        cards.append(_card("Users and roles", reverse("accounts:users"), "Who may use Cultivate, and as what."))
        cards.append(_card("Audit log", reverse("core:audit"), "Sign-ins, changes, imports and exports."))
    if role in (Role.ANALYST, Role.EDUCATOR) and org is not None:
        cards.append(_card(org.name, reverse("organisations:organisation", args=[org.ods_code]),
                           "Headcount, FTE, band mix and teams (aggregate figures)."))
    if role == Role.ALLIANCE_ADMIN:
        cards.append(_card("Member organisations", reverse("organisations:organisations"),
                           "The trusts in your alliance and their support workforce."))
    cards.append(_card("Your account", reverse("accounts:account"), "Password and API tokens."))
    return {"page_title": "Home", "cards": cards}
