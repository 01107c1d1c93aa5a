"""The pathways app's actions on the home page (ADR 0028): off-the-job hours behind, for the apprentice, their
line manager (their teams' apprentices) and the organisation's educators and admins. Read live, in three
queries whatever the number of apprentices (the apprenticeships in training, their logged hours, the rules)."""

from __future__ import annotations

from django.urls import reverse

from cultivate.accounts.models import Membership, Role
from cultivate.core.navigation import HomeAction

from . import access, selectors


def actions(membership: Membership) -> list[HomeAction]:
    own = membership.user.person_id
    behind = selectors.apprenticeships_behind(membership)
    if not behind:
        return []
    mine = [(a, p) for a, p in behind if a.person_id == own]
    others = [(a, p) for a, p in behind if a.person_id != own]
    found: list[HomeAction] = []
    if mine:
        apprenticeship, progress = mine[0]
        hours = f"{progress.shortfall.normalize():f}"
        found.append(
            HomeAction(
                text=f"Your off-the-job hours are {hours} hours behind",
                detail=f"About {progress.weekly_to_catch_up.normalize():f} hours a week from now would catch up.",
                href=reverse("pathways:apprenticeship", args=[apprenticeship.pk]),
                count=1,
                order=14,
                urgent=True,
            )
        )
    if others and (membership.role == Role.LINE_MANAGER or membership.role in access.EDITOR_ROLES):
        count = len(others)
        only = others[0][0] if count == 1 else None
        href = (
            reverse("pathways:apprenticeship", args=[only.pk])
            if only is not None
            else reverse("pathways:organisation_apprenticeships", args=[membership.organisation.ods_code])
            if membership.organisation is not None
            and access.may(membership, "view_outcomes", membership.organisation)
            else reverse("pathways:list")
        )
        found.append(
            HomeAction(
                text=f"{count:,} {'apprentice is' if count == 1 else 'apprentices are'} behind on "
                "off-the-job hours",
                detail=f"{only.person.display_name}." if only is not None else "Each is marked on the list.",
                href=href,
                count=count,
                order=33,
            )
        )
    return found
