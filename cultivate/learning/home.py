"""The learning app's actions on the home page (ADR 0028), gathered from its parts."""

from __future__ import annotations

from cultivate.accounts.models import Membership
from cultivate.core.navigation import HomeAction

from . import support_home


def actions(membership: Membership | None) -> list[HomeAction]:
    return support_home.actions(membership)
