"""The workforce data journey: an organisation admin uploads a small extract, follows its status until it is done,
then reviews a job title the import could not place. Every page passes the accessibility check."""

from __future__ import annotations

import io
import zipfile
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import FilePayload, Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.insights.models import InsightsImport, JobTitleReview
from cultivate.insights.store import manifest
from cultivate.insights.tests.extract_fixtures import extract_tables, write_csv

from .browser import Journey, section_link, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _extract_zip(folder: Path) -> bytes:
    """The fixture extract with only RX1's spells, one of them with a title no role matches."""
    tables = extract_tables()
    header, rows = tables["assignments"]
    rows = [row for row in rows if row[header.index("organisation_code")].upper() == "RX1"]
    rows[0][header.index("job_title")] = "Zyxwv Quorbler"
    tables["assignments"] = (header, rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(write_csv(folder, tables).iterdir()):
            archive.write(path, f"extract/{path.name}")
    return buffer.getvalue()


def test_admin_imports_an_extract_and_reviews_a_job_title(
    page: Page, journey: Journey, settings: Any, tmp_path: Path
) -> None:
    # Given an organisation admin of RX1 and an empty insights store
    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.MEDIA_ROOT = tmp_path / "media"
    # The role catalogue comes from a data migration; a transactional test run before this one in the same
    # process may have flushed it, so load it again (it is idempotent).
    import_module("cultivate.organisations.migrations.0002_role_catalogue").load(django_apps, None)
    organisation = make_organisation("RX1")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)

    # When they open the import page from the navigation
    sign_in(page, admin.email)
    section_link(page, "Workforce insights", "Import workforce data").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import workforce data")
    journey.check("import page")

    # And upload nothing, they are told what to do
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select the extract to upload")
    journey.check("upload error")

    # And upload a zip of CSV files
    page.locator("input[type=file][name=extract]").set_input_files(
        files=[
            FilePayload(name="extract.zip", mimeType="application/zip", buffer=_extract_zip(tmp_path / "x"))
        ]
    )
    page.get_by_role("button", name="Upload and import").click()

    # Then the status page reaches done and shows the rows per table
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workforce data import")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Imported")
    expect(page.get_by_role("main")).to_contain_text("The extract was imported.")
    rows = page.get_by_role("table", name="Rows imported")
    expect(rows).to_contain_text("Employment spells (assignments)")
    expect(rows).to_contain_text("People")
    assert manifest(tmp_path / "store")["datasets"]["extract-RX1"]["rows"]["assignments"] == 4
    journey.check("import done")

    # When they follow the link to the job titles waiting for review
    page.get_by_role("link", name="Review job titles").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Job titles to review")
    expect(page.get_by_role("main")).to_contain_text("Zyxwv Quorbler")
    journey.check("review queue")

    # And map the title to a role
    page.get_by_role("link", name="Review Zyxwv Quorbler").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zyxwv Quorbler")
    journey.check("review decision")
    page.get_by_label("It is this role").check()
    page.get_by_label("Role", exact=True).select_option(label="Healthcare support worker")
    page.get_by_role("button", name="Save decision").click()

    # Then the queue is empty and the decision is listed
    expect(page.get_by_role("main")).to_contain_text("is mapped to Healthcare support worker")
    expect(page.get_by_role("main")).to_contain_text("There are no job titles waiting for review.")
    journey.check("review decided")
    review = JobTitleReview.objects.get(organisation=organisation)
    assert review.status == "accepted" and review.role is not None

    # And the count of titles per role includes the store's titles
    page.get_by_role("link", name="See how many job titles map to each role").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Job titles per role")
    expect(page.get_by_role("main")).to_contain_text("Healthcare support worker")
    journey.check("titles per role")

    # And a snapshot still waiting for the worker shows its progress and can be told to stop updating
    waiting = InsightsImport.objects.create(
        organisation=organisation, kind="snapshot", dataset="service-RX1", started_by=admin
    )
    page.goto(f"/insights/organisations/RX1/import/{waiting.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Waiting for the worker to start.")
    journey.check("snapshot queued")
    page.get_by_role("link", name="Stop updating this page").click()
    expect(page.get_by_role("main")).to_contain_text("Update this page")
    journey.finish()
