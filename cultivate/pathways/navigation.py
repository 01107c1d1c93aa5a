"""The pathways app's links: the worker's own pathway, the pathways, and who is ready."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(Link("Career pathways", "pathways:list", "view_pathways", order=60),),
    home=(
        Link(
            "What is left for me to become a nursing associate",
            "pathways:mine",
            "view_own_pathway",
            order=15,
            description="The steps up from your role, what each needs, and what you still have to do.",
        ),
        Link(
            "Who is ready for the next step",
            "pathways:organisation_readiness",
            "view_readiness",
            order=45,
            description="Who is ready, or one or two requirements short, for each step of your pathways.",
            for_organisation=True,
        ),
    ),
)
