"""What every app's access module shares, and the one guard that fetches through a scope or refuses.

Each app's `access.py` holds its rules (predicates) and scopes (filters) only. This module holds the rest:
- `predicate` and `RuleSet`, typed faces on the untyped `rules` library, so access modules type-check strictly;
- `object_or_deny` fetches through a scope: `Model.objects.for_membership(m)` (core/scopes.py), whose scope
  the app's access module registers (core imports no app);
- `object_or_deny` is the one way a page or API endpoint fetches an object for the acting role, and `deny`
  the one way it refuses (audited)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar, Union, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from rules.predicates import predicate as _rules_predicate
from rules.rulesets import RuleSet as _RulesRuleSet

from .audit import AuditContext, audit
from .audit_actions import CoreAction
from .models import AuditEvent

# The acting role (an `accounts.Membership`), loosely typed here because core names no app; each app's rules and
# scopes that receive it are typed.
ActingRole = Any

F = TypeVar("F", bound=Callable[..., bool])
M = TypeVar("M", bound=models.Model)


def predicate(fn: F) -> F:
    """`rules.predicate`, typed: the predicate keeps the signature of the function it wraps."""
    return cast(F, cast(Any, _rules_predicate)(fn))


class RuleSet:
    """An app's named rules (`rules.RuleSet`, typed): `may(membership, action, obj)` asks one."""

    def __init__(self) -> None:
        self._rules: Any = _RulesRuleSet()

    def add(self, name: str, rule: Callable[..., bool]) -> None:
        self._rules.add_rule(name, rule)

    def test(self, name: str, membership: ActingRole, obj: Any = None) -> bool:
        return bool(self._rules.test_rule(name, membership, obj))


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


Source = Union[models.QuerySet[M], M, None, Callable[[ActingRole], models.QuerySet[M]]]  # noqa: UP007


def object_or_deny(
    request: HttpRequest,
    source: Source[M],
    lookup: Mapping[str, Any],
    *,
    what: str,
    may: Callable[[ActingRole, str, Any], bool] | None = None,
    action: str = "",
    allowed: Callable[[M], bool] | None = None,
    visible: Callable[[M], bool] | None = None,
    audit_as: Callable[[M], models.Model] | None = None,
    within: models.Model | None = None,
) -> M:
    """The one object matching `lookup` in `source`, or an audited refusal.

    `source` is what the acting role may see: a selector taking the membership (`people_visible_to`, over
    `Model.objects.for_membership(m)`), or a queryset scoped by a parent the role was already allowed. Where the
    rule is cheaper than the scoped query (the delegation check API asks many times a second), pass the object
    already read and the rule as `visible`. Outside what the role may see answers 404 whether or not the object
    exists; the audit records the object when it does exist. Seen, but `may(membership, action, obj)` (the app's
    rules) or `allowed(obj)` says no, answers 403. `audit_as` names the object a refusal is recorded against (a
    spell's person, so it shows in their organisation's log); `within` is the parent a `source` is scoped by (a
    framework's versions): a miss is recorded against it."""
    membership = getattr(request, "membership", None)  # the role the request acts in
    if callable(source) and not isinstance(source, models.QuerySet | models.Model):
        source = source(membership)
    found = source.filter(**lookup).first() if isinstance(source, models.QuerySet) else source
    if found is None or (visible is not None and not visible(found)):
        existing = found
        if existing is None and within is None and isinstance(source, models.QuerySet):
            # For the audit only: which record was asked for, when it exists.
            existing = source.model._default_manager.filter(**lookup).first()
        recorded = audit_as(existing) if existing is not None and audit_as is not None else existing
        described = ", ".join(f"{value}" for value in lookup.values())
        deny(
            request,
            reason=f"No {what} {described} for this role.",
            obj=recorded or within,
            hide_existence=True,
        )
    refused = (may is not None and not may(membership, action, found)) or (
        allowed is not None and not allowed(found)
    )
    if refused:
        deny(request, reason=f"May not {(action or 'use').replace('_', ' ')} this {what}.", obj=found)
    return found
