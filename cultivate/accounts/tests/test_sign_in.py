from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Role, User
from cultivate.config.settings import base
from cultivate.core import testing as t
from cultivate.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = t.PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/sign-in/", {"email": email, "password": password})


def test_production_hashing_is_argon2() -> None:
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_locale_and_session_expiry() -> None:
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    # Idle expiry without a write per page view: cultivate/core/tests/test_sessions.py
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE == 60 * 60


def test_sign_in_and_out_are_audited(client: Client) -> None:
    org = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=org)
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=user).exists()
    assert client.get("/").status_code == 200
    client.post("/accounts/sign-out/")
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT, actor=user).exists()
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_summary_and_is_audited(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    response = sign_in(client, user.email, "wrong password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Enter a correct email address and password" in html
    assert "<title>Error:" in html
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED, actor=user)
    assert event.ip_address == "127.0.0.1"


def test_unknown_email_is_audited_without_revealing(client: Client) -> None:
    response = sign_in(client, "nobody@example.nhs.uk", "whatever")
    assert "Enter a correct email address and password" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, actor_email="nobody@example.nhs.uk"
    ).exists()


def test_lockout_after_repeated_failures(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for _ in range(settings.LOCKOUT_MAX_FAILURES):
        sign_in(client, user.email, "wrong")
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, actor=user).count() == 1
    # Even the right password is refused while locked, and the page says why.
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    # Once the lock has passed, the right password works and the counter resets.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert sign_in(client, user.email).status_code == 302
    user.refresh_from_db()
    assert user.failed_sign_ins == 0 and user.locked_until is None


def test_failures_outside_the_window_do_not_accumulate(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for _ in range(settings.LOCKOUT_MAX_FAILURES - 1):
        sign_in(client, user.email, "wrong")
    User.objects.filter(pk=user.pk).update(
        first_failed_sign_in_at=timezone.now() - dt.timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES + 1)
    )
    sign_in(client, user.email, "wrong")
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_sign_ins == 1


def test_open_redirect_is_refused(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    response = client.post(
        "/accounts/sign-in/",
        {"email": user.email, "password": t.PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == "/"


def test_password_reset_by_email(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert done.status_code == 302
    assert sign_in(Client(), user.email, "a brand new passphrase").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=user).exists()


def test_password_change(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    client.force_login(user)
    bad = client.post(
        "/accounts/password/", {"old_password": "nope", "new_password1": "x", "new_password2": "y"}
    )
    assert "There is a problem" in bad.content.decode()
    good = client.post(
        "/accounts/password/",
        {
            "old_password": t.PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert good.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=user).exists()


def test_role_switcher(client: Client) -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    user = t.make_user(Role.LINE_MANAGER, organisation=org, teams=[team])
    admin_membership = user.memberships.create(role=Role.ORG_ADMIN, organisation=org)
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "(change)" in home and "My team" in home and "Audit log" not in home
    response = client.post("/accounts/role/", {"membership": admin_membership.pk})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Audit log" in home
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_SWITCHED, actor=user).exists()
    # A membership that is not the user's own cannot be chosen.
    other = t.make_user(Role.ORG_ADMIN, organisation=t.make_organisation()).memberships.get()
    refused = client.post("/accounts/role/", {"membership": other.pk})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()


def test_ended_role_is_not_active(client: Client) -> None:
    org = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=org)
    membership = user.memberships.get()
    membership.revoked_at = timezone.now()
    membership.save()
    client.force_login(user)
    assert "You do not have a role yet" in client.get("/").content.decode()
    assert client.get("/audit/").status_code == 403
