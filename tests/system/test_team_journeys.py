"""Journeys of line managers and assessors, who see the people in their teams and nobody else."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_team, make_user
from cultivate.organisations.models import SupportRole

from .browser import Journey, nav_link, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_line_manager_sees_their_team_and_not_another(page: Page, journey: Journey) -> None:
    # Given a line manager of Birch Ward, and a person on Oak Ward in the same organisation
    organisation = make_organisation()
    birch, oak = make_team(organisation, "Birch Ward"), make_team(organisation, "Oak Ward")
    make_person(organisation, team=birch, given_name="Jo", family_name="Adeyemi")
    make_person(organisation, team=birch, given_name="Kit", family_name="Barlow", band="4")
    stranger = make_person(organisation, team=oak, given_name="Lee", family_name="Chandra")
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[birch])

    # When they sign in and open My team
    sign_in(page, manager.email)
    journey.check("home")
    nav_link(page, "My team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team")
    team_table = page.get_by_role("table", name=re.compile("Birch Ward"))
    expect(team_table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("main")).not_to_contain_text("Chandra")
    journey.check("my team")

    # Then they can open a team member's record
    team_table.get_by_role("link", name="Kit Barlow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kit Barlow")
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("Band 4, Birch Ward")
    # Equality information is for the person and their organisation's admins only.
    expect(page.get_by_role("heading", name="Equality information")).to_have_count(0)
    journey.check("team member")

    # But a person on another team is not even admitted to exist: an NHS-styled "Page not found"
    response = page.goto(f"/people/{stranger.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("header.nhsuk-header")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Accessibility statement")
    expect(page).to_have_title(re.compile(r"^Page not found – .+ – NHS$"))
    expect(page.get_by_role("main")).not_to_contain_text("Chandra")
    journey.finish()


def test_assessor_sees_the_people_they_assess(page: Page, journey: Journey) -> None:
    # Given a registered nurse who assesses for Elm Ward
    organisation = make_organisation()
    elm = make_team(organisation, "Elm Ward")
    ria = make_person(organisation, team=elm, given_name="Ria", family_name="Desai")
    # A support worker (her post is a support role): assessors list the support workers they assess.
    ria.spells.update(role=SupportRole.objects.get(name="Health care assistant"))
    make_person(organisation, team=make_team(organisation, "Ash Ward"), given_name="Tom", family_name="Evans")
    assessor = make_user(Role.ASSESSOR, organisation=organisation, teams=[elm])

    # When they sign in and follow "People I assess" from the home page
    sign_in(page, assessor.email)
    journey.check("home")
    page.get_by_role("main").get_by_role("link", name="People I assess").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People I assess")
    expect(page.get_by_role("main")).not_to_contain_text("Evans")
    journey.check("people I assess")

    # Then they can open the record of a person they assess
    page.get_by_role("link", name="Ria Desai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ria Desai")
    expect(page.get_by_role("table", name=re.compile("Employment history"))).to_contain_text("Elm Ward")
    journey.finish()
