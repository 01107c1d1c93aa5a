"""The insights app's links: one header entry for the section, whose pages are listed in its own navigation."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu, Section

from . import access

MENU = Menu(
    may=access.may,
    header=(Link("Workforce insights", "insights:index", "view_dashboards", order=110),),
    home=(
        Link(
            "Workforce insights",
            "insights:index",
            "view_dashboards",
            order=130,
            description="Numbers, retention, progression, sickness absence, fairness and costs, as charts and tables.",
        ),
        Link(
            "Competence and training across member trusts",
            "insights:alliance_members",
            "view_member_totals",
            order=135,
            description="Each trust's share of required competences met and its mandatory training compliance.",
        ),
        Link(
            "Board report",
            "insights:board_report",
            "download_board_report",
            order=140,
            description="The workforce report for a board, as PDF.",
        ),
    ),
    section=Section(
        root=Link("Dashboards", "insights:index", "view_dashboards", order=0),
        links=(
            Link("Member trusts", "insights:alliance_members", "view_member_totals", order=5),
            Link("Board report", "insights:board_report", "download_board_report", order=10),
            Link(
                "Import workforce data",
                "insights:import",
                "import_workforce_data",
                order=20,
                for_organisation=True,
            ),
            Link("Job titles", "insights:review_queue", "review_job_titles", order=30, for_organisation=True),
        ),
    ),
)
