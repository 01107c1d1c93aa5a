"""The home page for each role, on a 390 × 844 phone and on a desktop: what to do next comes first, each
action leads to the page where it is done, no page is wider than the screen, and axe finds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.frameworks.models import FrameworkVersion, VersionStatus
from cultivate.organisations.models import StaffImport, StaffImportStatus
from cultivate.portfolio.models import RequestStatus, SignOffRequest
from cultivate.portfolio.tests import portfolio_factories as pf

from .browser import Journey, horizontal_overflow, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _worker(scene: dict[str, Any]) -> Any:
    person = scene["worker_person"]
    pf.make_assessment(
        person, scene["comms"], level="observed", expires_on=timezone.localdate() + dt.timedelta(days=10)
    )
    SignOffRequest.objects.create(person=person, competence=scene["obs"], status=RequestStatus.RETURNED)
    return scene["worker"]


def _assessor(scene: dict[str, Any]) -> Any:
    SignOffRequest.objects.create(person=scene["worker_person"], competence=scene["obs"])
    return scene["assessor"]


def _manager(scene: dict[str, Any]) -> Any:
    return scene["manager"]


def _educator(scene: dict[str, Any]) -> Any:
    FrameworkVersion.objects.create(framework=scene["framework"], number=2, status=VersionStatus.DRAFT)
    return t.make_user(Role.EDUCATOR, organisation=scene["org"])


def _analyst(scene: dict[str, Any]) -> Any:
    return scene["analyst"]


def _admin(scene: dict[str, Any]) -> Any:
    StaffImport.objects.create(organisation=scene["org"], folder="x", status=StaffImportStatus.FAILED)
    t.make_person(scene["org"], team=scene["ward"])
    return scene["org_admin"]


# role: (set up and return the user, the first action's text, the heading of the page it leads to)
ROLES: dict[str, tuple[Callable[[dict[str, Any]], Any], str, str]] = {
    "support worker": (_worker, "1 competence is overdue", "Your portfolio"),
    "assessor": (_assessor, "1 sign-off request is waiting for you", "Sign-off requests"),
    "line manager": (_manager, "1 person has required competences not met", "Team competence"),
    "educator": (_educator, "1 framework draft not yet published", "Clinical skills"),
    "analyst": (_analyst, "fewer than 5 people in post", "Trust"),
    "organisation admin": (_admin, "1 staff import failed since the last one that worked", "Staff import"),
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("role", ROLES)
def test_home_leads_with_actions(page: Page, journey: Journey, role: str, screen: str) -> None:
    # Given a user of this role with something to do
    setup, first, heading = ROLES[role]
    user = setup(pf.make_scene())
    page.set_viewport_size(SCREENS[screen])

    # When they sign in
    sign_in(page, user.email)

    # Then the first thing on the page after the greeting is what to do next, before the ways round
    main = page.get_by_role("main")
    action = main.get_by_role("link", name=first)
    expect(action).to_be_visible()
    pages = main.get_by_role("heading", name="Your pages")
    page.wait_for_load_state("load")
    action_box, pages_box = action.bounding_box(), pages.bounding_box()
    assert action_box is not None and pages_box is not None and action_box["y"] < pages_box["y"]
    assert horizontal_overflow(page) == 0
    journey.check("home")

    # And the action leads to where it is done
    action.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state("load")  # measured once the styles and the header's script have run
    assert horizontal_overflow(page) == 0
    journey.finish()
