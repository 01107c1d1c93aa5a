from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts import throttle
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Role, SignInThrottle, User
from cultivate.config.settings import base
from cultivate.core.audit import client_ip
from cultivate.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = t.PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/sign-in/", {"email": email, "password": password})


def test_production_hashing_is_argon2() -> None:
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_locale_and_session_expiry() -> None:
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    # Idle expiry without a write per page view: cultivate/core/tests/test_middleware__sessions.py
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE == 60 * 60


def test_sign_in_and_out_are_audited(client: Client) -> None:
    org = t.make_organisation()
    user = t.make_user(Role.ORG_ADMIN, organisation=org)
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEvent.objects.filter(action=AccountsAction.SIGN_IN, actor=user).exists()
    assert client.get("/").status_code == 200
    client.post("/accounts/sign-out/")
    assert AuditEvent.objects.filter(action=AccountsAction.SIGN_OUT, actor=user).exists()
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_summary_and_is_audited(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    response = sign_in(client, user.email, "wrong password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Enter a correct email address and password" in html
    assert "<title>Error:" in html
    event = AuditEvent.objects.get(action=AccountsAction.SIGN_IN_FAILED, actor=user)
    assert event.ip_address == "127.0.0.1"


def test_unknown_email_is_audited_without_revealing(client: Client) -> None:
    response = sign_in(client, "nobody@example.nhs.uk", "whatever")
    assert "Enter a correct email address and password" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AccountsAction.SIGN_IN_FAILED, actor_email="nobody@example.nhs.uk"
    ).exists()


def _refusal(response: HttpResponse, email: str) -> tuple[int, str]:
    """The response as the person signing in sees it, with what differs by request alone (the CSRF token, the
    script nonce) and the address they typed taken out."""
    body = response.content.decode().replace(email, "EMAIL")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", body)
    return response.status_code, re.sub(r'nonce="[^"]*"', "NONCE", body)


def test_known_and_unknown_addresses_are_refused_alike(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation(), email="known@example.nhs.uk")
    unknown = "unknown@example.nhs.uk"
    for attempt in range(settings.LOCKOUT_MAX_FAILURES + 1):
        known_page = _refusal(sign_in(client, user.email, "wrong"), user.email)
        unknown_page = _refusal(sign_in(client, unknown, "wrong"), unknown)
        assert known_page == unknown_page, f"attempt {attempt + 1}"
    status, body = known_page
    assert status == 200 and "too many failed attempts to sign in with this email address" in body
    assert "Try again in 15 minutes, or reset your password" in body
    # Both addresses were counted and locked alike, and both locks audited.
    assert SignInThrottle.objects.filter(key__startswith="address:", locked_until__isnull=False).count() == 2
    locks = AuditEvent.objects.filter(action=AccountsAction.LOCKED_OUT)
    assert {(e.actor_email, e.detail["scope"]) for e in locks} == {
        (user.email, "address"),
        (unknown, "address"),
    }
    # The table holds hashes, never the addresses.
    assert not SignInThrottle.objects.filter(key__contains="example").exists()


def test_the_right_password_is_refused_while_locked(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for _ in range(settings.LOCKOUT_MAX_FAILURES):
        sign_in(client, user.email, "wrong")
    response = sign_in(client, user.email)
    assert response.status_code == 200 and "too many failed attempts" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AccountsAction.SIGN_IN_FAILED, actor=user, detail__reason="locked"
    ).exists()
    # Once the lock has passed, the right password works and the address's count is forgotten.
    SignInThrottle.objects.all().update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert sign_in(client, user.email).status_code == 302
    assert not SignInThrottle.objects.filter(
        key=throttle.keys_for(email=user.email, client_address=client_ip(_req()))["address"]
    )


def _req(ip: str = "127.0.0.1", forwarded: str = "") -> HttpRequest:
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR=ip)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_a_locked_address_is_unlocked_by_a_password_reset(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for _ in range(settings.LOCKOUT_MAX_FAILURES):
        sign_in(client, user.email, "wrong")
    assert "too many failed attempts" in sign_in(client, user.email).content.decode()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    new_password = "a brand new passphrase"
    client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert sign_in(client, user.email, new_password).status_code == 302
    assert AuditEvent.objects.filter(action=AccountsAction.SIGN_IN_UNLOCKED, actor=user).count() == 1


@override_settings(LOCKOUT_CLIENT_MAX_FAILURES=4, LOCKOUT_MAX_FAILURES=10)
def test_the_client_throttle_counts_across_addresses(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for n in range(4):
        response = sign_in(client, f"guess{n}@example.nhs.uk", "wrong")
    assert "too many failed attempts to sign in from this device or network" in response.content.decode()
    # Even a real user's right password is refused from that client, and the lock was audited once.
    assert "too many failed attempts" in sign_in(client, user.email).content.decode()
    assert AuditEvent.objects.filter(action=AccountsAction.LOCKED_OUT, detail__scope="client").count() == 1
    # Another client is not affected.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.7"), user.email).status_code == 302


def test_the_hasher_runs_once_whether_or_not_the_account_exists(client: Client) -> None:
    org = t.make_organisation()
    known = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    no_password = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    no_password.set_unusable_password()
    no_password.save()
    inactive = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    hasher = type(get_hasher())
    calls: dict[str, int] = {}
    for label, email, password in [
        ("right password", known.email, t.PASSWORD),
        ("wrong password", known.email, "wrong"),
        ("unknown address", "nobody@example.nhs.uk", "wrong"),
        ("no usable password", no_password.email, "wrong"),
        ("inactive account", inactive.email, t.PASSWORD),
    ]:
        with mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify) as verify:
            sign_in(Client(), email, password)
        calls[label] = verify.call_count
    assert set(calls.values()) == {1}, calls


def test_failures_outside_the_window_do_not_accumulate(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for _ in range(settings.LOCKOUT_MAX_FAILURES - 1):
        sign_in(client, user.email, "wrong")
    SignInThrottle.objects.all().update(
        first_failure_at=timezone.now() - dt.timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES + 1)
    )
    sign_in(client, user.email, "wrong")
    assert set(SignInThrottle.objects.values_list("failures", "locked_until")) == {(1, None)}


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's own say-so
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the one proxy's entry, not what the client sent
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not through them all
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    trusted: int, forwarded: str, expected: str
) -> None:
    with override_settings(TRUSTED_PROXY_COUNT=trusted):
        assert client_ip(_req("10.0.0.1", forwarded)) == expected


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
    assert AuditEvent.objects.filter(action=AccountsAction.PASSWORD_RESET_REQUESTED).exists()
    assert AuditEvent.objects.filter(action=AccountsAction.PASSWORD_CHANGED, actor=user).exists()


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
    assert AuditEvent.objects.filter(action=AccountsAction.PASSWORD_CHANGED, actor=user).exists()


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
    assert AuditEvent.objects.filter(action=AccountsAction.ROLE_SWITCHED, actor=user).exists()
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
