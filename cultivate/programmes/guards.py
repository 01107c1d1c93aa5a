"""The programmes app's objects fetched for the acting role, or refused: each one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.core.access import object_or_deny

from . import access, selectors
from .models import Application, Cohort, Participant, PartnerGroup, Post, Programme, Session


def programme_or_deny(request: HttpRequest, pk: int, action: str = "") -> Programme:
    return object_or_deny(
        request,
        selectors.programmes_visible_to,
        {"pk": pk},
        what="programme",
        may=access.may if action else None,
        action=action,
    )


def cohort_or_deny(request: HttpRequest, pk: int, action: str = "") -> Cohort:
    return object_or_deny(
        request,
        selectors.cohorts_visible_to,
        {"pk": pk},
        what="cohort",
        may=access.may if action else None,
        action=action,
    )


def session_or_deny(request: HttpRequest, pk: int) -> Session:
    return object_or_deny(request, selectors.sessions_visible_to, {"pk": pk}, what="session")


def application_or_deny(request: HttpRequest, pk: int, action: str = "") -> Application:
    return object_or_deny(
        request,
        selectors.applications_visible_to,
        {"pk": pk},
        what="application",
        may=access.may if action else None,
        action=action,
    )


def participant_or_deny(request: HttpRequest, pk: int, action: str = "") -> Participant:
    return object_or_deny(
        request,
        selectors.participants_visible_to,
        {"pk": pk},
        what="participant",
        may=access.may if action else None,
        action=action,
    )


def post_or_deny(request: HttpRequest, pk: int) -> Post:
    return object_or_deny(request, selectors.posts_visible_to, {"pk": pk}, what="post")


def partner_group_or_deny(request: HttpRequest, cohort: Cohort, pk: int) -> PartnerGroup:
    return object_or_deny(
        request, cohort.partner_groups.all(), {"pk": pk}, what="partner group", within=cohort
    )
