"""The portfolio journey: a support worker adds evidence with a file and asks for sign-off; the assessor for
their ward finds it in their queue and signs it off; the worker sees the competence achieved. Then the ward's line
manager checks delegation: yes today, relying on that sign-off; no on a day after the sign-off expires."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_spell, make_team, make_user
from cultivate.core.models import AuditEvent
from cultivate.frameworks.models import Competence, Framework, FrameworkVersion, NodeType, RoleRequirement
from cultivate.organisations.models import EmploymentSpell, SupportRole
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.services import add_months
from cultivate.portfolio.tests.delegation_factories import make_protocol

from .browser import Journey, fill_date, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ward() -> dict[str, str]:
    """A ward with a support worker whose role requires a competence assessed in practice, an assessor, a line
    manager, and a delegation protocol that needs the competence signed off at supervised or above."""
    organisation = make_organisation()
    ward = make_team(organisation, "Willow Ward")
    person = make_person(organisation, given_name="Sam", family_name="Okafor")
    make_spell(person, team=ward, start=dt.date(2026, 1, 5))
    role = SupportRole.objects.create(name="Healthcare assistant", category="HCA and similar")
    EmploymentSpell.objects.filter(person=person).update(role=role)
    framework = Framework.objects.create(title="Clinical skills", owner_organisation=organisation)
    version = FrameworkVersion.objects.create(framework=framework, number=1, status="published")
    domain = Competence.objects.create(
        version=version, framework=framework, node_type=NodeType.DOMAIN, title="Observations"
    )
    competence = Competence.objects.create(
        version=version,
        framework=framework,
        parent=domain,
        code="OBS1",
        title="Measure and record blood pressure",
        assessed_in_practice=True,
        reassess_months=12,
    )
    RoleRequirement.objects.create(
        organisation=organisation, role=role, competence=competence, min_level="supervised", within_days=84
    )
    make_protocol(
        organisation,
        code="blood-pressure",
        activity="Blood pressure monitoring",
        requirements=[(competence, "supervised")],
    )
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    assessor = make_user(Role.ASSESSOR, organisation=organisation, teams=[ward])
    manager = make_user(Role.LINE_MANAGER, organisation=organisation, teams=[ward])
    return {
        "worker": worker.email,
        "assessor": assessor.email,
        "assessor_name": assessor.full_name,
        "manager": manager.email,
        "team": str(ward.pk),
        "person": str(person.pk),
    }


def test_evidence_sign_off_request_and_sign_off(page: Page, journey: Journey) -> None:
    # Given a support worker on Willow Ward whose role needs blood pressure signed off, and the ward's assessor
    ward = _ward()

    # When the worker opens their portfolio
    sign_in(page, ward["worker"])
    page.goto("/portfolio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your portfolio")
    expect(page.get_by_role("main")).to_contain_text("0 of 1 required competence met")
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Not started")
    journey.check("portfolio, not started")

    # And opens the competence and adds an observation with a PDF
    page.get_by_role("link", name="OBS1 Measure and record blood pressure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Measure and record blood pressure")
    journey.check("competence")
    page.get_by_role("button", name="Add evidence for this competence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    journey.check("add evidence")
    page.get_by_label("Observation in practice").check()
    page.get_by_label("Title").fill("Observed on the early shift")
    fill_date(page, "Date", timezone.localdate())
    page.get_by_label("What happened").fill("Took and recorded blood pressure for four patients.")
    page.get_by_label("Name of observer or witness").fill("Jo Jones")
    page.locator("input[type=file][name=attachments]").set_input_files(
        files=[FilePayload(name="observation-record.pdf", mimeType="application/pdf", buffer=PDF)]
    )
    page.get_by_role("button", name="Save evidence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Observed on the early shift")
    expect(page.get_by_role("link", name="observation-record.pdf")).to_be_visible()
    journey.check("evidence")

    # And asks for sign-off at supervised, leaving it to any assessor for the ward
    # The evidence page offers the next step: ask for sign-off of what it shows.
    expect(page.get_by_role("heading", name="Next: ask for sign-off")).to_be_visible()
    page.get_by_role("link", name="OBS1 Measure and record blood pressure", exact=True).click()
    page.get_by_role("button", name="Ask for sign-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for sign-off")
    expect(page.get_by_label("Observed on the early shift", exact=False)).to_be_checked()
    page.get_by_label("Level you are asking for").select_option("supervised")
    page.get_by_label("Message to the assessor").fill("I am on earlies next week.")
    journey.check("ask for sign-off")
    page.get_by_role("button", name="Ask for sign-off").click()
    expect(page.get_by_role("main")).to_contain_text("Awaiting sign-off")
    journey.check("awaiting")
    sign_out(page)

    # Then the assessor finds the request in their queue
    sign_in(page, ward["assessor"])
    page.goto("/assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-off requests")
    queue = page.get_by_role("table", name=re.compile("Requests waiting for a decision"))
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text("Measure and record blood pressure")
    journey.check("queue")

    # And reviews the evidence (the file too) and signs it off at supervised
    queue.get_by_role("link", name=re.compile("Sam Okafor")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Measure and record blood pressure")
    expect(page.get_by_role("main")).to_contain_text("Took and recorded blood pressure for four patients.")
    with page.expect_download() as download:
        page.get_by_role("link", name="observation-record.pdf").click()
    assert download.value.suggested_filename == "observation-record.pdf"
    journey.check("review")
    page.get_by_label("Supervised").check()
    page.get_by_label("Comments").fill("Accurate, and explained each step to the patient.")
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("signed off for Sam Okafor")
    expect(page.get_by_role("main")).to_contain_text("No requests are waiting for you")
    journey.check("queue after sign-off")
    sign_out(page)

    # Then the worker sees it achieved, with the level, and was told
    sign_in(page, ward["worker"])
    page.goto("/portfolio/")
    expect(page.get_by_role("main")).to_contain_text("1 of 1 required competence met (100%)")
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Achieved")
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Signed off at Supervised")
    journey.check("portfolio, achieved")
    page.get_by_role("link", name="OBS1 Measure and record blood pressure").click()
    expect(page.get_by_role("table", name=re.compile("Assessment history"))).to_contain_text(
        ward["assessor_name"]
    )
    journey.check("competence, achieved")
    page.goto("/notifications/")
    expect(page.get_by_role("main")).to_contain_text("Measure and record blood pressure signed off")
    journey.check("notifications")

    # And the portfolio fits a phone screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portfolio/")
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # Then the ward's line manager sees Sam may take blood pressures today, until the sign-off expires
    today = timezone.localdate()
    expires_on = add_months(today, 12)
    sign_in(page, ward["manager"])
    page.goto(f"/teams/{ward['team']}/delegation/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who may carry out delegated activities")
    sam = page.get_by_role("row", name=re.compile("Sam Okafor"))
    expect(sam).to_contain_text("Yes")
    expect(sam).to_contain_text(f"until {_uk(expires_on)}")
    journey.check("team delegation")

    # And checks it: the form comes filled in for Sam, the activity and the ward, for today
    sam.get_by_role("link", name=re.compile("Check")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check delegation")
    expect(page.get_by_label("Person")).to_have_value(ward["person"])
    expect(page.get_by_label("Activity")).to_have_value("blood-pressure")
    expect(page.get_by_label("Team")).to_have_value(ward["team"])
    fill_date(page, "Date", today)
    journey.check("check delegation")
    page.get_by_role("button", name="Check", exact=True).click()
    answer = page.locator("#answer")
    expect(answer.get_by_role("heading", level=2, name="Yes")).to_be_visible()
    expect(answer).to_contain_text(
        f"Sam Okafor may carry out blood pressure monitoring in Willow Ward on {_uk(today)}."
    )
    relied_on = answer.get_by_role("table", name="Sign-offs the answer relies on")
    expect(relied_on.locator("tbody tr")).to_have_count(1)
    expect(relied_on).to_contain_text("OBS1 Measure and record blood pressure")
    expect(relied_on).to_contain_text("Supervised")
    expect(relied_on).to_contain_text(f"{_uk(today)} by {ward['assessor_name']}")
    expect(relied_on).to_contain_text(_uk(expires_on))
    journey.check("check delegation, yes")

    # When the competence has expired: the same check on the day after the sign-off's expiry says no, and why
    after = expires_on + dt.timedelta(days=1)
    fill_date(page, "Date", after)
    page.get_by_role("button", name="Check", exact=True).click()
    answer = page.locator("#answer")
    expect(answer.get_by_role("heading", level=2, name="No")).to_be_visible()
    expect(answer).to_contain_text(
        f"Sam Okafor may not carry out blood pressure monitoring in Willow Ward on {_uk(after)}, because:"
    )
    expect(answer.get_by_role("listitem")).to_have_text(
        [
            f"OBS1 Measure and record blood pressure: the sign-off expired on {_uk(expires_on)}; "
            "needs reassessing at Supervised."
        ]
    )
    expect(answer.get_by_role("table")).to_have_count(0)
    journey.check("check delegation, no")

    # And both answers are in the audit log, with the sign-off the yes relied on and the reason for the no
    checks = list(AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED).order_by("at", "id"))
    assert [(event.actor_email, event.detail["date"], event.detail["allowed"]) for event in checks] == [
        (ward["manager"], today.isoformat(), True),
        (ward["manager"], after.isoformat(), False),
    ]
    yes, no = (event.detail for event in checks)
    assert [(r["level"], r["assessed_on"], r["expires_on"]) for r in yes["relied_on"]] == [
        ("supervised", today.isoformat(), expires_on.isoformat())
    ]
    assert yes["reasons"] == [] and no["relied_on"] == []
    assert [reason["code"] for reason in no["reasons"]] == ["expired"]
    assert yes["protocol"] == no["protocol"] == "blood-pressure"
    assert yes["team"] == no["team"] == "Willow Ward"
    journey.finish()


def _uk(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
