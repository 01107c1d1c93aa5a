"""The journeys' own checks must be able to fail: a page with known faults, served under a strict policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route

from .browser import Journey

pytestmark = [pytest.mark.system]

FAULTY_PAGE = """<!doctype html><html><head><title>Faulty</title></head><body>
<img src="/missing.png"><a href="/nowhere"></a>
<script>document.title = "inline scripts are refused";</script>
</body></html>"""


def _serve(route: Route) -> None:
    if route.request.url.endswith("/missing.png"):
        route.fulfill(status=404, body="")
    else:
        route.fulfill(
            status=200,
            content_type="text/html",
            body=FAULTY_PAGE,
            headers={"Content-Security-Policy": "script-src 'self'"},
        )


def test_journey_reports_axe_violations_and_browser_errors(browser: Browser, axe: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("http://faulty.test/**", _serve)
        journey = Journey(page=page, axe=axe)
        page.goto("http://faulty.test/page")

        with pytest.raises(AssertionError) as failure:
            journey.finish()

        report = str(failure.value)
        # axe ran despite the page's script-src policy, and found the faults...
        for rule in ("html-has-lang", "image-alt", "link-name", "landmark-one-main"):
            assert rule in report
        # ...the policy still held for the page's own inline script, and the missing image was noticed.
        assert page.title() == "Faulty"
        assert "Content Security Policy" in report
        assert "404 for image http://faulty.test/missing.png" in report
    finally:
        context.close()
