"""`delegation.decision`: the engine decides from records already read, without the database (these tests have
no database access, so any query would fail them)."""

from __future__ import annotations

import datetime as dt
import uuid

from cultivate.frameworks.models import Competence, Framework
from cultivate.organisations.models import Team, TeamSetting
from cultivate.portfolio.delegation import (
    Post,
    ReasonCode,
    decide,
    evaluate,
    required_competence,
    rules_of,
)
from cultivate.portfolio.models import DelegationProtocol
from cultivate.portfolio.status import CompetenceStatus, State

DAY = dt.date(2026, 6, 15)
PERSON, ORG = 7, 1


def _world() -> tuple[DelegationProtocol, Team, Competence]:
    framework = Framework(pk=3, title="Support worker framework")
    competence = Competence(pk=11, framework=framework, identifier=uuid.uuid4(), code="CS1", title="Glucose")
    protocol = DelegationProtocol(
        pk=5,
        organisation_id=ORG,
        code="cbg",
        activity="Capillary blood glucose",
        team_settings=[TeamSetting.COMMUNITY],
        min_band="3",
        supervision="- Within the care plan\n- Report readings above 15",
        is_active=True,
    )
    team = Team(pk=2, organisation_id=ORG, name="District nursing", setting=TeamSetting.COMMUNITY)
    return protocol, team, competence


def _held(
    level: str = "independent", rank: int = 3, expires_on: dt.date | None = None
) -> dict[tuple[int, int], CompetenceStatus]:
    status = CompetenceStatus(
        State.ACHIEVED, level=level, level_rank=rank, expires_on=expires_on, assessment_id=99
    )
    return {(PERSON, 11): status}


def test_yes_relies_on_the_sign_off_and_lists_the_conditions() -> None:
    protocol, team, competence = _world()
    rules = rules_of(protocol, [required_competence(competence, "supervised")], [(4, "Senior HCA")])
    decision = decide(
        rules,
        person_id=PERSON,
        person_organisation_id=ORG,
        team=team,
        on=DAY,
        posts=[Post(team_id=2, role_id=4, band="3")],
        status_of=_held(expires_on=DAY + dt.timedelta(days=9)),
        role_names={4: "Senior HCA"},
    )
    assert decision.allowed and decision.answer == "yes"
    assert [r.assessment_id for r in decision.relied_on] == [99]
    assert decision.lapses_on == DAY + dt.timedelta(days=9)
    assert decision.conditions == ["Within the care plan", "Report readings above 15"]


def test_every_reason_at_once() -> None:
    protocol, team, competence = _world()
    protocol.is_active = False
    protocol.organisation_id = 99
    team.setting = TeamSetting.INPATIENT
    rules = rules_of(protocol, [required_competence(competence, "independent")], [(4, "Senior HCA")])
    reasons, relied_on = evaluate(
        rules,
        person_id=PERSON,
        person_organisation_id=ORG,
        team=team,
        on=DAY,
        posts=[Post(team_id=8, role_id=6, band="2")],
        status_of=_held(level="supervised", rank=2),
        role_names={6: "HCA"},
    )
    assert [r.code for r in reasons] == [
        ReasonCode.INACTIVE_PROTOCOL,
        ReasonCode.OTHER_ORGANISATION,
        ReasonCode.NOT_IN_TEAM,
        ReasonCode.WRONG_SETTING,
        ReasonCode.WRONG_ROLE,
        ReasonCode.BAND_TOO_LOW,
        ReasonCode.BELOW_LEVEL,
    ]
    assert relied_on == []
    assert "Their role (HCA) is not one the protocol covers (Senior HCA)." in reasons[4].message


def test_missing_expired_and_reassess() -> None:
    protocol, team, competence = _world()
    rules = rules_of(protocol, [required_competence(competence, "observed")], [])
    expired = CompetenceStatus(
        State.EXPIRED, level="independent", level_rank=3, expires_on=DAY, assessment_id=1
    )
    reassess = CompetenceStatus(State.REASSESS, level="independent", level_rank=3, assessment_id=1)
    for status_of, code in (
        ({}, ReasonCode.MISSING),
        ({(PERSON, 11): CompetenceStatus(State.AWAITING)}, ReasonCode.MISSING),
        ({(PERSON, 11): expired}, ReasonCode.EXPIRED),
        ({(PERSON, 11): reassess}, ReasonCode.REASSESS),
    ):
        reasons, _ = evaluate(
            rules,
            person_id=PERSON,
            person_organisation_id=ORG,
            team=team,
            on=DAY,
            posts=[Post(team_id=2, role_id=None, band="4")],
            status_of=status_of,
            role_names={},
        )
        assert [r.code for r in reasons] == [code]
