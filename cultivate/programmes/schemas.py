"""Response and request shapes of the programmes API. Dates are ISO 8601; times are aware (UTC offset)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from cultivate.core.api_types import DbId, Text


class CohortBriefOut(Schema):
    id: int
    name: str
    capacity: int
    status: str
    size: int


class SessionOut(Schema):
    id: int
    programme_id: int
    cohort_id: int | None
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    joining_link: str
    facilitator: str


class ProgrammeOut(Schema):
    id: int
    title: str
    owner_organisation: str | None
    owner_alliance: str | None
    weeks: int
    delivery: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    cohort_capacity: int
    min_attendance_pct: int
    require_self_assessments: bool


class ProgrammeDetailOut(ProgrammeOut):
    aims: str
    dimensions: list[str]
    cohorts: list[CohortBriefOut]
    sessions: list[SessionOut]


class ApplicationOut(Schema):
    id: int
    programme_id: int
    person_id: int
    name: str
    organisation: str
    kind: str
    status: str
    reason: str
    protected_time_agreed: bool
    cohort_id: int | None


class MemberOut(Schema):
    """A cohort member's programme record: what the alliance grant shares, nothing of the staff record."""

    participant_id: int
    name: str
    organisation: str
    partner_group: int | None


class CohortOut(Schema):
    id: int
    programme_id: int
    name: str
    capacity: int
    status: str
    members: list[MemberOut]


class AttendanceOut(Schema):
    session_id: int
    participant_id: int
    status: str
    method: str


class CheckInIn(Schema):
    participant_id: DbId
    code: Text
