"""The learning app's actions on the home page (ADR 0028). Development plans and supervision declare theirs in
`plans/home.py`."""

from __future__ import annotations

from cultivate.accounts.models import Membership
from cultivate.core.navigation import HomeAction

from .plans import home as plan_home


def actions(membership: Membership) -> list[HomeAction]:
    return plan_home.actions(membership)
