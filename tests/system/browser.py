"""What the journeys share: signing in through the real form, and the accessibility and browser-error checks
that every page a journey visits goes through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect

from cultivate.accounts.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Findings that are axe's mistake about an NHS.UK frontend component we use as published, each as narrow as
# one rule on one component. Remove an entry as soon as axe or nhsuk-frontend no longer needs it.
KNOWN_FALSE_POSITIVES: list[dict[str, str]] = []

# Runs axe in the page and returns only what a failure message needs.
_RUN_AXE = """async ([tags, ignored]) => {
  const result = await window.axe.run(
    document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], elementRef: true});
  const known = (v, n) => ignored.some((i) => i.rule === v.id && n.element && n.element.matches(i.selector));
  return result.violations
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.filter((n) => !known(v, n)).map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200)})),
    }))
    .filter((v) => v.nodes.length > 0);
}"""


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(
            f"{AXE_SCRIPT} is missing: run `npm ci` (or `make install`) to install axe-core."
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


@dataclass
class Journey:
    """Watches one page through a journey: `check()` runs axe on the page as it stands now; `finish()` fails
    the test with every violation and browser error seen on the way, so one run shows all that needs fixing."""

    page: Page
    axe: str
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Each distinct error once, with the pages it happened on (a site-wide fault shows on every page).
    browser_errors: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._error(f"script error: {error}"))
        self.page.on("response", self._on_response)

    def _where(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _error(self, text: str) -> None:
        pages = self.browser_errors.setdefault(text, [])
        if self._where() not in pages:
            pages.append(self._where())

    def _on_console(self, message: ConsoleMessage) -> None:
        # Failed loads are reported by _on_response with their address, where a 403 or 404 page is expected.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self._error(f"console error: {message.text}")

    def _on_response(self, response: Response) -> None:
        # A page may deliberately answer 403 or 404; the stylesheets, scripts and images it needs may not,
        # and nothing may answer with a server error.
        is_page = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not is_page):
            self._error(f"{response.status} for {response.request.resource_type} {response.url}")

    def check(self, label: str = "") -> None:
        """Run axe on the page as it is now (a page in an error state counts as a page of its own)."""
        self.page.wait_for_load_state("load")
        where = f"{self._where()}{f' ({label})' if label else ''}"
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol, which the page's script-src policy does not govern, so
            # the page keeps its real Content-Security-Policy and any violation of it still shows up.
            self.page.evaluate(self.axe)
        found = self.page.evaluate(_RUN_AXE, [AXE_TAGS, KNOWN_FALSE_POSITIVES])
        if found:
            self.violations[where] = found

    def finish(self) -> None:
        """Check the page the journey ended on, then fail with everything found on the way."""
        self.check("final page")
        lines: list[str] = []
        for where, found in self.violations.items():
            lines.append(f"axe on {where}:")
            for violation in found:
                lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
                lines.extend(f"      {node['target']}  {node['html']}" for node in violation["nodes"])
        lines.extend(
            f"browser {error}\n      on {', '.join(pages)}" for error, pages in self.browser_errors.items()
        )
        assert not lines, "Accessibility or browser problems:\n" + "\n".join(lines)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and land on the home page."""
    page.goto("/accounts/sign-in/")
    fill_sign_in(page, email, password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def fill_sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    header = page.locator("header")
    header.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Cultivate")
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def nav_link(page: Page, name: str) -> Locator:
    """A link in the header's primary navigation (the NHS.UK header labels it "Menu"). Links that do not fit
    the width move into the header's "More" menu, so open it first when the link is not on show, as a user
    would."""
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name=name, exact=True)
    page.wait_for_load_state("load")  # the header script decides what fits once the page has loaded
    toggle = menu.locator("#toggle-menu")
    if not link.is_visible() and toggle.is_visible():
        toggle.click()
    return link


def section_link(page: Page, section: str, name: str) -> Locator:
    """A page of a section with one header entry (e.g. "Workforce insights"): open the section from the header,
    then find the page in the section's own navigation."""
    nav_link(page, section).click()
    return page.get_by_role("navigation", name=section).get_by_role("link", name=name, exact=True)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits). Measured once the page has
    loaded: a heading can be on show before the stylesheet applies, and an unstyled page is wider."""
    page.wait_for_load_state("load")
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    """Type a date into the NHS.UK date input whose fieldset is named ``legend`` (day, month and year boxes)."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
