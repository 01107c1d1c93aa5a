"""Where training falls short of what roles need: for an organisation (or one setting), a team and a person.

Computed from the role requirements (frameworks), the computed competence status (`portfolio.status`, batched),
mandatory training compliance (`compliance`) and the catalogue; never stored. Every function here reads in a
fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from cultivate.frameworks.models import Competence, RoleRequirement
from cultivate.organisations.models import (
    ContractType,
    EmploymentSpell,
    Organisation,
    Person,
    SupportRole,
    Team,
)
from cultivate.portfolio import status

from . import compliance, selectors
from .models import Completion, Offer, Session

THIN_MONTHS = 6
# An offer counts as used when someone completed it within this many days.
USED_WITHIN_DAYS = 365


# --- An organisation ----------------------------------------------------------------------------------


class Finding:
    GAP = "gap"
    THIN = "thin"
    DUPLICATION = "duplication"
    COVERED = "covered"

    LABELS = {
        GAP: "Gap: no offer develops it",
        THIN: "Thin: no place in the next 6 months",
        DUPLICATION: "Duplication: several offers, none used",
        COVERED: "Covered",
    }


@dataclass
class CompetenceCoverage:
    """One required competence against the offers that develop it."""

    competence: Competence
    people: int  # how many people's roles require it
    roles: set[int] = field(default_factory=set)
    offers: list[Offer] = field(default_factory=list)
    # Offers with a place in a session within six months (or self-paced, with no sessions needed).
    available: int = 0
    used: int = 0
    finding: str = Finding.COVERED

    @property
    def finding_label(self) -> str:
        return Finding.LABELS[self.finding]


def organisation_gaps(
    organisation: Organisation, *, setting: str = "", on: dt.date | None = None
) -> list[CompetenceCoverage]:
    """Every competence the roles of the organisation's people (in one setting, if given) require, against
    the offers open to them: gaps first, then thin spots, duplication and the covered, most people first."""
    on = on or timezone.localdate()
    needed: dict[int, CompetenceCoverage] = {}
    for row, roles, people in _required_by_posts(organisation, setting, on):
        needed[row.pk] = CompetenceCoverage(competence=row, people=people, roles=roles)
    if not needed:
        return []
    offers = selectors.offers_developing(organisation, needed)
    offer_ids = {offer.pk for found in offers.values() for offer in found}
    available = _available_offers(offer_ids, on)
    used = _used_offers(offer_ids, on)
    for pk, coverage in needed.items():
        coverage.offers = offers.get(pk, [])
        coverage.available = sum(1 for offer in coverage.offers if offer.pk in available)
        coverage.used = sum(1 for offer in coverage.offers if offer.pk in used)
        if not coverage.offers:
            coverage.finding = Finding.GAP
        elif not coverage.available:
            coverage.finding = Finding.THIN
        elif len(coverage.offers) > 1 and not coverage.used:
            coverage.finding = Finding.DUPLICATION
    order = {Finding.GAP: 0, Finding.THIN: 1, Finding.DUPLICATION: 2, Finding.COVERED: 3}
    return sorted(
        needed.values(),
        key=lambda c: (order[c.finding], -c.people, c.competence.framework.title, c.competence.sequence),
    )


def _required_by_posts(
    organisation: Organisation, setting: str, on: dt.date
) -> list[tuple[Competence, set[int], int]]:
    """(published competence row, role ids, people) for each role requirement of the organisation and the people
    in post whose posts (in the setting, if given) it applies to. Worked out from the posts' (role, band)
    groups, so it reads three queries and loops over requirements, not people × requirements. A person with
    posts in two roles counts once for each competence; bank posts count only for people with no other post
    (as `portfolio.status.requirements_for` decides)."""
    spells = EmploymentSpell.objects.active_on(on).filter(
        person__organisation=organisation, role__isnull=False
    )
    if setting:
        spells = spells.filter(team__setting=setting)
    rows = list(spells.values_list("person_id", "role_id", "afc_band", "contract_type"))
    substantive = {person for person, _role, _band, contract in rows if contract != ContractType.BANK}
    posts: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for person, role, band, contract in rows:
        if contract != ContractType.BANK or person not in substantive:
            posts[person].add((role, band))
    # People with the same posts need the same competences: counted once per distinct set of posts.
    groups = Counter(frozenset(found) for found in posts.values())
    requirements = list(
        RoleRequirement.objects.filter(organisation=organisation, role_id__in={r for _p, r, _b, _c in rows})
        .select_related("competence")
        .order_by("pk")
    )
    current = status.published_rows([r.competence for r in requirements])
    result: dict[int, tuple[Competence, set[int], list[int]]] = {}
    for group, people in groups.items():
        counted: set[int] = set()
        for requirement in requirements:
            if not any(
                role == requirement.role_id and (not requirement.afc_band or requirement.afc_band == band)
                for role, band in group
            ):
                continue
            row = current.get((requirement.competence.framework_id, requirement.competence.identifier))
            if row is None:
                continue
            line = result.setdefault(row.pk, (row, set(), [0]))
            line[1].add(requirement.role_id)
            if row.pk not in counted:
                counted.add(row.pk)
                line[2][0] += people
    return [(row, roles, people[0]) for row, roles, people in result.values()]


def _available_offers(offer_ids: set[int], on: dt.date) -> set[int]:
    """Offers with a place in a session in the next six months, and self-paced offers (no capacity limit and
    no sessions needed). Two queries."""
    if not offer_ids:
        return set()
    now = timezone.now()
    until = now + dt.timedelta(days=round(THIN_MONTHS * 30.5))
    open_sessions = (
        Session.objects.filter(
            offer_id__in=offer_ids, is_cancelled=False, starts_at__gt=now, starts_at__lte=until
        )
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=["booked", "attended"])))
        .values_list("offer_id", "capacity", "taken")
    )
    available = {offer_id for offer_id, capacity, taken in open_sessions if taken < capacity}
    unlimited = Offer.objects.filter(pk__in=offer_ids, capacity__isnull=True, is_active=True).values_list(
        "pk", flat=True
    )
    return available | set(unlimited)


def _used_offers(offer_ids: set[int], on: dt.date) -> set[int]:
    if not offer_ids:
        return set()
    since = on - dt.timedelta(days=USED_WITHIN_DAYS)
    return set(
        Completion.objects.filter(offer_id__in=offer_ids, completed_on__gt=since)
        .values_list("offer_id", flat=True)
        .distinct()
    )


# --- A person -----------------------------------------------------------------------------------------


@dataclass
class PersonGap:
    """Something a person lacks or is about to lose, and what would close it."""

    title: str
    kind: str  # "mandatory" or "competence"
    state: str
    deadline: dt.date | None
    essential: bool
    levels_below: int
    required_level: str = ""
    competence: Competence | None = None
    offers: list[Offer] = field(default_factory=list)
    next_sessions: dict[int, Session] = field(default_factory=dict)

    @property
    def next_session(self) -> Session | None:
        sessions = [s for s in self.next_sessions.values() if s is not None]
        return min(sessions, key=lambda s: s.starts_at) if sessions else None


def _rank(gap: PersonGap, on: dt.date) -> tuple[dt.date, bool, int, str]:
    # Soonest deadline first (overdue ones have today's date or earlier), then essential, then the widest gap.
    return (gap.deadline or dt.date.max, not gap.essential, -gap.levels_below, gap.title)


def person_gaps(person: Person, *, on: dt.date | None = None, soon_days: int = 90) -> list[PersonGap]:
    """What the person is missing or will lose within `soon_days`, ranked by deadline, essential or not and
    how far below the required level they are, each with the offers that would close it and their next
    sessions."""
    on = on or timezone.localdate()
    gaps: list[PersonGap] = []
    subject_gaps: dict[int, PersonGap] = {}
    for found in compliance.mandatory_status_for_people([person.pk], on, soon_days=soon_days).get(
        person.pk, []
    ):
        if found.state == compliance.ComplianceState.IN_DATE:
            continue
        gap = PersonGap(
            title=found.subject.name,
            kind="mandatory",
            state=found.label,
            deadline=found.expires_on or on,
            essential=True,
            levels_below=1 if not found.is_compliant else 0,
        )
        subject_gaps[found.subject.pk] = gap
        gaps.append(gap)
    requirements = status.requirements_for([person.pk], on=on).get(person.pk, [])
    competences = [r.competence for r in requirements]
    statuses = status.statuses([person.pk], competences, on=on, expiring_days=soon_days, published=True)
    competence_gaps: dict[int, PersonGap] = {}
    for requirement in requirements:
        row = requirement.competence
        found_status = statuses.get((person.pk, row.pk), status.NOT_STARTED)
        held_rank = found_status.level_rank if found_status.is_held else 0
        expiring = found_status.state == status.State.EXPIRING
        if held_rank >= requirement.min_rank and not expiring:
            continue
        deadline = found_status.expires_on if expiring else requirement.due_on
        gap = PersonGap(
            title=row.label,
            kind="competence",
            state=found_status.label,
            deadline=deadline,
            essential=requirement.due_on is not None or expiring,
            levels_below=max(requirement.min_rank - held_rank, 0 if expiring else 1),
            required_level=requirement.min_level,
            competence=row,
        )
        competence_gaps[row.pk] = gap
        gaps.append(gap)
    organisation = person.organisation
    developing = selectors.offers_developing_keys(
        organisation,
        [
            (pk, gap.competence.framework_id, gap.competence.identifier)
            for pk, gap in competence_gaps.items()
            if gap.competence
        ],
    )
    for pk, gap in competence_gaps.items():
        gap.offers = developing.get(pk, [])
    if subject_gaps:
        for offer in (
            Offer.objects.filter(
                selectors.offers_for(organisation), subject_id__in=subject_gaps, is_active=True
            )
            .select_related("subject")
            .order_by("title", "pk")
        ):
            subject_gaps[offer.subject_id].offers.append(offer)  # type: ignore[index]
    sessions = selectors.next_sessions({offer.pk for gap in gaps for offer in gap.offers})
    for gap in gaps:
        gap.next_sessions = {offer.pk: sessions[offer.pk] for offer in gap.offers if offer.pk in sessions}
    return sorted(gaps, key=lambda g: _rank(g, on))


# --- A team -------------------------------------------------------------------------------------------


@dataclass
class TeamLine:
    """One required competence or mandatory subject across a team: how many people lack it, by when."""

    title: str
    kind: str
    required: int
    lacking: int
    deadline: dt.date | None
    subject_id: int | None = None
    competence_id: int | None = None


def team_gaps(team: Team, people: Sequence[Person], *, on: dt.date | None = None) -> list[TeamLine]:
    """For each required competence and mandatory subject, how many of the team's people lack it (not held at
    the required level, or not in date), soonest deadline first."""
    on = on or timezone.localdate()
    ids = [p.pk for p in people]
    lines: list[TeamLine] = []
    by_subject: dict[int, TeamLine] = {}
    for found in compliance.mandatory_status_for_people(ids, on).values():
        for subject_status in found:
            line = by_subject.get(subject_status.subject.pk)
            if line is None:
                line = by_subject[subject_status.subject.pk] = TeamLine(
                    subject_status.subject.name, "mandatory", 0, 0, None, subject_id=subject_status.subject.pk
                )
            line.required += 1
            if not subject_status.is_compliant:
                line.lacking += 1
                deadline = subject_status.expires_on or on
                line.deadline = min(line.deadline or deadline, deadline)
    lines.extend(by_subject.values())
    requirements = status.requirements_for(ids, on=on)
    rows = {r.competence.pk: r.competence for needed in requirements.values() for r in needed}
    summaries = status.summaries(ids, list(rows.values()), on=on, published=True)
    by_competence: dict[int, TeamLine] = {}
    for person_id, needed in requirements.items():
        for requirement in needed:
            row = requirement.competence
            line = by_competence.get(row.pk)
            if line is None:
                line = by_competence[row.pk] = TeamLine(
                    row.label, "competence", 0, 0, None, competence_id=row.pk
                )
            line.required += 1
            summary = summaries.get((person_id, row.pk))
            held = (
                summary is not None
                and summary[0] in status.HELD_STATES
                and summary[2] >= requirement.min_rank
            )
            if not held:
                line.lacking += 1
                if requirement.due_on is not None:
                    line.deadline = min(line.deadline or requirement.due_on, requirement.due_on)
    lines.extend(by_competence.values())
    return sorted(
        (line for line in lines if line.lacking),
        key=lambda line: (line.deadline or dt.date.max, -line.lacking, line.title),
    )


def people_lacking(person_ids: Sequence[int], *, on: dt.date | None = None) -> Counter[int]:
    """How many mandatory subjects each person is out of date in (for a team's list)."""
    on = on or timezone.localdate()
    counts: Counter[int] = Counter()
    for person_id, found in compliance.mandatory_status_for_people(person_ids, on).items():
        counts[person_id] = sum(1 for s in found if not s.is_compliant)
    return counts


def roles_of(coverage: list[CompetenceCoverage]) -> dict[int, str]:
    """Names of the roles the coverage lines mention (one query)."""
    ids = {role for line in coverage for role in line.roles}
    return dict(SupportRole.objects.filter(pk__in=ids).values_list("pk", "name"))
