"""Statutory and mandatory training compliance, computed from completions, never stored.

A person must hold a subject when a requirement of their organisation names their current support role (or
every role) and the setting of their current team (or every setting). A subject is in date from its latest
completion until the renewal period the organisation sets has passed. Everything here works in batches: three
queries for any number of people, so a team, an organisation and the gap analysis cost the same in queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Max
from django.utils import timezone

from cultivate.organisations.models import ContractType, EmploymentSpell
from cultivate.portfolio.services import add_months

from .models import Completion, MandatoryRequirement, MandatorySubject

# The windows a board reads: what expires within 30, 60 and 90 days.
EXPIRY_WINDOWS = (30, 60, 90)
EXPIRING_SOON_DAYS = 30


class ComplianceState(models.TextChoices):
    IN_DATE = "in_date", "Up to date"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    MISSING = "missing", "Not done"


# States that count as compliant: the training is in date today (expiring soon still counts).
COMPLIANT_STATES = frozenset({ComplianceState.IN_DATE, ComplianceState.EXPIRING})


@dataclass(frozen=True)
class SubjectStatus:
    """One person's standing in one required subject on a day."""

    subject: MandatorySubject
    state: ComplianceState
    completed_on: dt.date | None = None
    expires_on: dt.date | None = None

    @property
    def is_compliant(self) -> bool:
        return self.state in COMPLIANT_STATES

    @property
    def label(self) -> str:
        return str(self.state.label)


@dataclass(frozen=True)
class Post:
    """What decides a person's required subjects: organisation, role and the setting of their team."""

    organisation_id: int
    role_id: int | None
    setting: str


def current_posts(person_ids: Sequence[int], on: dt.date) -> dict[int, list[Post]]:
    """Each person's posts on a day (one query). Bank spells count only for people with no other post."""
    spells = list(
        EmploymentSpell.objects.active_on(on)
        .filter(person_id__in=person_ids)
        .values_list("person_id", "person__organisation_id", "role_id", "team__setting", "contract_type")
    )
    substantive = {row[0] for row in spells if row[4] != ContractType.BANK}
    posts: dict[int, list[Post]] = defaultdict(list)
    for person_id, organisation_id, role_id, setting, contract in spells:
        if contract == ContractType.BANK and person_id in substantive:
            continue
        post = Post(organisation_id, role_id, setting or "")
        if post not in posts[person_id]:
            posts[person_id].append(post)
    return posts


def required_subjects(
    person_ids: Sequence[int], *, on: dt.date | None = None
) -> dict[int, list[MandatorySubject]]:
    """The active subjects each person must hold on a day, by name (two queries)."""
    on = on or timezone.localdate()
    posts = current_posts(person_ids, on)
    organisation_ids = {post.organisation_id for found in posts.values() for post in found}
    requirements = list(
        MandatoryRequirement.objects.filter(
            subject__organisation_id__in=organisation_ids, subject__is_active=True
        ).select_related("subject")
    )
    by_organisation: dict[int, list[MandatoryRequirement]] = defaultdict(list)
    for requirement in requirements:
        by_organisation[requirement.subject.organisation_id].append(requirement)
    # People in the same post need the same subjects: worked out once per post.
    per_post: dict[Post, list[MandatorySubject]] = {}
    result: dict[int, list[MandatorySubject]] = {}
    for person_id in person_ids:
        subjects: dict[int, MandatorySubject] = {}
        for post in posts.get(person_id, []):
            found = per_post.get(post)
            if found is None:
                found = per_post[post] = [
                    r.subject
                    for r in by_organisation.get(post.organisation_id, [])
                    if (r.role_id is None or r.role_id == post.role_id)
                    and (not r.setting or r.setting == post.setting)
                ]
            for subject in found:
                subjects[subject.pk] = subject
        result[person_id] = sorted(subjects.values(), key=lambda s: (s.name, s.pk))
    return result


