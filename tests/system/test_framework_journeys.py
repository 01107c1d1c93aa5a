"""Browser journeys through the framework pages, each page checked with axe (WCAG 2.2 AA) and for browser
errors, by keyboard where it matters, and on a phone-sized screen. Run with
`python -m pytest tests/system/test_framework_journeys.py -q -p no:cacheprovider`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext
from cultivate.frameworks import reference, services
from cultivate.frameworks.case import testing as case_testing
from cultivate.frameworks.tests.framework_factories import (
    build_framework,
    make_assessment,
    make_role,
    published_row,
)

from .browser import Journey, fill_date, horizontal_overflow, sign_in

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _reference_frameworks() -> None:
    # A transactional test before this one empties the tables, and the serialized copy that should refill them
    # is kept on a connection object Playwright's event loop does not see; so load the reference data again.
    reference.install()


def test_educator_revises_and_publishes_a_framework(page: Page, journey: Journey) -> None:
    # Given an educator whose trust has a published framework, and a worker signed off against two competences
    organisation = t.make_organisation("RAA", alliance=t.make_alliance("North"))
    educator = t.make_user(Role.EDUCATOR, organisation=organisation)
    built = build_framework(organisation, title="Ward skills framework")
    person = t.make_person(organisation)
    make_assessment(person, published_row(built.framework, "MH1"))
    make_assessment(person, published_row(built.framework, "MH2"))

    # When they open the frameworks list and their framework
    sign_in(page, educator.email)
    page.goto("/frameworks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Competency frameworks")
    journey.check("list")
    page.get_by_role("link", name="Ward skills framework").click()
    expect(page.get_by_text("Exact match:")).to_be_visible()
    journey.check("detail")

    # And start a draft, then add a competence, first leaving the statement empty
    page.get_by_role("button", name="Start a new draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    journey.check("draft")
    page.get_by_role("link", name=re.compile("Add a competence to Safety")).click()
    page.get_by_role("button", name="Add competence").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    journey.check("item form with errors")
    page.get_by_label("Code").fill("MH5")
    page.get_by_label("Statement").fill("Supports people to take their medicines")
    page.get_by_label("Assessed in practice (observed at work)").check()
    page.get_by_role("button", name="Add competence").click()
    expect(page.get_by_text("Competence added")).to_be_visible()

    # And move a competence up by keyboard
    move_up = page.get_by_role("button", name=re.compile("Move up MH3"))
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#item-" + str(built.items["MH3"].identifier))).to_be_visible()

    # And change MH1's statement
    page.get_by_role("link", name=re.compile("^Change MH1")).click()
    page.get_by_label("Statement").fill("Communicates and checks understanding")
    page.get_by_role("button", name="Save changes").click()
    # Back on the version before going on, or the next click can race the redirect.
    expect(page.get_by_text("Changes saved.")).to_be_visible()

    # And map MH2 to a Care Certificate standard
    page.get_by_role("link", name=re.compile("Crosswalks of MH2")).click()
    page.get_by_label("Framework to map to").select_option(label="Care Certificate standards (2025)")
    page.get_by_role("button", name="Choose framework").click()
    journey.check("crosswalks")
    page.get_by_label("Item it maps to").select_option(label="CC14 Handling information")
    page.get_by_role("button", name="Add crosswalk").click()
    expect(page.get_by_text("Exact match: CC14 Handling information")).to_be_visible()
    page.get_by_role("link", name="Back to the draft").click()

    # Then the publish page says what changed and who needs reassessing, before they confirm
    page.get_by_role("button", name="Review and publish").click()
    expect(page.get_by_text("1 person's sign-off will need reassessment")).to_be_visible()
    expect(page.get_by_role("table", name="Items whose content changed")).to_contain_text("MH1")
    journey.check("publish preview")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("1 sign-offs carried over, 1 need reassessment")).to_be_visible()
    journey.finish()


def test_requirements_and_a_phone_sized_screen(page: Page, journey: Journey) -> None:
    # Given an organisation admin whose trust uses its alliance's framework
    alliance = t.make_alliance("North")
    organisation = t.make_organisation("RAA", alliance=alliance)
    admin = t.make_user(Role.ORG_ADMIN, organisation=organisation)
    alliance_fw = build_framework(alliance, title="North Alliance framework")
    services.adoption_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=organisation)
    role = make_role("Mental health support worker (journey)")

    # When they add a requirement, first without choosing a role
    sign_in(page, admin.email)
    page.goto(f"/frameworks/organisations/{organisation.ods_code}/requirements/")
    journey.check("requirements, empty")
    page.get_by_role("button", name="Add a requirement").click()
    page.get_by_label("Framework").select_option(label="North Alliance framework")
    page.get_by_role("button", name="Choose framework").click()
    page.get_by_role("button", name="Add requirement").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    journey.check("requirement form with errors")
    page.get_by_label(role.name).check()
    page.get_by_label("Competence", exact=True).select_option(label="All competences in D1 Communication")
    page.get_by_label("Level needed").select_option(label="Independent")
    page.get_by_label("Within (days of starting in the role)").fill("84")
    page.get_by_role("button", name="Add requirement").click()

    # Then the requirements are listed by role
    expect(page.get_by_role("table")).to_contain_text("84 days")
    journey.check("requirements")

    # And the framework pages fit a phone
    page.set_viewport_size({"width": 375, "height": 800})
    for path in (
        "/frameworks/",
        f"/frameworks/{alliance_fw.framework.identifier}/",
        f"/frameworks/organisations/{organisation.ods_code}/requirements/",
    ):
        page.goto(path)
        assert horizontal_overflow(page) == 0, path
        journey.check(f"phone {path}")
    journey.finish()


SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _fits(page: Page, journey: Journey, label: str) -> None:
    assert horizontal_overflow(page) == 0, label
    journey.check(label)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_educator_imports_checks_discards_publishes_deletes_and_requires(
    page: Page, journey: Journey, screen: str
) -> None:
    # Given an educator whose trust has a published framework of its own and two support roles to train
    page.set_viewport_size(SCREENS[screen])
    organisation = t.make_organisation("RAA", alliance=t.make_alliance("North"))
    educator = t.make_user(Role.EDUCATOR, organisation=organisation)
    build_framework(organisation, title="Ward skills framework")
    ward, community = (
        make_role("Ward support worker (journey)"),
        make_role("Community support worker (journey)"),
    )
    package = str(case_testing.CASE_DIR / "Ordering.json")  # read in place from the shared fixtures

    # When they upload a CASE file, it lands as a draft and they see what it holds before anything is used
    sign_in(page, educator.email)
    page.goto("/frameworks/case/import/")
    _fits(page, journey, "import")
    page.locator("input[type=file][name=package]").set_input_files(package)
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check the imported framework")
    expect(page.get_by_text("new framework, in draft")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("New items")
    _fits(page, journey, "import check")

    # And, it being the wrong moment, they discard it: nothing is kept
    page.get_by_role("button", name="Discard this import").click()
    expect(page.get_by_text("Import discarded: ACT Holistic Framework, Math was removed.")).to_be_visible()
    _fits(page, journey, "after discard")

    # When they upload it again and publish it
    page.locator("input[type=file][name=package]").set_input_files(package)
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("ACT Holistic Framework, Math version 1 is published.")).to_be_visible()
    _fits(page, journey, "published framework")

    # Then, it being a mistake after all and used by nothing, they delete it
    page.get_by_role("link", name="Delete this framework").click()
    expect(page.get_by_text("Nothing refers to this framework")).to_be_visible()
    _fits(page, journey, "delete")
    page.get_by_role("button", name="Delete this framework").click()
    expect(page.get_by_text("ACT Holistic Framework, Math was deleted.")).to_be_visible()

    # When they require a domain of their own framework of two roles at once, with a grace period
    page.goto(f"/frameworks/organisations/{organisation.ods_code}/requirements/new/")
    page.get_by_label("Framework").select_option(label="Ward skills framework")
    page.get_by_role("button", name="Choose framework").click()
    page.get_by_label("Competence", exact=True).select_option(label="All competences in D1 Communication")
    page.get_by_label(ward.name).check()
    page.get_by_label(community.name).check()
    page.get_by_label("Level needed").select_option(label="Supervised")
    page.get_by_label("Within (days of starting in the role)").fill("84")
    fill_date(page, "When the requirement began (optional)", dt.date(2026, 4, 1))
    page.get_by_label("Grace period for people already in post (days)").fill("180")
    _fits(page, journey, "requirement form")
    page.get_by_role("button", name="Add requirement").click()
    expect(page.get_by_text("6 requirements added")).to_be_visible()
    expect(page.locator("#requirements-count")).to_contain_text("6 requirements")

    # Then they filter the list to one role
    page.get_by_label("Role", exact=True).select_option(label=ward.name)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#requirements-count")).to_contain_text("3 requirements match these filters")
    expect(page.get_by_role("table")).to_contain_text("180 days' grace")
    _fits(page, journey, "requirements filtered")
    journey.finish()
