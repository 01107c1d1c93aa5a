"""Delegation protocol pages (every member reads; admins and educators write) and the check page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import AuditEvent
from cultivate.portfolio import delegation
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.portfolio.models import DelegationProtocol
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.portfolio.tests.delegation_factories import build_world, make_protocol, put_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def protocol_post(**changes) -> dict:
    data = {
        "activity": "Venepuncture",
        "code": "venepuncture",
        "description": "Taking blood from a vein.",
        "delegating_role": "Registered nurse",
        "team_settings": ["community"],
        "roles": [],
        "min_band": "3",
        "supervision": "A registered nurse is on site.",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_every_member_reads_the_protocols(world) -> None:
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    client = client_for(worker)
    listing = client.get("/delegation/protocols/")
    assert listing.status_code == 200
    assert "Capillary blood glucose monitoring" in listing.content.decode()
    assert "Create a protocol" not in listing.content.decode()
    page = client.get(f"/delegation/protocols/{world.protocol.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "CS1 Capillary blood glucose monitoring" in html and "Independent" in html
    assert "Report any reading under 4 or over 15." in html
    assert "Change the protocol" not in html and "Remove" not in html


def test_other_organisations_protocols_are_not_found(world) -> None:
    other_admin = t.make_user(Role.ORG_ADMIN, organisation=world.other_org)
    client = client_for(other_admin)
    assert client.get(f"/delegation/protocols/{world.protocol.pk}/").status_code == 404
    assert client.get(f"/delegation/protocols/{world.protocol.pk}/edit/").status_code == 404
    assert "Capillary" not in client.get("/delegation/protocols/").content.decode()
    alliance_admin = t.make_user(Role.ALLIANCE_ADMIN, alliance=world.org.alliance)
    assert client_for(alliance_admin).get("/delegation/protocols/").status_code == 403


def test_savings_estimate_is_shown_with_its_source(world) -> None:
    world.protocol.savings = delegation.LEEDS_DIABETES_SAVINGS
    world.protocol.save()
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    html = client_for(worker).get(f"/delegation/protocols/{world.protocol.pk}/").content.decode()
    assert "Savings estimate" in html
    assert "1 worker in 1 team may carry out this activity" in html
    assert "£5,294 to £12,800" in html and "£8,500 to £16,000" in html
    assert "2010 prices, not adjusted for inflation" in html
    assert "NHS Leeds Community Healthcare" in html
    assert "does not multiply them" in html


def test_educator_creates_and_edits_a_protocol(world) -> None:
    educator = t.make_user(Role.EDUCATOR, organisation=world.org)
    client = client_for(educator)
    assert client.get("/delegation/protocols/new/").status_code == 200
    response = client.post(
        "/delegation/protocols/new/",
        protocol_post(
            roles=[str(world.senior.pk)],
            savings_unit="team",
            savings_source="Our own audit, 2025",
            savings_first_year_low="100",
            savings_first_year_high="200",
            savings_later_year_low="150",
            savings_later_year_high="250",
        ),
    )
    protocol = DelegationProtocol.objects.get(code="venepuncture")
    assert response.status_code == 302 and response["Location"] == f"/delegation/protocols/{protocol.pk}/"
    assert protocol.team_settings == ["community"]
    assert list(protocol.roles.all()) == [world.senior]
    assert protocol.savings == {
        "source": "Our own audit, 2025",
        "unit": "team",
        "currency": "GBP",
        "first_year_low": 100,
        "first_year_high": 200,
        "later_year_low": 150,
        "later_year_high": 250,
    }
    edit = client.get(f"/delegation/protocols/{protocol.pk}/edit/")
    assert 'value="Our own audit, 2025"' in edit.content.decode()
    response = client.post(
        f"/delegation/protocols/{protocol.pk}/edit/", protocol_post(activity="Venepuncture (adults)")
    )
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.activity == "Venepuncture (adults)" and protocol.savings == {}
    assert AuditEvent.objects.filter(action=PortfolioAction.PROTOCOL_CHANGED, actor=educator).count() == 2


def test_protocol_form_errors_are_shown(world) -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=world.org)
    response = client_for(admin).post(
        "/delegation/protocols/new/",
        protocol_post(code="capillary-blood-glucose", savings_first_year_low="10"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Say what the savings figures are for" in html
    response = client_for(admin).post(
        "/delegation/protocols/new/",
        protocol_post(
            code="capillary-blood-glucose",
            savings_unit="service",
            savings_source="X",
            savings_first_year_low="10",
        ),
    )
    html = response.content.decode()
    assert "Give all four amounts" in html
    response = client_for(admin).post(
        "/delegation/protocols/new/", protocol_post(code="capillary-blood-glucose")
    )
    assert "already exists" in response.content.decode()
    assert DelegationProtocol.objects.count() == 1


def test_only_admins_and_educators_manage(world) -> None:
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    client = client_for(manager)
    assert client.get("/delegation/protocols/new/").status_code == 403
    assert client.post(f"/delegation/protocols/{world.protocol.pk}/edit/", protocol_post()).status_code == 403
    requirement = world.protocol.requirements.first()
    remove = f"/delegation/protocols/{world.protocol.pk}/requirements/{requirement.pk}/remove/"
    assert client.post(remove).status_code == 403
    assert world.protocol.requirements.count() == 2


def test_requirements_added_and_removed(world) -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=world.org)
    client = client_for(admin)
    add = f"/delegation/protocols/{world.protocol.pk}/requirements/add/"
    form = client.get(add)
    assert "CS3 Insulin administration" in form.content.decode()
    error = client.post(add, {"competence": world.domain.pk, "min_level": "observed"})
    assert "Select a valid choice" in error.content.decode()
    response = client.post(add, {"competence": world.insulin.pk, "min_level": "supervised"})
    assert response.status_code == 302
    requirement = world.protocol.requirements.get(competence=world.insulin)
    assert requirement.min_level == "supervised"
    page = client.get(f"/delegation/protocols/{world.protocol.pk}/").content.decode()
    assert "CS3 Insulin administration" in page and "Remove" in page
    remove = f"/delegation/protocols/{world.protocol.pk}/requirements/{requirement.pk}/remove/"
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not world.protocol.requirements.filter(competence=world.insulin).exists()


# --- The check page ---------------------------------------------------------------------------------------


def check_post(world, **changes) -> dict:
    data = {
        "person": str(world.worker.pk),
        "protocol": world.protocol.code,
        "team": str(world.community.pk),
        "on": world.today.isoformat(),
    }
    data.update(changes)
    return data


def test_check_page_answers_yes_and_records_it(world) -> None:
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    client = client_for(manager)
    form = client.get("/delegation/check/", {"person": world.worker.pk, "protocol": world.protocol.code})
    html = form.content.decode()
    assert form.status_code == 200
    assert f'<option value="{world.worker.pk}" selected' in html
    # the date defaults to today, in the day, month and year boxes
    assert f'name="on_day" type="text" value="{world.today.day}"' in html
    response = client.post("/delegation/check/", check_post(world))
    html = response.content.decode()
    assert re.search(r'class="nhsuk-panel__heading"\s*>\s*Yes\s*</h2>', html)
    assert "Sam Worker may carry out capillary blood glucose monitoring in Wharfe District Nursing" in html
    assert "Sign-offs this answer relies on" in html
    event = AuditEvent.objects.get(action=PortfolioAction.DELEGATION_CHECKED)
    assert event.detail["channel"] == "page" and event.detail["allowed"] is True
    assert f"reference {event.pk}" in html


def test_check_page_answers_no_with_reasons(world) -> None:
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    later = world.today + dt.timedelta(days=120)
    response = client_for(manager).post("/delegation/check/", check_post(world, on=later.isoformat()))
    html = response.content.decode()
    assert "nhsuk-card--warning" in html
    assert "Important: </span>No" in html
    assert "Sam Worker may not carry out capillary blood glucose monitoring" in html
    assert "the sign-off expired on" in html


def test_check_page_offers_only_people_in_scope(world) -> None:
    stranger = t.make_person(world.org, given_name="Ward", family_name="Person")
    put_in(stranger, world.ward, world.senior)
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    client = client_for(manager)
    assert "Ward Person" not in client.get("/delegation/check/").content.decode()
    response = client.post("/delegation/check/", check_post(world, person=str(stranger.pk)))
    assert "Select a valid choice" in response.content.decode()
    assert not AuditEvent.objects.filter(action=PortfolioAction.DELEGATION_CHECKED).exists()
    missing = client.post("/delegation/check/", check_post(world, protocol="", on="not a date"))
    html = missing.content.decode()
    assert "There is a problem" in html and "Date must be a real date" in html


def test_check_page_chooses_the_manager_s_own_team_to_begin_with(world) -> None:
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    html = " ".join(client_for(manager).get("/delegation/check/").content.decode().split())
    assert f'<option value="{world.community.pk}" selected >Wharfe District Nursing' in html
    # A team in the address wins.
    html = " ".join(
        client_for(manager).get(f"/delegation/check/?team={world.ward.pk}").content.decode().split()
    )
    assert f'<option value="{world.ward.pk}" selected >Ward 1' in html


def test_check_page_lists_the_manager_s_team_and_finds_others_by_name(world) -> None:
    elsewhere = t.make_person(world.org, given_name="Noor", family_name="Elsewhere", staff_id="E0042")
    put_in(elsewhere, world.ward, world.senior)
    manager = t.make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community, world.ward])
    manager.memberships.get().teams.set([world.community])
    client = client_for(manager)
    page = client.get("/delegation/check/").content.decode()
    assert "Sam Worker (W0001)" in page and "Noor Elsewhere" not in page
    assert "People in your teams" in page
    # Outside the manager's scope, a search finds nobody; inside it, by name or by staff ID.
    assert "0 people match" in client.get("/delegation/check/?q=noor").content.decode()
    admin = client_for(t.make_user(Role.ORG_ADMIN, organisation=world.org))
    for query in ("noor", "E0042", "elsew noo"):
        found = admin.get(f"/delegation/check/?q={query}").content.decode()
        assert "Noor Elsewhere (E0042)" in found and "1 person matches" in found


def test_check_page_lists_at_most_a_page_of_people(world, monkeypatch) -> None:
    monkeypatch.setattr(delegation.reads, "PERSON_CHOICES_MAX", 1)
    other = t.make_person(world.org, given_name="Aaron", family_name="Aardvark")
    put_in(other, world.community, world.senior)
    client = client_for(t.make_user(Role.ORG_ADMIN, organisation=world.org))
    page = client.get("/delegation/check/").content.decode()
    assert "the first 1 are listed" in page and "Sam Worker" not in page
    # A person found by a search (and so not on the first page) can still be checked.
    response = client.post("/delegation/check/?q=W0001", check_post(world))
    assert "may carry out" in response.content.decode()
    response = client.post("/delegation/check/", check_post(world))
    assert "may carry out" in response.content.decode()


def test_a_support_worker_may_check_themselves(world) -> None:
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    pf.make_assessment(world.worker, world.insulin)
    make_protocol(
        world.org, code="insulin", activity="Insulin", requirements=[(world.insulin, "independent")]
    )
    client = client_for(worker)
    page = client.get("/delegation/check/").content.decode()
    assert "Sam Worker (W0001)" in page
    response = client.post("/delegation/check/", check_post(world, protocol="insulin"))
    assert "Sam Worker may carry out insulin" in response.content.decode()


def test_check_page_says_when_there_is_nobody_to_check(world) -> None:
    educator = t.make_user(Role.EDUCATOR, organisation=world.org)
    page = client_for(educator).get("/delegation/check/")
    assert page.status_code == 200
    assert "there is nobody you can check" in page.content.decode()
