"""The site app's own links: home, and the audit log (whose rule the accounts app holds, with the other
admin rules)."""

from __future__ import annotations

from cultivate.accounts import access as account_access
from cultivate.core.navigation import Link, Menu

MENU = Menu(
    may=account_access.may,
    header=(
        Link("Home", "site:home", None, order=0),
        Link("Audit log", "site:audit", "read_audit", order=130),
    ),
    home=(
        Link(
            "Audit log",
            "site:audit",
            "read_audit",
            order=100,
            description="Sign-ins, changes, imports and exports.",
        ),
    ),
)
