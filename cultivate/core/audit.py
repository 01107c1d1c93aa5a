"""The explicit auditor. Services and views call `audit(...)`; nothing is audited as a side effect of a save."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from cultivate.accounts.models import User
    from cultivate.organisations.models import Organisation


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is read only as far as `TRUSTED_PROXY_COUNT` proxies vouch for it:
    each proxy appends the address it was reached from, so with N trusted proxies the client is the Nth entry
    from the right, and anything to its left is whatever the client chose to send."""
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted and _is_ip(hops[-trusted]):
            ip = hops[-trusted]
    return ip or None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def audit(
    action: AuditAction,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    actor_email: str = "",
    **detail: Any,
) -> AuditEvent:
    event = audit_event(
        action,
        actor=actor,
        request=request,
        obj=obj,
        organisation=organisation,
        actor_email=actor_email,
        **detail,
    )
    event.save()
    return event


def audit_event(
    action: AuditAction,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    actor_email: str = "",
    **detail: Any,
) -> AuditEvent:
    """The event `audit()` records, not yet saved: for a hot path that writes it its own way (the delegation
    check's one INSERT, `cultivate.core.rows.insert`), so both write the very same row."""
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    membership = getattr(request, "membership", None) if request is not None else None
    event = AuditEvent(
        actor=actor,
        actor_email=actor.email if actor is not None else actor_email,
        actor_role=membership.role if membership is not None else "",
        action=action,
        organisation=organisation,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.get_full_path() if request is not None else "")[:300],
        detail=detail,
    )
    if obj is not None:
        event.object_type = obj._meta.label
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    return event
