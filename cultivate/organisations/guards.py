"""The organisations app's objects fetched for the acting role, or refused: each is one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.core.access import acting_membership, object_or_deny

from . import access, selectors
from .models import EmploymentSpell, Organisation, Person, Team


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """The organisation if the role may do `action` with it: 404 outside what it may see, 403 inside."""
    membership = acting_membership(request)
    return object_or_deny(
        request,
        selectors.organisations_visible_to(membership),
        {"ods_code": ods_code.upper()},
        what="organisation",
        allowed=lambda found: access.may(membership, action, found),
        action=action,
    )


def person_or_deny(request: HttpRequest, pk: int, *, with_current_posts: bool = False) -> Person:
    membership = acting_membership(request)
    people = (
        selectors.people_with_current_posts(membership)
        if with_current_posts
        else selectors.people_visible_to(membership)
    )
    return object_or_deny(request, people, {"pk": pk}, what="person")


def team_or_deny(request: HttpRequest, pk: int) -> Team:
    return object_or_deny(
        request, selectors.teams_visible_to(acting_membership(request)), {"pk": pk}, what="team"
    )


def spell_or_deny(request: HttpRequest, pk: int) -> EmploymentSpell:
    # Audited against the person, so the refusal shows in their organisation's audit log.
    return object_or_deny(
        request,
        selectors.spells_visible_to(acting_membership(request)),
        {"pk": pk},
        what="employment spell",
        audit_as=lambda spell: spell.person,
    )
