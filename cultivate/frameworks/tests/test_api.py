"""The frameworks API: lists only what the role may see, gives the published version's items with their
parents and crosswalks, role requirements of the role's own organisation, 404 (audited) outside scope, and
is documented under the `frameworks` tag."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.accounts.services import api_token_create
from cultivate.core.audit import AuditContext
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.frameworks import reference, services

from .framework_factories import make_role, make_world, published_row

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def call(user, url: str):
    _, secret = api_token_create(ctx=TEST_JOB, user=user, membership=user.memberships.get(), name="Tests")
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_list_is_scoped(world):
    response = call(world.users["support_worker"], "/api/frameworks")
    assert response.status_code == 200
    by_id = {row["identifier"]: row for row in response.json()}
    assert str(world.alliance_fw.framework.identifier) in by_id
    assert str(world.org_a_fw.framework.identifier) in by_id
    assert str(reference.CARE_CERTIFICATE) in by_id and str(reference.CODE_OF_CONDUCT) in by_id
    assert str(world.org_b_fw.framework.identifier) not in by_id
    alliance = by_id[str(world.alliance_fw.framework.identifier)]
    assert (alliance["owner_kind"], alliance["owner"], alliance["published_version"]) == (
        "alliance",
        world.alliance.code,
        1,
    )
    assert by_id[str(world.org_a_fw.framework.identifier)]["published_version"] is None
    assert by_id[str(reference.CARE_CERTIFICATE)]["owner_kind"] == "reference"
    assert not alliance["adopted"]


def test_detail_gives_published_items(world):
    services.adoption_create(ctx=TEST_JOB, framework=world.alliance_fw.framework, organisation=world.org_a)
    response = call(world.users["educator"], f"/api/frameworks/{world.alliance_fw.framework.identifier}")
    assert response.status_code == 200
    body = response.json()
    assert body["adopted"] is True
    assert [level["code"] for level in body["levels"]] == ["observed", "supervised", "independent"]
    assert [v["number"] for v in body["versions"]] == [1]
    items = {item["code"]: item for item in body["items"]}
    assert list(items) == ["D1", "MH1", "MH2", "MH3", "D2", "MH4"]
    assert items["MH1"]["parent"] == str(world.alliance_fw.items["D1"].identifier)
    assert items["D1"]["parent"] is None and items["D1"]["node_type"] == "domain"
    assert items["MH1"]["kind"] == "skill" and items["MH1"]["assessed_in_practice"] is True
    assert items["MH1"]["crosswalks"] == [
        {
            "association_type": "exactMatchOf",
            "framework": str(reference.CARE_CERTIFICATE),
            "item": str(reference.item_identifier(reference.CARE_CERTIFICATE_KEY, 6)),
            "code": "CC6",
            "title": "Communication",
        }
    ]


def test_drafts_not_in_detail(world):
    services.version_draft_create(ctx=TEST_JOB, framework=world.alliance_fw.framework)
    body = call(
        world.users["alliance_admin"], f"/api/frameworks/{world.alliance_fw.framework.identifier}"
    ).json()
    assert [v["number"] for v in body["versions"]] == [1]
    body = call(world.users["educator"], f"/api/frameworks/{world.org_a_fw.framework.identifier}").json()
    assert body["items"] == [] and body["versions"] == []


def test_outside_scope_is_404_and_audited(world):
    for user, url in [
        ("educator", f"/api/frameworks/{world.org_b_fw.framework.identifier}"),
        ("alliance_admin_b", f"/api/frameworks/{world.alliance_fw.framework.identifier}"),
        ("educator", "/api/frameworks/00000000-0000-0000-0000-000000000000"),
        ("educator", f"/api/organisations/{world.org_b.ods_code}/role-requirements"),
        ("alliance_admin", f"/api/organisations/{world.org_b.ods_code}/role-requirements"),
    ]:
        before = AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()
        response = call(world.users[user], url)
        assert response.status_code == 404, (user, url)
        assert response.json() == {"detail": "Not Found"} or "detail" in response.json()
        assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count() == before + 1


def test_role_requirements(world):
    role = make_role("Healthcare support worker (API test)")
    services.adoption_create(ctx=TEST_JOB, framework=world.alliance_fw.framework, organisation=world.org_a)
    competence = published_row(world.alliance_fw.framework, "MH2")
    services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=world.org_a,
        role=role,
        competence=competence,
        min_level="supervised",
        within_days=84,
    )
    for user in ("support_worker", "org_admin", "alliance_admin"):
        response = call(world.users[user], f"/api/organisations/{world.org_a.ods_code}/role-requirements")
        assert response.status_code == 200, user
        (row,) = response.json()
        assert row["role"] == role.name and row["code"] == "MH2" and row["within_days"] == 84
        assert row["competence"] == str(competence.identifier) and row["current"] is True
    assert call(world.users["support_worker"], "/api/organisations/RCC/role-requirements").status_code == 404


def test_openapi_documents_the_endpoints(world):
    schema = Client().get("/api/openapi.json").json()
    for path in (
        "/api/frameworks",
        "/api/frameworks/{identifier}",
        "/api/organisations/{ods_code}/role-requirements",
    ):
        operation = schema["paths"][path]["get"]
        assert operation["tags"] == ["frameworks"] and operation["summary"]
