"""Response shapes of the frameworks API. Identifiers are the CASE UUIDs, stable across versions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema

from cultivate.core.api_types import NO_NUL_PATTERN, ApiDate, DbId

from .models import FrameworkSource, NodeType, VersionStatus


class LevelOut(Schema):
    code: str
    label: str


class VersionOut(Schema):
    number: int
    label: str
    status: VersionStatus
    published_at: dt.datetime | None
    retired_at: dt.datetime | None


class FrameworkOut(Schema):
    identifier: uuid.UUID = Field(description="The CASE CFDocument identifier.")
    title: str
    description: str
    owner_kind: Literal["reference", "alliance", "organisation"] = Field(
        description="Who owns it: nobody (a reference framework), an alliance, or an organisation."
    )
    owner: str | None = Field(description="The owning alliance's code or organisation's ODS code.")
    extends: uuid.UUID | None = Field(
        description="For an organisation's local competences: the shared framework they add to."
    )
    source: FrameworkSource
    is_reference: bool
    published_version: int | None = Field(description="The number of the published version, if any.")
    adopted: bool = Field(description="Whether the acting role's organisation has adopted it.")


class CrosswalkOut(Schema):
    association_type: str = Field(description="exactMatchOf, isRelatedTo or isPartOf.")
    framework: uuid.UUID | None = Field(description="The target item's framework.")
    item: uuid.UUID | None = Field(description="The target item's identifier.")
    code: str
    title: str


class ItemOut(Schema):
    identifier: uuid.UUID = Field(description="The CASE CFItem identifier, the same in every version.")
    node_type: NodeType
    code: str
    title: str
    short_title: str
    kind: str = Field(description="knowledge, skill, behaviour or value; empty when not set.")
    levels: list[str] = Field(description="Level codes it can be signed off at; empty means all of them.")
    assessed_in_practice: bool
    evidence_kinds: list[str]
    reassess_months: int | None
    parent: uuid.UUID | None = Field(description="The identifier of the domain it sits in; null at the top.")
    sequence: int
    crosswalks: list[CrosswalkOut]


class FrameworkDetailOut(FrameworkOut):
    levels: list[LevelOut] = Field(description="The framework's levels, lowest first.")
    versions: list[VersionOut] = Field(description="Published and retired versions, newest first.")
    items: list[ItemOut] = Field(description="The published version's domains and competences, depth first.")


class RequirementOut(Schema):
    id: int
    role_id: int = Field(description="The support role's id (the same in every organisation).")
    role: str
    afc_band: str = Field(description="Empty: every band.")
    framework: uuid.UUID
    competence: uuid.UUID
    code: str
    title: str
    min_level: str
    within_days: int | None = Field(description="Days from starting in the role; null for no deadline.")
    starts_on: dt.date | None = Field(description="When the requirement began; null: the day it was added.")
    grace_days: int | None = Field(
        description="Days given to people already in post when it began, counted from `starts_on`; null: none."
    )
    current: bool = Field(
        description="False when the competence is no longer in the framework's published version."
    )


class RequirementIn(Schema):
    """A requirement for one or several roles at once: a competence, every competence in a domain, or (with no
    `item`) every competence of the framework's published version."""

    roles: list[DbId] = Field(min_length=1, max_length=100, description="Support role ids.")
    framework: uuid.UUID = Field(
        description="The framework's identifier; the organisation owns or adopts it."
    )
    item: uuid.UUID | None = Field(
        default=None,
        description="A competence or domain of the published version, by its CASE identifier; null for all.",
    )
    afc_band: str = Field(default="", pattern="^([1-9]|8[a-d]|NA)?$", description="Empty: every band.")
    min_level: str = Field(
        min_length=1, max_length=40, pattern=NO_NUL_PATTERN, description="A level code of the framework."
    )
    within_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days from starting in the role."
    )
    starts_on: ApiDate | None = Field(default=None, description="When it began; null: today.")
    grace_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days given to people already in post when it began."
    )
