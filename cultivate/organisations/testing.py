"""Factories for tests: alliances, organisations, teams, people and their posts (never imported by the running
service or the demo generator)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from .models import (
    Alliance,
    EmploymentSpell,
    Organisation,
    OrganisationKind,
    Person,
    Site,
    Team,
    TeamSetting,
)

_seq = itertools.count(1)


def make_alliance(name: str | None = None) -> Alliance:
    n = next(_seq)
    return Alliance.objects.create(name=name or f"Alliance {n}", code=f"alliance-{n}")


def make_organisation(
    ods_code: str | None = None, alliance: Alliance | None = None, kind: str = OrganisationKind.MENTAL_HEALTH
) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        ods_code=ods_code or _ods_code(n), name=f"Trust {ods_code or n}", kind=kind, alliance=alliance
    )


def _ods_code(n: int) -> str:
    """A made-up code unique per sequence number: R000–R999, then R and four base-36 characters (the sequence
    passes 10,000 in a long test run, where cutting "R10001" to five characters gave every trust "R1000")."""
    if n < 1000:
        return f"R{n:03d}"
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    while n:
        n, rest = divmod(n, 36)
        code = digits[rest] + code
    return "R" + code.rjust(4, "0")[-4:]


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
