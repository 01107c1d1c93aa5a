"""The learning app's home-page actions: what a worker, a line manager and an educator should do next."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.learning.home import actions
from cultivate.learning.models import Enrolment, EnrolmentStatus, Evaluation
from cultivate.learning.testing import make_completion, make_offer, make_session, make_subject
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import (
    give_role,
    make_competence,
    make_framework,
    make_role,
    membership,
    require,
)

pytestmark = pytest.mark.django_db


def texts(user) -> dict[str, str]:
    return {a.text: a.detail for a in actions(membership(user)) if a.shown}


def test_worker_is_told_what_to_renew_and_what_to_evaluate(client: Client) -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    person = t.make_person(org, team)
    user = make_user(Role.SUPPORT_WORKER, organisation=org, person=person)
    today = timezone.localdate()
    make_subject(org, "Fire safety", renewal_months=12)  # never done
    safeguarding = make_subject(org, "Safeguarding adults", renewal_months=12)
    make_completion(
        person, subject=safeguarding, on=today.replace(year=today.year - 1) + dt.timedelta(days=10)
    )
    offer = make_offer(org, title="Mental health awareness")
    done = make_completion(person, offer=offer, on=today - dt.timedelta(days=3))
    done.session = make_session(offer, starts_in_days=-3)
    done.save()
    found = texts(user)
    assert (
        found["1 mandatory training subject is out of date"] == "Fire safety: not done yet. Book a session."
    )
    assert found["1 mandatory training subject expires in the next 30 days"].startswith(
        "Safeguarding adults on "
    )
    assert found["1 course to evaluate"].startswith("How was Mental health awareness?")
    Evaluation.objects.create(completion=done, rating=4)
    assert "1 course to evaluate" not in texts(user)
    # And the home page says it.
    client.force_login(user)
    assert "1 mandatory training subject is out of date" in client.get("/").content.decode()


def test_manager_sees_requests_for_places_and_educator_sees_gaps() -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    boss = t.make_person(org, team)
    worker = t.make_person(org)
    t.make_spell(worker, team=team, line_manager=boss)
    manager = make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=boss)
    session = make_session(make_offer(org, title="Moving and handling"), starts_in_days=10)
    Enrolment.objects.create(session=session, person=worker, status=EnrolmentStatus.REQUESTED)
    found = texts(manager)
    assert "1 request for a training place is waiting for you" in found
    assert found["1 request for a training place is waiting for you"].startswith("The soonest session is on ")
    educator = make_user(Role.EDUCATOR, organisation=org)
    assert not any(
        "no training on offer" in text for text in texts(educator)
    )  # no role requires anything yet
    framework = make_framework(owner_organisation=org)
    hca = make_role("Healthcare assistant")
    require(org, hca, make_competence(framework, "Mental health awareness"), "supervised", within_days=84)
    give_role(worker, hca, start=timezone.localdate() - dt.timedelta(days=30))
    found = texts(educator)
    assert found["1 required competence has no training on offer"] == (
        "The first: Mental health awareness, needed by 1 person."
    )
