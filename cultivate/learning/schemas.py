"""Response shapes of the learning API. Dates are ISO 8601 (`YYYY-MM-DD`), times with their offset; money in
pounds as a decimal string."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .compliance import ComplianceState
from .models import DeliveryMode, EnrolmentStatus, OfferKind, Part


class DevelopsOut(Schema):
    competence_id: int
    identifier: str
    framework: str
    title: str
    part: Part
    up_to_level: str = Field(description="Empty: any level.")


class SessionOut(Schema):
    id: int
    offer_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    capacity: int
    places_taken: int
    is_cancelled: bool


class OfferOut(Schema):
    id: int
    code: str
    title: str
    kind: OfferKind
    provider: str
    mode: DeliveryMode
    hours: Decimal
    cost_per_place: Decimal
    capacity: int | None = Field(
        description="Places per session; null for self-paced learning with no limit."
    )
    credits: int | None
    academic_level: str
    accreditation: str
    organisation: str | None = Field(description="ODS code of the owning organisation; null when shared.")
    alliance: str | None = Field(
        description="Code of the alliance that shares it; null when an organisation's."
    )
    mandatory_subject: str | None


class OfferDetailOut(OfferOut):
    develops: list[DevelopsOut]
    upcoming_sessions: list[SessionOut]


class EnrolmentOut(Schema):
    id: int
    session: SessionOut
    offer_title: str
    status: EnrolmentStatus
    protected_time: bool


class CompletionOut(Schema):
    id: int
    offer_id: int | None
    title: str
    subject: str | None
    completed_on: dt.date
    hours: Decimal
    cost: Decimal
    source: str
    evidence_id: int | None = Field(description="The portfolio evidence it stands as, if any.")


class SubjectStatusOut(Schema):
    subject: str
    code: str
    state: ComplianceState
    completed_on: dt.date | None
    expires_on: dt.date | None


class SubjectFiguresOut(Schema):
    subject: str
    required: int | None = Field(description="Null when suppressed (fewer than 5 people).")
    up_to_date: int | None
    expired: int | None
    not_done: int | None
    expiring_30: int | None
    expiring_60: int | None
    expiring_90: int | None


class ComplianceOut(Schema):
    organisation: str
    date: dt.date
    people: int
    required: int
    up_to_date: int
    rate: float | None = Field(description="Share of required person–subject pairs up to date, 0 to 1.")
    subjects: list[SubjectFiguresOut]


class GapOfferOut(Schema):
    id: int
    title: str
    next_session: SessionOut | None


class GapOut(Schema):
    title: str
    kind: str = Field(description="`mandatory` (a mandatory subject) or `competence` (required by the role).")
    state: str
    deadline: dt.date | None
    essential: bool
    levels_below: int
    required_level: str
    competence_id: int | None
    offers: list[GapOfferOut]


class EnrolmentIn(Schema):
    note: str = Field(default="", max_length=300, pattern="^[^\\u0000]*$")
