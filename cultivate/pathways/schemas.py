"""Response shapes of the pathways API: labels beside every code, dates as ISO dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class RequirementOut(Schema):
    kind: str
    kind_label: str
    text: str
    evidenced_by: str
    qualifications: list[str]
    months: int | None
    band: str
    training: str


class StepOut(Schema):
    id: int
    code: str
    title: str
    band: str
    standard: str | None
    standard_level: int | None
    registered_with: str
    previous: int | None
    requirements: list[RequirementOut]


class PathwayOut(Schema):
    id: int
    code: str
    title: str
    description: str
    owner: str
    source: str
    steps: list[StepOut]


class QualificationOut(Schema):
    id: int
    kind: str
    label: str
    awarded_on: dt.date
    evidence: str
    status: str
    supersedes: int | None


class SkillsResultOut(Schema):
    subject: str
    level: str
    level_label: str
    assessed_on: dt.date
    reassess_on: dt.date


class QualificationsOut(Schema):
    person: int
    qualifications: list[QualificationOut]
    functional_skills: list[SkillsResultOut]


class ApprenticeshipOut(Schema):
    id: int
    standard: str
    standard_version: str
    level: int
    provider: str
    start_date: dt.date
    planned_end_date: dt.date
    contracted_hours: Decimal
    gateway_on: dt.date | None
    epa_on: dt.date | None
    epa_grade: str
    outcome: str
    off_the_job_required: Decimal
    off_the_job_logged: Decimal
    off_the_job_expected_by_now: Decimal
    behind: bool


class RequirementResultOut(Schema):
    kind: str
    summary: str
    state: str
    to_meet: str
    earliest: dt.date | None
    offers: list[str]


class StepReadinessOut(Schema):
    step: int
    title: str
    pathway: str
    ready: bool
    short: int
    earliest: dt.date | None
    requirements: list[RequirementResultOut]
