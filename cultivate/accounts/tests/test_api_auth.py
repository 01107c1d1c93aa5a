"""Personal access tokens: how they are made and stored, and when the API accepts them (or a session)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.middleware import SESSION_KEY
from cultivate.accounts.models import ApiToken, Role
from cultivate.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    membership_end,
    membership_grant,
    user_deactivate,
)
from cultivate.core.audit import AuditContext
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    org = t.make_organisation("RTK")
    team = t.make_team(org, "Ward 1")
    t.make_person(org, team=team, given_name="Ira", family_name="One")
    return t.make_user(Role.ORG_ADMIN, organisation=org)


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_created_token_works_and_records_its_use(client, admin) -> None:
    token, secret = api_token_create(user=admin, membership=admin.memberships.get(), name=" Reporting ")
    assert token.name == "Reporting"
    assert token.last_used_at is None
    response = client.get("/api/people", **bearer(secret))
    assert response.status_code == 200
    assert [p["display_name"] for p in response.json()["items"]] == ["Ira One"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    event = AuditEvent.objects.get(action=AccountsAction.TOKEN_CREATED)
    assert (event.actor, event.object_id) == (admin, str(token.pk))
    assert secret not in str(event.detail)


def test_only_a_hash_of_the_secret_is_stored(admin) -> None:
    token, secret = api_token_create(user=admin, membership=admin.memberships.get(), name="Reporting")
    assert secret.startswith("cvt_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.token_hash != secret
    # The prefix lets the user tell tokens apart; it is far too short to use.
    assert secret.startswith(stored.prefix)
    assert len(stored.prefix) == len("cvt_") + 6
    values = [str(getattr(stored, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in values)


def test_each_token_has_its_own_secret(admin) -> None:
    membership = admin.memberships.get()
    _, first = api_token_create(user=admin, membership=membership, name="One")
    _, second = api_token_create(user=admin, membership=membership, name="Two")
    assert first != second
    found = [api_token_authenticate(secret) for secret in (first, second)]
    assert [token.name if token else None for token in found] == ["One", "Two"]


def test_a_token_cannot_act_in_someone_elses_role(admin) -> None:
    other = t.make_user(Role.ORG_ADMIN, organisation=admin.memberships.get().organisation)
    with pytest.raises(ValidationError) as error:
        api_token_create(user=admin, membership=other.memberships.get(), name="Borrowed")
    assert "membership" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_revoked_token_is_refused_and_the_revocation_audited(client, admin) -> None:
    token, secret = api_token_create(user=admin, membership=admin.memberships.get(), name="Reporting")
    api_token_revoke(token=token, by=admin)
    response = client.get("/api/organisations", **bearer(secret))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert (
        AuditEvent.objects.filter(action=AccountsAction.TOKEN_REVOKED, object_id=str(token.pk)).count() == 1
    )


def test_expired_token_is_refused(client, admin) -> None:
    membership = admin.memberships.get()
    _, fresh = api_token_create(
        user=admin, membership=membership, name="Fresh", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    _, stale = api_token_create(
        user=admin, membership=membership, name="Stale", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/organisations", **bearer(fresh)).status_code == 200
    assert client.get("/api/organisations", **bearer(stale)).status_code == 401


def test_token_of_a_deactivated_user_is_refused(client, admin) -> None:
    _, secret = api_token_create(user=admin, membership=admin.memberships.get(), name="Reporting")
    user_deactivate(user=admin, by=admin)
    assert client.get("/api/organisations", **bearer(secret)).status_code == 401


def test_token_stops_when_its_role_ends_even_if_the_user_has_another(client, admin) -> None:
    membership = admin.memberships.get()
    membership_grant(user=admin, role=Role.ANALYST, organisation=membership.organisation, ctx=TEST_JOB)
    _, secret = api_token_create(user=admin, membership=membership, name="Reporting")
    membership_end(membership=membership, ended_by=admin)
    assert client.get("/api/organisations", **bearer(secret)).status_code == 401


def test_role_not_yet_started_is_refused(client, admin) -> None:
    later = membership_grant(
        user=admin,
        ctx=TEST_JOB,
        role=Role.ANALYST,
        organisation=admin.memberships.first().organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=7),
    )
    _, secret = api_token_create(user=admin, membership=later, name="Early")
    assert client.get("/api/organisations", **bearer(secret)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cvt_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "cvt_without_a_scheme",
    ],
)
def test_bad_authorization_headers_are_refused_with_401(client, admin, header) -> None:
    response = client.get("/api/organisations", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="Cultivate API"'
    assert response.json()["detail"]


def test_no_credentials_at_all_is_401(client, admin) -> None:
    response = client.get("/api/organisations")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_token_acts_in_its_own_role_not_the_sessions(client, admin) -> None:
    admin_role = admin.memberships.get()
    org = admin_role.organisation
    own = t.make_person(org, given_name="Ada", family_name="Self")
    admin.person = own
    admin.save(update_fields=["person"])
    worker_role = membership_grant(user=admin, role=Role.SUPPORT_WORKER, organisation=org, ctx=TEST_JOB)
    _, secret = api_token_create(user=admin, membership=worker_role, name="Just me")
    client.force_login(admin)
    session = client.session
    session[SESSION_KEY] = admin_role.pk  # the session acts as org admin, who sees everyone
    session.save()
    session_view = client.get("/api/people?status=all").json()
    assert {p["display_name"] for p in session_view["items"]} == {"Ada Self", "Ira One"}
    token_view = client.get("/api/people?status=all", **bearer(secret)).json()
    assert [p["display_name"] for p in token_view["items"]] == ["Ada Self"]
    # A refusal made under a token records the token's user and role.
    ira = next(p for p in session_view["items"] if p["display_name"] == "Ira One")
    assert client.get(f"/api/people/{ira['id']}", **bearer(secret)).status_code == 404
    event = AuditEvent.objects.get(action=CoreAction.PERMISSION_DENIED)
    assert (event.actor, event.actor_role) == (admin, Role.SUPPORT_WORKER)


def test_a_bad_token_is_not_rescued_by_a_session(client, admin) -> None:
    client.force_login(admin)
    assert client.get("/api/organisations").status_code == 200
    assert client.get("/api/organisations", **bearer("cvt_wrong")).status_code == 401


def test_signed_in_user_without_a_current_role_gets_403(client) -> None:
    user = t.make_user()
    client.force_login(user)
    response = client.get("/api/organisations")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no current role" in response.json()["detail"]
    assert AuditEvent.objects.filter(action=CoreAction.PERMISSION_DENIED, actor=user).count() == 1
