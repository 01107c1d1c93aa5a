"""The team's view of delegation (who may do what, what lapses soon) and an organisation's count of authorised
workers for a protocol: the decision engine applied in one batch, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from cultivate.organisations.models import EmploymentSpell, Person, Team

from ..models import DelegationProtocol
from ..status import EXPIRING_SOON_DAYS, statuses
from .decision import CompetenceRef, DelegationDecision, Post, decide, evaluate
from .reads import active_protocols, protocol_rules

LAPSING_DAYS = EXPIRING_SOON_DAYS


@dataclass(frozen=True)
class TeamMember:
    person: Person
    job_title: str
    band: str


@dataclass(frozen=True)
class Lapse:
    person: Person
    protocol: DelegationProtocol
    competence: CompetenceRef
    expires_on: dt.date
    assessment_id: int

    @property
    def days_left(self) -> int:
        return (self.expires_on - timezone.localdate()).days


@dataclass
class TeamDelegation:
    team: Team
    on: dt.date
    people: list[TeamMember]
    protocols: list[DelegationProtocol]
    # (person id, protocol id) → decision
    decisions: dict[tuple[int, int], DelegationDecision]
    lapsing: list[Lapse]
    lapsing_days: int = LAPSING_DAYS
    # Activities in use that no protocol setting lets this team's setting carry out: not shown as columns.
    not_covered: list[DelegationProtocol] = field(default_factory=list)

    def decision(self, person_id: int, protocol_id: int) -> DelegationDecision:
        return self.decisions[(person_id, protocol_id)]

    def allowed_count(self, protocol_id: int) -> int:
        return sum(1 for m in self.people if self.decisions[(m.person.pk, protocol_id)].allowed)


def _team_posts(team: Team, on: dt.date) -> QuerySet[EmploymentSpell]:
    return (
        EmploymentSpell.objects.active_on(on)
        .filter(team=team)
        .select_related("person", "role")
        .order_by("person__family_name", "person__given_name", "person__staff_id", "person_id", "-start_date")
    )


def team_delegation(*, team: Team, on: dt.date | None = None) -> TeamDelegation:
    """Every person active in the team × every active protocol of its organisation, decided in one batch:
    one query for the team's posts, three for the protocols and their rules, four for all the statuses."""
    on = on or timezone.localdate()
    posts: dict[int, list[Post]] = defaultdict(list)
    members: dict[int, TeamMember] = {}
    role_names: dict[int, str] = {}
    for spell in _team_posts(team, on):
        posts[spell.person_id].append(Post(team_id=spell.team_id, role_id=spell.role_id, band=spell.afc_band))
        if spell.role_id and spell.role is not None:
            role_names[spell.role_id] = spell.role.name
        members.setdefault(
            spell.person_id,
            TeamMember(person=spell.person, job_title=spell.job_title or spell.job_role, band=spell.afc_band),
        )
    in_use = list(active_protocols(team.organisation_id))
    every_rule = protocol_rules(in_use)
    # A protocol limited to settings this team is not in would answer "No" for everyone: hidden, and named.
    all_rules = [rules for rules in every_rule if not rules.settings or team.setting in rules.settings]
    protocols = [rules.protocol for rules in all_rules]
    not_covered = [
        rules.protocol for rules in every_rule if rules.settings and team.setting not in rules.settings
    ]
    competences = list(
        {r.competence.pk: r.competence for rules in all_rules for r in rules.requirements}.values()
    )
    person_ids = list(members)
    status_of = statuses(person_ids, competences, on=on) if competences and person_ids else {}
    decisions: dict[tuple[int, int], DelegationDecision] = {}
    lapsing: list[Lapse] = []
    horizon = on + dt.timedelta(days=LAPSING_DAYS)
    for member in members.values():
        person = member.person
        for rules in all_rules:
            decision = decide(
                rules,
                person_id=person.pk,
                person_organisation_id=person.organisation_id,
                team=team,
                on=on,
                posts=posts[person.pk],
                status_of=status_of,
                role_names=role_names,
                person=person,
            )
            decisions[(person.pk, rules.protocol.pk)] = decision
            for reliance in decision.relied_on:
                if reliance.expires_on is not None and reliance.expires_on <= horizon:
                    lapsing.append(
                        Lapse(
                            person=person,
                            protocol=rules.protocol,
                            competence=reliance.competence,
                            expires_on=reliance.expires_on,
                            assessment_id=reliance.assessment_id,
                        )
                    )
    lapsing.sort(key=lambda lapse: (lapse.expires_on, lapse.person.display_name, lapse.protocol.activity))
    return TeamDelegation(
        team=team,
        on=on,
        people=list(members.values()),
        protocols=protocols,
        decisions=decisions,
        lapsing=lapsing,
        not_covered=not_covered,
    )


@dataclass(frozen=True)
class Authorisations:
    """Who in an organisation may carry out a protocol's activity on a day (in at least one of their teams)."""

    people: int
    teams: int
    by_team: dict[int, int]


def protocol_authorisations(protocol: DelegationProtocol, *, on: dt.date | None = None) -> Authorisations:
    """Counted across the organisation in one batch (the rules, the posts, then the status queries)."""
    on = on or timezone.localdate()
    if not protocol.is_active:
        return Authorisations(people=0, teams=0, by_team={})
    (rules,) = protocol_rules([protocol])
    spells = EmploymentSpell.objects.active_on(on).filter(
        person__organisation_id=protocol.organisation_id, team__isnull=False
    )
    if rules.settings:
        spells = spells.filter(team__setting__in=rules.settings)
    if rules.role_ids:
        spells = spells.filter(role_id__in=rules.role_ids)
    posts: dict[int, list[Post]] = defaultdict(list)
    teams: dict[int, Team] = {}
    for spell in spells.select_related("team"):
        posts[spell.person_id].append(Post(team_id=spell.team_id, role_id=spell.role_id, band=spell.afc_band))
        assert spell.team is not None
        teams[spell.team.pk] = spell.team
    competences = [r.competence for r in rules.requirements]
    person_ids = list(posts)
    status_of = statuses(person_ids, competences, on=on) if competences and person_ids else {}
    allowed_people: set[int] = set()
    by_team: dict[int, int] = defaultdict(int)
    for person_id, held in posts.items():
        for team_id in {p.team_id for p in held if p.team_id is not None}:
            reasons, _ = evaluate(
                rules,
                person_id=person_id,
                person_organisation_id=protocol.organisation_id,
                team=teams[team_id],
                on=on,
                posts=held,
                status_of=status_of,
                role_names={},
            )
            if not reasons:
                allowed_people.add(person_id)
                by_team[team_id] += 1
    return Authorisations(people=len(allowed_people), teams=len(by_team), by_team=dict(by_team))
