"""Credentials journeys on a phone-sized screen (390 × 844): a participant shares their certificate and checks it
as anyone would; a worker takes their competence record to another trust, where a tampered copy is refused and an
assessor recognises the real one in one step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_alliance, make_organisation, make_person, make_team, make_user
from cultivate.credentials.testing import make_credential
from cultivate.portfolio.models import Assessment
from cultivate.portfolio.tests.portfolio_factories import make_assessment, make_competence, make_framework

from .browser import Journey, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page: Page) -> None:
    page.wait_for_load_state("load")  # the header script moves what does not fit into "More" once loaded
    assert horizontal_overflow(page) == 0, page.url


def test_a_participant_shares_their_certificate_and_checks_it(page: Page, journey: Journey) -> None:
    organisation = make_organisation()
    person = make_person(organisation, team=make_team(organisation), given_name="Priya", family_name="Shah")
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=person)
    credential = make_credential(person, shared=False)
    page.set_viewport_size({"width": 390, "height": 844})

    sign_in(page, worker.email)
    page.get_by_role("link", name="Certificates and competence record").click()
    _fits(page)
    journey.check()
    page.get_by_role("link", name=credential.title).click()
    expect(page.get_by_text("This credential is valid")).to_be_visible()
    _fits(page)
    journey.check()
    page.get_by_role("button", name="Share a link to check it").click()
    expect(page.get_by_text("Anyone with the link can now check this certificate.")).to_be_visible()
    journey.check("shared")
    sign_out(page)

    # Anyone, not signed in, follows the link (the QR code on the printed certificate goes there).
    page.goto(f"/credentials/verify/{credential.identifier}/")
    expect(page.get_by_role("heading", name="This credential is valid")).to_be_visible()
    expect(page.get_by_text("Priya Shah")).to_be_visible()
    _fits(page)
    journey.finish()


def test_a_worker_takes_their_competence_record_to_another_trust(
    page: Page, journey: Journey, tmp_path: Path
) -> None:
    alliance = make_alliance()
    framework = make_framework("Clinical skills", is_reference=True)
    competence = make_competence(framework, "Measure and record blood glucose", assessed_in_practice=True)
    trust_a = make_organisation(alliance=alliance)
    person_a = make_person(trust_a, team=make_team(trust_a), given_name="Sam", family_name="Okafor")
    worker_a = make_user(Role.SUPPORT_WORKER, organisation=trust_a, person=person_a)
    make_assessment(person_a, competence)
    trust_b = make_organisation(alliance=alliance)
    ward_b = make_team(trust_b, "Oak Ward")
    person_b = make_person(trust_b, team=ward_b, given_name="Sam", family_name="Okafor")
    worker_b = make_user(Role.SUPPORT_WORKER, organisation=trust_b, person=person_b)
    assessor_b = make_user(Role.ASSESSOR, organisation=trust_b, teams=[ward_b])
    page.set_viewport_size({"width": 390, "height": 844})

    # At trust A the worker makes and downloads their record.
    sign_in(page, worker_a.email)
    page.get_by_role("link", name="Certificates and competence record").click()
    page.get_by_role("button", name="Make a competence record").click()
    expect(page.get_by_text("Your competence record holds 1 signed-off competences.")).to_be_visible()
    _fits(page)
    journey.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the record (JSON)").click()
    record = tmp_path / "record.json"
    download.value.save_as(record)
    sign_out(page)

    # At trust B a tampered copy is refused, with the reason; nothing is kept.
    tampered = json.loads(record.read_text())
    tampered["verifiableCredential"][0]["credentialSubject"]["result"][0]["value"] = "Expert"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(tampered))
    sign_in(page, worker_b.email)
    page.get_by_role("link", name="Certificates and competence record").click()
    page.get_by_role("link", name="Bring your competence record from another employer").click()
    page.locator("input[type=file][name=file]").set_input_files(str(forged))
    page.get_by_role("button", name="Check and bring in").click()
    expect(page.get_by_text("This record was refused").first).to_be_visible()
    _fits(page)
    journey.check("refused")

    # The real one is brought in and waits for an assessor.
    page.locator("input[type=file][name=file]").set_input_files(str(record))
    page.get_by_role("button", name="Check and bring in").click()
    expect(page.get_by_text("Your record was checked and brought in.")).to_be_visible()
    expect(page.get_by_text("Waiting for an assessor")).to_be_visible()
    _fits(page)
    journey.check()
    sign_out(page)

    # Trust B's assessor recognises it in one step.
    sign_in(page, assessor_b.email)
    page.get_by_role("link", name="Recognise prior assessment").click()
    expect(page.get_by_text("Measure and record blood glucose")).to_be_visible()
    _fits(page)
    journey.check()
    page.get_by_role("button", name="Confirm sign-off").click()
    expect(page.get_by_text("is signed off for Sam Okafor")).to_be_visible()
    assert Assessment.objects.filter(person=person_b, assessor=assessor_b).exists()
    _fits(page)
    journey.finish()
