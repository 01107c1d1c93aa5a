"""Core's home-page action: the user's unread notifications (whatever the role)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .navigation import HomeAction
from .selectors import unread_count


def actions(membership: Any) -> list[HomeAction]:
    unread = unread_count(membership.user)
    return [
        HomeAction(
            text=f"{unread} unread notification{'s' if unread != 1 else ''}",
            href=reverse("core:notifications"),
            count=unread,
            order=90,
        )
    ]
