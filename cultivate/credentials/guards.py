"""The credentials app's objects fetched for the acting role, or refused: each one call of
`core.access.object_or_deny` with this app's scopes and rules."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from cultivate.core.access import object_or_deny

from . import access, selectors
from .models import CompetenceRecord, ImportedRecord, IssuedCredential, RecognisedAssessment


def credential_or_deny(
    request: HttpRequest, identifier: uuid.UUID, action: str = "view_credential"
) -> IssuedCredential:
    source = selectors.credentials_visible_to
    key = {"identifier": identifier}
    return object_or_deny(request, source, key, what="credential", may=access.may, action=action)


def record_or_deny(request: HttpRequest, token: uuid.UUID, action: str = "share_record") -> CompetenceRecord:
    source = selectors.records_visible_to
    key = {"token": token}
    return object_or_deny(request, source, key, what="competence record", may=access.may, action=action)


def imported_or_deny(request: HttpRequest, pk: int) -> ImportedRecord:
    source = selectors.imported_visible_to
    return object_or_deny(request, source, {"pk": pk}, what="record", may=access.may, action="share_record")


def recognition_or_deny(request: HttpRequest, pk: int) -> RecognisedAssessment:
    source = selectors.recognitions_visible_to
    key = {"pk": pk}
    return object_or_deny(
        request, source, key, what="prior assessment", may=access.may, action="confirm_recognition"
    )
