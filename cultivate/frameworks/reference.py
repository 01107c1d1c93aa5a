"""Identifiers of the reference frameworks that ship with Cultivate as data (crosswalk targets).

Fixed UUIDs (version 5, in our own namespace) so that every installation, the demo and CASE exports name the
same standard the same way. The items themselves are loaded from `reference/*.csv` by a data migration."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("5b0f4a62-2d0e-4c57-9a53-8e1f0c7d2a10")

CARE_CERTIFICATE_KEY = "care-certificate-2025"
CODE_OF_CONDUCT_KEY = "code-of-conduct-support-workers-2013"

CARE_CERTIFICATE = uuid.uuid5(NAMESPACE, CARE_CERTIFICATE_KEY)
CODE_OF_CONDUCT = uuid.uuid5(NAMESPACE, CODE_OF_CONDUCT_KEY)


def item_identifier(framework_key: str, number: int | str) -> uuid.UUID:
    """The identifier of standard or theme `number` of a reference framework, e.g. Care Certificate 3."""
    return uuid.uuid5(NAMESPACE, f"{framework_key}/{number}")
