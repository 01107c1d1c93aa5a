"""Frameworks access: each role against reference, alliance and organisation frameworks of its own and of
others; the single-object rules agree with `framework_scope`; cross-organisation pages answer 404, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent
from cultivate.frameworks import access, reference, selectors
from cultivate.frameworks.models import Framework

from .framework_factories import World, make_world, membership

pytestmark = pytest.mark.django_db

ORG_A_ROLES = ["support_worker", "assessor", "line_manager", "educator", "analyst", "org_admin"]


@pytest.fixture
def world() -> World:
    return make_world()


def frameworks(world: World) -> dict[str, Framework]:
    return {
        "reference": Framework.objects.get(identifier=reference.CARE_CERTIFICATE),
        "alliance": world.alliance_fw.framework,
        "org_a": world.org_a_fw.framework,
        "org_b": world.org_b_fw.framework,
    }


EXPECTED_VIEW = {
    # user → frameworks they may see
    **{role: {"reference", "alliance", "org_a"} for role in ORG_A_ROLES},
    "alliance_admin": {"reference", "alliance"},
    "educator_c": {"reference", "alliance"},
    "educator_b": {"reference", "org_b"},
    "alliance_admin_b": {"reference"},
}


@pytest.mark.parametrize("user", list(EXPECTED_VIEW))
def test_view_rule_and_scope_agree(world, user):
    m = membership(world.users[user])
    fws = frameworks(world)
    allowed = {name for name, fw in fws.items() if access.may(m, "view_framework", fw)}
    assert allowed == EXPECTED_VIEW[user]
    listed = set(selectors.frameworks_visible_to(m).values_list("pk", flat=True))
    assert {name for name, fw in fws.items() if fw.pk in listed} == EXPECTED_VIEW[user]
    # Nothing else is listed either: the scope is not wider than the rule.
    for framework in Framework.objects.filter(pk__in=listed):
        assert access.may(m, "view_framework", framework)


EXPECTED_AUTHOR = {
    "educator": {"org_a", "alliance"},
    "educator_c": {"alliance"},
    "alliance_admin": {"alliance"},
    "educator_b": {"org_b"},
}
EXPECTED_PUBLISH = {
    "educator": {"org_a"},
    "educator_c": set(),
    "alliance_admin": {"alliance"},
    "educator_b": {"org_b"},
}


@pytest.mark.parametrize(
    "user", [*ORG_A_ROLES, "alliance_admin", "educator_b", "educator_c", "alliance_admin_b"]
)
def test_author_and_publish(world, user):
    m = membership(world.users[user])
    fws = frameworks(world)
    assert {n for n, fw in fws.items() if access.may(m, "author_framework", fw)} == EXPECTED_AUTHOR.get(
        user, set()
    )
    assert {n for n, fw in fws.items() if access.may(m, "publish_framework", fw)} == EXPECTED_PUBLISH.get(
        user, set()
    )


def test_create_adopt_extend_and_requirements(world):
    fws = frameworks(world)
    educator, org_admin = membership(world.users["educator"]), membership(world.users["org_admin"])
    alliance_admin, support = (
        membership(world.users["alliance_admin"]),
        membership(world.users["support_worker"]),
    )
    assert access.may(educator, "create_framework", world.org_a)
    assert not access.may(educator, "create_framework", world.org_b)
    assert not access.may(educator, "create_framework", world.alliance)
    assert not access.may(org_admin, "create_framework", world.org_a)
    assert access.may(alliance_admin, "create_framework", world.alliance)
    assert not access.may(alliance_admin, "create_framework", world.other_alliance)
    for m in (educator, org_admin):
        assert access.may(m, "adopt_framework", fws["reference"])
        assert access.may(m, "adopt_framework", fws["alliance"])
        assert not access.may(m, "adopt_framework", fws["org_b"])
        assert not access.may(m, "adopt_framework", fws["org_a"])
    assert not access.may(support, "adopt_framework", fws["reference"])
    assert not access.may(alliance_admin, "adopt_framework", fws["alliance"])
    assert access.may(educator, "extend_framework", fws["alliance"])
    assert not access.may(org_admin, "extend_framework", fws["alliance"])
    assert not access.may(educator, "extend_framework", fws["org_a"])
    for m in (educator, org_admin):
        assert access.may(m, "manage_requirements", world.org_a)
        assert not access.may(m, "manage_requirements", world.org_b)
    assert not access.may(support, "manage_requirements", world.org_a)
    assert access.may(support, "view_requirements", world.org_a)
    assert not access.may(support, "view_requirements", world.org_b)
    assert access.may(alliance_admin, "view_requirements", world.org_a)
    assert access.may(alliance_admin, "view_requirements", world.org_c)
    assert not access.may(alliance_admin, "view_requirements", world.org_b)
    assert not access.may(alliance_admin, "manage_requirements", world.org_a)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _denials() -> int:
    return AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED).count()


def test_other_organisations_frameworks_are_404_and_audited(world):
    client = _client(world.users["educator"])
    fw = world.org_b_fw
    item = fw.items["MH1"]
    urls = [
        f"/frameworks/{fw.framework.identifier}/",
        f"/frameworks/{fw.framework.identifier}/versions/1/",
        f"/frameworks/{fw.framework.identifier}/edit/",
        f"/frameworks/{fw.framework.identifier}/levels/",
        f"/frameworks/{fw.framework.identifier}/versions/1/items/{item.pk}/",
        f"/frameworks/organisations/{world.org_b.ods_code}/requirements/",
        f"/frameworks/organisations/{world.org_b.ods_code}/requirements/new/",
        f"/api/frameworks/{fw.framework.identifier}",
        f"/api/organisations/{world.org_b.ods_code}/role-requirements",
    ]
    for url in urls:
        before = _denials()
        response = client.get(url)
        assert response.status_code == 404, url
        assert _denials() == before + 1, url


def test_cross_organisation_writes_refused(world):
    client = _client(world.users["educator"])
    fw = world.org_b_fw.framework
    draft_item = world.org_b_fw.items["MH2"]
    attempts = [
        (f"/frameworks/{fw.identifier}/versions/new/", {}),
        (f"/frameworks/{fw.identifier}/edit/", {"title": "Taken over"}),
        (f"/frameworks/{fw.identifier}/versions/1/retire/", {}),
        (f"/frameworks/{fw.identifier}/versions/1/items/{draft_item.pk}/delete/", {}),
        (f"/frameworks/{fw.identifier}/adopt/", {}),
        (f"/frameworks/{fw.identifier}/local/", {}),
        (f"/frameworks/organisations/{world.org_b.ods_code}/requirements/new/", {}),
    ]
    for url, data in attempts:
        before = _denials()
        response = client.post(url, data)
        assert response.status_code == 404, url
        assert _denials() == before + 1
    fw.refresh_from_db()
    assert fw.title == "South trust framework"
    assert fw.versions.count() == 1 and fw.versions.get().status == "published"


def test_alliance_sharing(world):
    fw = world.alliance_fw.framework
    for user in ("educator", "educator_c", "support_worker", "alliance_admin"):
        assert _client(world.users[user]).get(f"/frameworks/{fw.identifier}/").status_code == 200, user
    for user in ("educator_b", "alliance_admin_b"):
        assert _client(world.users[user]).get(f"/frameworks/{fw.identifier}/").status_code == 404, user
    # An educator of a member organisation may start a draft of the alliance's framework, not publish it.
    client = _client(world.users["educator_c"])
    response = client.post(f"/frameworks/{fw.identifier}/versions/new/")
    assert response.status_code == 302
    assert client.get(f"/frameworks/{fw.identifier}/versions/2/").status_code == 200
    before = _denials()
    assert client.post(f"/frameworks/{fw.identifier}/versions/2/publish/").status_code == 403
    assert _denials() == before + 1
    admin = _client(world.users["alliance_admin"])
    assert admin.post(f"/frameworks/{fw.identifier}/versions/2/publish/").status_code == 302
    assert fw.versions.get(number=2).status == "published"


def test_drafts_hidden_from_readers(world):
    fw = world.org_a_fw.framework
    assert _client(world.users["educator"]).get(f"/frameworks/{fw.identifier}/versions/1/").status_code == 200
    for user in ("support_worker", "org_admin", "analyst"):
        client = _client(world.users[user])
        assert client.get(f"/frameworks/{fw.identifier}/").status_code == 200
        assert client.get(f"/frameworks/{fw.identifier}/versions/1/").status_code == 403
        assert "Version 1" not in client.get(f"/frameworks/{fw.identifier}/").content.decode()


def test_readers_cannot_write_their_own_organisations_framework(world):
    fw = world.org_a_fw.framework
    item = world.org_a_fw.items["MH1"]
    for user in ("support_worker", "org_admin", "assessor"):
        client = _client(world.users[user])
        response = client.post(f"/frameworks/{fw.identifier}/versions/1/items/{item.pk}/delete/")
        assert response.status_code == 403, user
    item.refresh_from_db()
