import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import services as account_services
from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.learning.testing import make_completion, make_offer, make_session, make_subject
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import (
    give_role,
    make_competence,
    make_framework,
    make_role,
    require,
)

pytestmark = pytest.mark.django_db


def client_for(user):
    _token, secret = account_services.api_token_create(user=user, membership=user.memberships.get(), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_person_gaps_and_compliance_through_the_api():
    org = t.make_organisation("RX2")
    team = t.make_team(org)
    person = t.make_person(org, team)
    role = make_role()
    give_role(person, role)
    competence = make_competence(make_framework(owner_organisation=org), "Mental health awareness")
    require(org, role, competence, within_days=30)
    fire = make_subject(org, "Fire safety")
    make_completion(person, subject=fire, on=timezone.localdate() - dt.timedelta(days=400))
    offer = make_offer(org, develops=[competence])
    session = make_session(offer, starts_in_days=3)
    client = client_for(make_user(Role.SUPPORT_WORKER, organisation=org, person=person))
    gaps = client.get(f"/api/learning/people/{person.pk}/gaps").json()
    # Due 30 days after starting in the role (in 2020), so before fire safety expired: soonest first.
    assert [g["title"] for g in gaps] == ["Mental health awareness", "Fire safety"]
    assert gaps[0]["offers"][0]["next_session"]["id"] == session.pk
    compliance = client.get(f"/api/learning/people/{person.pk}/compliance").json()
    assert compliance[0]["state"] == "expired"


def test_organisation_compliance_suppresses_small_numbers():
    org = t.make_organisation("RX3")
    team = t.make_team(org)
    for _ in range(3):
        t.make_person(org, team)
    make_subject(org, "Fire safety")
    client = client_for(make_user(Role.ANALYST, organisation=org))
    body = client.get("/api/learning/organisations/RX3/compliance").json()
    assert body["people"] == 3
    assert body["subjects"][0]["required"] is None and body["subjects"][0]["not_done"] is None


def test_asking_for_a_place_twice_is_refused():
    org = t.make_organisation("RX4")
    person = t.make_person(org, t.make_team(org))
    session = make_session(make_offer(org))
    client = client_for(make_user(Role.SUPPORT_WORKER, organisation=org, person=person))
    first = client.post(
        f"/api/learning/sessions/{session.pk}/enrolments", data={}, content_type="application/json"
    )
    assert first.status_code == 201 and first.json()["status"] == "requested"
    second = client.post(
        f"/api/learning/sessions/{session.pk}/enrolments", data={}, content_type="application/json"
    )
    assert second.status_code == 409 and "already has a place" in second.json()["detail"]
