"""The header navigation, a section's navigation and the home page's cards for the acting role, gathered from
the menus the project's installed apps declare (`<app>/navigation.py`; see `cultivate.core.navigation`)."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse

from cultivate.accounts.models import Membership
from cultivate.core.navigation import Link, Menu, Rules


@cache
def installed_menus() -> tuple[Menu, ...]:
    """The `MENU` of every installed Cultivate app that has a `navigation` module, in INSTALLED_APPS order."""
    menus = []
    for config in apps.get_app_configs():
        if not config.name.startswith("cultivate."):
            continue
        module = f"{config.name}.navigation"
        if find_spec(module) is None:
            continue
        menu = getattr(import_module(module), "MENU", None)
        if menu is None:
            continue  # core's navigation module declares the types, not a menu
        if not isinstance(menu, Menu):
            raise TypeError(f"{module}.MENU must be a cultivate.core.navigation.Menu")
        menus.append(menu)
    return tuple(menus)


def _target(link: Link, may: Rules, membership: Membership) -> tuple[str, str] | None:
    """The link's text and address if the role may see it, else None."""
    organisation = membership.organisation
    if link.for_organisation:
        if organisation is None:
            return None
        if link.rule is not None and not may(membership, link.rule, organisation):
            return None
        href = reverse(link.url_name, args=[organisation.ods_code])
    else:
        if link.rule is not None and not may(membership, link.rule):
            return None
        href = reverse(link.url_name)
    text = link.text.replace("{organisation}", organisation.name) if organisation is not None else link.text
    return text, href


def _shown(links: list[tuple[Link, Rules]], membership: Membership) -> list[tuple[str, str, str]]:
    """(text, address, description) of the links the role may see, in their order (ties keep app order)."""
    shown = []
    for link, may in sorted(links, key=lambda pair: pair[0].order):
        target = _target(link, may, membership)
        if target is not None:
            shown.append((*target, link.description))
    return shown


def _item(request: HttpRequest, text: str, href: str) -> dict[str, Any]:
    current = request.path == href
    active = current or (href != "/" and request.path.startswith(href))
    return {"text": text, "href": href, "current": current, "active": active}


def header_links(request: HttpRequest, membership: Membership | None) -> list[dict[str, Any]]:
    if membership is None:
        return []
    links = [(link, menu.may) for menu in installed_menus() for link in menu.header]
    return [_item(request, text, href) for text, href, _ in _shown(links, membership)]


def section_links(request: HttpRequest, membership: Membership | None) -> list[dict[str, Any]]:
    """The pages of the section the request is in, shown on its pages only (the header has one entry for it)."""
    if membership is None:
        return []
    for menu in installed_menus():
        section = menu.section
        if section is None or not request.path.startswith(reverse(section.root.url_name)):
            continue
        root = _target(section.root, menu.may, membership)
        if root is None:
            return []  # the role may not see the section
        shown = _shown([(link, menu.may) for link in section.links], membership)
        items = [_item(request, *root)] + [_item(request, text, href) for text, href, _ in shown]
        # The root is current only on its own pages, not on every page of the section.
        items[0]["active"] = not any(item["active"] for item in items[1:])
        return items
    return []


def home_cards(membership: Membership) -> list[dict[str, str]]:
    links = [(link, menu.may) for menu in installed_menus() for link in menu.home]
    return [
        {"heading": text, "href": href, "description": description}
        for text, href, description in _shown(links, membership)
    ]
