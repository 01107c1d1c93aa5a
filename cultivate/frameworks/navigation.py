"""The frameworks app's link: the list of frameworks, for the roles that work on them."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(Link("Frameworks", "frameworks:list", "work_on_frameworks", order=60),),
    home=(
        Link(
            "Frameworks",
            "frameworks:list",
            "work_on_frameworks",
            order=150,
            description="Competency frameworks, versions and crosswalks.",
        ),
    ),
)
