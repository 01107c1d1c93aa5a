"""The programmes app's links: leads' "Programmes"; a worker's "Programmes" (to apply) and "My programme"."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(
        Link("Programmes", "programmes:index", "view_programmes", order=55),
        Link("My programme", "programmes:mine", "apply_to_programmes", order=15),
    ),
    home=(
        Link(
            "Programmes",
            "programmes:index",
            "lead_programmes",
            order=55,
            description="Run development programmes: applications, cohorts, partners, registers and outcomes.",
        ),
        Link(
            "Programmes",
            "programmes:index",
            "apply_to_programmes",
            order=55,
            description="Development programmes you can apply for.",
        ),
        Link(
            "My programme",
            "programmes:mine",
            "apply_to_programmes",
            order=15,
            description="Your cohort, practice partner, sessions, check-in and surveys.",
        ),
    ),
)
