"""The programme journeys: a lead creates a programme, allocates accepted applicants to cohorts, pairs practice
partners, takes a register and closes the cohort; a support worker on a phone applies, checks in with the
session's code and answers the surveys. Each page is checked with axe; the phone pages never scroll sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_alliance, make_organisation, make_user
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_domain, make_framework
from cultivate.programmes.models import Application, ApplicationStatus, Participant, Programme
from cultivate.programmes.testing import (
    make_application,
    make_programme,
    make_session,
    make_worker,
)

from .browser import Journey, fill_date, horizontal_overflow, nav_link, sign_in


def fits(page: Page) -> bool:
    """No sideways scrolling, measured once the page (and the header's script) has loaded."""
    page.wait_for_load_state("load")
    return horizontal_overflow(page) == 0


pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lead_creates_allocates_pairs_takes_a_register_and_closes(page: Page, journey: Journey) -> None:
    # Given an alliance of three trusts, an educator at the first, and workers of all three
    alliance = make_alliance("Midlands Alliance")
    orgs = [make_organisation(alliance=alliance) for _ in range(3)]
    educator = make_user(Role.EDUCATOR, organisation=orgs[0])
    workers = [
        make_worker(orgs[i % 3], setting=["inpatient", "community", "crisis"][i % 3])[1] for i in range(9)
    ]
    today = timezone.localdate()
    framework = make_framework("Support worker framework", is_reference=True)
    domain = make_domain(framework, "Communication")
    make_competence(framework, "Explains care plans", parent=domain)
    make_competence(framework, "Listens and responds", parent=domain)

    # When the educator creates an alliance programme
    sign_in(page, educator.email)
    nav_link(page, "Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    journey.check("programmes")
    page.get_by_role("link", name="Create a programme").click()
    page.get_by_label("Midlands Alliance (all member trusts)").check()
    page.get_by_label("Title").fill("Developing Healthcare Talent")
    fill_date(page, "Start date", today - dt.timedelta(days=7))
    page.get_by_label("Length in weeks").fill("14")
    page.get_by_label("Online").check()
    journey.check("create a programme")
    page.get_by_role("button", name="Create the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Developing Healthcare Talent")
    programme = Programme.objects.get(title="Developing Healthcare Talent")

    # And adds two cohorts and a session today
    for name in ("Cohort 1", "Cohort 2"):
        page.get_by_role("link", name="Add a cohort").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Places").fill("5")
        page.get_by_role("button", name="Add the cohort").click()
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Topic").fill("Welcome")
    fill_date(page, "Date", today)
    page.get_by_label("Start time").fill("00:01")
    page.get_by_label("End time").fill("23:59")
    page.get_by_label("Joining link").fill("https://teams.example.nhs.uk/welcome")
    journey.check("add a session")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("main")).to_contain_text("Welcome")
    page.get_by_role("button", name="Open for applications").click()
    journey.check("programme")

    # And lists a framework competence it covers, found by a word
    page.get_by_role("link", name="Competences it covers").click()
    page.get_by_label("Find competences").fill("care plans")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page.get_by_role("main")).not_to_contain_text("Listens and responds")
    page.get_by_label("Explains care plans").check()
    journey.check("competences")
    page.get_by_role("button", name="Save the competences").click()
    expect(page.get_by_role("main")).to_contain_text("Explains care plans")

    # And nine people have accepted places
    for person in workers:
        make_application(programme, person)

    # Then the lead allocates them, pins one and runs it again
    page.get_by_role("link", name="Cohort allocation").click()
    page.get_by_role("button", name="Allocate cohorts").click()
    expect(page.get_by_role("main")).to_contain_text("People placed")
    journey.check("allocation")
    first = Participant.objects.order_by("pk").first()
    assert first is not None
    page.get_by_role("button", name=f"Pin {first.person.given_name} {first.person.family_name}").click()
    page.get_by_role("button", name="Run the allocation again").click()
    expect(page.get_by_role("main")).to_contain_text("Pinned")
    first.refresh_from_db()
    assert first.pinned

    # And pairs practice partners in the pinned person's cohort
    page.get_by_role("link", name=f"Practice partners and sessions for {first.cohort.name}").click()
    page.get_by_role("button", name="Pair practice partners").click()
    expect(page.get_by_role("main")).to_contain_text("work in")
    journey.check("cohort with partners")

    # And takes the register, everyone present
    page.get_by_role("link", name="Register for Welcome").click()
    expect(page.locator("#checkin-code")).to_be_visible()
    for radio in page.get_by_label("Present", exact=True).all():
        radio.check()
    journey.check("register")
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_role("main")).to_contain_text("Register saved")

    # And closes the cohort
    page.get_by_role("link", name="Close the cohort").click()
    journey.check("close")
    page.get_by_role("button", name="Close the cohort").click()
    expect(page.get_by_role("main")).to_contain_text("Cohort closed")
    journey.finish()


def test_the_participant_applies_checks_in_and_answers_on_a_phone(page: Page, journey: Journey) -> None:
    # Given an open programme of the worker's trust with a session under way
    org = make_organisation()
    educator = make_user(Role.EDUCATOR, organisation=org)
    programme = make_programme(organisation=org, lead=educator)
    user, person = make_worker(org)
    session = make_session(programme, start=timezone.now() - dt.timedelta(minutes=10))
    page.set_viewport_size({"width": 390, "height": 844})

    # When the worker applies
    sign_in(page, user.email)
    nav_link(page, "Programmes").click()
    page.get_by_role("link", name=programme.title).click()
    assert fits(page)
    journey.check("programme on a phone")
    page.get_by_role("link", name="Apply for a place").click()
    page.get_by_label("Why do you want to take part?").fill("To grow in confidence.")
    page.get_by_label("When can you attend?").fill("Not Mondays")
    assert fits(page)
    journey.check("apply")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My programme")
    application = Application.objects.get(person=person)
    assert application.status == ApplicationStatus.SUBMITTED

    # And is offered a place, accepts and is placed (the lead's part, done directly here)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ACCEPTED)
    place = Participant.objects.create(cohort=programme.cohorts.get(), application=application, person=person)

    # Then they check in with the code shown in the session
    page.reload()
    page.get_by_role("link", name="Check in").click()
    page.get_by_label("Check-in code").fill("WRONG1")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not right")
    journey.check("check-in error")
    page.get_by_label("Check-in code").fill(session.checkin_code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("main")).to_contain_text("You are checked in")
    assert place.attendance.filter(status="present").exists()

    # And answer the self-assessment, the session's evaluation and the feedback
    page.get_by_role("link", name="Self-assessment at the start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Self-assessment")
    for group in page.locator("fieldset").all():
        group.get_by_label("3", exact=True).check()
    assert fits(page)
    journey.check("self-assessment")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("main")).to_contain_text("Only you see your answers")
    page.get_by_role("link", name=f"Evaluate: {session.topic}").click()
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Send").click()
    page.get_by_role("link", name="Feedback on the programme").click()
    page.get_by_role("group", name="Overall, how would you rate the programme?").get_by_label("5").check()
    page.get_by_label("Yes").check()
    assert fits(page)
    journey.check("feedback")
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("main")).to_contain_text("Thank you for your feedback")
    assert fits(page)
    journey.finish()
