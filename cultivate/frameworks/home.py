"""The frameworks app's actions on the home page (see `cultivate.core.navigation.HomeAction`): the drafts the
role may write (or, imported from CASE, publish or discard) and has not yet published. (Role requirements
without a learning offer are the learning app's to report, from its own `home.py`.)"""

from __future__ import annotations

from django.urls import reverse

from cultivate.accounts.models import Membership
from cultivate.core.navigation import HomeAction

from . import access, selectors


def actions(membership: Membership) -> list[HomeAction]:
    if not access.may(membership, "work_on_frameworks"):
        return []
    drafts = [
        framework
        for framework in selectors.frameworks_with_drafts(membership)
        if access.may(membership, "author_framework", framework)
        or access.may(membership, "settle_import", framework)  # an imported draft to publish or discard
    ]
    count = len(drafts)
    only = drafts[0] if count == 1 else None
    return [
        HomeAction(
            text=f"{count:,} framework {'draft' if count == 1 else 'drafts'} not yet published",
            detail=f"{only.title}." if only is not None else "Finish and publish them, or discard them.",
            href=(
                reverse("frameworks:detail", args=[only.identifier])
                if only is not None
                else reverse("frameworks:list")
            ),
            count=count,
            order=40,
        )
    ]
