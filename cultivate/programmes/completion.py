"""The completion hook: closing a cohort announces who completed, so another app (credentials) can act on it
without the programmes app importing that app. Pure: no model imports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from cultivate.core.audit import AuditContext


@dataclass(frozen=True)
class ProgrammeCompletion:
    participant_id: int
    person_id: int
    programme_id: int
    cohort_id: int
    issuer_organisation_id: int | None
    issuer_alliance_id: int | None  # the programme's owner: one of the two is set
    title: str
    description: str
    criteria: str
    completed_on: date
    hours: float | None
    competence_identifiers: tuple[str, ...]  # CASE identifiers of framework competences the programme covers


CompletionListener = Callable[[AuditContext, Sequence[ProgrammeCompletion]], None]

_listeners: list[CompletionListener] = []


def register_completion_listener(listener: CompletionListener) -> None:
    """Called from another app's `ready()`; registering the same listener again (tests reload apps) is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce_completions(ctx: AuditContext, completions: Sequence[ProgrammeCompletion]) -> None:
    """Tell every listener, inside the caller's transaction: a listener that fails undoes the closing."""
    if not completions:
        return
    for listener in list(_listeners):
        listener(ctx, completions)
