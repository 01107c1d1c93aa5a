"""Playwright journeys in Debian's Chromium against pytest-django's live server: one browser per test session,
a fresh browser context (cookies, storage) per test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .browser import Journey, axe_source

# Playwright's sync API keeps an event loop running in the test's thread for as long as the session's browser
# is open, which Django would otherwise take to mean "async context" and refuse ORM calls made by the tests
# (factories, reading results), including any test that runs later in the same worker. Hence process-wide.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CULTIVATE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package), "
            "or set CULTIVATE_CHROMIUM to another Chromium binary."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe() -> str:
    return axe_source()


def _support_roles() -> None:
    """The support-role catalogue the organisations app's data migration writes. A journey's database is
    flushed after it; its serialized copy is put back for the next one, but a transactional test without that
    copy (a backup or job test on the same worker) leaves the catalogue empty, so each journey makes sure."""
    from cultivate.organisations import reference
    from cultivate.organisations.models import SupportRole

    for row in reference.support_roles():
        SupportRole.objects.get_or_create(
            name=row["role"],
            defaults={"category": row["category"], "typical_bands": row["typical_bands"], "notes": row["notes"]},
        )


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    _support_roles()
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    # Keep the journeys hermetic: anything not served by the live server (a CDN font, say) is refused here,
    # so a page that depends on the internet shows up as a failed load instead of a slow or flaky test.
    context.route(re.compile(rf"^(?!{re.escape(live_server.url)}/)"), lambda route: route.abort())
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def journey(page: Page, axe: str) -> Journey:
    return Journey(page=page, axe=axe)
