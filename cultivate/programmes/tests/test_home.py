"""The programmes app's home-page actions: what a participant, a line manager and a lead should do next."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import membership
from cultivate.programmes.home import actions
from cultivate.programmes.models import ApplicationStatus, SelfAssessment, SessionEvaluation, Stage
from cultivate.programmes.testing import (
    make_application,
    make_participant,
    make_programme,
    make_session,
    make_worker,
)

pytestmark = pytest.mark.django_db


def shown(user) -> list[str]:
    return [a.text for a in actions(membership(user)) if a.shown]


def test_participant_checks_in_assesses_and_evaluates() -> None:
    org = t.make_organisation()
    user, person = make_worker(org)
    programme = make_programme(organisation=org)
    place = make_participant(programme.cohorts.get(), person)
    make_session(programme, start=timezone.now() - dt.timedelta(days=7))  # held last week
    make_session(programme)  # on now
    title = programme.title
    assert shown(user) == [
        f"Check in to today's {title} session",
        f"Do your self-assessment for the start of {title}",
        f"2 sessions to evaluate on {title}",
    ]
    SelfAssessment.objects.create(participant=place, stage=Stage.BEFORE)
    for session in programme.sessions.all():
        SessionEvaluation.objects.create(participant=place, session=session, rating=5)
    assert shown(user) == [f"Check in to today's {title} session"]


def test_offer_of_a_place_comes_first() -> None:
    org = t.make_organisation()
    user, person = make_worker(org)
    programme = make_programme(organisation=org)
    make_application(programme, person, status=ApplicationStatus.OFFERED)
    (first,) = [a for a in actions(membership(user)) if a.shown]
    assert first.urgent and first.text == f"You are offered a place on {programme.title}"


def test_manager_agrees_protected_time_and_lead_offers_places() -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    boss = t.make_person(org, team)
    worker = t.make_person(org)
    t.make_spell(worker, team=team, line_manager=boss)
    manager = make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=boss)
    lead = make_user(Role.EDUCATOR, organisation=org)
    programme = make_programme(organisation=org, lead=lead)
    application = make_application(programme, worker, status=ApplicationStatus.SUBMITTED)
    assert "1 application to a programme needs you to agree protected time" in shown(manager)
    assert not any("waiting for a place" in text for text in shown(lead))
    application.status = ApplicationStatus.MANAGER_APPROVED
    application.save()
    assert "1 approved application is waiting for a place" in shown(lead)
    assert not any("protected time" in text for text in shown(manager))
    # Another educator, who does not lead it, is not asked.
    assert not any(
        "waiting for a place" in text for text in shown(make_user(Role.EDUCATOR, organisation=org))
    )