def latest_completions(
    person_ids: Sequence[int], subject_ids: Iterable[int]
) -> dict[tuple[int, int], dt.date]:
    """The latest completion of each subject by each person (one query)."""
    subject_ids = list(set(subject_ids))
    if not person_ids or not subject_ids:
        return {}
    return {
        (row["person_id"], row["subject_id"]): row["last"]
        for row in Completion.objects.filter(person_id__in=person_ids, subject_id__in=subject_ids)
        .values("person_id", "subject_id")
        .annotate(last=Max("completed_on"))
    }


def status_of(
    subject: MandatorySubject,
    completed_on: dt.date | None,
    *,
    on: dt.date,
    soon_days: int = EXPIRING_SOON_DAYS,
) -> SubjectStatus:
    if completed_on is None:
        return SubjectStatus(subject, ComplianceState.MISSING)
    # In date up to the day before the renewal falls due; on that day it has expired.
    expires_on = add_months(completed_on, subject.renewal_months)
    if expires_on <= on:
        state = ComplianceState.EXPIRED
    elif expires_on <= on + dt.timedelta(days=soon_days):
        state = ComplianceState.EXPIRING
    else:
        state = ComplianceState.IN_DATE
    return SubjectStatus(subject, state, completed_on, expires_on)


def mandatory_status_for_people(
    person_ids: Sequence[int], on: dt.date | None = None, *, soon_days: int = EXPIRING_SOON_DAYS
) -> dict[int, list[SubjectStatus]]:
    """For each person, their standing in every subject they must hold on a day, by subject name. Three
    queries whatever the number of people. People with no post that day have no required subjects."""
    on = on or timezone.localdate()
    person_ids = list(person_ids)
    required = required_subjects(person_ids, on=on)
    latest = latest_completions(person_ids, {s.pk for subjects in required.values() for s in subjects})
    return {
        person_id: [
            status_of(subject, latest.get((person_id, subject.pk)), on=on, soon_days=soon_days)
            for subject in subjects
        ]
        for person_id, subjects in required.items()
    }


@dataclass
class SubjectFigures:
    """One subject's compliance across a group of people."""

    subject: MandatorySubject
    required: int = 0
    compliant: int = 0
    expired: int = 0
    missing: int = 0
    # How many in-date completions expire within each window (30, 60, 90 days).
    expiring: dict[int, int] | None = None

    @property
    def rate(self) -> float | None:
        return self.compliant / self.required if self.required else None


@dataclass
class ComplianceFigures:
    """A group's compliance: overall (the share of required subject-person pairs in date) and per subject."""

    people: int
    required: int
    compliant: int
    subjects: list[SubjectFigures]

    @property
    def rate(self) -> float | None:
        return self.compliant / self.required if self.required else None


def compliance_figures(statuses: dict[int, list[SubjectStatus]], *, on: dt.date) -> ComplianceFigures:
    """Add up the statuses of a group (from `mandatory_status_for_people`)."""
    by_subject: dict[int, SubjectFigures] = {}
    for found in statuses.values():
        for status in found:
            figures = by_subject.get(status.subject.pk)
            if figures is None:
                figures = by_subject[status.subject.pk] = SubjectFigures(
                    status.subject, expiring=dict.fromkeys(EXPIRY_WINDOWS, 0)
                )
            figures.required += 1
            if status.is_compliant:
                figures.compliant += 1
                assert figures.expiring is not None and status.expires_on is not None
                for window in EXPIRY_WINDOWS:
                    if status.expires_on <= on + dt.timedelta(days=window):
                        figures.expiring[window] += 1
            elif status.state == ComplianceState.EXPIRED:
                figures.expired += 1
            else:
                figures.missing += 1
    subjects = sorted(by_subject.values(), key=lambda f: (f.subject.name, f.subject.pk))
    return ComplianceFigures(
        people=sum(1 for found in statuses.values() if found),
        required=sum(f.required for f in subjects),
        compliant=sum(f.compliant for f in subjects),
        subjects=subjects,
    )
