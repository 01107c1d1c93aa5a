"""The portfolio app's links: one's own portfolio, the sign-off queue, team competence and delegation."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(
        Link("My portfolio", "portfolio:mine", "view_own_portfolio", order=10),
        Link("Sign-off requests", "portfolio:queue", "review_sign_offs", order=20),
        Link("Team competence", "portfolio:team_list", "view_team_list", order=40),
        Link("Delegation", "portfolio:protocols", "work_with_delegation", order=50),
    ),
    home=(
        Link(
            "My portfolio",
            "portfolio:mine",
            "view_own_portfolio",
            order=10,
            description="The competences your role needs, your evidence and your sign-offs.",
        ),
        Link(
            "Sign-off requests",
            "portfolio:queue",
            "review_sign_offs",
            order=30,
            description="Evidence waiting for you to sign off.",
        ),
        Link(
            "Team competence",
            "portfolio:team_list",
            "view_team_list",
            order=40,
            description="Who holds what, who may carry out delegated activities, and what lapses soon.",
        ),
    ),
)
