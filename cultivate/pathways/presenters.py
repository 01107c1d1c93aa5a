"""Model and readiness → what pages show: plain words, labels (never codes), UK dates, and small numbers
suppressed in aggregates ("[c]": fewer than 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cultivate.core.formatting import count, uk_date
from cultivate.organisations.models import Person

from .models import (
    Apprenticeship,
    OffTheJobEntry,
    Outcome,
    Pathway,
    Qualification,
    QualificationStatus,
    SkillsLevel,
    SkillsResult,
    Step,
)
from .off_the_job import Progress
from .readiness import Met, StepReadiness, qualification_labels

SUPPRESSED = "[c]"
SMALL_NUMBER = 5

# Where to start for each functional skills level: the organisation's offers come from learning when it is
# installed; these free national resources suit everyone.
SIGNPOSTS = {
    SkillsLevel.ENTRY_1: "Start with a supported entry level course; the National Numeracy Challenge and "
    "BBC Bitesize skills work at your pace.",
    SkillsLevel.ENTRY_2: "An entry level course, with the National Numeracy Challenge or BBC Bitesize for practice.",
    SkillsLevel.ENTRY_3: "A level 1 functional skills course, with the National Numeracy Challenge for practice.",
    SkillsLevel.LEVEL_1: "A level 2 functional skills course, or the Skills for Health bridging programme.",
    SkillsLevel.LEVEL_2: "You are ready to take the level 2 exam: ask your educator to book it.",
}

STATE_TAGS = {Met.MET: "green", Met.NOT_MET: "orange", Met.UNKNOWN: "grey"}


def band_label(band: str) -> str:
    return f"Band {band}" if band else ""


def step_card(step: Step) -> dict[str, Any]:
    standard = step.standard
    return {
        "title": step.title,
        "band": band_label(step.band),
        "description": step.description,
        "standard": f"{standard.title} apprenticeship, level {standard.level} ({standard.code})"
        if standard
        else "",
        "registered_with": f"Registered with the {step.registered_with}" if step.registered_with else "",
        "previous": step.previous.title if step.previous_id and step.previous else "",
        "requirements": [
            {
                "pk": r.pk,
                "kind": r.get_kind_display(),
                "text": requirement_text(r),
                "evidenced_by": r.evidenced_by,
            }
            for r in step.requirements.all()
        ],
    }


def requirement_text(requirement: Any) -> str:
    kind = requirement.kind
    if kind == "qualification":
        return qualification_labels(requirement.qualifications)
    if kind == "experience":
        at = f" at band {requirement.band} or above" if requirement.band else ""
        return f"{requirement.months} months' experience{at}"
    if kind == "band":
        return f"A post at band {requirement.band} or above"
    if kind == "competence":
        return f"A competence signed off{' at ' + requirement.level if requirement.level else ''}"
    if kind == "mandatory_training":
        return (
            f"Mandatory training: {requirement.training}"
            if requirement.training
            else "Mandatory training up to date"
        )
    return "Your line manager's support"


def pathway_summary(pathway: Pathway) -> dict[str, Any]:
    owner = (
        pathway.owner_organisation.name
        if pathway.owner_organisation
        else pathway.owner_alliance.name
        if pathway.owner_alliance
        else "National reference pathway"
    )
    return {
        "pk": pathway.pk,
        "code": pathway.code,
        "title": pathway.title,
        "description": pathway.description,
        "owner": owner,
        "source": pathway.source,
        "steps": [step_card(step) for step in pathway.steps.all()],
    }


def readiness_rows(result: StepReadiness) -> list[dict[str, Any]]:
    return [
        {
            "summary": r.summary,
            "state": r.state.label,
            "tag": STATE_TAGS[r.state],
            "met": r.is_met,
            "to_meet": r.to_meet,
            "earliest": uk_date(r.earliest) if r.earliest and r.state == Met.NOT_MET else "",
            "offers": list(r.offers),
            "evidenced_by": r.requirement.evidenced_by,
        }
        for r in result.results
    ]


def readiness_headline(result: StepReadiness, today: dt.date) -> str:
    """ "What is left for me" in one plain sentence."""
    short = result.short_count
    if short == 0:
        return f"You meet every requirement we can check for {result.step.title.lower()}."
    things = "1 thing" if short == 1 else f"{short} things"
    earliest = result.earliest
    when = (
        f" If all goes to plan you could be ready by {uk_date(earliest)}."
        if earliest is not None and earliest > today
        else ""
    )
    return f"{things.capitalize()} left before you can become a {result.step.title.lower()}.{when}"


def qualification_rows(
    qualifications: Sequence[Qualification], *, with_person: bool = False
) -> list[dict[str, Any]]:
    return [
        {
            "pk": q.pk,
            "person": q.person.display_name if with_person else "",
            "person_pk": q.person_id,
            "label": q.label,
            "awarded_on": uk_date(q.awarded_on),
            "evidence": q.evidence,
            "status": q.get_status_display(),
            "tag": {"confirmed": "green", "recorded": "yellow", "superseded": "grey"}[q.status],
            "waiting": q.status == QualificationStatus.RECORDED,
            "confirmed": q.status == QualificationStatus.CONFIRMED,
        }
        for q in qualifications
    ]


def skills_rows(latest: dict[str, SkillsResult], today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "subject": result.get_subject_display(),
            "level": result.get_level_display(),
            "assessed_on": uk_date(result.assessed_on),
            "reassess_on": uk_date(result.reassess_on),
            "reassess_due": result.reassess_on <= today,
            "signpost": SIGNPOSTS[SkillsLevel(result.level)],
        }
        for result in latest.values()
    ]


def hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def progress_summary(apprenticeship: Apprenticeship, progress: Progress) -> dict[str, Any]:
    rule = progress.rule
    return {
        "required": hours(progress.required),
        "logged": hours(progress.logged),
        "expected": hours(progress.expected_by_now),
        "shortfall": hours(progress.shortfall),
        "behind": progress.behind,
        "weekly": hours(progress.weekly_to_catch_up),
        "rule": rule.source if rule else "No off-the-job rule covers this start date.",
        "gateway": uk_date(apprenticeship.gateway_on),
        "percent": min(int(progress.logged / progress.required * 100), 100) if progress.required else 0,
    }


def apprenticeship_summary(apprenticeship: Apprenticeship) -> dict[str, Any]:
    standard = apprenticeship.standard
    return {
        "pk": apprenticeship.pk,
        "standard": f"{standard.title} (level {standard.level}, {standard.code} version {standard.version})",
        "provider": apprenticeship.provider,
        "start": uk_date(apprenticeship.start_date),
        "planned_end": uk_date(apprenticeship.planned_end_date),
        "hours": hours(apprenticeship.contracted_hours),
        "epa": uk_date(apprenticeship.epa_on),
        "grade": apprenticeship.get_epa_grade_display(),
        "outcome": apprenticeship.get_outcome_display(),
    }


def apprenticeship_rows(
    apprenticeships: Sequence[Apprenticeship], progress: dict[int, Progress], *, with_person: bool = False
) -> list[dict[str, Any]]:
    """Each apprenticeship with a flag when its off-the-job hours are behind, so the apprentice, their manager
    and the educator see a shortfall early, wherever they look."""
    rows = []
    for a in apprenticeships:
        found = progress[a.pk]
        rows.append(
            {
                **apprenticeship_summary(a),
                "person": a.person.display_name if with_person else "",
                "behind": found.behind and not a.outcome,
                "shortfall": hours(found.shortfall),
            }
        )
    return rows


def entry_rows(entries: Sequence[OffTheJobEntry]) -> list[dict[str, str]]:
    return [
        {"on": uk_date(e.on), "hours": hours(e.hours), "activity": e.activity, "ksbs": ", ".join(e.ksbs)}
        for e in entries
    ]


@dataclass(frozen=True)
class ReadyRow:
    step: str
    pathway: str
    ready: list[str]
    nearly: list[tuple[str, str]]


def organisation_rows(
    steps: Sequence[Step], people: Sequence[Person], found: dict[tuple[int, int], StepReadiness]
) -> list[ReadyRow]:
    rows = []
    for step in steps:
        ready: list[str] = []
        nearly: list[tuple[str, str]] = []
        for person in people:
            result = found[(person.pk, step.pk)]
            if result.ready:
                ready.append(person.display_name)
            elif result.nearly:
                nearly.append((person.display_name, "; ".join(r.summary for r in result.short)))
        rows.append(ReadyRow(step.title, step.pathway.title, ready, nearly))
    return rows


def _cell(value: int, *, suppress: bool) -> str:
    if suppress and 0 < value < SMALL_NUMBER:
        return SUPPRESSED
    return count(value)


def cohort_rows(counts: dict[int, dict[str, int]], *, suppress: bool = True) -> list[dict[str, str]]:
    """Outcomes by the year apprentices started. Counts of 1 to 4 read "[c]"; the share kept on or progressed
    is shown only when the cohort's finished apprentices number 5 or more."""
    rows = []
    for year, values in counts.items():
        finished = sum(values.get(o, 0) for o in Outcome.values)
        stayed = values.get(Outcome.KEPT_ON, 0) + values.get(Outcome.PROGRESSED, 0)
        share = (
            f"{round(stayed / finished * 100)}%"
            if finished >= SMALL_NUMBER or (finished and not suppress)
            else "[c]"
            if finished
            else ""
        )
        rows.append(
            {
                "cohort": str(year),
                "started": _cell(sum(values.values()), suppress=suppress),
                "kept_on": _cell(values.get(Outcome.KEPT_ON, 0), suppress=suppress),
                "progressed": _cell(values.get(Outcome.PROGRESSED, 0), suppress=suppress),
                "left": _cell(values.get(Outcome.LEFT, 0), suppress=suppress),
                "ongoing": _cell(values.get("ongoing", 0), suppress=suppress),
                "stayed": share,
            }
        )
    return rows
