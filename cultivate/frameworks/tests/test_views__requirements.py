"""Role requirements for several roles at once, with a start date and grace period (form, service and API), and
the list filtered by role, band, framework and domain, a page at a time (issue 14)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cultivate.accounts.models import User
from cultivate.accounts.services import api_token_create
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.frameworks import services
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.models import RoleRequirement
from cultivate.frameworks.views import REQUIREMENTS_PAGE_SIZE

from .framework_factories import World, make_role, make_world, published_row

TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    found = make_world()
    services.adoption_create(ctx=TEST_JOB, framework=found.alliance_fw.framework, organisation=found.org_a)
    return found


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User, method: str, url: str, body: Any = None) -> Any:
    _, secret = api_token_create(ctx=TEST_JOB, user=user, membership=user.memberships.get(), name="Tests")
    client = Client()
    if method == "post":
        return client.post(
            url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- the service ---------------------------------------------------------------------------------------


def test_a_domain_for_several_roles_in_one_go_with_a_grace_period(world: World) -> None:
    first, second = make_role("Ward support worker"), make_role("Community support worker")
    domain = published_row(world.alliance_fw.framework, "D1")

    result = services.role_requirements_add(
        organisation=world.org_a,
        roles=[first, second],
        target=domain,
        min_level="supervised",
        within_days=84,
        starts_on=dt.date(2026, 4, 1),
        grace_days=180,
        ctx=TEST_JOB,
    )

    assert len(result.added) == 6  # MH1-MH3 for each role
    rows = RoleRequirement.objects.filter(organisation=world.org_a)
    assert set(rows.values_list("starts_on", "grace_days", "within_days")) == {(dt.date(2026, 4, 1), 180, 84)}
    event = AuditEvent.objects.get(action=FrameworksAction.REQUIREMENT_CHANGED)
    assert event.detail["roles"] == ["Ward support worker", "Community support worker"]
    assert event.detail["added"] == 6 and event.detail["grace_days"] == 180

    # Adding again for one role already holding them and one new one adds only the new one's.
    third = make_role("Bank support worker")
    again = services.role_requirements_add(
        organisation=world.org_a, roles=[first, third], target=domain, min_level="supervised", ctx=TEST_JOB
    )
    assert (len(again.added), again.already_required) == (3, 3)


def test_all_or_nothing_and_clear_refusals(world: World) -> None:
    role = make_role()
    single = published_row(world.alliance_fw.framework, "MH4")
    with pytest.raises(ValidationError) as bad_grace:
        services.role_requirements_add(
            organisation=world.org_a,
            roles=[role, make_role()],
            target=single,
            min_level="supervised",
            grace_days=0,
            ctx=TEST_JOB,
        )
    assert "grace_days" in bad_grace.value.message_dict
    with pytest.raises(ValidationError, match="Choose at least one role"):
        services.role_requirements_add(
            organisation=world.org_a, roles=[], target=single, min_level="supervised", ctx=TEST_JOB
        )
    services.role_requirements_add(
        organisation=world.org_a, roles=[role], target=single, min_level="supervised", ctx=TEST_JOB
    )
    with pytest.raises(ValidationError, match="already requires"):
        services.role_requirements_add(
            organisation=world.org_a, roles=[role], target=single, min_level="supervised", ctx=TEST_JOB
        )
    assert RoleRequirement.objects.count() == 1


# --- the form ------------------------------------------------------------------------------------------


def test_the_form_adds_for_several_roles_with_start_and_grace(world: World) -> None:
    educator = client_for(world.users["educator"])
    first, second = make_role("Ward support worker"), make_role("Community support worker")
    step = (
        f"/frameworks/organisations/{world.org_a.ods_code}/requirements/new/"
        f"?framework={world.alliance_fw.framework.identifier}"
    )
    page = educator.get(step).content.decode()
    assert 'type="checkbox"' in page and "Grace period for people already in post (days)" in page
    assert "When the requirement began" in page
    single = published_row(world.alliance_fw.framework, "MH4")

    response = educator.post(
        step,
        {
            "roles": [first.pk, second.pk],
            "competence": f"c:{single.pk}",
            "min_level": "independent",
            "within_days": "84",
            "starts_on_day": "1",
            "starts_on_month": "4",
            "starts_on_year": "2026",
            "grace_days": "180",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "is now required of Ward support worker and Community support worker: 2 requirements added" in html
    assert "180 days&#39; grace" in html or "180 days' grace" in html
    assert set(RoleRequirement.objects.values_list("role_id", "starts_on", "grace_days")) == {
        (first.pk, dt.date(2026, 4, 1), 180),
        (second.pk, dt.date(2026, 4, 1), 180),
    }


def test_the_form_names_each_bad_field(world: World) -> None:
    educator = client_for(world.users["educator"])
    step = (
        f"/frameworks/organisations/{world.org_a.ods_code}/requirements/new/"
        f"?framework={world.alliance_fw.framework.identifier}"
    )
    single = published_row(world.alliance_fw.framework, "MH4")

    html = educator.post(
        step,
        {
            "competence": f"c:{single.pk}",
            "min_level": "independent",
            "grace_days": "0",
            "starts_on_day": "31",
        },
    ).content.decode()

    assert "nhsuk-error-summary" in html
    assert "Choose at least one role" in html and "Enter a grace period of at least 1 day" in html
    assert not RoleRequirement.objects.exists()


# --- the list ------------------------------------------------------------------------------------------


def _many(world: World) -> tuple[Any, Any]:
    ward, community = make_role("Ward support worker"), make_role("Community support worker")
    services.role_requirements_add(
        organisation=world.org_a,
        roles=[ward],
        target=published_row(world.alliance_fw.framework, "D1"),
        min_level="supervised",
        ctx=TEST_JOB,
    )
    services.role_requirements_add(
        organisation=world.org_a,
        roles=[community],
        target=published_row(world.alliance_fw.framework, "D2"),
        min_level="supervised",
        afc_band="3",
        ctx=TEST_JOB,
    )
    return ward, community


def test_the_list_filters_by_role_band_framework_and_domain(world: World) -> None:
    ward, _community = _many(world)
    client = client_for(world.users["support_worker"])  # everyone in the organisation may read them
    url = f"/frameworks/organisations/{world.org_a.ods_code}/requirements/"

    everything = client.get(url).content.decode()
    assert "<strong>4</strong> requirements." in everything
    by_role = client.get(url, {"role": ward.pk}).content.decode()
    assert "<strong>3</strong> requirements match these filters" in by_role and "MH4" not in by_role
    by_band = client.get(url, {"band": "3"}).content.decode()
    assert "<strong>1</strong> requirement matches these filters" in by_band and "MH4" in by_band
    every_band = client.get(url, {"band": "every"}).content.decode()
    assert "<strong>3</strong> requirements match" in every_band
    domain = f"{world.alliance_fw.framework.identifier}:{world.alliance_fw.items['D2'].identifier}"
    by_domain = client.get(url, {"domain": domain}).content.decode()
    assert "<strong>1</strong> requirement matches" in by_domain and "Community support worker" in by_domain
    by_framework = client.get(
        url, {"framework": str(world.alliance_fw.framework.identifier)}
    ).content.decode()
    assert "<strong>4</strong> requirements match" in by_framework
    none = client.get(url, {"role": ward.pk, "band": "3"}).content.decode()
    assert "No requirements match these filters" in none
    # A value that is not offered is ignored rather than an error.
    assert client.get(url, {"role": "nonsense"}).status_code == 200


def test_a_long_list_pages(world: World) -> None:
    roles = [make_role(f"Role {n:03}") for n in range(REQUIREMENTS_PAGE_SIZE // 3 + 2)]
    services.role_requirements_add(
        organisation=world.org_a,
        roles=roles,
        target=published_row(world.alliance_fw.framework, "D1"),
        min_level="supervised",
        ctx=TEST_JOB,
    )
    client = client_for(world.users["educator"])
    url = f"/frameworks/organisations/{world.org_a.ods_code}/requirements/"

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and "nhsuk-pagination" in first
    assert ">Role 000: every band</h2>" in first and ">Role 017: every band</h2>" not in first
    assert "Page 2 of 2" in second and ">Role 017: every band</h2>" in second


def test_other_organisations_cannot_see_or_add(world: World) -> None:
    _many(world)
    stranger = client_for(world.users["educator_b"])
    url = f"/frameworks/organisations/{world.org_a.ods_code}/requirements/"
    assert stranger.get(url).status_code == 404
    assert stranger.post(url + "new/").status_code == 404


# --- the API -------------------------------------------------------------------------------------------


def test_the_api_adds_for_several_roles_with_start_and_grace(world: World) -> None:
    first, second = make_role("Ward support worker"), make_role("Community support worker")
    url = f"/api/organisations/{world.org_a.ods_code}/role-requirements"
    body = {
        "roles": [first.pk, second.pk],
        "framework": str(world.alliance_fw.framework.identifier),
        "item": str(world.alliance_fw.items["MH4"].identifier),
        "min_level": "independent",
        "within_days": 84,
        "starts_on": "2026-04-01",
        "grace_days": 180,
    }

    response = api(world.users["educator"], "post", url, body)

    assert response.status_code == 201, response.content
    added = response.json()
    assert {(row["role_id"], row["starts_on"], row["grace_days"]) for row in added} == {
        (first.pk, "2026-04-01", 180),
        (second.pk, "2026-04-01", 180),
    }
    listed = api(world.users["support_worker"], "get", url).json()
    assert {row["grace_days"] for row in listed} == {180}
    # The same again: every role already requires it.
    assert api(world.users["educator"], "post", url, body).status_code == 409
    # A level the framework does not have.
    assert api(world.users["educator"], "post", url, {**body, "min_level": "expert"}).status_code == 400
    # The whole framework, with no item.
    whole = api(world.users["educator"], "post", url, {**body, "item": None, "roles": [make_role().pk]})
    assert whole.status_code == 201 and len(whole.json()) == 4


def test_the_api_refuses_who_may_not(world: World) -> None:
    url = f"/api/organisations/{world.org_a.ods_code}/role-requirements"
    body = {
        "roles": [make_role().pk],
        "framework": str(world.alliance_fw.framework.identifier),
        "min_level": "independent",
    }
    assert api(world.users["support_worker"], "post", url, body).status_code == 403
    assert api(world.users["educator_b"], "post", url, body).status_code == 404
    other = {**body, "framework": str(world.org_b_fw.framework.identifier)}
    assert api(world.users["educator"], "post", url, other).status_code == 404
    assert not RoleRequirement.objects.exists()
