"""The JSON-LD documents the credentials app signs: Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0)
and Bitstring Status List credentials. Pure functions of their inputs; `services` signs and stores them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from . import bitstring
from .jsonld import OB_V3, VC_V2

CONTEXT = [VC_V2, OB_V3]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_PURPOSE = "revocation"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def verification_url(identifier: uuid.UUID) -> str:
    return site_url(reverse("credentials:verify", args=[identifier]))


def status_list_url(public_key: str) -> str:
    return site_url(reverse("credentials:status_list", args=[public_key]))


def stamp(moment: dt.datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def day_start(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def day_end(day: dt.date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


@dataclass(frozen=True)
class Alignment:
    """A competence the achievement covers: its CASE item identifier, name and framework."""

    identifier: str
    name: str
    framework: str
    url: str

    def as_json(self) -> dict[str, Any]:
        return {
            "type": ["Alignment"],
            "targetCode": self.identifier,
            "targetName": self.name,
            "targetFramework": self.framework,
            "targetType": "CFItem",
            "targetUrl": self.url,
        }


@dataclass(frozen=True)
class Assessor:
    name: str
    registration_body: str
    registration_pin: str

    def as_json(self) -> dict[str, Any]:
        # A stable id for the assessor from their registration, naming nobody.
        name = f"assessor:{self.registration_body}:{self.registration_pin}"
        entry: dict[str, Any] = {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
            "type": ["Profile"],
            "name": self.name,
        }
        if self.registration_pin:
            entry["otherIdentifier"] = [
                {
                    "type": ["IdentifierEntry"],
                    "identifier": self.registration_pin,
                    "identifierType": f"ext:{self.registration_body or 'registration'}",
                }
            ]
        return entry


@dataclass(frozen=True)
class Award:
    """What a credential says: the achievement and, for a sign-off, the level and who assessed it."""

    name: str
    description: str
    criteria: str
    achievement_id: str
    achievement_type: str
    holder_name: str
    valid_from: str
    valid_until: str | None = None
    alignments: tuple[Alignment, ...] = ()
    version: str = ""
    human_code: str = ""
    level: str = ""
    assessor: Assessor | None = None
    extra_subject: dict[str, Any] = field(default_factory=dict)


def credential(
    *, identifier: uuid.UUID, issuer_did: str, issuer_name: str, status_list: str, index: int, award: Award
) -> dict[str, Any]:
    """The unsigned credential."""
    achievement: dict[str, Any] = {
        "id": award.achievement_id,
        "type": ["Achievement"],
        "achievementType": award.achievement_type,
        "name": award.name,
        "description": award.description or award.name,
        "criteria": {"narrative": award.criteria},
    }
    if award.alignments:
        achievement["alignment"] = [alignment.as_json() for alignment in award.alignments]
    if award.version:
        achievement["version"] = award.version
    if award.human_code:
        achievement["humanCode"] = award.human_code
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": award.holder_name,
        "achievement": achievement,
    }
    if award.level:
        subject["result"] = [{"type": ["Result"], "value": award.level}]
    if award.assessor is not None:
        subject["source"] = award.assessor.as_json()
    subject.update(award.extra_subject)
    document: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": f"urn:uuid:{identifier}",
        "type": list(CREDENTIAL_TYPES),
        "name": award.name,
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": issuer_name},
        "validFrom": award.valid_from,
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(index),
            "statusListCredential": status_list,
        },
    }
    if award.valid_until:
        document["validUntil"] = award.valid_until
    return document


def status_list(
    *, url: str, issuer_did: str, revoked: list[int], length: int, now: dt.datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential (its issuer must be the credentials' issuer)."""
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": stamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": bitstring.encode(revoked, length),
        },
    }


def presentation(credentials: list[dict[str, Any]]) -> dict[str, Any]:
    """A worker's competence record: a Verifiable Presentation of their sign-off credentials. It is not signed
    itself (a worker holds no key); each credential in it is, by the organisation that issued it."""
    return {"@context": [VC_V2], "type": ["VerifiablePresentation"], "verifiableCredential": credentials}
