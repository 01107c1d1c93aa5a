"""API endpoints of the credentials app, mounted on the one NinjaAPI in config/api.py. The holder lists and
fetches their credentials; issuer admins revoke; the verification of a shared credential is public (no token)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from cultivate.accounts.access import acting_membership as _membership
from cultivate.core.api_types import ErrorOut
from cultivate.core.audit import AuditContext

from . import documents, guards, presenters, selectors, services, verification
from .models import IssuedCredential
from .schemas import CredentialOut, RevokeIn, VerificationOut

router = Router(tags=["credentials"])


def _out(credential: IssuedCredential) -> dict[str, Any]:
    return {
        "identifier": credential.identifier,
        "kind": credential.kind,
        "title": credential.title,
        "issued_at": credential.issued_at,
        "valid_until": credential.valid_until,
        "revoked": credential.revoked_at is not None,
        "shared": credential.shared,
        "verification_url": documents.verification_url(credential.identifier),
    }


@router.get("/credentials/", response={200: list[CredentialOut]}, summary="Your certificates")
def list_credentials(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(c) for c in selectors.own_credentials(_membership(request))]


@router.get(
    "/credentials/{identifier}/",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="A credential, signed, as its holder downloads it",
)
def get_credential(request: HttpRequest, identifier: uuid.UUID) -> dict[str, Any]:
    credential = guards.credential_or_deny(request, identifier)
    services.credential_download_record(
        ctx=AuditContext.from_request(request),
        membership=_membership(request),
        credential=credential,
        what="api",
    )
    document: dict[str, Any] = credential.document
    return document


@router.post(
    "/credentials/{identifier}/revoke/",
    response={200: CredentialOut, 403: ErrorOut, 404: ErrorOut, 400: ErrorOut},
    summary="Revoke a credential, with the reason verifiers will see",
)
def revoke_credential(request: HttpRequest, identifier: uuid.UUID, payload: RevokeIn) -> dict[str, Any]:
    credential = guards.credential_or_deny(request, identifier, "revoke_credential")
    try:
        services.credential_revoke(
            ctx=AuditContext.from_request(request),
            membership=_membership(request),
            credential=credential,
            reason=payload.reason,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return _out(credential)


@router.get(
    "/credentials/{identifier}/verification/",
    auth=None,
    response={200: VerificationOut, 404: ErrorOut},
    summary="Check a shared credential (public)",
)
def verify_credential(request: HttpRequest, identifier: uuid.UUID) -> dict[str, Any]:
    credential = selectors.shared_credential(identifier)
    if credential is None:
        raise Http404("This credential is not shared.")
    result = verification.verify(
        credential.document, now=timezone.now(), revoked_reason=credential.revoked_reason
    )
    view = presenters.verification_view(result)
    return {
        "outcome": view.outcome,
        "label": view.label,
        "reason": view.reason,
        "issuer_id": view.issuer_id,
        "issuer_name": view.issuer_name,
        "issuer_known": view.issuer_known,
        "name": view.name,
        "holder": view.holder,
        "credential": credential.document,
    }
