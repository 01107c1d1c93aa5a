"""What the home page shows for each role: where to go next, with a few figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cultivate.accounts.models import TEAM_ROLES, Membership, Role

from .navigation import insights_roles


def _card(heading: str, href: str, description: str) -> dict[str, str]:
    return {"heading": heading, "href": href, "description": description}


def home_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    role = membership.role
    org = membership.organisation
    cards: list[dict[str, str]] = []
    if request.user.person_id:  # type: ignore[union-attr]
        cards.append(
            _card(
                "My portfolio",
                reverse("portfolio:mine"),
                "The competences your role needs, your evidence and your sign-offs.",
            )
        )
        cards.append(
            _card("My record", reverse("organisations:me"), "Your post, team and employment history.")
        )
    if role == Role.ASSESSOR:
        cards.append(
            _card("Sign-off requests", reverse("portfolio:queue"), "Evidence waiting for you to sign off.")
        )
    if role in TEAM_ROLES or role == Role.ORG_ADMIN:
        cards.append(
            _card(
                "Team competence",
                reverse("portfolio:team_list"),
                "Who holds what, who may carry out delegated activities, and what lapses soon.",
            )
        )
    if role == Role.LINE_MANAGER:
        cards.append(
            _card("My team", reverse("organisations:my_team"), "The people you manage and their posts.")
        )
    if role == Role.ASSESSOR:
        cards.append(
            _card(
                "People I assess",
                reverse("organisations:my_team"),
                "Support workers in the teams you assess for.",
            )
        )
    if role == Role.ORG_ADMIN and org is not None:
        cards.append(
            _card(
                "Staff",
                reverse("organisations:staff", args=[org.ods_code]),
                "Search and filter everyone employed by the organisation.",
            )
        )
        cards.append(
            _card(
                "Import staff records",
                reverse("organisations:import", args=[org.ods_code]),
                "Upload people.csv and assignments.csv from ESR.",
            )
        )
    if role in (Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        cards.append(
            _card("Users and roles", reverse("accounts:users"), "Who may use Cultivate, and as what.")
        )
        cards.append(_card("Audit log", reverse("core:audit"), "Sign-ins, changes, imports and exports."))
    if role in (Role.ANALYST, Role.EDUCATOR) and org is not None:
        cards.append(
            _card(
                org.name,
                reverse("organisations:organisation", args=[org.ods_code]),
                "Headcount, FTE, band mix and teams (aggregate figures).",
            )
        )
    if role == Role.ALLIANCE_ADMIN:
        cards.append(
            _card(
                "Member organisations",
                reverse("organisations:organisations"),
                "The trusts in your alliance and their support workforce.",
            )
        )
    if role in insights_roles():
        cards.append(
            _card(
                "Workforce insights",
                reverse("insights:index"),
                "Numbers, retention, progression, sickness absence, fairness and costs, as charts and tables.",
            )
        )
    if role in (Role.ANALYST, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        cards.append(
            _card(
                "Board report", reverse("insights:board_report"), "The workforce report for a board, as PDF."
            )
        )
    if role in (Role.EDUCATOR, Role.ORG_ADMIN, Role.ALLIANCE_ADMIN):
        cards.append(
            _card("Frameworks", reverse("frameworks:list"), "Competency frameworks, versions and crosswalks.")
        )
    cards.append(_card("Your account", reverse("accounts:account"), "Password and API tokens."))
    return {"page_title": "Home", "cards": cards}
