"""Querysets scoped by membership: `Model.objects.for_membership(m)`.

Each app's access module defines what a membership may see of a model (a `Q`) and registers it with `@scope`;
the model's queryset applies it. Models import this module, not their access module, so there is no import
cycle (access modules import models), and core imports no app. Each app's `AppConfig.ready()` imports its
access module, so every scope is registered before a request or command runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from .access import ActingRole

M = TypeVar("M", bound=models.Model)
Scope = Callable[[ActingRole], Q]

_SCOPES: dict[type[models.Model], Scope] = {}


def scope(model: type[models.Model]) -> Callable[[Scope], Scope]:
    """Register the decorated function (in the app's access module) as the scope of `model`: a filter on it
    for what a membership may see. `Model.objects.for_membership(m)` applies it."""

    def register(function: Scope) -> Scope:
        _SCOPES[model] = function
        return function

    return register


def scope_of(model: type[models.Model], membership: ActingRole) -> Q:
    try:
        return _SCOPES[model](membership)
    except KeyError:
        # Never fall back to "everything": a model asked for its scope must have one.
        raise ImproperlyConfigured(f"No access scope registered for {model.__name__}.") from None


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows its model's access scope (registered by the app's access module)."""

    def for_membership(self, membership: ActingRole) -> Self:
        return self.filter(scope_of(self.model, membership))
