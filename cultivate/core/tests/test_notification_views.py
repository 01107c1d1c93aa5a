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
