"""The audit log in words: role labels instead of codes, the person an event is about named, and each detail as
a labelled value ("Teams: none"), never a raw dictionary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from cultivate.accounts.models import Role
from cultivate.core.audit import PERSON_KEY, PERSON_MODEL, SYSTEM_JOB_KEY
from cultivate.core.audit_actions import label as action_label
from cultivate.core.formatting import uk_date
from cultivate.core.models import AuditEvent
from cultivate.organisations.models import Person

ROLE_LABELS: dict[str, str] = {str(value): str(text) for value, text in Role.choices}
# Detail keys whose plain reading would mislead or say too little.
KEY_LABELS = {
    "ip": "Address",
    "ods_code": "ODS code",
    "pk": "Record",
    "id": "Record",
    "fte": "FTE",
    "afc_band": "Band",
    "format": "File format",
    "on": "As on",
}


@dataclass(frozen=True)
class AuditRow:
    when: str
    who: str
    role: str
    what: str
    about: str
    person: str
    person_href: str
    source: str
    details: list[tuple[str, str]]


def key_words(key: str) -> str:
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    words = key.removesuffix("_id").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) or key


def value_words(value: Any) -> str:
    """A detail's value for a person to read: lists joined, yes and no, dates as "6 December 2026", roles
    by their labels."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(item) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key_words(str(k))}: {value_words(v)}" for k, v in value.items())
    if isinstance(value, str):
        if value in ROLE_LABELS:
            return ROLE_LABELS[value]
        try:
            return uk_date(dt.date.fromisoformat(value)) if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)


def person_of(event: AuditEvent) -> int | None:
    if event.object_type == PERSON_MODEL and event.object_id.isdigit():
        return int(event.object_id)
    found = (event.detail or {}).get(PERSON_KEY)
    return found if isinstance(found, int) else None


def people_in(events: Iterable[AuditEvent]) -> set[int]:
    return {pk for pk in (person_of(event) for event in events) if pk is not None}


def audit_row(event: AuditEvent, people: Mapping[int, Person]) -> AuditRow:
    detail = event.detail or {}
    person_id = person_of(event)
    person = people.get(person_id) if person_id is not None else None
    system_job = detail.get(SYSTEM_JOB_KEY)
    who = event.actor_email or (f"System: {system_job}" if system_job else "Someone not signed in")
    return AuditRow(
        when=uk_date(event.at),
        who=who,
        role=ROLE_LABELS.get(event.actor_role, event.actor_role),
        what=action_label(event.action),
        about=event.object_repr,
        person=person.display_name if person is not None else "",
        person_href=reverse("organisations:person", args=[person.pk]) if person is not None else "",
        source=event.ip_address or "",
        details=[
            (key_words(key), value_words(value))
            for key, value in detail.items()
            if key not in {SYSTEM_JOB_KEY, PERSON_KEY}
        ],
    )


EXPORT_HEADER = ["When", "Who", "Role", "What", "About", "Person", "From", "Detail"]


def export_rows(rows: Iterable[AuditRow]) -> list[list[str]]:
    return [
        [
            row.when,
            row.who,
            row.role,
            row.what,
            row.about,
            row.person,
            row.source,
            "; ".join(f"{key}: {value}" for key, value in row.details),
        ]
        for row in rows
    ]
