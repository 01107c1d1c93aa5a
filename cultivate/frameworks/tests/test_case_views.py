"""The CASE import page and the export download: who may, what they see, what is audited."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cultivate.accounts.models import Role, User
from cultivate.accounts.testing import make_alliance, make_organisation, make_user
from cultivate.core.audit import AuditContext
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.case import testing
from cultivate.frameworks.case.services import case_import
from cultivate.frameworks.case.writer import schema_problems
from cultivate.frameworks.models import Framework, FrameworkVersion, VersionStatus
from cultivate.organisations.models import Alliance, Organisation

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = [
    pytest.mark.django_db,
]

IMPORT_URL = "/frameworks/case/import/"
ORDERING_ID = "a33fc64e-5c40-11e7-82c4-3d54268aa9ee"


@pytest.fixture
def alliance() -> Alliance:
    return make_alliance("Harrowdale")


@pytest.fixture
def organisation(alliance: Alliance) -> Organisation:
    return make_organisation("RX1", alliance=alliance)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes | None = None) -> dict[str, SimpleUploadedFile]:
    data = content if content is not None else testing.real_package(name)
    return {"package": SimpleUploadedFile(name, data, content_type="application/json")}


@pytest.mark.parametrize("role", [Role.EDUCATOR, Role.ORG_ADMIN])
def test_educators_and_org_admins_import_into_their_organisation(
    role: str, organisation: Organisation
) -> None:
    client = client_for(make_user(role, organisation=organisation))
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert (
        'enctype="multipart/form-data"' in page.content.decode() and 'name="package"' in page.content.decode()
    )

    response = client.post(IMPORT_URL, upload("Ordering.json"))

    # The import lands as a draft, checked on a page of its own before anyone is assessed against it.
    assert response.status_code == 302
    assert response["Location"] == f"/frameworks/{ORDERING_ID}/versions/1/imported/"
    html = client.get(response["Location"]).content.decode()
    assert "Check the imported framework" in html and "new framework, in draft" in html
    assert re.search(r"New items\s*</dt>\s*<dd[^>]*>\s*28\s*</dd>", html)
    assert re.search(r"Associations\s*</dt>\s*<dd[^>]*>\s*28\s*</dd>", html)
    framework = Framework.objects.get(identifier=ORDERING_ID)
    assert framework.versions.get().status == VersionStatus.DRAFT
    assert framework.owner_organisation == organisation
    event = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_IMPORTED)
    assert event.actor is not None and event.actor_role == role and event.detail["file"] == "Ordering.json"


def test_an_alliance_admin_imports_into_the_alliance(alliance: Alliance) -> None:
    client = client_for(make_user(Role.ALLIANCE_ADMIN, alliance=alliance))

    response = client.post(IMPORT_URL, upload("Ordering.json"), follow=True)

    assert "Check the imported framework" in response.content.decode()
    assert Framework.objects.get(identifier=ORDERING_ID).owner_alliance == alliance


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ASSESSOR, Role.ANALYST, Role.LINE_MANAGER])
def test_other_roles_may_not_import(role: str, organisation: Organisation) -> None:
    client = client_for(make_user(role, organisation=organisation))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, upload("Ordering.json")).status_code == 403
    assert not Framework.objects.filter(identifier=ORDERING_ID).exists()
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == 2


def test_a_bad_file_shows_every_problem_with_its_path_and_changes_nothing(organisation: Organisation) -> None:
    package = json.loads(testing.real_package("SmartLevelFramework.json"))
    del package["CFItems"][12]["fullStatement"]
    for association in package["CFAssociations"]:
        del association["originNodeURI"]
    client = client_for(make_user(Role.EDUCATOR, organisation=organisation))
    versions = FrameworkVersion.objects.count()

    response = client.post(IMPORT_URL, upload("smart.json", json.dumps(package).encode()))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "nhsuk-error-summary" in html and "The package was not imported: 15 problems" in html
    # In the summary, in words (issue 14: not "$.CFItems[12].fullStatement: required")
    assert "Item 13 of CFItems, its fullStatement: missing: add it to the file and import it again" in html
    assert "and 5 more, listed below" in html
    assert html.count("<code>$.CFAssociations[") == 14  # every one in the table
    assert FrameworkVersion.objects.count() == versions
    assert not AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_IMPORTED).exists()


def test_the_form_refuses_what_is_not_a_json_file(organisation: Organisation) -> None:
    client = client_for(make_user(Role.EDUCATOR, organisation=organisation))

    response = client.post(IMPORT_URL, upload("framework.csv", b"a,b\n"))
    assert "The selected file must be a JSON file, ending .json" in response.content.decode()
    missing = client.post(IMPORT_URL, {})
    assert "Select a CASE package (a .json file)" in missing.content.decode()


def test_importing_again_says_no_change(organisation: Organisation) -> None:
    client = client_for(make_user(Role.EDUCATOR, organisation=organisation))
    client.post(IMPORT_URL, upload("Ordering.json"))

    response = client.post(IMPORT_URL, upload("Ordering.json"))

    assert "No change: the package matches version 1" in response.content.decode()


def test_someone_elses_framework_is_refused_with_a_path(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Ordering.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=make_organisation("RX2"),
    )
    client = client_for(make_user(Role.EDUCATOR, organisation=organisation))

    html = client.post(IMPORT_URL, upload("Ordering.json")).content.decode()

    assert (
        "The framework document (CFDocument), its identifier: a framework with this identifier is already in "
        "Cultivate" in html
    )
    assert "<code>$.CFDocument.identifier</code>" in html


def test_anyone_who_may_see_a_framework_downloads_it_audited(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Ordering.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=organisation,
        publish=True,
    )
    client = client_for(make_user(Role.SUPPORT_WORKER, organisation=organisation))

    response = client.get(f"/frameworks/case/CFPackages/{ORDERING_ID}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="act-holistic-framework-math-v1.case.json"'
    )
    package = json.loads(response.content)
    assert not schema_problems(package, testing.official_schema())
    event = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_EXPORTED)
    assert event.detail["version"] == 1 and event.actor_role == Role.SUPPORT_WORKER


def test_other_organisations_frameworks_are_not_found(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
    )
    stranger = client_for(make_user(Role.EDUCATOR, organisation=make_organisation("RX3")))

    assert stranger.get(f"/frameworks/case/CFPackages/{ORDERING_ID}").status_code == 404
    assert not AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_EXPORTED).exists()


def test_reference_frameworks_are_for_everyone(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Utf8TestFramework.json"),
        actor=None,
        ctx=TEST_JOB,
        reference=True,
        publish=True,
    )
    client = client_for(make_user(Role.SUPPORT_WORKER, organisation=make_organisation("RX4")))

    response = client.get("/frameworks/case/CFPackages/d0000000-0000-0000-0000-000000000000")

    assert response.status_code == 200
    assert "UTF8 \U0001d451 Test".encode() in response.content


def test_drafts_are_only_for_those_who_write_the_framework(organisation: Organisation) -> None:
    name = "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json"
    outcome = case_import(
        data=testing.real_package(name), actor=None, ctx=TEST_JOB, organisation=organisation
    )
    assert outcome.version is not None and outcome.version.status == VersionStatus.DRAFT
    url = f"/frameworks/case/CFPackages/{outcome.version.framework.identifier}"

    assert client_for(make_user(Role.SUPPORT_WORKER, organisation=organisation)).get(url).status_code == 404
    educator = client_for(make_user(Role.EDUCATOR, organisation=organisation))
    assert educator.get(url).status_code == 200
    assert educator.get(url + "?version=1").status_code == 200
    assert educator.get(url + "?version=7").status_code == 404
    assert educator.get(url + "?version=latest").status_code == 404
