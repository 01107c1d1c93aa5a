from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from cultivate.accounts import services
from cultivate.accounts import testing as t
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Membership, Role, User
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin_client(client: Client):  # type: ignore[no-untyped-def]
    org = t.make_organisation()
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    client.force_login(admin)
    return client, org, admin


def test_admin_adds_a_user_and_gives_roles(org_admin_client) -> None:  # type: ignore[no-untyped-def]
    client, org, _admin = org_admin_client
    team = t.make_team(org, "Willow ward")
    person = t.make_person(org, team=team, given_name="Priya", family_name="Shah", band="6")
    empty = client.post("/accounts/users/new/", {})
    html = empty.content.decode()
    assert "There is a problem" in html and 'href="#id_full_name"' in html
    # The staff record is found by a search, not picked from a list of everyone.
    assert "Priya Shah" not in client.get("/accounts/users/new/").content.decode()
    assert "Priya Shah (" in client.get("/accounts/users/new/?person_q=shah").content.decode()
    response = client.post(
        "/accounts/users/new/?person_q=shah",
        {
            "full_name": "Priya Shah",
            "email": "Priya.Shah@example.nhs.uk",
            "registration_body": "NMC",
            "registration_pin": "99A1234E",
            "person": person.pk,
        },
    )
    user = User.objects.get(email="priya.shah@example.nhs.uk")
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.person == person and not user.has_usable_password()
    # "Forgotten your password?" sends nothing to an account with no password yet: the invitation is the way in.
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["priya.shah@example.nhs.uk"]]
    assert "/accounts/invitation/" in str(mail.outbox[0].body)
    assert AuditEvent.objects.filter(action=AccountsAction.USER_CREATED, object_id=str(user.pk)).exists()
    # Line managers need a team.
    no_team = client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.LINE_MANAGER})
    assert "Choose at least one team" in no_team.content.decode()
    client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.LINE_MANAGER, "teams": [team.pk]})
    client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.ASSESSOR, "teams": [team.pk]})
    roles = {m.role for m in Membership.objects.current().filter(user=user)}
    assert roles == {Role.LINE_MANAGER, Role.ASSESSOR}
    grant = AuditEvent.objects.filter(action=AccountsAction.MEMBERSHIP_GRANTED, organisation=org).first()
    assert grant is not None and grant.detail["teams"] == ["Willow ward"]
    # Ending a role keeps the row and audits it.
    lm = Membership.objects.get(user=user, role=Role.LINE_MANAGER)
    client.post(f"/accounts/users/{user.pk}/roles/{lm.pk}/end/")
    lm.refresh_from_db()
    assert not lm.is_current and lm.revoked_at is not None
    assert AuditEvent.objects.filter(action=AccountsAction.MEMBERSHIP_REVOKED, object_id=str(lm.pk)).exists()
    client.post(f"/accounts/users/{user.pk}/deactivate/")
    user.refresh_from_db()
    assert not user.is_active


def test_assessor_must_be_a_registered_professional() -> None:
    org = t.make_organisation()
    team = t.make_team(org)
    user = services.user_create(email="hca@example.nhs.uk", full_name="Not Registered", ctx=TEST_JOB)
    with pytest.raises(ValidationError) as error:
        services.membership_grant(user=user, role=Role.ASSESSOR, organisation=org, teams=[team], ctx=TEST_JOB)
    assert "registered professional" in str(error.value)


def test_teams_must_belong_to_the_organisation() -> None:
    org, other = t.make_organisation(), t.make_organisation()
    user = services.user_create(email="lm@example.nhs.uk", full_name="Line Manager", ctx=TEST_JOB)
    with pytest.raises(ValidationError):
        services.membership_grant(
            user=user, role=Role.LINE_MANAGER, organisation=org, teams=[t.make_team(other)]
        )


def test_database_backs_the_scope_of_a_membership() -> None:
    user = services.user_create(email="x@example.nhs.uk", full_name="X", ctx=TEST_JOB)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.ORG_ADMIN)  # no organisation
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.ALLIANCE_ADMIN, organisation=t.make_organisation())


def test_org_admin_cannot_grant_alliance_admin(org_admin_client) -> None:  # type: ignore[no-untyped-def]
    client, org, _admin = org_admin_client
    user = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    response = client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.ALLIANCE_ADMIN})
    # The choice is not offered, so the form rejects it.
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Membership.objects.filter(user=user, role=Role.ALLIANCE_ADMIN).exists()


def test_admin_cannot_deactivate_themselves(org_admin_client) -> None:  # type: ignore[no-untyped-def]
    client, _org, admin = org_admin_client
    client.post(f"/accounts/users/{admin.pk}/deactivate/")
    admin.refresh_from_db()
    assert admin.is_active


def test_users_list_is_scoped(org_admin_client) -> None:  # type: ignore[no-untyped-def]
    client, org, _admin = org_admin_client
    mine = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    theirs = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    html = client.get("/accounts/users/").content.decode()
    assert mine.email in html and theirs.email not in html


def test_api_tokens_page_flow(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    client.force_login(user)
    membership = user.memberships.get()
    response = client.post(
        "/accounts/tokens/new/", {"name": "Rota", "membership": membership.pk, "expires_in_days": 30}
    )
    html = response.content.decode()
    secret = html.split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("cvt_")
    token = user.api_tokens.get()
    assert token.token_hash != secret and secret not in token.token_hash
    assert secret not in client.get("/accounts/").content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Someone else's token cannot be revoked.
    other = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    other_token, _ = services.api_token_create(user=other, membership=other.memberships.get(), name="x")
    assert client.post(f"/accounts/tokens/{other_token.pk}/revoke/").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None


def test_alliance_admin_sets_up_an_admin_for_a_member_trust(client: Client) -> None:
    alliance = t.make_alliance()
    member, outsider = t.make_organisation(alliance=alliance), t.make_organisation()
    admin = t.make_user(Role.ALLIANCE_ADMIN, alliance=alliance)
    client.force_login(admin)
    response = client.post(
        "/accounts/users/new/", {"full_name": "New Admin", "email": "new.admin@example.nhs.uk"}
    )
    user = User.objects.get(email="new.admin@example.nhs.uk")
    assert response.status_code == 302
    missing = client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.ORG_ADMIN})
    assert "Choose the organisation this admin will look after" in missing.content.decode()
    refused = client.post(
        f"/accounts/users/{user.pk}/roles/new/", {"role": Role.ORG_ADMIN, "organisation": outsider.pk}
    )
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    client.post(f"/accounts/users/{user.pk}/roles/new/", {"role": Role.ORG_ADMIN, "organisation": member.pk})
    assert Membership.objects.current().filter(user=user, role=Role.ORG_ADMIN, organisation=member).exists()


def test_new_user_without_a_record_stays_in_the_admins_scope(org_admin_client) -> None:  # type: ignore[no-untyped-def]
    client, _org, _admin = org_admin_client
    response = client.post(
        "/accounts/users/new/", {"full_name": "No Record", "email": "no.record@example.nhs.uk"}
    )
    user = User.objects.get(email="no.record@example.nhs.uk")
    assert client.get(response["Location"]).status_code == 200
    assert user.email in client.get("/accounts/users/").content.decode()
