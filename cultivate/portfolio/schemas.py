"""Request and response shapes of the delegation API. Dates are ISO 8601 (`YYYY-MM-DD`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from cultivate.core.api_types import ApiDate, DbId, Text
from cultivate.organisations.models import TeamSetting
from cultivate.organisations.schemas import OdsCode

from .delegation import ReasonCode

REASON_CODES_TEXT = "; ".join(f"`{code}` {label.lower()}" for code, label in ReasonCode.LABELS.items())


# The one-of rules of DelegationCheckIn, for the OpenAPI document (the model validator enforces the same):
# exactly one of person_id and staff_id (organisation only with staff_id), exactly one of team_id and team.
_ONE_OF_RULES: dict[str, Any] = {
    "allOf": [
        {
            "oneOf": [
                {
                    "title": "By person_id",
                    "required": ["person_id"],
                    "properties": {
                        "person_id": {"type": "integer"},
                        "staff_id": {"type": "null"},
                        "organisation": {"type": "null"},
                    },
                },
                {
                    "title": "By staff_id",
                    "required": ["staff_id"],
                    "properties": {"staff_id": {"type": "string"}, "person_id": {"type": "null"}},
                },
            ]
        },
        {
            "oneOf": [
                {
                    "title": "By team_id",
                    "required": ["team_id"],
                    "properties": {"team_id": {"type": "integer"}, "team": {"type": "null"}},
                },
                {
                    "title": "By team name",
                    "required": ["team"],
                    "properties": {"team": {"type": "string"}, "team_id": {"type": "null"}},
                },
            ]
        },
    ]
}


class DelegationCheckIn(Schema):
    """Who, what, where and when. Name the person by `person_id` or by `staff_id` (one of them, never both;
    `organisation` goes with `staff_id`, when the role's organisation is not theirs), and the team by `team_id`
    or by `team` (its name; one of them, never both). A request that breaks these rules answers 422."""

    model_config = ConfigDict(json_schema_extra=_ONE_OF_RULES)

    person_id: DbId | None = Field(default=None, description="Cultivate's id of the person.", examples=[115])
    staff_id: Text | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="The employer's staff identifier (ESR person id), instead of `person_id`.",
        examples=["10402312"],
    )
    organisation: OdsCode | None = Field(
        default=None,
        description="ODS code of the person's organisation, with `staff_id`; the role's own by default.",
        examples=["RZ8"],
    )
    protocol: Text = Field(
        min_length=1,
        max_length=60,
        description="The protocol's code (see GET /api/delegation/protocols).",
        examples=["capillary-blood-glucose"],
    )
    team_id: DbId | None = Field(default=None, description="The team's id.", examples=[3])
    team: Text | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The team's name (not case-sensitive), instead of `team_id`.",
        examples=["Wharfe Valley District Nursing"],
    )
    date: ApiDate | None = Field(
        default=None, description="The day asked about, from 1900-01-01 to 2199-12-31; today by default."
    )

    @model_validator(mode="after")
    def _one_of_each(self) -> DelegationCheckIn:
        if (self.person_id is None) == (self.staff_id is None):
            raise ValueError("Give either person_id or staff_id (one of them, not both).")
        if self.organisation and self.person_id is not None:
            raise ValueError("organisation goes with staff_id; leave it out with person_id.")
        if (self.team_id is None) == (self.team is None):
            raise ValueError("Give either team_id or team (one of them, not both).")
        return self


class CompetenceOut(Schema):
    id: int
    identifier: str = Field(description="The competence's CASE identifier, stable across versions.")
    code: str
    title: str
    framework: str


class ReasonOut(Schema):
    code: str = Field(description=f"Why the answer is no: {REASON_CODES_TEXT}.", examples=["expired"])
    message: str = Field(
        examples=["CBG1 Capillary blood glucose monitoring: the sign-off expired on 2 March 2026."]
    )
    competence: CompetenceOut | None = Field(
        default=None, description="The competence concerned, for competence reasons."
    )
    required_level: str = Field(description="The level (or band) needed, where one applies; empty otherwise.")
    held_level: str = Field(description="The level (or band) held, where one applies; empty otherwise.")


class RelianceOut(Schema):
    assessment_id: int = Field(description="The sign-off (assessment) relied on.")
    competence: CompetenceOut
    level: str
    level_label: str
    required_level: str
    assessed_on: dt.date | None
    expires_on: dt.date | None = Field(description="Null when the sign-off does not expire.")
    assessor_name: str


class PersonRef(Schema):
    id: int
    staff_id: str
    display_name: str
    organisation: str = Field(description="ODS code.")


class ProtocolRef(Schema):
    code: str
    activity: str
    delegating_role: str = Field(description="The registered role who delegates and stays accountable.")


class TeamRefOut(Schema):
    id: int
    name: str
    setting: TeamSetting


DECISION_EXAMPLE: dict[str, Any] = {
    "allowed": False,
    "answer": "no",
    "person": {"id": 115, "staff_id": "10402312", "display_name": "Carol Atkinson", "organisation": "RZ8"},
    "protocol": {
        "code": "insulin-stable-diabetes",
        "activity": "Insulin administration for a stable diabetic patient",
        "delegating_role": "Registered nurse (district nursing)",
    },
    "team": {"id": 3, "name": "Wharfe Valley District Nursing", "setting": "community"},
    "date": "2026-03-02",
    "reasons": [
        {
            "code": "expired",
            "message": "DN4 Insulin administration: the sign-off expired on 1 March 2026; needs reassessing at "
            "Independent.",
            "competence": {
                "id": 41,
                "identifier": "6f1c9a1e-2b1d-4c55-9d0e-6a3b8f1e2c47",
                "code": "DN4",
                "title": "Insulin administration",
                "framework": "Harrowdale community support worker framework",
            },
            "required_level": "independent",
            "held_level": "independent",
        }
    ],
    "relied_on": [],
    "conditions": ["Only for patients the registered nurse has assessed as stable in the last 7 days."],
    "lapses_on": None,
    "audit_event_id": 90211,
}


class DelegationDecisionOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [DECISION_EXAMPLE]})

    allowed: bool = Field(description="True: the person may carry out the activity, under the conditions.")
    answer: Literal["yes", "no"]
    person: PersonRef
    protocol: ProtocolRef
    team: TeamRefOut
    date: dt.date
    reasons: list[ReasonOut] = Field(description="Every reason the answer is no; empty when it is yes.")
    relied_on: list[RelianceOut] = Field(
        description="The sign-offs a yes relies on (empty when no): the evidence recorded in the audit log."
    )
    conditions: list[str] = Field(description="Supervision conditions, one a line, to show with the answer.")
    lapses_on: dt.date | None = Field(
        description="For a yes: the first day a relied-on sign-off will have expired, if any expires."
    )
    audit_event_id: int = Field(description="The audit log entry that records this answer.")


class ProtocolRequirementOut(Schema):
    competence: CompetenceOut
    min_level: str
    min_level_label: str


class ProtocolOut(Schema):
    code: str
    activity: str
    description: str
    delegating_role: str
    is_active: bool
    team_settings: list[TeamSetting] = Field(
        description="Settings where it applies; empty means every setting."
    )
    roles: list[str] = Field(description="Support roles it covers; empty means any support role.")
    min_band: str = Field(description="The lowest Agenda for Change band; empty for any band.")
    supervision: list[str] = Field(description="Supervision conditions, one a line.")
    requirements: list[ProtocolRequirementOut]
