"""The outcomes report journey: a lead opens a programme's outcomes report, then one cohort's, on a desktop and
on a phone; each page is checked with axe and never scrolls sideways on the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_alliance, make_organisation, make_user
from cultivate.programmes.testing import make_programme
from cultivate.programmes.tests.test_outcomes import fill

from .browser import Journey, horizontal_overflow, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lead_reads_the_outcomes_report(page: Page, journey: Journey, settings, tmp_path) -> None:
    # Given an alliance programme with a cohort of eight who attended, answered the surveys and gave feedback
    settings.INSIGHTS_STORE = tmp_path / "store"
    alliance = make_alliance("Midlands Alliance")
    orgs = [make_organisation(alliance=alliance) for _ in range(3)]
    educator = make_user(Role.EDUCATOR, organisation=orgs[0])
    programme = make_programme(alliance=alliance, lead=educator, cohorts=2)
    cohort, _ = fill({"programme": programme, "orgs": orgs})

    # When the lead opens the outcomes report from the programme's page
    sign_in(page, educator.email)
    page.goto(f"/programmes/{programme.pk}/")
    page.get_by_role("link", name="Outcomes report").click()

    # Then each part shows a chart with its table, and small groups read [c]
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
    expect(page.get_by_role("heading", name="Self-assessment before and after")).to_be_visible()
    expect(
        page.get_by_role("table", name="Attendance, completion and feedback by organisation")
    ).to_contain_text("[c]")
    journey.check("outcomes report")

    # And on a phone, one cohort's report fits the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/programmes/cohorts/{cohort.pk}/outcomes/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(cohort.name)
    page.wait_for_load_state("load")
    assert horizontal_overflow(page) == 0
    journey.check("cohort outcomes on a phone")
