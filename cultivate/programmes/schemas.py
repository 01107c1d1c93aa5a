"""Response and request shapes of the programmes API. Dates are ISO 8601; times are aware (UTC offset)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema

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


class CompetenceRefOut(Schema):
    """A framework competence the programme covers: its CASE item identifier goes on the certificates."""

    identifier: uuid.UUID
    framework: uuid.UUID
    framework_title: str
    code: str
    title: str


class ProgrammeDetailOut(ProgrammeOut):
    aims: str
    dimensions: list[str]
    competences: list[CompetenceRefOut]
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


class CompetencesIn(Schema):
    identifiers: list[uuid.UUID] = Field(
        max_length=500,
        description="CASE item identifiers of competences in the published version of a framework the role "
        "may see; the list replaces the programme's (empty: none).",
    )


class ApplicationIn(Schema):
    statement: Text = Field(min_length=1, max_length=2000, description="Why you want to take part.")
    availability: Text = Field(default="", max_length=300, description="When you can attend, in words.")
    cohort_ids: list[DbId] = Field(
        default=[], max_length=50, description="Cohorts of the programme you can attend; none: any of them."
    )


class ProtectedTimeIn(Schema):
    decision: Literal["agree", "decline"] = Field(
        description="The line manager agrees protected time or not."
    )
    reason: Text = Field(default="", max_length=250, description="Needed to decline; the applicant is told.")


class ApplicationMoveIn(Schema):
    status: Literal["offered", "waiting_list", "accepted", "declined", "withdrawn"] = Field(
        description="The lead offers a place or puts on the waiting list (or withdraws); the applicant "
        "accepts, declines or withdraws."
    )
    reason: Text = Field(
        default="", max_length=300, description="Needed for the waiting list, declining and withdrawing."
    )


class MarkIn(Schema):
    participant_id: DbId
    status: Literal["present", "absent", "excused"] = Field(description="`excused`: absent with apologies.")


class RegisterIn(Schema):
    marks: list[MarkIn] = Field(min_length=1, max_length=200)
