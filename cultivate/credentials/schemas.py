"""Response shapes of the credentials API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

from cultivate.core.api_types import Text


class CredentialOut(Schema):
    identifier: uuid.UUID
    kind: str
    title: str
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    revoked: bool
    shared: bool
    verification_url: str


class VerificationOut(Schema):
    outcome: str
    label: str
    reason: str
    issuer_id: str
    issuer_name: str
    issuer_known: bool
    name: str
    holder: str
    credential: dict[str, Any]


class RevokeIn(Schema):
    reason: Text = Field(
        min_length=1,
        max_length=300,
        description="Why it is revoked: shown to anyone who checks the credential.",
        examples=["Issued in error"],
    )
