"""A CASE import lands as a draft: the page that checks it (counts, the changes by CASE identifier, sign-offs),
publishing or discarding it, and deleting a framework nothing refers to (issue 14)."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role, User
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.frameworks import services
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.case import testing
from cultivate.frameworks.case.services import case_export, case_import
from cultivate.frameworks.models import (
    Framework,
    FrameworkSource,
    FrameworkVersion,
    RoleRequirement,
    VersionStatus,
)
from cultivate.frameworks.selectors.references import framework_references
from cultivate.organisations.models import Organisation

from .framework_factories import build_framework, make_assessment, make_role, published_row

TEST_JOB = AuditContext.system("test")
IMPORT_URL = "/frameworks/case/import/"
ORDERING_ID = "a33fc64e-5c40-11e7-82c4-3d54268aa9ee"

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def organisation() -> Organisation:
    return t.make_organisation("RX1", alliance=t.make_alliance("Harrowdale"))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes) -> dict[str, SimpleUploadedFile]:
    return {"package": SimpleUploadedFile(name, content, content_type="application/json")}


def review_url(identifier: Any, number: int) -> str:
    return f"/frameworks/{identifier}/versions/{number}/imported/"


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# --- a new framework ------------------------------------------------------------------------------------


def test_an_import_is_a_draft_published_from_its_check_page(organisation: Organisation) -> None:
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))

    response = client.post(IMPORT_URL, upload("Ordering.json", testing.real_package("Ordering.json")))

    assert response["Location"] == review_url(ORDERING_ID, 1)
    version = FrameworkVersion.objects.get(framework__identifier=ORDERING_ID)
    assert version.status == VersionStatus.DRAFT and version.published_at is None
    html = client.get(review_url(ORDERING_ID, 1)).content.decode()
    # One primary action (publish), the other secondary (discard).
    assert re.search(r'class="nhsuk-button"[^>]*name="action"[^>]*value="publish"', html)
    assert re.search(r'class="nhsuk-button nhsuk-button--secondary"[^>]*value="discard"', html)

    published = client.post(review_url(ORDERING_ID, 1), {"action": "publish"})

    assert published["Location"] == f"/frameworks/{ORDERING_ID}/"
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert (
        FrameworksAction.FRAMEWORK_IMPORTED in actions() and FrameworksAction.FRAMEWORK_PUBLISHED in actions()
    )


def test_discarding_a_new_import_removes_the_framework_audited(organisation: Organisation) -> None:
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))
    client.post(IMPORT_URL, upload("Ordering.json", testing.real_package("Ordering.json")))

    response = client.post(review_url(ORDERING_ID, 1), {"action": "discard"}, follow=True)

    assert "Import discarded: ACT Holistic Framework, Math was removed." in response.content.decode()
    assert not Framework.objects.filter(identifier=ORDERING_ID).exists()
    assert actions()[-2:] == [FrameworksAction.FRAMEWORK_DISCARDED, FrameworksAction.FRAMEWORK_DELETED]
    deleted = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_DELETED)
    assert deleted.detail["identifier"] == ORDERING_ID and deleted.organisation == organisation
    # And the same file can be imported again afterwards.
    again = client.post(IMPORT_URL, upload("Ordering.json", testing.real_package("Ordering.json")))
    assert again["Location"] == review_url(ORDERING_ID, 1)


def test_neither_publish_nor_discard_is_an_error_and_changes_nothing(organisation: Organisation) -> None:
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))
    client.post(IMPORT_URL, upload("Ordering.json", testing.real_package("Ordering.json")))

    html = client.post(review_url(ORDERING_ID, 1), {"action": "something"}).content.decode()

    assert "nhsuk-error-summary" in html and "Choose to publish the import or to discard it" in html
    assert FrameworkVersion.objects.get(framework__identifier=ORDERING_ID).status == VersionStatus.DRAFT


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"title": "a spreadsheet saved as JSON"}', "The framework document (CFDocument)"),
    ],
)
def test_bad_files_get_an_error_summary_and_nothing_is_written(
    organisation: Organisation, content: bytes, message: str
) -> None:
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))

    response = client.post(IMPORT_URL, upload("bad.json", content))

    html = response.content.decode()
    assert response.status_code == 200 and "nhsuk-error-summary" in html and message in html
    assert not Framework.objects.filter(source=FrameworkSource.CASE).exists()


def test_duplicate_identifiers_are_refused_whole(organisation: Organisation) -> None:
    package = json.loads(testing.real_package("SmartLevelFramework.json"))
    package["CFItems"][2]["identifier"] = package["CFItems"][1]["identifier"]
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))

    html = client.post(IMPORT_URL, upload("dup.json", json.dumps(package).encode())).content.decode()

    assert "nhsuk-error-summary" in html and "duplicate identifier" in html
    assert not Framework.objects.filter(source=FrameworkSource.CASE).exists()


# --- a new version of a framework already here ---------------------------------------------------------


def _new_version_package(organisation: Organisation) -> tuple[Any, dict[str, Any]]:
    """A published framework with sign-offs for MH1 and MH2, and its CASE package with MH1's statement
    changed, MH4 removed and a new competence MH9 added."""
    built = build_framework(organisation, title="Ward skills framework")
    person = t.make_person(organisation)
    make_assessment(person, published_row(built.framework, "MH1"))
    make_assessment(person, published_row(built.framework, "MH2"))
    package = copy.deepcopy(case_export(version=built.version, ctx=TEST_JOB))
    by_code = {item.get("humanCodingScheme"): item for item in package["CFItems"]}
    by_code["MH1"]["fullStatement"] = "Communicates and checks understanding"
    removed = by_code["MH4"]["identifier"]
    package["CFItems"] = [item for item in package["CFItems"] if item["identifier"] != removed]
    package["CFAssociations"] = [
        a
        for a in package["CFAssociations"]
        if removed not in (a["originNodeURI"].get("identifier"), a["destinationNodeURI"].get("identifier"))
    ]
    new_item = dict(by_code["MH3"], identifier=str(uuid.uuid4()), humanCodingScheme="MH9")
    new_item["fullStatement"] = "Supports people to take their medicines"
    new_item["uri"] = f"urn:test:{new_item['identifier']}"
    package["CFItems"].append(new_item)
    parent_link = next(
        a
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
        and a["originNodeURI"]["identifier"] == by_code["MH3"]["identifier"]
    )
    link = copy.deepcopy(parent_link)
    link["identifier"] = str(uuid.uuid4())
    link["uri"] = f"urn:test:{link['identifier']}"
    link["originNodeURI"] = {"identifier": new_item["identifier"], "uri": new_item["uri"], "title": "MH9"}
    link["sequenceNumber"] = 99
    package["CFAssociations"].append(link)
    return built, package


def test_a_new_version_shows_its_changes_by_identifier_and_keeps_sign_offs(
    organisation: Organisation,
) -> None:
    built, package = _new_version_package(organisation)
    role = make_role("Ward support worker")
    services.role_requirement_create(
        organisation=organisation,
        role=role,
        competence=published_row(built.framework, "MH2"),
        min_level="independent",
        ctx=TEST_JOB,
    )
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))

    response = client.post(IMPORT_URL, upload("ward.json", json.dumps(package).encode()))

    identifier = built.framework.identifier
    assert response["Location"] == review_url(identifier, 2)
    html = client.get(response["Location"]).content.decode()
    for label, count in (("New items", 1), ("Changed items", 1), ("Removed items", 1)):
        assert re.search(rf"{label}\s*</dt>\s*<dd[^>]*>\s*{count}\s*</dd>", html), label
    assert "1 person&#39;s sign-off will need reassessment" in html or "1 person's sign-off" in html
    table = html[html.index("What changes") :]
    assert table.index(">Changed<") < table.index(">New<") < table.index(">Removed<")
    assert "MH9" in table and "MH4" in table and "statement" in table

    published = client.post(review_url(identifier, 2), {"action": "publish"}, follow=True)

    assert "1 sign-offs carried over, 1 need reassessment" in published.content.decode()
    statuses = dict(
        FrameworkVersion.objects.filter(framework=built.framework).values_list("number", "status")
    )
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
    # The requirement followed MH2 to the new version by its identifier.
    assert RoleRequirement.objects.get().competence.version.number == 2


def test_discarding_a_new_version_keeps_the_published_one(organisation: Organisation) -> None:
    built, package = _new_version_package(organisation)
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))
    client.post(IMPORT_URL, upload("ward.json", json.dumps(package).encode()))

    response = client.post(review_url(built.framework.identifier, 2), {"action": "discard"}, follow=True)

    assert "The published version is unchanged" in response.content.decode()
    assert list(
        FrameworkVersion.objects.filter(framework=built.framework).values_list("number", "status")
    ) == [(1, VersionStatus.PUBLISHED)]


# --- who may -------------------------------------------------------------------------------------------


def test_an_org_admin_settles_an_import_but_not_an_authored_framework(organisation: Organisation) -> None:
    admin = client_for(t.make_user(Role.ORG_ADMIN, organisation=organisation))
    admin.post(IMPORT_URL, upload("Ordering.json", testing.real_package("Ordering.json")))
    assert admin.get(review_url(ORDERING_ID, 1)).status_code == 200
    authored = build_framework(organisation, publish=False)

    assert admin.get(review_url(authored.framework.identifier, 1)).status_code == 403
    assert admin.get(f"/frameworks/{authored.framework.identifier}/delete/").status_code == 403
    assert admin.post(review_url(ORDERING_ID, 1), {"action": "publish"}).status_code == 302


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ASSESSOR, Role.LINE_MANAGER])
def test_other_roles_may_not_settle_or_delete(organisation: Organisation, role: str) -> None:
    case_import(
        data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
    )
    client = client_for(t.make_user(role, organisation=organisation))

    assert client.post(review_url(ORDERING_ID, 1), {"action": "discard"}).status_code in (403, 404)
    assert client.post(f"/frameworks/{ORDERING_ID}/delete/").status_code in (403, 404)
    assert Framework.objects.filter(identifier=ORDERING_ID).exists()


def test_another_organisation_does_not_see_the_import(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Ordering.json"), actor=None, ctx=TEST_JOB, organisation=organisation
    )
    stranger = client_for(t.make_user(Role.EDUCATOR, organisation=t.make_organisation("RX9")))

    assert stranger.get(review_url(ORDERING_ID, 1)).status_code == 404
    assert stranger.post(f"/frameworks/{ORDERING_ID}/delete/").status_code == 404
    assert Framework.objects.filter(identifier=ORDERING_ID).exists()


# --- deleting a framework ------------------------------------------------------------------------------


def test_an_unused_framework_is_deleted_audited(organisation: Organisation) -> None:
    case_import(
        data=testing.real_package("Ordering.json"),
        actor=None,
        ctx=TEST_JOB,
        organisation=organisation,
        publish=True,
    )
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))
    page = client.get(f"/frameworks/{ORDERING_ID}/delete/").content.decode()
    assert "Nothing refers to this framework" in page and "Delete this framework" in page

    response = client.post(f"/frameworks/{ORDERING_ID}/delete/", follow=True)

    assert "ACT Holistic Framework, Math was deleted." in response.content.decode()
    assert not Framework.objects.filter(identifier=ORDERING_ID).exists()
    event = AuditEvent.objects.get(action=FrameworksAction.FRAMEWORK_DELETED)
    assert event.detail["items"] == 28 and event.detail["versions"] == [{"number": 1, "status": "published"}]


def test_a_framework_in_use_is_not_deleted_and_the_page_says_what_uses_it(organisation: Organisation) -> None:
    built = build_framework(organisation)
    make_assessment(t.make_person(organisation), published_row(built.framework, "MH1"))
    services.role_requirement_create(
        organisation=organisation,
        role=make_role(),
        competence=published_row(built.framework, "MH2"),
        min_level="independent",
        ctx=TEST_JOB,
    )
    client = client_for(t.make_user(Role.EDUCATOR, organisation=organisation))
    url = f"/frameworks/{built.framework.identifier}/delete/"

    page = client.get(url).content.decode()
    assert "This framework is in use" in page
    assert "1 role requirement" in page and "1 sign-off" in page
    assert "Delete this framework" not in page
    refused = client.post(url).content.decode()

    assert (
        "nhsuk-error-summary" in refused and "cannot be deleted: 1 role requirement and 1 sign-off" in refused
    )
    assert Framework.objects.filter(pk=built.framework.pk).exists()
    assert not AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_DELETED).exists()


def test_references_come_from_every_app_and_crosswalks_and_adoptions(organisation: Organisation) -> None:
    assert organisation.alliance is not None
    alliance_fw = build_framework(organisation.alliance, title="Alliance framework")
    assert framework_references(alliance_fw.framework) == []
    services.adoption_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=organisation)
    mine = build_framework(organisation, title="Ours", publish=False)
    services.crosswalk_add(
        ctx=TEST_JOB, origin=mine.items["MH2"], destination=published_row(alliance_fw.framework, "MH1")
    )

    words = [reference.words for reference in framework_references(alliance_fw.framework)]

    assert words == ["1 crosswalk from another framework", "1 organisation using it"]
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.framework_delete(framework=alliance_fw.framework, ctx=TEST_JOB)
    # The framework's own crosswalk (to the Care Certificate) is part of it, not a reference to the Care
    # Certificate that would stop the Care Certificate... and it does not stop this one being deleted.
    assert framework_references(mine.framework) == []
    services.framework_delete(framework=mine.framework, ctx=TEST_JOB)
    assert not Framework.objects.filter(pk=mine.framework.pk).exists()
