"""Factories for tests (never imported by the running service or the demo generator)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from cultivate.accounts.models import Membership, Role, User
from cultivate.organisations.models import (
    Alliance,
    EmploymentSpell,
    Organisation,
    OrganisationKind,
    Person,
    Site,
    Team,
    TeamSetting,
)

PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture
_seq = itertools.count(1)


def make_alliance(name: str | None = None) -> Alliance:
    n = next(_seq)
    return Alliance.objects.create(name=name or f"Alliance {n}", code=f"alliance-{n}")


def make_organisation(
    ods_code: str | None = None, alliance: Alliance | None = None, kind: str = OrganisationKind.MENTAL_HEALTH
) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        ods_code=ods_code or f"R{n:03d}"[:5], name=f"Trust {ods_code or n}", kind=kind, alliance=alliance
    )


def make_team(
    organisation: Organisation, name: str | None = None, setting: str = TeamSetting.INPATIENT
) -> Team:
    site = Site.objects.get_or_create(organisation=organisation, name="Main site")[0]
    return Team.objects.create(
        organisation=organisation, site=site, name=name or f"Team {next(_seq)}", setting=setting
    )


def make_person(
    organisation: Organisation, team: Team | None = None, band: str = "3", **extra: Any
) -> Person:
    n = next(_seq)
    person = Person.objects.create(
        organisation=organisation,
        staff_id=extra.pop("staff_id", f"P{n:06d}"),
        given_name=extra.pop("given_name", "Alex"),
        family_name=extra.pop("family_name", f"Person{n}"),
        **extra,
    )
    if team is not None:
        make_spell(person, team=team, band=band)
    return person


def make_spell(
    person: Person,
    *,
    team: Team | None = None,
    band: str = "3",
    start: dt.date = dt.date(2020, 1, 1),
    end: dt.date | None = None,
    leaving_reason: str = "",
    fte: str = "1.00",
    line_manager: Person | None = None,
) -> EmploymentSpell:
    return EmploymentSpell.objects.create(
        person=person,
        assignment_id=f"A{next(_seq):07d}",
        team=team,
        job_title="Healthcare Assistant",
        afc_band=band,
        fte=Decimal(fte),
        start_date=start,
        end_date=end,
        leaving_reason=leaving_reason,
        line_manager=line_manager,
    )


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


def shared_dir() -> Path:
    """The project's shared folder of third-party test fixtures (`interop/`, `data/`), read in place and never
    copied into the repository: `CULTIVATE_SHARED_DIR` if set, else `shared/` beside the checkout, else the
    workplace's `/work/shared` (a clean clone elsewhere still finds it)."""
    configured = os.environ.get("CULTIVATE_SHARED_DIR")
    if configured:
        return Path(configured)
    beside = Path(__file__).resolve().parents[2].parent / "shared"
    if beside.is_dir():
        return beside
    return Path("/work/shared")
