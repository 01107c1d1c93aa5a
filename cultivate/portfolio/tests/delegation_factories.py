"""A small world for the delegation register and team matrix tests: two organisations, a community team and a
ward, a framework with a domain and three competences, a protocol for capillary blood glucose monitoring, and a
worker who meets it. Built with the ORM directly; the services are what the tests test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import User
from cultivate.accounts.services import api_token_create
from cultivate.frameworks.models import Competence, Framework
from cultivate.organisations.models import Organisation, Person, SupportRole, Team, TeamSetting
from cultivate.portfolio.models import DelegationProtocol, ProtocolRequirement
from cultivate.portfolio.tests import portfolio_factories as pf


def make_protocol(
    organisation: Organisation,
    *,
    code: str = "capillary-blood-glucose",
    activity: str = "Capillary blood glucose monitoring",
    requirements: list[tuple[Competence, str]] = (),  # type: ignore[assignment]
    settings: list[str] | None = None,
    roles: list[SupportRole] = (),  # type: ignore[assignment]
    min_band: str = "",
    supervision: str = "",
    is_active: bool = True,
    savings: dict[str, Any] | None = None,
) -> DelegationProtocol:
    protocol = DelegationProtocol.objects.create(
        organisation=organisation,
        code=code,
        activity=activity,
        team_settings=settings or [],
        min_band=min_band,
        supervision=supervision,
        delegating_role="Registered nurse (district nursing)",
        is_active=is_active,
        savings=savings or {},
    )
    protocol.roles.set(roles)
    for competence, level in requirements:
        ProtocolRequirement.objects.create(protocol=protocol, competence=competence, min_level=level)
    return protocol


def put_in(person: Person, team: Team, role: SupportRole | None, *, band: str = "3", **extra: Any) -> None:
    spell = t.make_spell(person, team=team, band=band, **extra)
    spell.role = role
    spell.save()


def token_for(user: User) -> str:
    _, secret = api_token_create(user=user, membership=user.memberships.get(), name="Tests")
    return secret


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    community: Team
    ward: Team
    other_team: Team
    senior: SupportRole
    hca: SupportRole
    framework: Framework
    domain: Competence
    cbg: Competence
    obs: Competence
    insulin: Competence
    protocol: DelegationProtocol
    worker: Person
    today: dt.date


def build_world() -> World:
    """`worker` (senior healthcare support worker, band 3, in the community team) holds CBG at independent
    (expiring in 90 days) and observations at supervised: the protocol (community teams, senior HCSWs, band 3
    or above, CBG ≥ independent and observations ≥ supervised) answers yes."""
    today = timezone.localdate()
    alliance = t.make_alliance()
    org = t.make_organisation("RAA", alliance=alliance)
    other_org = t.make_organisation("RBB")
    community = t.make_team(org, "Wharfe District Nursing", setting=TeamSetting.COMMUNITY)
    ward = t.make_team(org, "Ward 1", setting=TeamSetting.INPATIENT)
    other_team = t.make_team(other_org, "Other Ward", setting=TeamSetting.COMMUNITY)
    senior = SupportRole.objects.get(name="Senior healthcare support worker")
    hca = SupportRole.objects.get(name="Health care assistant")
    framework = pf.make_framework("Community support worker framework", owner_organisation=org)
    domain = pf.make_domain(framework, "Clinical skills", sequence=1)
    cbg = pf.make_competence(
        framework, "Capillary blood glucose monitoring", code="CS1", parent=domain, sequence=1
    )
    obs = pf.make_competence(framework, "Clinical observations", code="CS2", parent=domain, sequence=2)
    insulin = pf.make_competence(framework, "Insulin administration", code="CS3", parent=domain, sequence=3)
    protocol = make_protocol(
        org,
        requirements=[(cbg, "independent"), (obs, "supervised")],
        settings=[TeamSetting.COMMUNITY],
        roles=[senior],
        min_band="3",
        supervision="The registered nurse has assessed the patient as stable.\nReport any reading under 4 or over 15.",
    )
    worker = t.make_person(org, given_name="Sam", family_name="Worker", staff_id="W0001")
    put_in(worker, community, senior, band="3")
    pf.make_assessment(
        worker,
        cbg,
        level="independent",
        assessed_on=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=90),
    )
    pf.make_assessment(worker, obs, level="supervised", assessed_on=today - dt.timedelta(days=60))
    return World(
        org=org,
        other_org=other_org,
        community=community,
        ward=ward,
        other_team=other_team,
        senior=senior,
        hca=hca,
        framework=framework,
        domain=domain,
        cbg=cbg,
        obs=obs,
        insulin=insulin,
        protocol=protocol,
        worker=worker,
        today=today,
    )
