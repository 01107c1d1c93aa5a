"""Do ready people progress? For each step, the people in post at the start of a 12-month period who were
ready (or nearly ready) for it then, how many of them progressed by the end, and the relative likelihood of
progressing for ready people by ethnic group and by disability.

Progression is the insights app's (docs/measures.md, "Band progression" and "Role transitions", read on the
organisation's own staff records): a person's band on a day is the highest Agenda for Change band among their
non-bank spells active that day (`NA` is not ranked); they moved to a **higher band** when they are in post at
the end and both bands are ranked and the end's is higher; their **role** on a day is the job role of their main
active spell (the highest band, then the largest FTE, then the role's name), and it **changed** when they are in
post at the end with another known role. Progressed is either.

Readiness at the start is computed as of that day (`readiness.readiness(on=start)`): spells, qualifications
awarded, functional skills assessed and managers' support given on or before it, competences as signed off then,
mandatory training as it stood. What cannot be dated is taken as it is now: whether a qualification was confirmed
(the award date counts) and completed learning that gives a qualification (ADR 0038).

Relative likelihoods and their 95% intervals are the insights analyses' (`insights.analyses.fairness.compare`,
Katz's log method), read and suppressed as the fairness dashboard does (`likelihood_cells`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cultivate.insights.analyses.common import BME, BME_GROUPS, DISABLED, NON_DISABLED, WHITE
from cultivate.insights.analyses.fairness import Indicator, compare
from cultivate.insights.measures.definitions import BAND_RANK, NOT_KNOWN, Window, ethnic_groups
from cultivate.organisations.models import ContractType, EmploymentSpell, Organisation, Person

from . import access, readiness
from .models import Pathway, Step

PERIOD_MONTHS = 12
CHUNK = readiness.CHUNK

INDICATORS = (
    Indicator(
        "ready_progression_ethnicity",
        "readiness and progression (pathways)",
        "ready people who moved to a higher band or another role ÷ ready people in post at the start",
        "ethnicity",
        WHITE,
        BME,
        "above",
        BME,
    ),
    Indicator(
        "ready_progression_disability",
        "readiness and progression (pathways)",
        "ready people who moved to a higher band or another role ÷ ready people in post at the start",
        "disability",
        NON_DISABLED,
        DISABLED,
        "above",
        DISABLED,
    ),
)


@dataclass(frozen=True)
class Move:
    """What happened to one person between the start and the end of the period."""

    band_up: bool
    role_changed: bool
    left: bool

    @property
    def progressed(self) -> bool:
        return self.band_up or self.role_changed


@dataclass
class Cohort:
    """People ready (or nearly ready) for a step at the start, and what became of them."""

    people: int = 0
    progressed: int = 0
    band_up: int = 0
    role_changed: int = 0
    left: int = 0

    def add(self, move: Move) -> None:
        self.people += 1
        self.progressed += move.progressed
        self.band_up += move.band_up
        self.role_changed += move.role_changed
        self.left += move.left


@dataclass
class StepProgression:
    title: str
    pathway: str
    ready: Cohort = field(default_factory=Cohort)
    nearly: Cohort = field(default_factory=Cohort)
    likelihoods: list[dict[str, Any]] = field(default_factory=list)


def period(on: dt.date) -> Window:
    """The 12 months up to `on`: its start is the same day a year before."""
    return Window(start=readiness._add_months(on, -PERIOD_MONTHS), end=on)


def _active(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


def _main(
    spells: list[tuple[dt.date, dt.date | None, str, Decimal, str]], day: dt.date
) -> tuple[int, str] | None:
    """(band rank, role) of the main spell active on `day` (highest band, largest FTE, role name); None when the
    person is not in post. The band is the highest among the active spells (the main one's, by this order)."""
    active = [s for s in spells if _active(s[0], s[1], day)]
    if not active:
        return None
    best = min(active, key=lambda s: (-BAND_RANK.get(s[2].lower(), 0), -s[3], s[4] or ""))
    return BAND_RANK.get(best[2].lower(), 0), best[4].strip()


def moves(person_ids: Sequence[int], window: Window) -> dict[int, Move]:
    """Band and role at the start and end of the window for each person, from their non-bank spells."""
    found: dict[int, list[tuple[dt.date, dt.date | None, str, Decimal, str]]] = {}
    touching = Q(start_date__lte=window.end) & (Q(end_date__isnull=True) | Q(end_date__gte=window.start))
    for start in range(0, len(person_ids), CHUNK):
        rows = (
            EmploymentSpell.objects.filter(touching, person_id__in=person_ids[start : start + CHUNK])
            .exclude(contract_type=ContractType.BANK)
            .order_by()
            .values_list("person_id", "start_date", "end_date", "afc_band", "fte", "job_role")
        )
        for person_id, began, ended, band, fte, role in rows:
            found.setdefault(person_id, []).append((began, ended, band, fte, role))
    out: dict[int, Move] = {}
    for person_id in person_ids:
        spells = found.get(person_id, [])
        at_s, at_e = _main(spells, window.start), _main(spells, window.end)
        if at_s is None:
            continue
        if at_e is None:
            out[person_id] = Move(band_up=False, role_changed=False, left=True)
            continue
        band_up = at_s[0] > 0 and at_e[0] > at_s[0]
        role_changed = bool(at_s[1]) and bool(at_e[1]) and at_s[1].lower() != at_e[1].lower()
        out[person_id] = Move(band_up=band_up, role_changed=role_changed, left=False)
    return out


def _groups(people: Iterable[Person]) -> dict[int, dict[str, str | None]]:
    """Each person's White/BME group (None when not known) and Disabled/Non-disabled (None when not declared),
    as the insights analyses group them."""
    by_code = ethnic_groups()
    out: dict[int, dict[str, str | None]] = {}
    for person in people:
        group = by_code.get((person.ethnic_category or "").upper(), NOT_KNOWN)
        ethnicity = WHITE if group == WHITE else BME if group in BME_GROUPS else None
        disability = {"Y": DISABLED, "N": NON_DISABLED}.get((person.disability or "").upper())
        out[person.pk] = {"ethnicity": ethnicity, "disability": disability}
    return out


def _likelihoods(
    ready: Iterable[int], found: dict[int, Move], groups: dict[int, dict[str, str | None]], window: Window
) -> list[dict[str, Any]]:
    results = []
    for indicator in INDICATORS:
        counts: dict[str, tuple[int, int]] = {}
        for person_id in ready:
            name = groups[person_id][indicator.comparison]
            if name is None:
                continue
            num, den = counts.get(name, (0, 0))
            counts[name] = (num + found[person_id].progressed, den + 1)
        results.append(compare(indicator, window, counts))
    return results


def people_in_post_on(organisation: Organisation, day: dt.date) -> list[Person]:
    spells = EmploymentSpell.objects.active_on(day).exclude(contract_type=ContractType.BANK)
    return list(
        Person.objects.filter(organisation=organisation, pk__in=spells.values("person_id")).order_by("pk")
    )


def organisation_progression(
    organisation: Organisation, *, on: dt.date | None = None
) -> tuple[Window, int, StepProgression, list[StepProgression]]:
    """(the period, people in post at its start, everyone ready for at least one step, each step)."""
    window = period(on or timezone.localdate())
    steps = list(
        Step.objects.filter(pathway__in=Pathway.objects.filter(access.public_pathways_of(organisation)))
        .select_related("pathway")
        .order_by("pathway__title", "sequence", "pk")
    )
    people = people_in_post_on(organisation, window.start)
    ids = [p.pk for p in people]
    found_moves = moves(ids, window)
    groups = _groups(people)
    at_start = readiness.readiness(ids, steps, on=window.start, organisation_id=organisation.pk)
    anything = StepProgression(title="Ready for any step", pathway="")
    ready_for_any: set[int] = set()
    nearly_for_any: set[int] = set()
    rows = []
    for step in steps:
        row = StepProgression(title=step.title, pathway=step.pathway.title)
        ready_ids = []
        for person_id in ids:
            result = at_start[(person_id, step.pk)]
            if result.ready:
                row.ready.add(found_moves[person_id])
                ready_ids.append(person_id)
                ready_for_any.add(person_id)
            elif result.nearly:
                row.nearly.add(found_moves[person_id])
                nearly_for_any.add(person_id)
        row.likelihoods = _likelihoods(ready_ids, found_moves, groups, window)
        rows.append(row)
    for person_id in sorted(ready_for_any):
        anything.ready.add(found_moves[person_id])
    for person_id in sorted(nearly_for_any - ready_for_any):
        anything.nearly.add(found_moves[person_id])
    anything.likelihoods = _likelihoods(sorted(ready_for_any), found_moves, groups, window)
    return window, len(people), anything, rows
