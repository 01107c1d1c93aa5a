"""What every app's access module shares: refusing a request, audited, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from .audit import AuditContext, audit
from .audit_actions import CoreAction
from .models import AuditEvent

if TYPE_CHECKING:
    from cultivate.accounts.models import Membership


def acting_membership(request: HttpRequest) -> Membership | None:
    """The role the request acts in: chosen in the header for pages, bound to the token for the API."""
    return getattr(request, "membership", None)


def deny(
    request: HttpRequest,
    *,
    reason: str,
    obj: models.Model | None = None,
    hide_existence: bool = False,
) -> NoReturn:
    """Audit the refusal and raise. `hide_existence` answers 404 so that other organisations' records
    cannot be discovered by probing identifiers; otherwise 403."""
    audit(
        CoreAction.PERMISSION_DENIED,
        ctx=AuditContext.from_request(request),
        obj=obj,
        organisation=_organisation_of(obj),
        reason=reason,
        method=request.method,
    )
    if hide_existence:
        # The reason goes to the audit log only: telling the caller would reveal whether the record exists.
        raise Http404("Not found.")
    raise PermissionDenied(reason)


def _organisation_of(obj: models.Model | None) -> Any:
    """The organisation the object is or belongs to, if any: an instance of whatever model the audit log's
    `organisation` field points to (so that core names no app)."""
    organisation_model = AuditEvent._meta.get_field("organisation").related_model
    assert isinstance(organisation_model, type)
    organisation = obj if isinstance(obj, organisation_model) else getattr(obj, "organisation", None)
    return organisation if isinstance(organisation, organisation_model) else None
