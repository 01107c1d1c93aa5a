"""Accounts in bulk from staff records: each person invited by email to set a password, once, audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _scene():  # type: ignore[no-untyped-def]
    org = t.make_organisation()
    ward = t.make_team(org, "Birch Ward")
    ana = t.make_person(org, team=ward, given_name="Ana", family_name="Bell", email="ana.bell@example.nhs.uk")
    ben = t.make_person(org, team=ward, given_name="Ben", family_name="Cole", email="ben.cole@example.nhs.uk")
    noemail = t.make_person(org, team=ward, given_name="Cal", family_name="Dunn")
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    return org, ward, ana, ben, noemail, admin


def test_invite_people_who_then_set_their_password(
    client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _org, _ward, ana, ben, noemail, admin = _scene()
    client.force_login(admin)
    page = client.get("/accounts/users/invite/?q=bell").content.decode()
    assert "Ana Bell" in page and "Ben Cole" not in page
    assert (
        "Teams (required for line managers)" in page
        and "Teams (required for line managers) (optional)" not in page
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/users/invite/",
            {"people": [ana.pk, ben.pk, noemail.pk], "role": Role.SUPPORT_WORKER},
            follow=True,
        )
    html = response.content.decode()
    assert "2 people invited by email to set a password." in html
    assert "Cal Dunn has no email address on their staff record." in html
    assert sorted(m.to[0] for m in mail.outbox) == ["ana.bell@example.nhs.uk", "ben.cole@example.nhs.uk"]
    user = User.objects.get(email="ana.bell@example.nhs.uk")
    assert user.person == ana and not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.SUPPORT_WORKER
    assert AuditEvent.objects.filter(action=AccountsAction.USER_INVITED).count() == 2

    # The link sets the password once
    link = re.search(
        r"http://[^/]+(/accounts/invitation/\S+)",
        next(str(m.body) for m in mail.outbox if m.to == [user.email]),
    )
    assert link is not None
    client.logout()
    form = client.get(link.group(1), follow=True)
    assert "Set your password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
        follow=True,
    )
    assert "Your password is set." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("a long new password 42")
    assert AuditEvent.objects.filter(action=AccountsAction.INVITATION_ACCEPTED, actor=user).exists()
    again = client.get(link.group(1), follow=True).content.decode()
    assert "This invitation has expired or has been used" in again


def test_a_line_manager_needs_a_team(client: Client) -> None:
    _org, _ward, ana, _ben, _noemail, admin = _scene()
    client.force_login(admin)
    page = client.post(
        "/accounts/users/invite/", {"people": [ana.pk], "role": Role.LINE_MANAGER}
    ).content.decode()
    assert "Choose at least one team for a line manager" in page
    assert not User.objects.filter(email=ana.email).exists()
    nobody = client.post("/accounts/users/invite/", {"role": Role.SUPPORT_WORKER}).content.decode()
    assert "Choose at least one person to invite" in nobody


def test_only_admins_and_resend(client: Client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    org, ward, ana, _ben, _noemail, admin = _scene()
    client.force_login(t.make_user(Role.LINE_MANAGER, organisation=org, teams=[ward]))
    assert client.get("/accounts/users/invite/").status_code == 403
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/users/invite/", {"people": [ana.pk], "role": Role.ANALYST})
    user = User.objects.get(email=ana.email)
    mail.outbox.clear()
    response = client.post(f"/accounts/users/{user.pk}/invite/", follow=True)
    assert "A new invitation has been sent" in response.content.decode() and len(mail.outbox) == 1
