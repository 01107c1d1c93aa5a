"""The organisations app's actions on the home page (see `cultivate.core.navigation.HomeAction`): an
organisation admin's failed staff imports and people in post without an account; a workforce analyst's
headline figures (aggregates, small counts suppressed as on the organisation summary)."""

from __future__ import annotations

from django.urls import reverse

from cultivate.accounts.models import Membership, Role
from cultivate.core.formatting import number, percent, uk_date
from cultivate.core.navigation import HomeAction

from . import access, selectors
from .presenters import SMALL_NUMBER, suppress
from .staff_import import selectors as import_selectors


def _admin_actions(membership: Membership) -> list[HomeAction]:
    organisation = membership.organisation
    assert organisation is not None  # list_staff holds only for a role in an organisation
    failed = list(import_selectors.failed_imports(membership, organisation)[:1])
    failed_count = import_selectors.failed_imports(membership, organisation).count() if failed else 0
    without = selectors.people_in_post_without_account(membership)
    found = [
        HomeAction(
            text=(
                f"{without:,} {'person' if without == 1 else 'people'} in post "
                f"{'has' if without == 1 else 'have'} no account"
            ),
            detail="Create their accounts so that they can keep their portfolio.",
            href=reverse("accounts:user_create"),
            count=without,
            order=60,
        )
    ]
    if failed:
        latest = failed[0]
        found.append(
            HomeAction(
                text=(
                    f"{failed_count:,} staff {'import' if failed_count == 1 else 'imports'} "
                    f"failed since the last one that worked"
                ),
                detail=f"The latest, on {uk_date(latest.created_at.date())}, says what to put right.",
                href=reverse("organisations:import_status", args=[organisation.ods_code, latest.pk]),
                count=failed_count,
                order=50,
                urgent=True,
            )
        )
    return found


def _analyst_figures(membership: Membership) -> list[HomeAction]:
    organisation = membership.organisation
    assert organisation is not None
    figures = selectors.headline_figures(organisation)
    summary = reverse("organisations:organisation", args=[organisation.ods_code])
    change = figures.headcount - figures.headcount_year_ago
    leavers = figures.leavers_last_year
    rate = ""
    if leavers >= SMALL_NUMBER and figures.headcount_year_ago:
        rate = (
            f"A leaver rate of {percent(leavers / figures.headcount_year_ago)} of the headcount a year ago."
        )
    return [
        HomeAction(
            text=f"{suppress(figures.headcount, membership)} people in post",
            detail=(
                f"{number(figures.fte)} full-time equivalent; "
                f"{'up' if change >= 0 else 'down'} {abs(change):,} on a year ago."
                if figures.headcount >= SMALL_NUMBER and figures.headcount_year_ago >= SMALL_NUMBER
                else ""
            ),
            href=summary,
            count=figures.headcount,
            order=70,
            figure=True,
        ),
        HomeAction(
            text=f"{suppress(leavers, membership)} {'leaver' if leavers == 1 else 'leavers'} in the last 12 months",
            detail=rate,
            href=summary,
            count=leavers,
            order=71,
            figure=True,
        ),
    ]


def actions(membership: Membership) -> list[HomeAction]:
    organisation = membership.organisation
    if organisation is None:
        return []
    if access.may(membership, "list_staff", organisation):
        return _admin_actions(membership)
    if membership.role == Role.ANALYST:
        return _analyst_figures(membership)
    return []
