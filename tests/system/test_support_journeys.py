"""Support at work: a worker on a phone asks for flexible working; their line manager decides it (a decision
dated before the request is refused with a clear message) and records the support offered after an incident;
an analyst reads the rates by band, ethnic group and disability. Phone-sized and desktop screens, axe on every
page, no sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user

from .browser import Journey, fill_date, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _ward() -> dict[str, str]:
    organisation = make_organisation()
    ward = make_team(organisation, "Willow Ward")
    manager_person = make_person(organisation, given_name="Mo", family_name="Patel")
    make_spell(manager_person, team=ward, band="6")
    sam = make_person(
        organisation, given_name="Sam", family_name="Okafor", ethnic_category="A", disability="N"
    )
    make_spell(sam, team=ward, line_manager=manager_person)
    for n in range(8):
        colleague = make_person(
            organisation, given_name="Colleague", family_name=f"N{n}", ethnic_category="H"
        )
        make_spell(colleague, team=ward, band="3" if n % 2 else "4")
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=sam)
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward], person=manager_person)
    analyst = make_user(Role.ANALYST, organisation=organisation)
    return {
        "worker": worker.email,
        "manager": manager.email,
        "analyst": analyst.email,
        "ods": organisation.ods_code,
    }


def _fits(page: Page, journey: Journey, label: str) -> None:
    assert horizontal_overflow(page) == 0, label
    journey.check(label)


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_flexible_working_decided_and_support_recorded(
    page: Page, journey: Journey, screen: dict[str, int]
) -> None:
    ward = _ward()
    today = timezone.localdate()
    page.set_viewport_size(screen)
    # A worker asks for flexible working
    sign_in(page, ward["worker"])
    page.goto("/learning/support/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support at work")
    _fits(page, journey, "worker hub")
    page.get_by_role("button", name="Ask for flexible working").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for flexible working")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Say what working pattern you are asking for"
    )
    _fits(page, journey, "ask with errors")
    page.get_by_label("What working pattern are you asking for?").fill("Term-time only")
    page.get_by_label("Hours a week you are asking for (optional)").fill("30")
    fill_date(page, "When would you like it to start?", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("main")).to_contain_text("Your request has gone to your line manager")
    expect(page.get_by_role("main")).to_contain_text("Waiting for a decision")
    _fits(page, journey, "request")
    sign_out(page)

    # The manager decides it
    sign_in(page, ward["manager"])
    page.goto("/learning/support/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Sam Okafor")
    _fits(page, journey, "manager hub")
    main.get_by_role("link", name="Decide Sam Okafor's request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decide the request for flexible working")
    page.get_by_label("Approve with changes agreed with them").check()
    page.get_by_label("What changes were agreed, or why it is refused").fill("Term-time, 28 hours")
    fill_date(page, "Date of the decision", today - dt.timedelta(days=3))
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("on or after the date of the request")
    _fits(page, journey, "decision before the request")
    fill_date(page, "Date of the decision", today)
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("main")).to_contain_text("Sam Okafor: approved with changes")

    # And records the support offered after an incident
    page.get_by_role("button", name="Record support after an incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record support after an incident")
    page.get_by_label("Who was affected").select_option(label="Sam Okafor")
    fill_date(page, "Date of the incident", today + dt.timedelta(days=1))
    page.get_by_label("Verbal abuse").check()
    page.get_by_label("A relative or member of the public").check()
    page.get_by_label("Counselling or the employee assistance programme").check()
    page.get_by_label("Accepted", exact=True).check()
    fill_date(page, "Date to follow up", today + dt.timedelta(days=14))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The date of the incident must be today or in the past"
    )
    _fits(page, journey, "future incident")
    fill_date(page, "Date of the incident", today)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("Support for Sam Okafor recorded")
    expect(page.get_by_role("main")).to_contain_text("Counselling or employee assistance")
    _fits(page, journey, "support record")
    sign_out(page)

    # An analyst reads the rates, small numbers hidden
    sign_in(page, ward["analyst"])
    page.goto(f"/learning/organisations/{ward['ods']}/support/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support at work in figures")
    table = page.get_by_role("table", name="Flexible working and post-incident support by band")
    expect(table).to_contain_text("All people")
    expect(table).to_contain_text("[c]")
    expect(
        page.get_by_role("table", name="Flexible working and post-incident support by ethnic group")
    ).to_be_visible()
    _fits(page, journey, "figures")
    journey.finish()
