"""The home page leads with what the role should do next, gathered from each app's `home.py`, in a number of
queries that does not grow with the team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.navigation import HomeAction
from cultivate.core.notify import notify
from cultivate.portfolio.models import RequestStatus, SignOffRequest
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.site.home import home_actions, installed_home_actions

pytestmark = pytest.mark.django_db


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


def test_every_app_hook_is_gathered() -> None:
    modules = {hook.__module__ for hook in installed_home_actions()}
    assert {
        "cultivate.core.home",
        "cultivate.portfolio.home",
        "cultivate.organisations.home",
        "cultivate.frameworks.home",
        "cultivate.learning.home",
        "cultivate.programmes.home",
    } <= modules


def test_actions_with_nothing_to_do_are_left_out_and_urgent_come_first() -> None:
    assert not HomeAction("none", "/", count=0, order=1).shown
    assert HomeAction("figure", "/", count=0, order=1, figure=True).shown
    scene = pf.make_scene()
    worker = scene["worker"]
    notify(user=worker, title="Hello", email=False)
    actions = home_actions(pf.membership(worker))
    texts = [a.text for a in actions]
    assert "1 unread notification" in texts
    assert all(a.count > 0 for a in actions)
    urgent = [a.urgent for a in actions]
    assert urgent == sorted(urgent, reverse=True)


def test_worker_sees_overdue_expiring_and_returned(client: Client) -> None:
    scene = pf.make_scene()
    worker, person = scene["worker"], scene["worker_person"]
    today = timezone.localdate()
    # OBS1 is due within 84 days of a start in January 2025: overdue. COM1 lapses within a month.
    pf.make_assessment(person, scene["comms"], level="observed", expires_on=today + dt.timedelta(days=10))
    SignOffRequest.objects.create(
        person=person, competence=scene["obs"], status=RequestStatus.RETURNED, feedback="More detail"
    )
    notify(user=worker, title="A sign-off was returned", email=False)
    client.force_login(worker)
    html = _main(client.get("/").content.decode())
    assert "1 competence is overdue" in html
    assert "1 sign-off expires in the next 30 days" in html
    assert "1 sign-off request was returned to you" in html
    assert "1 unread notification" in html
    # Actions before the cards: a phone reads what to do first.
    assert html.index("What to do next") < html.index("Your pages")
    # A request asked for again is no longer "returned".
    SignOffRequest.objects.create(person=person, competence=scene["obs"], status=RequestStatus.OPEN)
    assert "returned to you" not in client.get("/").content.decode()


def test_assessor_sees_queue_size_and_oldest(client: Client) -> None:
    scene = pf.make_scene()
    request = SignOffRequest.objects.create(person=scene["worker_person"], competence=scene["obs"])
    SignOffRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    SignOffRequest.objects.create(person=scene["worker_person"], competence=scene["comms"])
    client.force_login(scene["assessor"])
    html = _main(client.get("/").content.decode())
    assert "2 sign-off requests are waiting for you" in html
    assert "(20 days)" in html and "Urgent" in html
    client.force_login(scene["other_assessor"])
    html = _main(client.get("/").content.decode())
    assert "requests are waiting" not in html and "Nothing needs your attention today." in html


def test_manager_sees_team_gaps_lapses_and_nothing_signed_off(client: Client) -> None:
    scene = pf.make_scene()
    today = timezone.localdate()
    pf.make_assessment(
        scene["worker_person"], scene["comms"], level="observed", expires_on=today + dt.timedelta(days=5)
    )
    second = t.make_person(scene["org"], team=scene["ward"], given_name="Ash", family_name="Second")
    pf.give_role(second, scene["hca"])
    client.force_login(scene["manager"])
    html = _main(client.get("/").content.decode())
    assert "2 people have required competences not met" in html
    assert "1 sign-off lapses in the next 30 days" in html
    assert "1 person has nothing signed off" in html


def test_manager_home_queries_do_not_grow_with_the_team(client: Client) -> None:
    scene = pf.make_scene()
    client.force_login(scene["manager"])
    client.get("/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(8):
        person = t.make_person(scene["org"], team=scene["ward"], family_name=f"Extra{n}")
        pf.give_role(person, scene["hca"])
        pf.make_assessment(person, scene["obs"], level="supervised")
        SignOffRequest.objects.create(person=person, competence=scene["comms"])
    assert queries() == before


def test_admin_sees_failed_imports_and_people_without_accounts(client: Client) -> None:
    from cultivate.organisations.models import StaffImport, StaffImportStatus

    scene = pf.make_scene()
    org = scene["org"]
    StaffImport.objects.create(organisation=org, folder="a", status=StaffImportStatus.FAILED)
    client.force_login(scene["org_admin"])
    html = _main(client.get("/").content.decode())
    assert "1 staff import failed since the last one that worked" in html
    # The manager's own record has an account; the worker's too: the ward has nobody without one.
    assert "no account" not in html
    t.make_person(org, team=scene["ward"])
    assert "1 person in post has no account" in client.get("/").content.decode()
    StaffImport.objects.create(organisation=org, folder="b", status=StaffImportStatus.SUCCEEDED)
    assert "staff import" not in _main(client.get("/").content.decode())


def test_educator_sees_drafts(client: Client) -> None:
    from cultivate.frameworks.models import FrameworkVersion, VersionStatus

    scene = pf.make_scene()
    educator = t.make_user(Role.EDUCATOR, organisation=scene["org"])
    client.force_login(educator)
    assert "draft" not in _main(client.get("/").content.decode())
    FrameworkVersion.objects.create(framework=scene["framework"], number=2, status=VersionStatus.DRAFT)
    html = _main(client.get("/").content.decode())
    assert "1 framework draft not yet published" in html and "Clinical skills" in html
    # A support worker may see the framework but not write it: no draft for them.
    client.force_login(scene["worker"])
    assert "framework draft" not in client.get("/").content.decode()


def test_analyst_sees_headline_figures_suppressed(client: Client) -> None:
    scene = pf.make_scene()
    client.force_login(scene["analyst"])
    html = _main(client.get("/").content.decode())
    assert "At a glance" in html
    # Two people in post: a small count, hidden from an analyst.
    assert "fewer than 5 people in post" in html
    assert "0 leavers in the last 12 months" in html
