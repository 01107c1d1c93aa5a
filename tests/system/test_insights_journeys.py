"""The workforce insights journey: an analyst opens the dashboards, changes the window, drills down from the
organisation to a team and downloads a table as CSV. Every chart is drawn (Vega, no eval under the page's
content security policy) without console errors, and every page passes axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_team, make_user
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights.tests.dashboard_store import build_store

from .browser import Journey, horizontal_overflow, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _charts_drawn(page: Page) -> None:
    # Count the figures only once the whole page is parsed: the heading can show before the last figure exists.
    page.wait_for_load_state("load")
    figures = page.locator("figure[data-chart]")
    count = figures.count()
    assert count > 0
    expect(page.locator("figure.app-chart--drawn")).to_have_count(count)
    expect(page.locator("figure[data-chart] svg").first).to_be_visible()


def test_analyst_explores_the_dashboards(page: Page, journey: Journey, settings: Any, tmp_path: Path) -> None:
    # Given an analyst of a trust whose extract is in the insights store
    settings.INSIGHTS_STORE = build_store(tmp_path / "store")
    organisation = make_organisation("RAA")
    ward = make_team(organisation, "A ward 1")
    make_team(organisation, "A ward 2")
    analyst = make_user(Role.ANALYST, organisation=organisation)

    # When they open Workforce insights from the navigation
    sign_in(page, analyst.email)
    page.get_by_role("link", name="Workforce insights").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workforce insights: overview")
    _charts_drawn(page)
    expect(page.get_by_role("table").first).to_be_visible()
    journey.check("overview")

    # And they look at each of the other dashboards
    for name in ("Retention", "Progression", "Sickness absence", "Fairness"):
        page.get_by_role("navigation", name="Dashboards").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name.lower())
        _charts_drawn(page)
        journey.check(name)

    # And they open Costs and enter what replacing a leaver costs their trust, mistyping it first
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Costs").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("costs")
    cost = page.get_by_label("Cost of replacing one leaver (£)")
    cost.fill("-1")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("cannot be negative")
    journey.check("costs with an error")
    cost.fill("4250")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("table").first).to_contain_text("All leavers")
    expect(page.get_by_role("table").first).to_contain_text("£4,250")
    journey.check("costs")

    # And they change the window to the 12 months ending March 2024
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Retention").click()
    page.get_by_label("12 months ending").select_option(label="March 2024")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("status").filter(has_text="Figures for")).to_contain_text(
        "1 April 2023 to 31 March 2024"
    )
    _charts_drawn(page)
    journey.check("earlier window")

    # And they drill down from the breakdown by team to one ward
    page.get_by_role("link", name="A ward 1").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workforce insights: retention")
    expect(page.locator(".nhsuk-caption-l").first).to_contain_text("A ward 1")
    assert f"/insights/teams/{ward.pk}/dashboards/retention/" in page.url
    assert "window=2024-03" in page.url
    _charts_drawn(page)
    journey.check("team")

    # Then they download the turnover table as CSV
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV of joiners, leavers and stability").first.click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = content.splitlines()
    assert header.startswith("Setting (area of work),Joiners,Leavers,Leaver rate (%)")
    assert rows and "B ward" not in content
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT, actor=analyst).exists()
    journey.finish()


@pytest.mark.parametrize(
    "screen", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_every_dashboard_fits_the_screen_with_its_wide_tables_scrolling_in_place(
    page: Page, journey: Journey, settings: Any, tmp_path: Path, screen: dict[str, int]
) -> None:
    # Given an analyst of a trust broken down by team (the widest tables), on a phone and on a desktop
    settings.INSIGHTS_STORE = build_store(tmp_path / "store")
    organisation = make_organisation("RAA")
    make_team(organisation, "A ward 1")
    make_team(organisation, "A ward 2")
    analyst = make_user(Role.ANALYST, organisation=organisation)
    page.set_viewport_size(screen)
    sign_in(page, analyst.email)

    for name in ("overview", "retention", "progression", "sickness", "fairness", "costs"):
        # When they open each dashboard
        page.goto(f"/insights/organisations/RAA/dashboards/{name}/?by=team")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Workforce insights")
        if name == "costs":
            page.wait_for_load_state("load")  # no chart until the trust's cost of a leaver is given
        else:
            _charts_drawn(page)
        # Then the page never scrolls sideways: a wide table scrolls inside its own frame
        assert horizontal_overflow(page) == 0, name
        frames = page.locator(".app-table-scroll")
        assert frames.count() > 0, name
        for n in range(frames.count()):
            frame = frames.nth(n)
            box = frame.bounding_box()
            assert box is not None and box["x"] + box["width"] <= screen["width"], name
            # And the header row and the first column stay in view as it scrolls
            head = frame.locator("thead th").first
            first = frame.locator("tbody th[scope=row]").first
            assert head.evaluate("e => getComputedStyle(e).position") == "sticky"
            if first.count():
                assert first.evaluate("e => getComputedStyle(e).position") == "sticky"
                before = first.bounding_box()
                frame.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
                after = first.bounding_box()
                assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1, name
        journey.check(f"{name} at {screen['width']}")
    journey.finish()
