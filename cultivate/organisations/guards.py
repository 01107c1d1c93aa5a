"""The organisations app's objects fetched for the acting role, or refused: each is one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.core.access import object_or_deny

from . import access, selectors
from .models import EmploymentSpell, Organisation, Person, Team


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    """The organisation if the role may do `action` with it: 404 outside what it may see, 403 inside."""
    code = {"ods_code": ods_code.upper()}
    source = selectors.organisations_visible_to
    return object_or_deny(request, source, code, what="organisation", may=access.may, action=action)


def person_or_deny(request: HttpRequest, pk: int, *, with_current_posts: bool = False) -> Person:
    source = selectors.people_with_current_posts if with_current_posts else selectors.people_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="person")


def team_or_deny(request: HttpRequest, pk: int) -> Team:
    return object_or_deny(request, selectors.teams_visible_to, {"pk": pk}, what="team")


def spell_or_deny(request: HttpRequest, pk: int) -> EmploymentSpell:
    # Audited against the person, so the refusal shows in their organisation's audit log.
    source = selectors.spells_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="spell", audit_as=lambda spell: spell.person)
