"""The board report journey: an analyst opens the Board report page, mistypes the period and is told what to
fix, then asks for the report as HTML. The worker makes it (the test settings run tasks at once) and its status
page offers the file, which is read in the browser too. A report still waiting for the worker refreshes itself
until the reader stops it. The page, its error state, the status page in both states and the report itself pass
axe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.insights.board_reports.services import board_report_create
from cultivate.insights.measures import Window
from cultivate.insights.tests.dashboard_store import build_store

from .browser import Journey, section_link, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_analyst_downloads_the_board_report(
    page: Page, journey: Journey, settings: Any, tmp_path: Path
) -> None:
    # Given an analyst of a trust whose extract is in the insights store
    settings.INSIGHTS_STORE = build_store(tmp_path / "store")
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation = make_organisation("RAA")
    make_organisation("RBB")
    analyst = make_user(Role.ANALYST, organisation=organisation)

    # When they open the Board report page from the navigation
    sign_in(page, analyst.email)
    section_link(page, "Workforce insights", "Board report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board report")
    expect(page.get_by_label("Period end")).to_have_value("2025-03")
    journey.check("board report")

    # And they type a period start that is not a month
    page.get_by_label("Period start").fill("March 2024")
    page.get_by_label("Web page (HTML), to read on screen or send").check()
    page.get_by_role("button", name="Prepare the report").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the period start as a month (2024-03) or a day (2024-03-31)")
    journey.check("bad period")

    # Then, with the period put right, the report is made and its page offers it
    page.get_by_label("Period start").fill("2024-03")
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board report")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Ready")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("31 March 2024 to 31 March 2025")
    expect(page.get_by_role("main")).to_contain_text("The report is ready.")
    journey.check("report ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report").click()
    download = download_info.value
    assert download.suggested_filename == "workforce-report-raa-2024-03-31-2025-03-31.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert "RBB" not in html and "B ward 1" not in html
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT, actor=analyst).exists()

    # And the report is listed among their recent reports
    page.get_by_role("link", name="Ask for another board report").click()
    recent = page.get_by_role("table", name="Your recent board reports")
    expect(recent).to_contain_text("31 March 2024 to 31 March 2025")
    expect(recent).to_contain_text("Ready")
    journey.check("recent reports")

    # When a report is still waiting for the worker, its page updates itself until they stop it
    waiting = board_report_create(
        membership=analyst.memberships.get(),
        actor=analyst,
        organisation=organisation,
        alliance=None,
        organisation_codes=["RAA"],
        title=f"Workforce report: {organisation.name}",
        period=Window(dt.date(2024, 3, 31), dt.date(2025, 3, 31)),
        file_format="pdf",
        individual_level=False,
    )
    page.goto(f"/insights/report/{waiting.pk}/")
    expect(page.get_by_role("status")).to_have_text("Waiting for the worker to start.")
    journey.check("report queued")
    page.get_by_role("link", name="Stop updating this page").click()
    expect(page.get_by_role("link", name="Update this page")).to_be_visible()
    assert page.locator("[data-app-refresh]").count() == 0
    journey.check("report queued, not updating")

    # And the report itself reads well and passes axe (in a blank page: the service's own content security
    # policy is for the service's pages, not for a file opened on its own)
    page.goto("about:blank")
    page.set_content(html)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workforce report")
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible()
    assert page.locator("figure svg").count() >= 9
    journey.check("the report")
    journey.finish()
