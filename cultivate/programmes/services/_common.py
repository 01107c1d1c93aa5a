"""What the programme services share: refusing a role that may not act, and telling a person."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cultivate.accounts.models import Membership, User
from cultivate.core.audit import AuditContext
from cultivate.core.notify import notify
from cultivate.organisations.models import Organisation, Person

from .. import access
from ..models import Programme


def acting(ctx: AuditContext) -> Membership | None:
    """The membership the context acts in (core types it loosely, naming no app)."""
    membership = ctx.membership
    return membership if isinstance(membership, Membership) else None


def require(ctx: AuditContext, rule: str, obj: Any) -> None:
    """The views check first (to audit and answer 403/404); a service refusing is a race or a bug."""
    if ctx.system_job:
        return
    if not access.may(acting(ctx), rule, obj):
        raise PermissionDenied(f"May not {rule.replace('_', ' ')}.")


def owner_organisation(programme: Programme) -> Organisation | None:
    """The organisation a programme's audit events are recorded against (none for an alliance's)."""
    return programme.organisation


def tell(
    person: Person, *, title: str, body: str = "", url_name: str = "", args: tuple[Any, ...] = ()
) -> None:
    """Notify the person's account, if they have one (a record imported without an account has nobody to tell)."""
    user = User.objects.filter(person_id=person.pk).first()
    if user is None:
        return
    notify(user=user, title=title, body=body, url=reverse(url_name, args=args) if url_name else "")
