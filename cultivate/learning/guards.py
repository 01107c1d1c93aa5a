"""The learning app's objects fetched for the acting role, or refused: each is one call of
`core.access.object_or_deny` with this app's scopes (selectors over `for_membership`) and rules (`access`)."""

from __future__ import annotations

from django.http import HttpRequest

from cultivate.core.access import object_or_deny
from cultivate.organisations import selectors as org_selectors
from cultivate.organisations.models import Organisation, Person, Team

from . import access, selectors
from .models import Completion, Enrolment, MandatorySubject, Offer, Session


def offer_or_deny(request: HttpRequest, pk: int, action: str = "view_offer") -> Offer:
    source = selectors.offers_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="offer", may=access.may, action=action)


def session_or_deny(request: HttpRequest, pk: int, action: str = "") -> Session:
    source = selectors.sessions_visible_to
    rule = access.may if action else None
    return object_or_deny(request, source, {"pk": pk}, what="session", may=rule, action=action)


def enrolment_or_deny(request: HttpRequest, pk: int, action: str) -> Enrolment:
    source = selectors.enrolments_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="enrolment", may=access.may, action=action)


def completion_or_deny(request: HttpRequest, pk: int, action: str) -> Completion:
    source = selectors.completions_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="completion", may=access.may, action=action)


def subject_or_deny(request: HttpRequest, pk: int) -> MandatorySubject:
    source = selectors.subjects_visible_to
    return object_or_deny(
        request,
        source,
        {"pk": pk},
        what="subject",
        allowed=lambda s: access.may(getattr(request, "membership", None), "manage_offers", s.organisation),
    )


def organisation_or_deny(request: HttpRequest, ods_code: str, action: str) -> Organisation:
    source = org_selectors.organisations_visible_to
    code = {"ods_code": ods_code.upper()}
    return object_or_deny(request, source, code, what="organisation", may=access.may, action=action)


def team_or_deny(request: HttpRequest, pk: int) -> Team:
    source = org_selectors.teams_visible_to
    action = "view_team_learning"
    return object_or_deny(request, source, {"pk": pk}, what="team", may=access.may, action=action)


def person_or_deny(request: HttpRequest, pk: int, action: str = "view_person_learning") -> Person:
    source = selectors.people_for_learning
    return object_or_deny(request, source, {"pk": pk}, what="person", may=access.may, action=action)
