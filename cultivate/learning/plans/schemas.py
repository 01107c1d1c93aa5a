"""Response shapes of the plans and supervision API. Dates are ISO 8601 (`YYYY-MM-DD`)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from cultivate.core.api_types import ApiDate, Text

from .models import PlanStatus


class GoalOut(Schema):
    id: int
    text: str
    action: str
    offer_id: int | None
    competence_id: int | None
    step_id: int | None
    target_on: dt.date | None
    is_done: bool


class PlanOut(Schema):
    id: int
    person_id: int
    status: PlanStatus
    starts_on: dt.date
    review_on: dt.date
    agreed_on: dt.date | None = Field(description="When the supervisor last agreed it (its last review).")
    changes_reason: str = Field(
        description="Why the supervisor asked for changes, while they are outstanding."
    )
    review_notes: str
    goals: list[GoalOut]


class MeetingOut(Schema):
    id: int
    person_id: int
    supervisor: str
    held_on: dt.date
    agreed_actions: str
    private_note: str | None = Field(
        description="Only for the two people in the meeting (the worker and the supervisor who recorded it); "
        "null for anyone else."
    )


class MeetingIn(Schema):
    held_on: ApiDate = Field(description="The day of the meeting: today or earlier.")
    agreed_actions: Text = Field(default="", max_length=4000)
    private_note: Text = Field(
        default="", max_length=4000, description="For the worker and you only; never returned to anyone else."
    )


class DecisionIn(Schema):
    agree: bool = Field(description="True to agree the plan; false to ask for changes (say why in `reason`).")
    reason: Text = Field(default="", max_length=2000)
    review_notes: Text = Field(default="", max_length=2000)
    review_on: ApiDate | None = Field(
        default=None, description="The next review, when agreeing; in the future."
    )
