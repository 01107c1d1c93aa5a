from __future__ import annotations

from datetime import date

import pytest

from cultivate.core.audit import AuditContext
from cultivate.programmes import completion
from cultivate.programmes.completion import (
    ProgrammeCompletion,
    announce_completions,
    register_completion_listener,
)


@pytest.fixture
def listeners(monkeypatch):
    monkeypatch.setattr(completion, "_listeners", [])


def one() -> ProgrammeCompletion:
    return ProgrammeCompletion(
        participant_id=1,
        person_id=2,
        programme_id=3,
        cohort_id=4,
        issuer_organisation_id=5,
        issuer_alliance_id=None,
        title="T",
        description="D",
        criteria="C",
        completed_on=date(2026, 1, 1),
        hours=10.0,
        competence_identifiers=("abc",),
    )


def test_listeners_hear_each_completion_once_registered_once(listeners):
    heard = []

    def listener(ctx, completions):
        heard.append((ctx.system_job, list(completions)))

    register_completion_listener(listener)
    register_completion_listener(listener)
    announce_completions(AuditContext.system("test"), [one()])
    assert heard == [("test", [one()])]


def test_nothing_is_announced_for_no_completions(listeners):
    heard = []
    register_completion_listener(lambda ctx, completions: heard.append(completions))
    announce_completions(AuditContext.system("test"), [])
    assert heard == []
