"""The accounts app's links: managing users, and one's own account."""

from __future__ import annotations

from cultivate.core.navigation import Link, Menu

from . import access

MENU = Menu(
    may=access.may,
    header=(Link("Users", "accounts:users", "manage_users", order=120),),
    home=(
        Link(
            "Users and roles",
            "accounts:users",
            "manage_users",
            order=90,
            description="Who may use Cultivate, and as what.",
        ),
        Link("Your account", "accounts:account", None, order=160, description="Password and API tokens."),
    ),
)
