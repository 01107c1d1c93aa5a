"""Every page with a file upload, and the API documentation, pass axe: as first shown, with the error the upload
control shows when no file was chosen, and (for the upload) once a file is chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_user
from cultivate.portfolio.tests.portfolio_factories import make_evidence

from .browser import Journey, horizontal_overflow, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _check_upload(page: Page, journey: Journey, path: str, label: str, button: str) -> None:
    page.goto(path)
    upload = page.get_by_label(label)
    expect(upload).to_be_visible()
    journey.check(f"{label}, empty")
    if button:
        # Sending without a file shows the control's error state.
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".nhsuk-error-summary")).to_be_visible()
        journey.check(f"{label}, error")
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "file.csv", "mimeType": "text/csv", "buffer": b"a,b\n"}]
    )
    journey.check(f"{label}, file chosen")


def test_every_upload_page_passes_axe(page: Page, journey: Journey) -> None:
    organisation = make_organisation("RX1")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    sign_in(page, admin.email)
    _check_upload(page, journey, "/organisations/RX1/import/", "People file", "Upload and check")
    _check_upload(
        page, journey, "/insights/organisations/RX1/import/", "Workforce extract", "Upload and import"
    )
    _check_upload(page, journey, "/frameworks/case/import/", "CASE package", "Upload and import")

    worker_person = make_person(organisation, given_name="Wendy")
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=worker_person)
    evidence = make_evidence(worker_person)
    page.context.clear_cookies()
    sign_in(page, worker.email)
    _check_upload(page, journey, "/portfolio/evidence/new/", "Files", "")
    _check_upload(page, journey, f"/portfolio/evidence/{evidence.pk}/edit/", "Files", "")
    journey.finish()


def test_the_api_docs_page_passes_axe(page: Page, journey: Journey) -> None:
    page.goto("/api/docs")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.finish()


def test_upload_pages_and_the_api_docs_fit_a_phone(page: Page, journey: Journey) -> None:
    """A support worker adds evidence between shifts on a phone; the other pages must fit one too."""
    page.set_viewport_size({"width": 390, "height": 844})
    organisation = make_organisation("RX1")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    page.goto("/api/docs")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert horizontal_overflow(page) == 0, "/api/docs"
    sign_in(page, admin.email)
    for path in (
        "/organisations/RX1/import/",
        "/insights/organisations/RX1/import/",
        "/frameworks/case/import/",
    ):
        page.goto(path)
        assert horizontal_overflow(page) == 0, path
    worker_person = make_person(organisation, given_name="Wendy")
    worker = make_user(Role.SUPPORT_WORKER, organisation=organisation, person=worker_person)
    page.context.clear_cookies()
    sign_in(page, worker.email)
    page.goto("/portfolio/evidence/new/")
    assert horizontal_overflow(page) == 0, "/portfolio/evidence/new/"
    journey.finish()
