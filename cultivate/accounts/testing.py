"""Factories for tests: a user with a role (never imported by the running service or the demo generator).

The organisation factories a role needs are re-exported, so a test imports one module (`testing as t`)."""

from __future__ import annotations

import itertools

from cultivate.organisations.models import Alliance, Organisation, Person, Team
from cultivate.organisations.testing import (
    make_alliance,
    make_organisation,
    make_person,
    make_spell,
    make_team,
)

from .models import Membership, Role, User

__all__ = [
    "PASSWORD",
    "make_alliance",
    "make_organisation",
    "make_person",
    "make_spell",
    "make_team",
    "make_user",
]

PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture
_seq = itertools.count(1)


def make_user(
    role: str | None = None,
    *,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    teams: list[Team] | None = None,
    person: Person | None = None,
    email: str | None = None,
) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        email=email or f"user{n}@example.nhs.uk",
        password=PASSWORD,
        full_name=f"User {n}",
        person=person,
        registration_body="NMC" if role == Role.ASSESSOR else "",
        registration_pin=f"12A{n:04d}E" if role == Role.ASSESSOR else "",
    )
    if role is not None:
        membership = Membership.objects.create(
            user=user,
            role=role,
            organisation=None if role == Role.ALLIANCE_ADMIN else organisation,
            alliance=alliance if role == Role.ALLIANCE_ADMIN else None,
        )
        if teams:
            membership.teams.set(teams)
    return user
