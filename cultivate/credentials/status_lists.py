"""Reading a credential's revocation status from its issuer's Bitstring Status List.

Our own lists are read as published (the signed document stored on the issuer key). Another service's list is
fetched over HTTPS (bounded in time and size) when `CREDENTIALS_FETCH_STATUS_LISTS` allows it, and its proof and
issuer checked; anything else, or any failure, is "could not be read", which a verification reports as "could not
be checked", never as valid."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from django.conf import settings

from . import bitstring, proofs
from .documents import status_list_url
from .models import IssuerKey

MAX_LIST_BYTES = 512 * 1024
FETCH_TIMEOUT_S = 5


class StatusUnavailable(Exception):
    """The status list could not be read, so revocation cannot be ruled out."""


def _own_prefix() -> str:
    return status_list_url("KEY").removesuffix("KEY/")


def status_bit(entry: Any, issuer_id: str) -> bool:
    """Whether the credential's revocation bit is set; raises StatusUnavailable when that cannot be known."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise StatusUnavailable("It has no status list entry this service can read")
    if entry.get("statusPurpose") != "revocation":
        raise StatusUnavailable("Its status entry is not for revocation")
    url, index_text = entry.get("statusListCredential"), entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index_text, str) or not index_text.isdigit():
        raise StatusUnavailable("Its status entry is incomplete")
    document = _list_document(url)
    if not isinstance(document, dict):
        raise StatusUnavailable("Its issuer's status list could not be read")
    issuer = document.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = document.get("credentialSubject")
    if issuer != issuer_id or not isinstance(subject, dict) or subject.get("statusPurpose") != "revocation":
        raise StatusUnavailable("Its status list is not its issuer's revocation list")
    try:
        data = bitstring.decode(str(subject.get("encodedList", "")))
        return bitstring.bit(data, int(index_text))
    except bitstring.StatusListError as error:
        raise StatusUnavailable(f"Its status list cannot be read ({error})") from error


def _list_document(url: str) -> Any:
    prefix = _own_prefix()
    if url.startswith(prefix):
        public_key = url.removeprefix(prefix).strip("/")
        key = IssuerKey.objects.filter(public_key=public_key).only("status_list").first()
        if key is None or not key.status_list:
            raise StatusUnavailable("Its status list is not one this service publishes")
        return key.status_list
    if not getattr(settings, "CREDENTIALS_FETCH_STATUS_LISTS", False) or not url.startswith("https://"):
        raise StatusUnavailable("Its issuer's status list is held by another service and was not read")
    return _fetch(url)


def _fetch(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/vc+ld+json"})  # noqa: S310
    try:
        # https only (checked by the caller), so no file: or custom scheme.
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            body = response.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise StatusUnavailable("Its issuer's status list could not be fetched") from error
    if len(body) > MAX_LIST_BYTES:
        raise StatusUnavailable("Its issuer's status list is too large")
    try:
        document = json.loads(body)
        proofs.verify(document)
    except (ValueError, proofs.ProofError) as error:
        raise StatusUnavailable("Its issuer's status list is not genuine") from error
    return document
