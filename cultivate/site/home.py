"""The home page's actions for the acting role, gathered from the `home` module each installed app declares
(`<app>/home.py` with `actions(membership)`; see `cultivate.core.navigation.HomeAction`). A new app adds its
actions there without editing this module."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from cultivate.accounts.models import Membership
from cultivate.core.navigation import HomeAction, HomeActions


@cache
def installed_home_actions() -> tuple[HomeActions, ...]:
    """The `actions` of every installed Cultivate app that has a `home` module, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("cultivate."):
            continue
        module = f"{config.name}.home"
        if module == __name__ or find_spec(module) is None:
            continue  # this module gathers the actions; it declares none
        actions = getattr(import_module(module), "actions", None)
        if not callable(actions):
            raise TypeError(f"{module}.actions must be a function of the membership")
        found.append(actions)
    return tuple(found)


def home_actions(membership: Membership) -> list[HomeAction]:
    """What the role should do next, urgent first, then in the apps' order; actions with nothing to do are
    left out (headline figures stay)."""
    actions = [action for hook in installed_home_actions() for action in hook(membership) if action.shown]
    return sorted(actions, key=lambda action: (not action.urgent, action.order))
