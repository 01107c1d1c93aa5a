"""Programme records as page data: labels for codes, dates in words, attendance figures and aggregate survey
answers with small numbers suppressed ("[c]": fewer than 5 people)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cultivate.core.formatting import count, percent, uk_date

from .models import (
    AllocationRun,
    Application,
    ApplicationStatus,
    AttendanceStatus,
    Cohort,
    Participant,
    Programme,
    Session,
)
from .selectors import AttendanceFigures

SMALL_NUMBER = 5
SUPPRESSED = "[c]"

STATUS_TAGS = {
    ApplicationStatus.SUBMITTED: "blue",
    ApplicationStatus.MANAGER_APPROVED: "aqua-green",
    ApplicationStatus.OFFERED: "purple",
    ApplicationStatus.ACCEPTED: "green",
    ApplicationStatus.DECLINED: "grey",
    ApplicationStatus.WITHDRAWN: "grey",
    ApplicationStatus.WAITING_LIST: "yellow",
}


def owner(programme: Programme) -> str:
    return str(programme.organisation or programme.alliance)


def dates(programme: Programme) -> str:
    return f"{uk_date(programme.starts_on)} to {uk_date(programme.ends_on)}"


def session_when(session: Session) -> str:
    start = uk_date(session.starts_at)
    return f"{start} to {session.ends_at.astimezone(session.starts_at.tzinfo):%H:%M}"


def status_tag(application: Application) -> dict[str, str]:
    return {
        "text": application.get_status_display(),
        "classes": f"nhsuk-tag--{STATUS_TAGS.get(ApplicationStatus(application.status), 'grey')}",
    }


def name(participant: Participant | Application) -> str:
    person = participant.person
    return f"{person.given_name} {person.family_name}".strip() or person.staff_id


def share(part: int, whole: int, *, people: int | None = None) -> str:
    """A percentage, suppressed when it stands for fewer than 5 people."""
    if whole == 0:
        return "–"
    if (people if people is not None else whole) < SMALL_NUMBER:
        return SUPPRESSED
    return percent(part / whole)


def kpi_rows(figures: Sequence[AttendanceFigures]) -> list[list[dict[str, Any]]]:
    rows = []
    for f in figures:
        suppressed = 0 < f.people < SMALL_NUMBER
        completion = "Not closed yet" if f.completed is None else share(f.completed, f.closed_people)
        rows.append(
            [
                {"text": f.label},
                {"text": SUPPRESSED if suppressed else count(f.people), "format": "numeric"},
                {"text": share(f.present, f.expected, people=f.people), "format": "numeric"},
                {"text": completion, "format": "numeric"},
            ]
        )
    return rows


def rating_summary(ratings: Iterable[int]) -> dict[str, str]:
    values = list(ratings)
    n = len(values)
    if n < SMALL_NUMBER:
        return {
            "n": SUPPRESSED if n else "0",
            "mean": SUPPRESSED if n else "–",
            "high": SUPPRESSED if n else "–",
        }
    return {
        "n": count(n),
        "mean": f"{sum(values) / n:.1f}",
        "high": percent(sum(1 for v in values if v >= 4) / n),
    }


def run_summary(run: AllocationRun | None) -> list[dict[str, Any]]:
    """The optimiser's figures in words for the lead."""
    if run is None:
        return []
    quality = "proven best possible" if run.optimal else f"within {run.gap_pct:.1f}% of the best possible"
    return [
        {"key": {"text": "Last run"}, "value": {"text": uk_date(run.at)}},
        {"key": {"text": "People placed"}, "value": {"text": count(run.placed)}},
        {"key": {"text": "Mix score (lower is better mixed)"}, "value": {"text": f"{run.objective:g}"}},
        {"key": {"text": "Best score the solver could prove possible"}, "value": {"text": f"{run.bound:g}"}},
        {"key": {"text": "Quality"}, "value": {"text": quality}},
    ]


def attendance_label(status: str | None) -> str:
    return AttendanceStatus(status).label if status else "Not recorded"


def cohort_choice_label(cohort: Cohort) -> str:
    return f"{cohort.name} ({cohort.capacity} places)"
