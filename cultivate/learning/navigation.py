"""The learning app's links: one's own learning, the catalogue, requests for places, team learning, and an
organisation's mandatory training compliance, subjects and gaps."""

from __future__ import annotations

from typing import Any

from cultivate.accounts.models import Membership
from cultivate.core.navigation import Link, Menu, Section

from . import access, support_access
from .plans import access as plan_access

# The support-at-work links ask `support_access`; the rest, the app's `access`.
SUPPORT_RULES = frozenset({"support_pages", "view_support_figures"})


def _may(membership: Membership | None, action: str, obj: Any = None) -> bool:
    """The learning rules, and those of development plans and supervision and of support at work (their own
    modules)."""
    if action in plan_access.NAMES:
        return plan_access.may(membership, action, obj)
    if action in SUPPORT_RULES:
        return support_access.may(membership, action, obj)
    return access.may(membership, action, obj)


MENU = Menu(
    may=_may,
    header=(Link("Learning", "learning:mine", "view_catalogue", order=35),),
    home=(
        Link(
            "My learning",
            "learning:mine",
            "view_own_learning",
            order=15,
            description="What to do next: training you are missing or must renew, and sessions to book.",
        ),
        Link(
            "Supervision",
            "learning:supervision",
            "supervise",
            order=44,
            description="Development plans waiting for you, and who is overdue for supervision.",
        ),
        Link(
            "Team learning",
            "learning:teams",
            "list_team_learning",
            order=45,
            description="Your teams' mandatory training and the competences people lack, soonest first.",
        ),
        Link(
            "Support at work",
            "learning:support",
            "support_pages",
            order=47,
            description="Ask for flexible working, and the support offered after an incident at work.",
        ),
        Link(
            "Training gaps",
            "learning:gaps",
            "view_learning_figures",
            order=125,
            description="Where the training on offer falls short of what {organisation}'s roles need.",
            for_organisation=True,
        ),
    ),
    section=Section(
        root=Link("Learning", "learning:mine", "view_catalogue", order=0),
        links=(
            Link("My development plan", "learning:plan", "view_own_plan", order=5),
            Link("Catalogue", "learning:catalogue", "view_catalogue", order=10),
            Link("Supervision", "learning:supervision", "supervise", order=25),
            Link("Requests for places", "learning:requests", "book_places", order=20),
            Link("Team learning", "learning:teams", "list_team_learning", order=30),
            Link(
                "Mandatory training",
                "learning:compliance",
                "view_learning_figures",
                order=40,
                for_organisation=True,
            ),
            Link("Training gaps", "learning:gaps", "view_learning_figures", order=50, for_organisation=True),
            Link(
                "Evaluations and spend",
                "learning:reports",
                "view_learning_figures",
                order=55,
                for_organisation=True,
            ),
            Link(
                "Plans and supervision",
                "learning:supervision_figures",
                "view_supervision_figures",
                order=57,
                for_organisation=True,
            ),
            Link("Subjects", "learning:mandatory", "manage_offers", order=60, for_organisation=True),
            Link("Import completions", "learning:import", "manage_offers", order=70, for_organisation=True),
            Link("Support at work", "learning:support", "support_pages", order=80),
            Link(
                "Support at work in figures",
                "learning:support_figures",
                "view_support_figures",
                order=85,
                for_organisation=True,
            ),
        ),
    ),
)
