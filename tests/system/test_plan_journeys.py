"""Development plan and supervision journeys: a worker on a phone proposes a plan with a goal linked to a course;
their line manager (on a desktop) asks for a change; the worker edits and sends it again; the manager agrees it,
records a supervision meeting with a private note, and sees who is overdue. Axe on every page, no sideways
scrolling on the phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user
from cultivate.learning.models import Offer

from .browser import Journey, fill_date, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _ward() -> dict[str, str]:
    organisation = make_organisation()
    ward = make_team(organisation, "Willow Ward")
    mo = make_person(organisation, given_name="Mo", family_name="Patel")
    make_spell(mo, team=ward, band="6")
    sam = make_person(organisation, given_name="Sam", family_name="Okafor")
    make_spell(sam, team=ward, start=dt.date(2025, 1, 5), line_manager=mo)
    ali = make_person(organisation, given_name="Ali", family_name="Reed")
    make_spell(ali, team=ward, start=dt.date(2024, 3, 1), line_manager=mo)
    Offer.objects.create(
        organisation=organisation,
        code="glucose",
        title="Blood glucose monitoring",
        kind="internal_course",
        provider="Learning and development",
        mode="classroom",
        hours=Decimal("3"),
    )
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=sam)
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward], person=mo)
    return {"worker": worker.email, "manager": manager.email}


def _fits(page: Page, journey: Journey, label: str) -> None:
    assert horizontal_overflow(page) == 0, label
    journey.check(label)


def test_plan_agreed_after_a_change_and_supervision_recorded(page: Page, journey: Journey) -> None:
    ward = _ward()
    today = timezone.localdate()
    # Sam, on a phone, starts from the home page (the live server's first page may be slow on a busy machine)
    page.set_viewport_size(PHONE)
    page.goto("/accounts/sign-in/", timeout=60_000)
    sign_in(page, ward["worker"])
    page.get_by_role("link", name="Agree your development plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My development plan")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=2).first).to_have_text("What to do next")
    _fits(page, journey, "empty plan")
    main.get_by_role("link", name="Start your plan").click()
    # A review date before the start is refused with a clear message
    fill_date(page, "Start date", today)
    fill_date(page, "Review date", today - dt.timedelta(days=1))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The review date must be on or after the plan"
    )
    _fits(page, journey, "plan dates error")
    fill_date(page, "Review date", today + dt.timedelta(days=90))
    page.get_by_role("button", name="Save and continue").click()
    # Adds a goal linked to a course
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a goal")
    page.get_by_label("Your goal").fill("Take blood glucose readings on my own")
    page.get_by_label("A course that helps (optional)").select_option(label="Blood glucose monitoring")
    _fits(page, journey, "add goal")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_role("main")).to_contain_text("Course: Blood glucose monitoring")
    _fits(page, journey, "plan with goal")
    page.get_by_role("button", name="Send my plan to my supervisor").click()
    expect(page.get_by_role("main")).to_contain_text("Waiting for your supervisor")
    sign_out(page)

    # Mo, on a desktop, asks for a change
    page.set_viewport_size(DESKTOP)
    sign_in(page, ward["manager"])
    page.get_by_role("link", name="1 development plan waits for you to agree").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision")
    journey.check("supervision list")
    page.get_by_role("main").get_by_role("link", name="Sam Okafor").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor: development plan")
    page.get_by_label("Ask for changes").check()
    page.get_by_label("What should change").fill("Give the goal a target date")
    journey.check("decide")
    page.get_by_role("button", name="Save your decision").click()
    expect(page.get_by_role("main")).to_contain_text("Changes asked of Sam Okafor")
    sign_out(page)

    # Sam edits the goal and sends it again
    page.set_viewport_size(PHONE)
    sign_in(page, ward["worker"])
    page.get_by_role("link", name="Your supervisor asked for changes to your development plan").click()
    expect(page.get_by_role("main")).to_contain_text("Give the goal a target date")
    page.get_by_role("link", name="Change the goal: Take blood glucose readings on my own").click()
    fill_date(page, "Target date (optional)", today + dt.timedelta(days=60))
    _fits(page, journey, "change goal")
    page.get_by_role("button", name="Save the goal").click()
    page.get_by_role("button", name="Send my plan to my supervisor").click()
    expect(page.get_by_role("main")).to_contain_text("Plan sent to your supervisor")
    sign_out(page)

    # Mo agrees it and records supervision with a private note
    page.set_viewport_size(DESKTOP)
    sign_in(page, ward["manager"])
    page.goto("/learning/supervision/")
    page.get_by_role("main").get_by_role("link", name="Sam Okafor").first.click()
    page.get_by_label("Agree the plan").check()
    page.get_by_label("Review notes").fill("A good plan")
    page.get_by_role("button", name="Save your decision").click()
    expect(page.get_by_role("main")).to_contain_text("Sam Okafor's plan agreed")
    page.get_by_role("link", name="Record a supervision meeting with Sam Okafor").click()
    fill_date(page, "Date of the meeting", today)
    page.get_by_label("What you agreed").fill("Book the glucose course")
    page.get_by_label("Private note").fill("Finding nights hard")
    journey.check("record supervision")
    page.get_by_role("button", name="Record the meeting").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Finding nights hard")
    journey.check("supervision records")
    # Ali has had no supervision since starting: overdue
    page.goto("/learning/supervision/")
    overdue = page.get_by_role("table", name="People overdue for supervision")
    expect(overdue).to_contain_text("Ali Reed")
    expect(overdue).not_to_contain_text("Sam Okafor")
    journey.check("overdue")
    page.set_viewport_size(PHONE)
    page.reload()  # laid out afresh for the phone, as the header decides what fits when a page loads
    page.wait_for_load_state("load")
    _fits(page, journey, "overdue on a phone")
    journey.finish()
