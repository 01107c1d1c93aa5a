"""Learning records → what pages and downloads show: labels, dates in words, money, and small numbers
suppressed in aggregates ("[c]": fewer than 5 people, as the insights pages show it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cultivate.core.formatting import count, money, percent, uk_date

from .compliance import ComplianceFigures, ComplianceState, SubjectStatus
from .gaps import CompetenceCoverage, PersonGap, TeamLine
from .models import Offer, Session
from .reports import EvaluationLine, SpendLine

SUPPRESSED = "[c]"
SMALL_NUMBER = 5

STATE_TAGS = {
    ComplianceState.IN_DATE: "nhsuk-tag--green",
    ComplianceState.EXPIRING: "nhsuk-tag--yellow",
    ComplianceState.EXPIRED: "nhsuk-tag--red",
    ComplianceState.MISSING: "nhsuk-tag--grey",
}


def suppressed(value: int, *, suppress: bool = True) -> str:
    """A count in an aggregate: under 5 (and not 0) shown as [c] unless the reader may see individuals."""
    if suppress and 0 < value < SMALL_NUMBER:
        return SUPPRESSED
    return count(value)


def rate(numerator: int, denominator: int, *, suppress: bool = True) -> str:
    if not denominator:
        return "–"
    if suppress and denominator < SMALL_NUMBER:
        return SUPPRESSED
    return percent(numerator / denominator)


def session_when(session: Session) -> str:
    """ "6 December 2026, 09:30 to 12:30" in London time."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{uk_date(starts)}, {starts:%H:%M} to {ends:%H:%M}"


def places(session: Session) -> str:
    taken = int(getattr(session, "taken", 0))
    left = max(session.capacity - taken, 0)
    return "Full" if left == 0 else f"{left} of {session.capacity} places left"


def offer_facts(offer: Offer) -> list[tuple[str, str]]:
    facts = [
        ("Kind", offer.get_kind_display()),
        ("Provider", offer.provider),
        ("How it is delivered", offer.get_mode_display()),
        ("Length", f"{offer.hours.normalize():f} hours"),
        ("Cost per place", money(offer.cost_per_place) if offer.cost_per_place else "Free"),
        ("Places per session", str(offer.capacity) if offer.capacity else "No limit"),
        ("Offered by", offer.organisation.name if offer.organisation else f"{offer.alliance} (shared)"),
    ]
    if offer.credits:
        facts.append(("Credits", str(offer.credits)))
    if offer.academic_level:
        facts.append(("Academic level", offer.academic_level))
    if offer.accreditation:
        facts.append(("Accreditation", offer.accreditation))
    if offer.subject is not None:
        facts.append(("Mandatory subject", offer.subject.name))
    return facts


def subject_row(status: SubjectStatus) -> dict[str, Any]:
    return {
        "name": status.subject.name,
        "state": status.label,
        "tag": STATE_TAGS[status.state],
        "completed": uk_date(status.completed_on, "Never"),
        "expires": uk_date(status.expires_on, "–"),
    }


def figures_rows(figures: ComplianceFigures, *, suppress: bool = True) -> list[dict[str, str]]:
    rows = []
    for subject in figures.subjects:
        expiring = subject.expiring or {}
        rows.append(
            {
                "name": subject.subject.name,
                "required": suppressed(subject.required, suppress=suppress),
                "rate": rate(subject.compliant, subject.required, suppress=suppress),
                "expired": suppressed(subject.expired, suppress=suppress),
                "missing": suppressed(subject.missing, suppress=suppress),
                **{
                    f"in_{days}": suppressed(expiring.get(days, 0), suppress=suppress)
                    for days in (30, 60, 90)
                },
            }
        )
    return rows


def deadline(day: dt.date | None, on: dt.date) -> str:
    if day is None:
        return "No date set"
    if day < on:
        return f"Overdue since {uk_date(day)}"
    if day == on:
        return "Due today"
    return uk_date(day)


def gap_row(gap: PersonGap, on: dt.date) -> dict[str, Any]:
    session = gap.next_session
    return {
        "title": gap.title,
        "kind": "Mandatory training" if gap.kind == "mandatory" else "Competence your role needs",
        "state": gap.state,
        "deadline": deadline(gap.deadline, on),
        "essential": "Essential" if gap.essential else "Needed, no date set",
        "below": (
            f"{gap.levels_below} level{'s' if gap.levels_below != 1 else ''} below {gap.required_level}"
            if gap.kind == "competence" and gap.levels_below
            else ""
        ),
        "offers": gap.offers,
        "session": session,
        "session_when": session_when(session) if session else "",
        "sessions": gap.next_sessions,
    }


def team_line_row(line: TeamLine, on: dt.date) -> dict[str, str]:
    return {
        "title": line.title,
        "kind": "Mandatory training" if line.kind == "mandatory" else "Competence",
        "lacking": f"{count(line.lacking)} of {count(line.required)}",
        "deadline": deadline(line.deadline, on),
    }


def coverage_row(line: CompetenceCoverage, roles: dict[int, str]) -> dict[str, Any]:
    return {
        "competence": f"{line.competence.code} {line.competence.label}".strip(),
        "framework": line.competence.framework.title,
        "finding": line.finding_label,
        "finding_code": line.finding,
        "people": count(line.people),
        "roles": ", ".join(sorted(roles.get(r, "") for r in line.roles)),
        "offers": ", ".join(o.title for o in line.offers) or "None",
        "available": count(line.available),
        "used": count(line.used),
    }


COVERAGE_COLUMNS = [
    ("competence", "Competence"),
    ("framework", "Framework"),
    ("finding", "Finding"),
    ("people", "People whose role requires it"),
    ("roles", "Roles"),
    ("offers", "Offers that develop it"),
    ("available", "Offers with a place in 6 months"),
    ("used", "Offers used in the last year"),
]


def money_text(value: Decimal) -> str:
    return money(value)


def evaluation_row(line: EvaluationLine) -> dict[str, str]:
    """Fewer than 5 responses are not shown as figures: they could be read back to a person."""
    small = line.responses < SMALL_NUMBER
    return {
        "name": line.name,
        "responses": suppressed(line.responses),
        "mean": SUPPRESSED if small else f"{line.mean:.1f} out of 5",
        "good": SUPPRESSED if small else percent(line.good / line.responses),
    }


def spend_row(line: SpendLine) -> dict[str, str]:
    small = 0 < line.people < SMALL_NUMBER
    return {
        "group": line.group,
        "people": suppressed(line.people),
        "completions": SUPPRESSED if small else count(line.completions),
        "cost": SUPPRESSED if small else money(line.cost),
        "per_head": SUPPRESSED if small else money(line.cost_per_head),
        "hours_per_head": SUPPRESSED if small else f"{line.hours_per_head:.1f}",
        "backfill": SUPPRESSED if small else f"{line.backfill_hours:.0f}",
    }


def coverage_workbook(rows: list[dict[str, Any]]) -> bytes:
    """The organisation's training gaps as an XLSX file: one row per required competence, every cell written
    through the shared export rule (no cell can run as a formula)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cultivate.core import exports

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Training gaps")
    sheet.append(exports.xlsx_row(sheet, [label for _, label in COVERAGE_COLUMNS], font=Font(bold=True)))
    for row in rows:
        sheet.append(exports.xlsx_row(sheet, [row[key] for key, _ in COVERAGE_COLUMNS]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
