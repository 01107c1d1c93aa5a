"""Readiness: for people and steps, each entry requirement met or not, what would meet it, and an estimated
earliest date. Read in batches: `facts_for` reads what every requirement kind needs for any number of people in
a fixed number of queries (spells, qualifications, assessment results, managers' support, competence status
through `portfolio.status`, mandatory training through the training source), and `evaluate` is a pure function
of those facts, so one worker's page and an organisation's 3,500 workers answer alike.

Each requirement kind has a small evaluator (`EVALUATORS`); mandatory training asks a pluggable source
(`set_training_source`), which the learning app's compliance answers when installed."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from cultivate.frameworks.models import Competence, Framework, VersionStatus
from cultivate.organisations.models import EmploymentSpell
from cultivate.portfolio import status as competence_status

from .models import (
    SKILLS_ORDER,
    ManagerSupport,
    Qualification,
    QualificationKind,
    QualificationStatus,
    RequirementKind,
    SkillsLevel,
    SkillsResult,
    SkillsSubject,
    Step,
    StepRequirement,
    band_rank,
)

# Rough times to gain what is missing, for the estimated earliest date (named in docs/pathways.md): a
# functional skills level takes about four months of a weekly course; the Care Certificate about twelve weeks.
MONTHS_PER_SKILLS_LEVEL = 4
MONTHS_TO_GAIN = {
    QualificationKind.CARE_CERTIFICATE.value: 3,
    QualificationKind.DIPLOMA_L3.value: 12,
    QualificationKind.FS_DIGITAL.value: 3,
}
MONTHS_FOR_A_COMPETENCE = 3
CHUNK = 900  # ids per query: well under every database's limit on parameters


class Met(models.TextChoices):
    MET = "met", "Done"
    NOT_MET = "not_met", "Still to do"
    UNKNOWN = "unknown", "To be checked"


@dataclass(frozen=True)
class RequirementResult:
    requirement: StepRequirement
    state: Met
    summary: str  # what the requirement is, in plain words
    to_meet: str = ""  # what would meet it (empty when met)
    earliest: dt.date | None = None
    offers: tuple[str, ...] = ()  # learning offers that would meet it, with their next session

    @property
    def is_met(self) -> bool:
        return self.state == Met.MET


@dataclass(frozen=True)
class StepReadiness:
    step: Step
    results: tuple[RequirementResult, ...]

    @property
    def short(self) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.results if r.state == Met.NOT_MET)

    @property
    def short_count(self) -> int:
        return len(self.short)

    @property
    def ready(self) -> bool:
        return self.short_count == 0

    @property
    def nearly(self) -> bool:
        return 1 <= self.short_count <= 2

    @property
    def earliest(self) -> dt.date | None:
        """The latest of the estimated dates of what is missing; None when something has no estimate."""
        dates = [r.earliest for r in self.short]
        if any(d is None for d in dates):
            return None
        return max((d for d in dates if d is not None), default=None)


@dataclass(frozen=True)
class Spell:
    start: dt.date
    end: dt.date | None
    band: str


@dataclass(frozen=True)
class Training:
    """What the training source says about one person and topic ("" is all mandatory training)."""

    state: Met
    detail: str = ""
    offers: tuple[str, ...] = ()
    earliest: dt.date | None = None


TrainingSource = Callable[[Sequence[int], set[str], dt.date], dict[tuple[int, str], Training]]


def _no_training_record(
    person_ids: Sequence[int], topics: set[str], on: dt.date
) -> dict[tuple[int, str], Training]:
    return {}


_training_source: list[TrainingSource] = [_no_training_record]


def set_training_source(source: TrainingSource) -> None:
    """Where mandatory training compliance is read from (the learning app registers it when ready)."""
    _training_source[0] = source


@dataclass
class Facts:
    on: dt.date
    spells: dict[int, list[Spell]] = field(default_factory=dict)
    confirmed: dict[int, set[str]] = field(default_factory=dict)
    recorded: dict[int, set[str]] = field(default_factory=dict)
    skills: dict[int, dict[str, str]] = field(default_factory=dict)
    support: set[tuple[int, int]] = field(default_factory=set)
    competences: dict[tuple[int, uuid.UUID], Competence] = field(default_factory=dict)
    statuses: dict[tuple[int, int], competence_status.CompetenceStatus] = field(default_factory=dict)
    level_ranks: dict[tuple[int, str], int] = field(default_factory=dict)
    training: dict[tuple[int, str], Training] = field(default_factory=dict)
    learned: dict[int, set[str]] = field(default_factory=dict)
    # Learning offers that would meet a kind of qualification (from the training source's catalogue).
    offers_for: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# (organisation id, qualification kinds wanted, day) → for each kind, the offers open to the organisation's
# people that would give it, each named with its next session.
OffersSource = Callable[[int | None, set[str], dt.date], dict[str, tuple[str, ...]]]


def _no_offers(organisation_id: int | None, kinds: set[str], on: dt.date) -> dict[str, tuple[str, ...]]:
    return {}


_offers_source: list[OffersSource] = [_no_offers]


# (person ids, qualification kinds wanted) → for each person, the kinds a learning record shows they gained (a
# completed functional skills level 2 course in the subject).
LearnedSource = Callable[[Sequence[int], set[str]], dict[int, set[str]]]


def _nothing_learned(person_ids: Sequence[int], kinds: set[str]) -> dict[int, set[str]]:
    return {}


_learned_source: list[LearnedSource] = [_nothing_learned]


def set_learned_source(source: LearnedSource) -> None:
    """Where completed learning that gives a qualification is read from (the learning app registers it)."""
    _learned_source[0] = source


def set_offers_source(source: OffersSource) -> None:
    """Which learning offers (with their next session) would give a kind of qualification."""
    _offers_source[0] = source


def facts_for(
    person_ids: Sequence[int],
    requirements: Sequence[StepRequirement],
    *,
    on: dt.date | None = None,
    organisation_id: int | None = None,
) -> Facts:
    """Everything the requirements need to know about the people on `on`, in a fixed number of queries per
    chunk: what was awarded, assessed or given after it is left out, so that an earlier day reads as it stood
    (bar a qualification's confirmation, taken as it is now)."""
    on = on or timezone.localdate()
    facts = Facts(on=on)
    kinds = {r.kind for r in requirements}
    for chunk in _chunks(list(person_ids)):
        if kinds & {RequirementKind.EXPERIENCE, RequirementKind.BAND}:
            rows = (
                EmploymentSpell.objects.filter(person_id__in=chunk, start_date__lte=on)
                .order_by()
                .values_list("person_id", "start_date", "end_date", "afc_band")
            )
            for person_id, start, end, band in rows:
                facts.spells.setdefault(person_id, []).append(Spell(start, end, band))
        if RequirementKind.QUALIFICATION in kinds:
            qualifications = (
                Qualification.objects.filter(person_id__in=chunk, awarded_on__lte=on)
                .exclude(status=QualificationStatus.SUPERSEDED)
                .order_by()
                .values_list("person_id", "kind", "status")
            )
            for person_id, kind, state in qualifications:
                target = facts.confirmed if state == QualificationStatus.CONFIRMED else facts.recorded
                target.setdefault(person_id, set()).add(kind)
            # The latest result per subject (ordered newest first, so the first seen is kept).
            results = (
                SkillsResult.objects.filter(person_id__in=chunk, assessed_on__lte=on)
                .order_by("person_id", "subject", "-assessed_on", "-pk")
                .values_list("person_id", "subject", "level")
            )
            for person_id, subject, level in results:
                facts.skills.setdefault(person_id, {}).setdefault(subject, level)
        if RequirementKind.MANAGER_SUPPORT in kinds:
            facts.support |= set(
                ManagerSupport.objects.filter(person_id__in=chunk, given_on__lte=on)
                .order_by()
                .values_list("person_id", "step_id")
            )
    _competence_facts(facts, list(person_ids), requirements, on)
    topics = {r.training for r in requirements if r.kind == RequirementKind.MANDATORY_TRAINING}
    if topics:
        facts.training = _training_source[0](list(person_ids), topics, on)
    wanted = {
        kind for r in requirements if r.kind == RequirementKind.QUALIFICATION for kind in r.qualifications
    }
    if wanted:
        facts.offers_for = _offers_source[0](organisation_id, wanted, on)
        facts.learned = _learned_source[0](list(person_ids), wanted)
    return facts


def _competence_facts(
    facts: Facts, person_ids: list[int], requirements: Sequence[StepRequirement], on: dt.date
) -> None:
    keys = {
        (r.framework_id, r.competence_identifier)
        for r in requirements
        if r.kind == RequirementKind.COMPETENCE and r.framework_id and r.competence_identifier
    }
    if not keys:
        return
    condition = competence_status.key_filter("", keys)
    rows = list(
        Competence.objects.filter(condition, version__status=VersionStatus.PUBLISHED)
        .select_related("framework", "version")
        .defer(*competence_status.VERSION_DOCUMENTS)
    )
    facts.competences = {(row.framework_id, row.identifier): row for row in rows}
    frameworks: dict[int, Framework] = {row.framework_id: row.framework for row in rows}
    for r in requirements:
        if r.kind == RequirementKind.COMPETENCE and r.framework_id in frameworks and r.level:
            facts.level_ranks[(r.framework_id, r.level)] = frameworks[r.framework_id].level_rank(r.level)
    if rows and person_ids:
        facts.statuses = competence_status.statuses(person_ids, rows, on=on, published=True)


# --- Evaluators, one per kind -----------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for day_of_month in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, day_of_month)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - the 28th exists in every month


# Read once: Django's enum properties rebuild their lists on every call, which an organisation's 150,000
# evaluations would pay for each time.
KIND_LABELS = {kind.value: str(kind.label) for kind in QualificationKind}
LEVEL_LABELS = {level.value: str(level.label) for level in SkillsLevel}
LEVEL_2_INDEX = SKILLS_ORDER.index(SkillsLevel.LEVEL_2)


@functools.lru_cache(maxsize=256)
def _labels_of(kinds: tuple[str, ...]) -> str:
    return " or ".join(KIND_LABELS.get(k, k) for k in kinds)


def qualification_labels(kinds: Iterable[str]) -> str:
    return _labels_of(tuple(kinds))


SUBJECT_NAMES = {
    SkillsSubject.ENGLISH.value: "English",
    SkillsSubject.MATHS.value: "maths",
    "digital": "digital",
}
SUBJECT_OF = {
    QualificationKind.FS_ENGLISH_L2: SkillsSubject.ENGLISH,
    QualificationKind.GCSE_ENGLISH: SkillsSubject.ENGLISH,
    QualificationKind.FS_MATHS_L2: SkillsSubject.MATHS,
    QualificationKind.GCSE_MATHS: SkillsSubject.MATHS,
    QualificationKind.FS_DIGITAL: SkillsSubject.DIGITAL,
}


def _qualification(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    wanted = set(r.qualifications)
    summary = qualification_labels(r.qualifications)
    offers = tuple(offer for kind in r.qualifications for offer in facts.offers_for.get(kind, ()))
    if wanted & facts.confirmed.get(person_id, set()) or wanted & facts.learned.get(person_id, set()):
        return RequirementResult(r, Met.MET, summary)
    if wanted & facts.recorded.get(person_id, set()):
        return RequirementResult(
            r,
            Met.NOT_MET,
            summary,
            "Recorded: an admin needs to check your evidence and confirm it.",
            facts.on,
        )
    subjects = {SUBJECT_OF[k] for k in wanted if k in SUBJECT_OF}
    if subjects:
        subject = sorted(subjects)[0]
        level = facts.skills.get(person_id, {}).get(subject)
        name = SUBJECT_NAMES[subject]
        if level is None:
            return RequirementResult(
                r,
                Met.NOT_MET,
                summary,
                f"Ask an educator for a functional skills {name} initial assessment: it shows where to start.",
                None,
                offers,
            )
        steps_to_go = LEVEL_2_INDEX - SKILLS_ORDER.index(level)
        if steps_to_go <= 0:
            return RequirementResult(
                r,
                Met.NOT_MET,
                summary,
                f"Your assessment puts you at level 2 in {name}: take the functional skills level 2 exam.",
                _add_months(facts.on, 2),
                offers,
            )
        return RequirementResult(
            r,
            Met.NOT_MET,
            summary,
            f"Your assessment puts you at {LEVEL_LABELS[level].lower()} in {name}: "
            f"{'one level' if steps_to_go == 1 else f'{steps_to_go} levels'} to go to reach level 2.",
            _add_months(facts.on, MONTHS_PER_SKILLS_LEVEL * steps_to_go),
            offers,
        )
    months = max((MONTHS_TO_GAIN.get(k, 0) for k in wanted), default=0)
    return RequirementResult(
        r,
        Met.NOT_MET,
        summary,
        f"Gain the {summary} and record it with its evidence.",
        _add_months(facts.on, months) if months else None,
        offers,
    )


def _months_served(spells: list[Spell], on: dt.date, min_band: str) -> float:
    floor = band_rank(min_band) if min_band else 0
    days = 0
    for spell in spells:
        if band_rank(spell.band) < floor:
            continue
        end = min(spell.end or on, on)
        days += max((end - spell.start).days, 0)
    return days / 30.4375


def _experience(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    months = r.months or 0
    at_band = f" at band {r.band} or above" if r.band else ""
    summary = f"{months} months' experience{at_band}"
    spells = facts.spells.get(person_id, [])
    served = _months_served(spells, facts.on, r.band)
    if served >= months:
        return RequirementResult(r, Met.MET, summary)
    left = max(int(months - served + 0.999), 1)
    in_post = any(
        s.end is None or s.end >= facts.on
        for s in spells
        if not r.band or band_rank(s.band) >= band_rank(r.band)
    )
    words = f"{left} more month{'s' if left != 1 else ''}{at_band} to serve."
    return RequirementResult(r, Met.NOT_MET, summary, words, _add_months(facts.on, left) if in_post else None)


def _band_today(spells: list[Spell], on: dt.date) -> str:
    current = [s for s in spells if s.start <= on and (s.end is None or s.end >= on)]
    return max((s.band for s in current), key=band_rank, default="")


def _band(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    summary = f"A post at band {r.band} or above"
    band = _band_today(facts.spells.get(person_id, []), facts.on)
    if band_rank(band) >= band_rank(r.band):
        return RequirementResult(r, Met.MET, summary)
    return RequirementResult(r, Met.NOT_MET, summary, f"This step needs a post at band {r.band} or above.")


def _competence(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    row = facts.competences.get((r.framework_id or 0, r.competence_identifier or uuid.UUID(int=0)))
    if row is None:
        return RequirementResult(r, Met.UNKNOWN, "A competence no longer published", "Ask your educator.")
    name = row.short_title or row.title
    at = f" at {r.level}" if r.level else ""
    summary = f"{name}{at}"
    held = facts.statuses.get((person_id, row.pk))
    rank = facts.level_ranks.get((row.framework_id, r.level), 0)
    if held is not None and held.is_held and held.level_rank >= rank:
        return RequirementResult(r, Met.MET, summary)
    return RequirementResult(
        r,
        Met.NOT_MET,
        summary,
        f"Get “{name}” signed off{at} in your portfolio.",
        _add_months(facts.on, MONTHS_FOR_A_COMPETENCE),
    )


def _mandatory_training(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    summary = f"Mandatory training: {r.training}" if r.training else "Mandatory training up to date"
    found = facts.training.get((person_id, r.training))
    if found is None:
        return RequirementResult(
            r, Met.UNKNOWN, summary, "Your training record is not in Cultivate yet: your manager checks it."
        )
    return RequirementResult(r, found.state, summary, found.detail, found.earliest, found.offers)


def _manager_support(r: StepRequirement, person_id: int, facts: Facts) -> RequirementResult:
    summary = "Your line manager's support"
    if (person_id, r.step_id) in facts.support:
        return RequirementResult(r, Met.MET, summary)
    return RequirementResult(
        r, Met.NOT_MET, summary, "Talk to your line manager: they record their support here.", facts.on
    )


Evaluator = Callable[[StepRequirement, int, Facts], RequirementResult]

EVALUATORS: dict[str, Evaluator] = {
    RequirementKind.QUALIFICATION: _qualification,
    RequirementKind.EXPERIENCE: _experience,
    RequirementKind.BAND: _band,
    RequirementKind.COMPETENCE: _competence,
    RequirementKind.MANDATORY_TRAINING: _mandatory_training,
    RequirementKind.MANAGER_SUPPORT: _manager_support,
}


def evaluate(
    step: Step, requirements: Sequence[StepRequirement], person_id: int, facts: Facts
) -> StepReadiness:
    """A pure function of the facts: reads nothing."""
    return StepReadiness(step, tuple(EVALUATORS[r.kind](r, person_id, facts) for r in requirements))


def readiness(
    person_ids: Sequence[int],
    steps: Sequence[Step],
    *,
    on: dt.date | None = None,
    organisation_id: int | None = None,
) -> dict[tuple[int, int], StepReadiness]:
    """Readiness of every person for every step, keyed by (person id, step id). The steps' requirements are
    read here in one query when not prefetched."""
    by_step: dict[int, list[StepRequirement]] = defaultdict(list)
    for requirement in StepRequirement.objects.filter(step__in=[s.pk for s in steps]).order_by(
        "step_id", "sequence", "pk"
    ):
        by_step[requirement.step_id].append(requirement)
    everything = [r for rs in by_step.values() for r in rs]
    facts = facts_for(person_ids, everything, on=on, organisation_id=organisation_id)
    return {
        (person_id, step.pk): evaluate(step, by_step[step.pk], person_id, facts)
        for person_id in person_ids
        for step in steps
    }
