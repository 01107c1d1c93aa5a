"""Response shapes of the credentials API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema


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
    reason: str
