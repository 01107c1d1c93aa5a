"""Learning journeys: a line manager reviews the team's gaps and mandatory training and books a person onto a
session; a worker on a phone-sized screen sees what to do next, enrols, completes, evaluates and sees the
evidence in the portfolio. Each ends with axe on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, RoleRequirement
from cultivate.learning.models import (
    Completion,
    EnrolmentStatus,
    MandatoryRequirement,
    MandatorySubject,
    Offer,
    OfferCompetence,
    Session,
)
from cultivate.organisations.models import EmploymentSpell, SupportRole

from .browser import Journey, fill_date, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _ward() -> dict[str, object]:
    """A ward whose support workers' role requires mental health awareness; a course that develops it with a
    session next week and one held yesterday; fire safety as mandatory training, out of date for one worker."""
    organisation = make_organisation()
    ward = make_team(organisation, "Willow Ward")
    manager_person = make_person(organisation, given_name="Mo", family_name="Patel")
    make_spell(manager_person, team=ward, band="6")
    sam = make_person(organisation, given_name="Sam", family_name="Okafor")
    make_spell(sam, team=ward, start=dt.date(2026, 1, 5), line_manager=manager_person)
    ali = make_person(organisation, given_name="Ali", family_name="Reed")
    make_spell(ali, team=ward, start=dt.date(2025, 3, 1), line_manager=manager_person)
    role = SupportRole.objects.create(name="Healthcare assistant", category="HCA and similar")
    EmploymentSpell.objects.filter(person__in=[sam, ali]).update(role=role)
    framework = Framework.objects.create(title="Mental health support", owner_organisation=organisation)
    version = FrameworkVersion.objects.create(framework=framework, number=1, status="published")
    awareness = Competence.objects.create(
        version=version,
        framework=framework,
        code="MH1",
        title="Mental health awareness",
        assessed_in_practice=True,
    )
    RoleRequirement.objects.create(
        organisation=organisation, role=role, competence=awareness, min_level="supervised", within_days=84
    )
    fire = MandatorySubject.objects.create(
        organisation=organisation, code="fire-safety", name="Fire safety", renewal_months=12
    )
    MandatoryRequirement.objects.create(subject=fire)
    Completion.objects.create(
        person=ali,
        subject=fire,
        completed_on=timezone.localdate() - dt.timedelta(days=40),
        hours=Decimal("1"),
    )
    course = Offer.objects.create(
        organisation=organisation,
        code="mh-awareness",
        title="Mental health awareness for support workers",
        kind="internal_course",
        provider="Learning and development",
        mode="classroom",
        hours=Decimal("6"),
        cost_per_place=Decimal("60"),
        capacity=12,
    )
    OfferCompetence.objects.create(offer=course, competence=awareness)
    nine = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0)
    Session.objects.create(
        offer=course,
        starts_at=nine + dt.timedelta(days=7),
        ends_at=nine + dt.timedelta(days=7, hours=6),
        capacity=12,
        venue="Education centre",
    )
    yesterday = Session.objects.create(
        offer=course,
        starts_at=nine - dt.timedelta(days=1),
        ends_at=nine - dt.timedelta(days=1) + dt.timedelta(hours=6),
        capacity=12,
        venue="Education centre",
    )
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=sam)
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward], person=manager_person)
    return {"worker": worker.email, "manager": manager.email, "team": ward.pk, "held": yesterday, "sam": sam}


def test_manager_reviews_team_gaps_and_books_a_place(page: Page, journey: Journey) -> None:
    ward = _ward()
    sign_in(page, str(ward["manager"]))
    # The manager opens Team learning from the home page
    page.get_by_role("link", name="Team learning").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team learning")
    journey.check("team list")
    page.get_by_role("link", name="Willow Ward").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Willow Ward")
    main = page.get_by_role("main")
    # Both workers lack mental health awareness; one is out of date in fire safety
    expect(main).to_contain_text("Mental health awareness")
    expect(
        main.get_by_role("table", name="Required competences and mandatory subjects people lack")
    ).to_contain_text("2 of 2")
    expect(main).to_contain_text("Fire safety")
    journey.check("team learning")
    # And opens Sam's learning, which names the course and its next session
    main.get_by_role("link", name="Sam Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Okafor")
    expect(page.get_by_role("main")).to_contain_text("Mental health awareness for support workers")
    journey.check("person learning")
    page.get_by_role("link", name=re.compile(r"for Mental health awareness$")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mental health awareness for support workers")
    journey.check("session")
    # And books Sam a place in protected time
    page.get_by_role("link", name="Book someone a place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a place")
    page.get_by_label("Who").select_option(label="Sam Okafor")
    page.get_by_label("In protected time (backfilled)").check()
    journey.check("book")
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_role("main")).to_contain_text("Sam Okafor: booked")
    expect(page.get_by_role("main")).to_contain_text("1 of 12 taken")
    # Booking Sam again is refused with a clear message
    page.get_by_role("link", name="Book someone a place").click()
    page.get_by_label("Who").select_option(label="Sam Okafor")
    page.get_by_role("button", name="Book the place").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Sam Okafor already has a place on this session"
    )
    journey.check("book twice")
    journey.finish()


def test_worker_on_a_phone_enrols_completes_evaluates(page: Page, journey: Journey) -> None:
    ward = _ward()
    held = ward["held"]
    assert isinstance(held, Session)
    # Sam had a place on yesterday's session (booked by the manager last week)
    held.enrolments.create(person=ward["sam"], status=EnrolmentStatus.BOOKED)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, str(ward["worker"]))
    page.goto("/learning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    main = page.get_by_role("main")
    expect(main).to_contain_text("What to do next")
    expect(main).to_contain_text("Mental health awareness")
    assert horizontal_overflow(page) == 0
    journey.check("my learning")
    # Asks for a place on next week's session
    main.get_by_role("link", name=re.compile(r"for Mental health awareness$")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mental health awareness for support workers")
    assert horizontal_overflow(page) == 0
    journey.check("session")
    page.get_by_role("button", name="Ask for a place").click()
    expect(page.get_by_role("main")).to_contain_text("Your request has gone to your line manager to approve")
    expect(page.get_by_role("main")).to_contain_text("Waiting for manager approval")
    # Records completing yesterday's session
    page.get_by_role("link", name="Record that you completed it").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that you completed it")
    fill_date(page, "Date you completed it", timezone.localdate())
    assert horizontal_overflow(page) == 0
    journey.check("complete")
    page.get_by_role("button", name="Record completion").click()
    # Evaluates it
    expect(page.get_by_role("heading", level=1)).to_have_text("How was it?")
    page.get_by_label("4 – good").check()
    page.get_by_label("What was most useful?").fill("Practising conversations")
    assert horizontal_overflow(page) == 0
    journey.check("evaluate")
    page.get_by_role("button", name="Send the evaluation").click()
    expect(page.get_by_role("main")).to_contain_text("your evaluation is recorded")
    # And finds the evidence in the portfolio
    page.get_by_role("link", name="In your portfolio", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Completed: Mental health awareness for support workers"
    )
    assert horizontal_overflow(page) == 0
    journey.check("evidence")
    sign_out(page)
    journey.finish()
