"""Turn people, spells and organisations into display data for templates (labels, tags, rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from cultivate.accounts.models import Membership, Role
from cultivate.core.formatting import fte as format_fte
from cultivate.core.formatting import uk_date

from . import reference, selectors
from .models import EmploymentSpell, Organisation, Person

SMALL_NUMBER = 5


def suppress(count: int, membership: Membership | None) -> str:
    """Counts under 5 are hidden from roles without individual-level access to the whole organisation."""
    if (membership is None or membership.role != Role.ORG_ADMIN) and 0 < count < SMALL_NUMBER:
        return "fewer than 5"
    return f"{count:,}"


def _status_tag(current: list[EmploymentSpell]) -> dict[str, str]:
    if current:
        return {"text": "In post", "classes": "nhsuk-tag--green"}
    return {"text": "Left", "classes": "nhsuk-tag--grey"}


def staff_rows(people: Iterable[Person]) -> list[dict[str, Any]]:
    rows = []
    for person in people:
        current: list[EmploymentSpell] = getattr(person, "current_spells", [])
        main = current[0] if current else None
        rows.append(
            {
                "pk": person.pk,
                "name": person.display_name,
                "href": reverse("organisations:person", args=[person.pk]),
                "staff_id": person.staff_id,
                "job_title": (main.job_title or main.job_role) if main else "",
                "role": str(main.role) if main and main.role else "",
                "band": main.get_afc_band_display() if main else "",
                "team": str(main.team) if main and main.team else "",
                "fte": format_fte(sum(s.fte for s in current)) if current else "",
                "status": _status_tag(current),
            }
        )
    return rows


def person_detail(
    person: Person, history: list[EmploymentSpell], *, show_characteristics: bool
) -> dict[str, Any]:
    current = [s for s in history if s.is_current]
    summary = [
        ("Staff ID", person.staff_id),
        ("Organisation", person.organisation.name),
        ("Email", person.email or "Not recorded"),
    ]
    for spell in current:
        summary.append(
            (
                "Current post",
                ", ".join(
                    filter(
                        None,
                        [
                            spell.job_title or spell.job_role,
                            spell.get_afc_band_display(),
                            str(spell.team) if spell.team else "",
                            f"{format_fte(spell.fte)} FTE",
                        ],
                    )
                ),
            )
        )
    if not current:
        summary.append(
            ("Current post", "None – has left the organisation" if history else "No employment recorded")
        )
    characteristics = []
    if show_characteristics:
        ethnic = reference.ethnic_categories().get(person.ethnic_category, ("Not known", ""))[0]
        characteristics = [
            ("Year of birth", str(person.year_of_birth) if person.year_of_birth else "Not recorded"),
            ("Sex", person.get_sex_display()),
            ("Ethnic category", ethnic),
            ("Disability", person.get_disability_display()),
            ("Religion or belief", person.religion or "Not recorded"),
            ("Sexual orientation", person.sexual_orientation or "Not recorded"),
            ("Nationality", person.nationality or "Not recorded"),
        ]
    spells = [
        {
            "title": spell.job_title or spell.job_role or "Post",
            "role": str(spell.role) if spell.role else "Not mapped to a support role",
            "band": spell.get_afc_band_display(),
            "team": str(spell.team) if spell.team else "",
            "contract": spell.get_contract_type_display(),
            "fte": format_fte(spell.fte),
            "start": uk_date(spell.start_date),
            "end": uk_date(spell.end_date, "Current"),
            "leaving_reason": spell.leaving_reason,
            "line_manager": spell.line_manager.display_name if spell.line_manager else "",
            "current": spell.is_current,
        }
        for spell in history
    ]
    return {"summary": summary, "characteristics": characteristics, "spells": spells}


def organisation_rows(
    membership: Membership | None, organisations: QuerySet[Organisation]
) -> list[dict[str, Any]]:
    counts = selectors.organisation_headcounts(organisations)
    return [
        {
            "name": org.name,
            "href": reverse("organisations:organisation", args=[org.ods_code]),
            "ods_code": org.ods_code,
            "kind": org.get_kind_display(),
            "headcount": suppress(counts.get(org.pk, 0), membership),
        }
        for org in organisations
    ]


def organisation_summary(membership: Membership | None, organisation: Organisation) -> dict[str, Any]:
    summary = selectors.organisation_summary(organisation)
    return {
        "headcount": suppress(summary.headcount, membership),
        "fte": f"{summary.fte:,.1f}",
        "teams": summary.teams,
        "sites": summary.sites,
        "by_band": [(band, suppress(n, membership)) for band, n in summary.by_band],
        "by_team": [(name, setting, suppress(n, membership)) for name, setting, n in summary.by_team],
    }
