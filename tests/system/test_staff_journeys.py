"""Journeys of the people whose work is on the ward: support workers, line managers and assessors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user

from .browser import Journey, horizontal_overflow, nav_link, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _support_worker() -> tuple[str, str]:
    organisation = make_organisation()
    earlier_team = make_team(organisation, "Cedar Ward")
    team = make_team(organisation, "Willow Ward")
    person = make_person(organisation, given_name="Sam", family_name="Okafor")
    make_spell(person, team=earlier_team, band="2", start=dt.date(2019, 4, 1), end=dt.date(2021, 3, 31))
    make_spell(person, team=team, band="3", start=dt.date(2021, 4, 1), fte="0.80")
    user = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    return user.email, team.name


def test_support_worker_sees_their_record_and_account(page: Page, journey: Journey) -> None:
    # Given a support worker with a current post on Willow Ward and an earlier one on Cedar Ward
    email, team = _support_worker()

    # When they sign in
    sign_in(page, email)
    journey.check("home")
    expect(page.get_by_role("link", name="My record").first).to_be_visible()

    # Then their record shows their post, team and employment history
    nav_link(page, "My record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text(re.compile(rf"Band 3, {team}"))
    history = page.get_by_role("table", name=re.compile("Employment history"))
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history).to_contain_text("Cedar Ward")
    expect(history).to_contain_text("Current")
    journey.check("my record")

    # And their account page shows who they are and how to change their password
    page.locator("header").get_by_role("link", name=re.compile(r"^User \d+")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()
    journey.check("account")

    # And they can sign out
    sign_out(page)
    journey.finish()


def test_support_worker_record_fits_a_phone(page: Page, journey: Journey) -> None:
    # Given a support worker on a 390 × 844 phone screen
    email, _ = _support_worker()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, email)

    # When they open their record
    page.goto("/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")

    # Then nothing, including the employment history table, makes the page scroll sideways
    assert horizontal_overflow(page) == 0
    journey.finish()
