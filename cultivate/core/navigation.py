"""What an app offers in the navigation: links in the header, cards on the home page, and the pages of a section.

Each app declares its own in `<app>/navigation.py` as a `Menu` named `MENU`, with the app's `access.may` and, for
every link, the name of the access rule that decides who sees it; the site app gathers the menus of the installed
apps and asks those rules for the acting role (`cultivate.site.menus`). So a new app adds its links without
editing a central list, and a link follows its page's rule instead of repeating a list of roles.

A link's presence is a convenience: every view checks access itself. Nothing here knows any app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Rules(Protocol):
    """An app's `access.may`: whether the membership may do the named action (with the object, if any)."""

    def __call__(self, membership: Any, action: str, obj: Any = None, /) -> bool: ...


@dataclass(frozen=True)
class Link:
    """One link. `rule` names an action in the app's access rules (None: every role). A link `for_organisation`
    is to a page of the acting role's organisation: it is left out for a role without one, its rule is asked
    about that organisation, and its URL takes the organisation's ODS code. `order` places it among the links of
    every app (the header and the home page each have their own order); "{organisation}" in the text is
    replaced with the organisation's name."""

    text: str
    url_name: str
    rule: str | None
    order: int
    description: str = ""
    for_organisation: bool = False


@dataclass(frozen=True)
class Section:
    """A part of the service with its own navigation below the header, shown on its pages only. `root` is its
    first link and the page under which its pages live; the section is shown to whoever may see the root."""

    root: Link
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Menu:
    """What one app offers: `header` links, `home` cards (a link with a description) and at most one section."""

    may: Rules
    header: tuple[Link, ...] = ()
    home: tuple[Link, ...] = ()
    section: Section | None = None


@dataclass(frozen=True)
class HomeAction:
    """One thing the acting role should look at next, shown at the top of the home page before any card.

    Each app declares its own in `<app>/home.py` as `actions(membership) -> list[HomeAction]` (the site app
    gathers them, `cultivate.site.home`), reading its counts in a fixed number of queries whatever the size of
    the team or organisation. `text` is the whole sentence with the number in it ("3 competences are overdue"),
    so that each app words its own plural; `count` decides whether it shows: an action with nothing to do is
    left out, unless it is a `figure` (a headline number, such as a headcount, shown whatever it is). `urgent`
    ones come first and are marked in words as well as colour; then `order`, across every app."""

    text: str
    href: str
    count: int
    order: int
    detail: str = ""
    urgent: bool = False
    figure: bool = False

    @property
    def shown(self) -> bool:
        return self.figure or self.count > 0


class HomeActions(Protocol):
    """An app's `home.actions`: what the membership should do next in that app (none for most roles)."""

    def __call__(self, membership: Any, /) -> list[HomeAction]: ...
