"""Checking a credential as anyone would, from the document alone: its proof (and that the issuer made it), its
revocation status in the issuer's status list, and its dates. The answer is one of valid, revoked, expired,
could not be checked, or not genuine; never valid when the status could not be read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.dateparse import parse_datetime

from . import multibase, proofs, status_lists
from .jsonld import VC_V2
from .models import IssuerKey


class Outcome(models.TextChoices):
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    UNCHECKED = "unchecked", "Could not be checked"
    NOT_GENUINE = "not_genuine", "Not genuine"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    reason: str = ""
    issuer_id: str = ""
    issuer_name: str = ""
    issuer_known: bool = False
    name: str = ""
    holder: str = ""
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.outcome == Outcome.VALID


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def verify(document: Any, *, now: dt.datetime, revoked_reason: str = "") -> Verification:
    """The outcome for a credential document. `revoked_reason` is what this service recorded when it revoked
    one of its own (the status list holds only the bit)."""
    if not isinstance(document, dict):
        return Verification(Outcome.NOT_GENUINE, "It is not a credential (not a JSON object)")
    context = document.get("@context")
    types = document.get("type")
    if not isinstance(context, list) or not context or context[0] != VC_V2:
        return Verification(Outcome.NOT_GENUINE, "It is not a W3C Verifiable Credential 2.0")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Verification(Outcome.NOT_GENUINE, "It is not a verifiable credential")
    issuer = document.get("issuer")
    issuer_id = _text(issuer.get("id") if isinstance(issuer, dict) else issuer)
    issuer_name = _text(issuer.get("name")) if isinstance(issuer, dict) else ""
    subject = document.get("credentialSubject")
    valid_from, valid_until = _when(document.get("validFrom")), _when(document.get("validUntil"))
    known = False

    def result(outcome: Outcome, reason: str = "") -> Verification:
        return Verification(
            outcome,
            reason,
            issuer_id=issuer_id,
            issuer_name=issuer_name,
            issuer_known=known,
            name=_text(document.get("name")),
            holder=_text(subject.get("name")) if isinstance(subject, dict) else "",
            valid_from=valid_from,
            valid_until=valid_until,
        )

    try:
        verified = proofs.verify(document)
    except proofs.ProofError as error:
        return result(Outcome.NOT_GENUINE, str(error))
    if issuer_id != multibase.did_key(verified.key):
        return result(Outcome.NOT_GENUINE, "It was signed by a key that is not its issuer's")
    known = IssuerKey.objects.filter(public_key=verified.key).exists()
    if valid_from is None:
        return result(Outcome.NOT_GENUINE, "It has no valid start date")
    if valid_from > now:
        return result(Outcome.NOT_GENUINE, "It is not valid yet")
    try:
        revoked = status_lists.status_bit(document.get("credentialStatus"), issuer_id)
    except status_lists.StatusUnavailable as error:
        return result(Outcome.UNCHECKED, str(error))
    if revoked:
        return result(Outcome.REVOKED, revoked_reason or "Its issuer has revoked it")
    if valid_until is not None and valid_until < now:
        return result(Outcome.EXPIRED, "Its validity has ended")
    return result(Outcome.VALID)
