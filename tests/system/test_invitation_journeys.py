"""An organisation admin invites people in bulk from their staff records; an invited person sets their password
from the emailed link and signs in; the admin reads the audit log in words, narrowed to the person, and downloads
it. On a desktop and on a 390 × 844 phone, each page checked with axe and for sideways scrolling."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_person, make_team, make_user

from .browser import Journey, horizontal_overflow, nav_link, sign_in, sign_out

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
NEW_PASSWORD = "a long walk by the river"


def _check(page: Page, journey: Journey, label: str) -> None:
    assert horizontal_overflow(page) == 0, f"{label}: the page scrolls sideways"
    journey.check(label)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_admin_invites_staff_who_set_a_password_and_the_audit_log_says_so(
    page: Page, journey: Journey, screen: str
) -> None:
    # Given an organisation with two people in post without accounts, and its admin
    organisation = make_organisation(ods_code="RX7")
    oak = make_team(organisation, "Oak Ward")
    priya = make_person(
        organisation, team=oak, given_name="Priya", family_name="Okonkwo", email="priya@example.nhs.uk"
    )
    make_person(organisation, team=oak, given_name="Tom", family_name="Reed", email="tom@example.nhs.uk")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    page.set_viewport_size(SCREENS[screen])

    # When the admin finds them on "Invite people" and invites both as support workers
    sign_in(page, admin.email)
    page.goto("/accounts/users/invite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite people")
    expect(page.get_by_role("status")).to_contain_text("2 people in post without an account")
    _check(page, journey, "invite people")
    page.locator("label.nhsuk-checkboxes__label", has_text="Priya Okonkwo").click()
    page.locator("label.nhsuk-checkboxes__label", has_text="Tom Reed").click()
    page.locator("label.nhsuk-radios__label", has_text=re.compile(r"^\s*Support worker\s*$")).click()
    page.get_by_role("button", name="Invite the people chosen").click()

    # Then both are invited, and each gets an email with a link to set a password
    expect(page.get_by_role("main")).to_contain_text("2 people invited by email to set a password.")
    expect(page.get_by_role("status")).to_contain_text("Nobody in post without an account")
    _check(page, journey, "invited")
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"priya@example.nhs.uk", "tom@example.nhs.uk"}
    link = re.search(r"https?://[^\s]+(/accounts/invitation/[^\s]+)", sent["priya@example.nhs.uk"].body)
    assert link is not None
    sign_out(page)

    # When Priya follows her link and sets a password
    page.goto(link.group(1))
    expect(page).to_have_url(re.compile(r"/accounts/invitation/.+/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    _check(page, journey, "set your password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()

    # Then she is asked to sign in, and can
    expect(page.get_by_role("main")).to_contain_text("Your password is set.")
    _check(page, journey, "password set")
    sign_in(page, "priya@example.nhs.uk", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya")
    sign_out(page)

    # When the admin reads the audit log about Priya
    sign_in(page, admin.email)
    page.goto("/audit/")
    if screen == "phone":
        expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    else:
        nav_link(page, "Audit log").click()
    page.get_by_label("About whom (name or staff ID)").fill("Okonkwo")
    page.get_by_role("button", name="Filter").click()

    # Then it reads in words: who invited her, and that she accepted, and nothing about Tom
    main = page.get_by_role("main")
    expect(main.get_by_role("row").filter(has_text="Invitation accepted")).to_have_count(1)
    expect(main).to_contain_text("Priya Okonkwo")
    expect(main).not_to_contain_text("Tom Reed")
    expect(main).not_to_contain_text("invitation_accepted")
    _check(page, journey, "audit log about a person")

    # And downloads it; the download is itself recorded
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    body = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115 - a test's read
    assert "Priya Okonkwo" in body and "Tom Reed" not in body
    page.goto("/audit/?action=export")
    expect(
        page.get_by_role("main").get_by_role("row").filter(has_text="Personal data exported")
    ).not_to_have_count(0)
    _check(page, journey, "audit log export recorded")
    assert priya.pk
    journey.finish()
