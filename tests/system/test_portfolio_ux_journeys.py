"""Issue 14's portfolio, sign-off and team journeys, each on a 390 × 844 phone and on a desktop: every page fits
the screen (no sideways scrolling of the page) and passes axe.

- A support worker's portfolio starts with what to do, shows a sign-off below the level needed as such, and its
  table of statuses adds up to the headline.
- An assessor filters the queue by its address, is warned before signing off below the level needed, and
  withdraws a sign-off after confirming it; the record then reads "Withdrawn".
- A line manager reads the team's competence matrix (names in the header, a person-by-person view) and the
  team's delegation, with no sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_person, make_user
from cultivate.portfolio.models import Assessment, SignOffRequest
from cultivate.portfolio.tests import portfolio_factories as pf
from cultivate.portfolio.tests.delegation_factories import build_world, put_in

from .browser import Journey, horizontal_overflow, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENS = pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])


def fits(page: Page, journey: Journey, label: str) -> None:
    """No sideways scrolling of the page, and axe finds nothing."""
    page.wait_for_load_state("load")
    assert horizontal_overflow(page) == 0, f"{label}: the page is wider than the screen"
    journey.check(label)


def _team() -> dict[str, object]:
    """The community team: Sam (signed off for observations below the level needed, overdue) and Ada (glucose
    monitoring expired), with required competences, a delegation protocol, an assessor and a line manager."""
    world = build_world()
    pf.require(world.org, world.senior, world.cbg, "independent", within_days=84)
    pf.require(world.org, world.senior, world.obs, "independent", within_days=84)
    ada = make_person(world.org, given_name="Ada", family_name="Able")
    put_in(ada, world.community, world.senior)
    pf.make_assessment(
        ada,
        world.cbg,
        assessed_on=world.today - dt.timedelta(days=400),
        expires_on=world.today - dt.timedelta(days=3),
    )
    worker = make_user(Role.SUPPORT_WORKER, organisation=world.org, person=world.worker)
    assessor = make_user(Role.ASSESSOR, organisation=world.org, teams=[world.community])
    manager = make_user(Role.LINE_MANAGER, organisation=world.org, teams=[world.community])
    return {"world": world, "worker": worker, "assessor": assessor, "manager": manager, "ada": ada}


@SCREENS
def test_the_portfolio_starts_with_what_to_do_and_adds_up(page: Page, journey: Journey, screen) -> None:  # type: ignore[no-untyped-def]
    team = _team()
    page.set_viewport_size(screen)
    page.set_default_timeout(30_000)  # a shared, busy test machine: pages are slow, not wrong
    sign_in(page, team["worker"].email)  # type: ignore[attr-defined]
    page.goto("/portfolio/")
    main = page.get_by_role("main")
    # The headline, then what needs doing, before the table of statuses.
    expect(main).to_contain_text("1 of 2 required competences met (50%)")
    attention = page.get_by_role("heading", name=re.compile("Needs attention"))
    expect(main).to_contain_text(
        "Clinical observations: below the level needed (Supervised, Independent needed)"
    )
    assert attention.bounding_box()["y"] < page.locator("#status-table").bounding_box()["y"]  # type: ignore[index]
    # The observations sign-off is "below the level needed", never a green "Achieved".
    row = page.locator(".nhsuk-task-list__item", has_text="Clinical observations")
    expect(row.locator(".nhsuk-tag")).to_have_text("Below the level needed")
    expect(row).to_contain_text("Required for Senior healthcare support worker at Independent")
    # The table adds up: achieved 1 + below the level needed 1 = 2; met 1.
    table = page.locator("#status-table")
    expect(table.locator("tfoot")).to_contain_text("Met")
    counts = [int(text) for text in table.locator("tbody td.nhsuk-table__cell--numeric").all_inner_texts()]
    assert sum(counts) == 2
    fits(page, journey, "portfolio")
    page.get_by_role("link", name="CS2 Clinical observations").click()
    expect(main).to_contain_text("days from starting in the role")
    fits(page, journey, "competence")
    journey.finish()


@SCREENS
def test_the_assessor_filters_the_queue_confirms_below_the_level_and_withdraws(
    page: Page, journey: Journey, screen
) -> None:  # type: ignore[no-untyped-def]
    team = _team()
    world = team["world"]
    evidence = pf.make_evidence(world.worker, world.insulin, title="Observed giving insulin")  # type: ignore[attr-defined]
    item = SignOffRequest.objects.create(person=world.worker, competence=world.insulin, team=world.community)  # type: ignore[attr-defined]
    item.evidence.add(evidence)
    page.set_viewport_size(screen)
    page.set_default_timeout(30_000)  # a shared, busy test machine: pages are slow, not wrong
    sign_in(page, team["assessor"].email)  # type: ignore[attr-defined]
    # The queue's filters are its address: one tap from a home page link.
    page.goto(f"/assessments/?team={world.community.pk}&sort=oldest")  # type: ignore[attr-defined]
    expect(page.locator("#queue-count")).to_contain_text("1 request waiting")
    fits(page, journey, "queue")
    page.get_by_role("link", name=re.compile("Sam Worker")).click()
    expect(page.get_by_role("main")).to_contain_text("What each level means")
    fits(page, journey, "review")
    page.get_by_label("Observed").check()
    page.get_by_role("button", name="Sign off", exact=True).click()
    # Insulin is not required of Sam's role: no warning, signed off at once.
    expect(page.get_by_role("main")).to_contain_text("signed off for Sam Worker")
    fits(page, journey, "queue after sign-off")

    # A sign-off below the level the role needs is confirmed first.
    pf.make_evidence(world.worker, world.cbg)  # type: ignore[attr-defined]
    again = SignOffRequest.objects.create(person=world.worker, competence=world.obs, team=world.community)  # type: ignore[attr-defined]
    page.goto(f"/assessments/requests/{again.pk}/")
    page.get_by_label("Supervised").check()
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Below the level their role needs")
    fits(page, journey, "review, below the level needed")
    page.get_by_role("button", name="Sign off at Supervised anyway").click()
    expect(page.get_by_role("main")).to_contain_text("signed off for Sam Worker")

    # Withdrawing is confirmed, then the record reads "Withdrawn".
    latest = Assessment.objects.filter(person=world.worker, competence=world.obs).latest("pk")  # type: ignore[attr-defined]
    page.goto(f"/assessments/{latest.pk}/withdraw/")
    page.get_by_label("Reason for withdrawing the sign-off").fill("Signed off in error.")
    page.get_by_role("button", name="Withdraw sign-off").click()
    expect(page.get_by_role("main")).to_contain_text("Confirm that you want to withdraw the sign-off")
    fits(page, journey, "withdraw, unconfirmed")
    page.get_by_label(re.compile("Yes, withdraw this sign-off")).check()
    page.get_by_role("button", name="Withdraw sign-off").click()
    expect(page.get_by_role("table", name=re.compile("Assessment history"))).to_contain_text("Withdrawn")
    fits(page, journey, "withdrawn")
    sign_out(page)
    journey.finish()


@SCREENS
def test_the_team_matrix_and_delegation_fit_the_screen(page: Page, journey: Journey, screen) -> None:  # type: ignore[no-untyped-def]
    team = _team()
    world = team["world"]
    page.set_viewport_size(screen)
    page.set_default_timeout(30_000)  # a shared, busy test machine: pages are slow, not wrong
    sign_in(page, team["manager"].email)  # type: ignore[attr-defined]
    page.goto(f"/teams/{world.community.pk}/competence/")  # type: ignore[attr-defined]
    table = page.locator("table.app-matrix")
    # Competences are named in the header, under their domain.
    expect(table.locator("thead")).to_contain_text("Capillary blood glucose monitoring")
    expect(table.locator("thead")).to_contain_text("Clinical skills")
    fits(page, journey, "matrix")
    page.get_by_role("link", name="Show person by person").click()
    expect(page.get_by_text("Sam Worker: 1 of 2 required met")).to_be_visible()
    fits(page, journey, "matrix, person by person")
    page.goto(f"/teams/{world.community.pk}/delegation/")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Lapsing in the next 30 days")).to_be_visible()
    expect(page.locator("table.app-matrix")).to_contain_text("Capillary blood glucose monitoring")
    fits(page, journey, "team delegation")
    assert timezone.localdate() == world.today  # type: ignore[attr-defined]
    journey.finish()
