"""The notification settings page: each user chooses how they are emailed, in their own words."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.core.models import EmailChoice
from cultivate.core.notify import notification_email_choice

pytestmark = pytest.mark.django_db


def test_choose_a_daily_summary(client: Client) -> None:
    user = t.make_user()
    client.force_login(user)
    page = client.get("/notifications/settings/").content.decode()
    assert "One summary a day of what changed" in page and 'value="each" checked' in page
    response = client.post("/notifications/settings/", {"email": "digest"}, follow=True)
    assert "Your notification settings have been saved." in response.content.decode()
    assert notification_email_choice(user) == EmailChoice.DIGEST


def test_errors_in_the_users_words(client: Client) -> None:
    client.force_login(t.make_user())
    page = client.post("/notifications/settings/", {}).content.decode()
    assert "Choose how we should email you" in page and "This field is required" not in page


def test_signed_out_is_sent_to_sign_in(client: Client) -> None:
    assert client.get("/notifications/settings/").status_code == 302


def test_a_change_of_settings_is_audited_and_saving_the_same_is_not(client: Client) -> None:
    from cultivate.core.models import AuditEvent

    user = t.make_user()
    client.force_login(user)
    client.post("/notifications/settings/", {"email": "none"})
    event = AuditEvent.objects.get(action="notification_settings_changed")
    assert event.actor_id == user.pk and event.detail["email_before"] == "each"
    assert event.detail["email_after"] == "none"
    client.post("/notifications/settings/", {"email": "none"})
    assert AuditEvent.objects.filter(action="notification_settings_changed").count() == 1


def test_managers_assessors_and_educators_get_a_daily_summary_until_they_choose() -> None:
    from cultivate.accounts.models import Role

    org = t.make_organisation()
    for role in (Role.LINE_MANAGER, Role.ASSESSOR, Role.EDUCATOR):
        assert notification_email_choice(t.make_user(role, organisation=org)) == EmailChoice.DIGEST
    for role in (Role.SUPPORT_WORKER, Role.ORG_ADMIN, Role.ANALYST):
        assert notification_email_choice(t.make_user(role, organisation=org)) == EmailChoice.EACH
    assert notification_email_choice(t.make_user()) == EmailChoice.EACH
