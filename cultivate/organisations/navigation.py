"""The organisations app's links: one's own record and team, an organisation's staff, summary and import."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(
        Link("My team", "organisations:my_team", "view_my_team", order=30),
        Link("Staff", "organisations:staff", "list_staff", order=70, for_organisation=True),
        Link("Import staff", "organisations:import", "import_staff", order=80, for_organisation=True),
        Link(
            "Organisation", "organisations:organisation", "enter_by_summary", order=90, for_organisation=True
        ),
        Link("Organisations", "organisations:organisations", "list_organisations", order=100),
        Link("My record", "organisations:me", "view_own_record", order=140),
    ),
    home=(
        Link(
            "My record",
            "organisations:me",
            "view_own_record",
            order=20,
            description="Your post, team and employment history.",
        ),
        Link(
            "My team",
            "organisations:my_team",
            "manage_my_team",
            order=50,
            description="The people you manage and their posts.",
        ),
        Link(
            "People I assess",
            "organisations:my_team",
            "assess_my_team",
            order=60,
            description="Support workers in the teams you assess for.",
        ),
        Link(
            "Staff",
            "organisations:staff",
            "list_staff",
            order=70,
            for_organisation=True,
            description="Search and filter everyone employed by the organisation.",
        ),
        Link(
            "Import staff records",
            "organisations:import",
            "import_staff",
            order=80,
            for_organisation=True,
            description="Upload people.csv and assignments.csv from ESR.",
        ),
        Link(
            "{organisation}",
            "organisations:organisation",
            "enter_by_summary",
            order=110,
            for_organisation=True,
            description="Headcount, FTE, band mix and teams (aggregate figures).",
        ),
        Link(
            "Member organisations",
            "organisations:organisations",
            "list_organisations",
            order=120,
            description="The trusts in your alliance and their support workforce.",
        ),
    ),
)
