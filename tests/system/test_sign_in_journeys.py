"""Signing in: the error states, throttling after repeated failures, the keyboard, and resetting a password."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user

from .browser import Journey, fill_sign_in, sign_in

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_wrong_password_then_lockout(page: Page, journey: Journey) -> None:
    # Given a user with an account
    user = make_user(Role.SUPPORT_WORKER, organisation=make_organisation())
    page.goto("/accounts/sign-in/")
    journey.check("sign-in")

    # When they give the wrong password
    fill_sign_in(page, user.email, "not the password")

    # Then the NHS error summary says so, has focus, and the title starts "Error:"
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct email address and password.")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    journey.check("wrong password")

    # When they keep trying until the limit
    for _ in range(settings.LOCKOUT_MAX_FAILURES - 1):
        fill_sign_in(page, user.email, "still not the password")

    # Then sign-in for the address is locked, the page says when to try again and how to unlock it now, and
    # even the right password is refused for now
    locked = (
        "There have been too many failed attempts to sign in with this email address. Try again in 15 minutes"
    )
    expect(summary).to_contain_text(locked)
    expect(summary).to_contain_text("or reset your password to unlock sign-in now.")
    journey.check("locked")
    fill_sign_in(page, user.email, "correct horse battery staple")
    expect(summary).to_contain_text(locked)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Cultivate")
    journey.finish()


def test_sign_in_with_the_keyboard_alone(page: Page, journey: Journey) -> None:
    # Given a user on the sign-in page, using only a keyboard
    user = make_user(Role.SUPPORT_WORKER, organisation=make_organisation())
    page.goto("/accounts/sign-in/")

    # Then the first Tab reaches the skip link, and further Tabs reach the email field
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    email_field = page.get_by_label("Email address")
    for _ in range(10):
        if email_field.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email_field).to_be_focused()

    # When they type, Tab to the password, type and press Enter
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")

    # Then they are signed in
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    journey.finish()


def test_password_reset_by_email(page: Page, journey: Journey, mailoutbox: list) -> None:  # type: ignore[type-arg]
    # Given a user who has forgotten their password
    user = make_user(Role.SUPPORT_WORKER, organisation=make_organisation())
    page.goto("/accounts/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    journey.check("reset request")

    # When they ask for a link
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    journey.check("check your email")

    # Then one email arrives with a link to this service
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    links = re.findall(r"https?://\S+/accounts/password/reset/\S+/", mailoutbox[0].body)
    assert len(links) == 1, mailoutbox[0].body

    # When they follow it and choose a new password
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    journey.check("choose a new password")
    new_password = "a brand new stable password 42"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    journey.check("password changed")

    # Then the link is spent, and the new password signs them in
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired or has been used")
    journey.check("spent link")
    sign_in(page, user.email, new_password)
    journey.finish()
