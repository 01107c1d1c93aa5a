"""Career pathway journeys on a phone-sized screen (390×844): a support worker checks what is left to become a
trainee nursing associate and sees what is missing; an apprentice logs off-the-job hours and sees the shortfall
close; a line manager sees who is ready. Each ends with axe (no violations)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user
from cultivate.pathways import testing as pt
from cultivate.pathways.models import QualificationKind

from .browser import Journey, fill_date, horizontal_overflow, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def _ward() -> dict[str, object]:
    pt.load_reference()
    organisation = make_organisation("RAA")
    ward = make_team(organisation, "Willow Ward")
    person = make_person(organisation, given_name="Sam", family_name="Okafor")
    make_spell(person, team=ward, band="3", start=dt.date(2024, 1, 8))
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward])
    return {"organisation": organisation, "person": person, "worker": worker, "manager": manager}


def test_a_worker_checks_readiness_for_trainee_nursing_associate(page: Page, journey: Journey) -> None:
    # Given a band 3 worker with GCSE English and the Care Certificate, assessed at level 1 in maths
    ward = _ward()
    person = ward["person"]
    pt.make_qualification(person, QualificationKind.GCSE_ENGLISH)
    pt.make_qualification(person, QualificationKind.CARE_CERTIFICATE)
    pt.make_skills_result(person, "maths", "L1")
    page.set_viewport_size(PHONE)

    # When they open the card on their home page
    sign_in(page, ward["worker"].email)
    journey.check("home")
    page.get_by_role("link", name="What is left for me to become a nursing associate").click()

    # Then they read, in plain words, what is left and what would meet it
    expect(page.get_by_role("heading", level=1)).to_have_text("Your career pathway")
    expect(
        page.get_by_text("2 things left before you can become a trainee nursing associate.")
    ).to_be_visible()
    expect(
        page.get_by_text("Your assessment puts you at level 1 in maths: one level to go to reach level 2.")
    ).to_be_visible()
    expect(page.get_by_text("Talk to your line manager: they record their support here.")).to_be_visible()
    assert horizontal_overflow(page) == 0
    journey.check("my pathway")
    page.get_by_role("link", name="More about becoming a trainee nursing associate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What is left to become a trainee nursing associate"
    )
    assert horizontal_overflow(page) == 0
    journey.finish()


def test_an_apprentice_logs_hours_and_the_shortfall_closes(page: Page, journey: Journey) -> None:
    # Given an apprentice 10 weeks into a nursing associate apprenticeship (187 hours over a year) with nothing
    # logged
    ward = _ward()
    today = timezone.localdate()
    start = today - dt.timedelta(days=70)
    apprenticeship = pt.make_apprenticeship(
        ward["person"], pt.standard("ST0827"), start=start, end=start + dt.timedelta(days=365)
    )
    page.set_viewport_size(PHONE)
    sign_in(page, ward["worker"].email)
    # Their home page leads with it
    expect(page.get_by_text("Your off-the-job hours are")).to_be_visible()
    page.goto(f"/pathways/apprenticeships/{apprenticeship.pk}/")
    expect(page.get_by_text("Behind on off-the-job hours")).to_be_visible()
    journey.check("behind")

    # When they log hours on three days (over the day's contracted hours is refused first)
    day = today - dt.timedelta(days=1)
    fill_date(page, "Day of the training", day)
    page.get_by_label("Hours", exact=True).fill("9")
    page.get_by_label("What you did").fill("University study day")
    page.get_by_role("button", name="Log hours").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="That is more than the 7.5 hours contracted that day")
    ).to_be_visible()
    journey.check("refused")
    for days_ago in (1, 8, 15, 22, 29):
        fill_date(page, "Day of the training", today - dt.timedelta(days=days_ago))
        page.get_by_label("Hours", exact=True).fill("7.5")
        page.get_by_label("What you did").fill("University study day")
        page.get_by_role("button", name="Log hours").click()
        expect(page.get_by_text("Hours logged.", exact=True)).to_be_visible()

    # Then the shortfall has closed
    expect(page.get_by_text("Behind on off-the-job hours")).to_have_count(0)
    expect(page.get_by_text("On track:")).to_be_visible()
    assert horizontal_overflow(page) == 0
    journey.finish()


def test_a_manager_sees_who_is_ready(page: Page, journey: Journey) -> None:
    # Given a worker with every qualification, whose manager has not yet recorded support
    ward = _ward()
    person = ward["person"]
    for kind in (
        QualificationKind.GCSE_ENGLISH,
        QualificationKind.GCSE_MATHS,
        QualificationKind.CARE_CERTIFICATE,
    ):
        pt.make_qualification(person, kind)
    page.set_viewport_size(PHONE)
    sign_in(page, ward["manager"].email)

    # When the manager opens who is ready, the worker is nearly ready (one short: the manager's support)
    page.get_by_role("link", name="Who is ready for the next step").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who is ready for the next step")
    nearly = page.locator("details", has_text="Nearly ready for trainee nursing associate")
    nearly.get_by_text("Nearly ready for trainee nursing associate").click()
    expect(nearly.get_by_text("Sam Okafor: Your line manager's support")).to_be_visible()
    journey.check("nearly ready")

    # And records their support on the worker's pathway page, after which the worker is ready
    page.goto(f"/pathways/people/{person.pk}/")
    page.get_by_label("Step").select_option(label="Trainee nursing associate")
    page.get_by_role("button", name="Record my support").click()
    expect(page.get_by_text("Your support for trainee nursing associate is recorded.")).to_be_visible()
    page.goto("/pathways/organisations/RAA/readiness/")
    ready = page.locator("details", has_text="Ready for trainee nursing associate")
    ready.get_by_text("Ready for trainee nursing associate").click()
    expect(ready.get_by_text("Sam Okafor")).to_be_visible()
    assert horizontal_overflow(page) == 0
    journey.finish()


def test_a_worker_enrols_on_functional_skills_maths_completes_it_and_sees_the_requirement_met(
    page: Page, journey: Journey
) -> None:
    from cultivate.learning import testing as learning
    from cultivate.learning.models import Enrolment, EnrolmentStatus, OfferKind, Session

    # Given a worker assessed at level 1 in maths, and a level 2 functional skills maths course with a session
    ward = _ward()
    person = ward["person"]
    pt.make_skills_result(person, "maths", "L1")
    course = learning.make_offer(
        ward["organisation"],
        kind=OfferKind.FUNCTIONAL_SKILLS,
        title="Functional skills maths",
        academic_level="Level 2",
    )
    session = learning.make_session(course, starts_in_days=14)
    page.set_viewport_size(PHONE)
    sign_in(page, ward["worker"].email)

    # When they check their pathway, the maths requirement names the course and its next session
    page.goto("/pathways/me/")
    expect(page.get_by_text("Offers: Functional skills maths (next session")).to_be_visible()
    journey.check("maths still to do")

    # And they ask for a place on it
    page.goto(f"/learning/sessions/{session.pk}/")
    page.get_by_role("button", name="Ask for a place").click()
    enrolment = Enrolment.objects.get(person=person, session=session)

    # (their manager books the place, and the course runs)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.BOOKED)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-3),
    )

    # And they record completing it
    page.goto(f"/learning/enrolments/{enrolment.pk}/complete/")
    fill_date(page, "Date you completed it", timezone.localdate() - dt.timedelta(days=1))
    page.get_by_role("button", name="Record completion").click()
    expect(page.get_by_text("Completion recorded.")).to_be_visible()

    # Then their pathway shows the maths requirement met
    page.goto("/pathways/me/")
    maths = page.locator("li", has_text="Functional skills maths level 2 or GCSE maths")
    expect(maths.get_by_text("Done")).to_be_visible()
    assert horizontal_overflow(page) == 0
    journey.finish()


def _trust_with_ready_people() -> dict[str, object]:
    """An organisation's one-step pathway (the Care Certificate), 20 White and 20 Asian band 3 workers in post
    for years, all holding it; in the year since, 10 of the White and 5 of the Asian workers moved to band 4."""
    from cultivate.organisations.models import EmploymentSpell
    from cultivate.pathways.models import RequirementKind, Step, StepRequirement

    organisation = make_organisation("RAA")
    pathway = pt.make_pathway("Senior support route", owner_organisation=organisation)
    step = Step.objects.create(pathway=pathway, code="senior", title="Senior healthcare assistant", band="4")
    StepRequirement.objects.create(
        step=step,
        kind=RequirementKind.QUALIFICATION,
        qualifications=[QualificationKind.CARE_CERTIFICATE],
        evidenced_by="Certificate",
    )
    ward = make_team(organisation, "Willow Ward")
    moved_on = timezone.localdate() - dt.timedelta(days=120)
    for i in range(40):
        person = make_person(
            organisation, ethnic_category="A" if i < 20 else "H", disability="Y" if i % 2 else "N"
        )
        spell = make_spell(person, team=ward, band="3", start=dt.date(2022, 1, 10))
        pt.make_qualification(person, QualificationKind.CARE_CERTIFICATE, awarded_on=dt.date(2022, 6, 1))
        if i < 10 or 20 <= i < 25:
            EmploymentSpell.objects.filter(pk=spell.pk).update(end_date=moved_on - dt.timedelta(days=1))
            make_spell(person, team=ward, band="4", start=moved_on)
    analyst = make_user(Role.ANALYST, organisation=organisation)
    return {"organisation": organisation, "analyst": analyst}


def test_an_analyst_sees_whether_ready_people_progressed(page: Page, journey: Journey) -> None:
    scene = _trust_with_ready_people()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, scene["analyst"].email)

    # When the analyst opens the pathways and follows "Do ready people progress?"
    page.goto("/pathways/")
    page.get_by_role("link", name="Do ready people progress?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Do ready people progress?")

    # Then the step's ready people, how many progressed, and the relative likelihood with its interval show,
    # as a chart and a table, with the approximation said plainly
    ready = page.get_by_role("region", name="Ready people and progression")
    expect(
        ready.get_by_role("row", name="Senior healthcare assistant (Senior support route)")
    ).to_contain_text("40")
    expect(
        ready.get_by_role("row", name="Senior healthcare assistant (Senior support route)")
    ).to_contain_text("38%")
    likelihoods = page.get_by_role("region", name="Relative likelihood of progressing for ready people")
    expect(likelihoods.get_by_text("2.00").first).to_be_visible()
    expect(page.locator("figure.app-chart")).to_be_visible()
    expect(page.get_by_text("are taken as they are now")).to_be_visible()
    assert horizontal_overflow(page) == 0
    journey.check("desktop")

    # And on a phone the page does not scroll sideways
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Do ready people progress?")
    assert horizontal_overflow(page) == 0
    journey.check("phone")

    # And the download is a spreadsheet
    with page.expect_download() as download:
        page.get_by_role("link", name="Download both tables as a spreadsheet (Excel, XLSX)").click()
    assert download.value.suggested_filename.startswith("ready-people-progression-RAA-")
    journey.finish()
