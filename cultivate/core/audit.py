"""The explicit auditor. Services and views call `audit(...)`; nothing is audited as a side effect of a save.

Services never see the HttpRequest: a view builds an `AuditContext` once (`AuditContext.from_request`) and
passes it down; a command, worker or the demo loader names itself with `AuditContext.system(...)`. `audit`
refuses to record a change that nobody answers for: it needs an actor or a named system job (only the actions
an app registers as anonymous, a failed sign-in or a refusal, are recorded without one)."""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from . import audit_actions
from .audit_actions import AuditActions
from .models import AuditEvent


# What the auditor reads of the user, the acting membership and the organisation: core names no app, so these
# are described by shape (the accounts and organisations models fit them) and stored by key.
class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...


class ActingMembership(Protocol):
    @property
    def role(self) -> str: ...


class AuditedOrganisation(Protocol):
    @property
    def pk(self) -> Any: ...


# The detail key a system job's name is recorded under (the row has no column of its own for it).
SYSTEM_JOB_KEY = "system_job"


class AuditRefused(Exception):
    """An audited change was asked for without an actor or a named system job: a programming error."""


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


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who is acting and from where: what a service needs to audit a change, instead of the request."""

    actor: Actor | None = None
    membership: ActingMembership | None = None
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    # A job that acts on its own ("daily reminders", "staff import worker", "demo"): named, so that a change
    # without a signed-in actor still says what made it.
    system_job: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        """The signed-in user (none when anonymous), the role the request acts in, and the client's address."""
        user = getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            membership=getattr(request, "membership", None),
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.get_full_path()[:300],
        )

    @classmethod
    def system(cls, job: str, *, actor: Actor | None = None) -> AuditContext:
        """A named job, optionally on behalf of the user who set it going (the uploader of a queued import)."""
        if not job.strip():
            raise ValueError("A system job needs a name.")
        return cls(actor=actor, system_job=job)

    def acting_as(self, actor: Actor | None) -> AuditContext:
        """The same context with another actor (a password reset acts for the account it resets)."""
        return dataclasses.replace(self, actor=actor)


# A context that names nobody: `audit` records with it only the actions registered as anonymous.
NO_CONTEXT = AuditContext()


def audit(
    action: AuditActions,
    *,
    ctx: AuditContext | None = None,
    actor: Actor | None = None,
    obj: models.Model | None = None,
    organisation: AuditedOrganisation | None = None,
    actor_email: str = "",
    **detail: Any,
) -> AuditEvent:
    """Record `action`. The actor is `actor` when given (a service's own `published_by`), else the context's;
    membership, address and system job come from the context."""
    event = audit_event(
        action,
        ctx=ctx,
        actor=actor,
        obj=obj,
        organisation=organisation,
        actor_email=actor_email,
        **detail,
    )
    event.save()
    return event


# The model of a member of staff (by label: core imports no app), and the detail key naming the person an event
# is about.
PERSON_MODEL = "organisations.Person"
PERSON_KEY = "person_id"


def audit_event(
    action: AuditActions,
    *,
    ctx: AuditContext | None = None,
    actor: Actor | None = None,
    obj: models.Model | None = None,
    organisation: AuditedOrganisation | None = None,
    actor_email: str = "",
    **detail: Any,
) -> AuditEvent:
    """The event `audit()` records, not yet saved: for a hot path that writes it its own way (the delegation
    check's one INSERT, `cultivate.core.rows.insert`), so both write the very same row."""
    if "request" in detail:
        raise TypeError(
            "audit() takes an AuditContext (ctx=AuditContext.from_request(request)), not the request."
        )
    if ctx is None:
        ctx = NO_CONTEXT
    if actor is None:
        actor = ctx.actor
    if not audit_actions.is_registered(action):
        raise AuditRefused(f"Audit action {action!r} is not registered by any app.")
    if actor is None and not ctx.system_job and not audit_actions.allows_anonymous(action):
        raise AuditRefused(f"{action.label!r} needs an actor or a named system job to be audited.")
    if ctx.system_job:
        detail[SYSTEM_JOB_KEY] = ctx.system_job
    membership = ctx.membership
    event = AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None else actor_email,
        actor_role=membership.role if membership is not None else "",
        action=action,
        organisation_id=organisation.pk if organisation is not None else None,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        path=ctx.path,
        detail=detail,
    )
    if obj is not None:
        event.object_type = obj._meta.label
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
        # Whose record it is about (a person, or their evidence, request or assessment), so that the audit log
        # can be filtered by the person and name them.
        person_id = obj.pk if obj._meta.label == PERSON_MODEL else getattr(obj, "person_id", None)
        if person_id is not None and PERSON_KEY not in detail:
            event.detail[PERSON_KEY] = person_id
    return event
