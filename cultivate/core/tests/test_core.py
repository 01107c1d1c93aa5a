from __future__ import annotations

import pytest
from django.test import Client, override_settings

from cultivate.accounts import testing as t
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_changed_or_deleted() -> None:
    event = audit(CoreAction.EXPORT, ctx=TEST_JOB, actor_email="someone@example.nhs.uk", rows=3)
    event.detail = {"rows": 0}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AccountsAction.SIGN_IN)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == {"rows": 3, "system_job": "test"}


def test_content_security_policy_and_nonce(client: Client) -> None:
    response = client.get("/accounts/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    # The NHS template's one inline script carries the nonce; no other inline script exists.
    assert f'<script nonce="{nonce}">' in html
    assert html.count("<script>") == 0


def test_pages_use_the_nhs_layout(client: Client) -> None:
    html = client.get("/accounts/sign-in/").content.decode()
    assert 'lang="en-GB"' in html
    assert "nhsuk-skip-link" in html and 'href="#maincontent"' in html
    assert "nhsuk-header" in html and "nhsuk-footer" in html
    assert "/static/build/nhsuk.css" in html


def test_static_assets_are_served_without_a_cdn(client: Client) -> None:
    response = client.get("/static/build/nhsuk.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    # Built without remote web fonts; images come from our own static files.
    assert "assets.nhs.uk" not in css and "@font-face" not in css
    assert "../nhsuk/assets/images/" in css
    html = client.get("/accounts/sign-in/").content.decode()
    assert "https://" not in html.split("<body")[0]


def test_error_pages_are_nhs_styled(client: Client) -> None:
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    client.force_login(user)
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404 and "Page not found" in not_found.content.decode()
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert "You do not have access to this page" in forbidden.content.decode()


@override_settings(DEBUG=False)
def test_server_error_page() -> None:
    from django.test import RequestFactory

    from cultivate.core.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_only_signed_in_responses_are_kept_out_of_caches(client: Client) -> None:
    """The access matrix checks no-store on every page, API endpoint and download it visits; here, what is left
    alone: the public sign-in page and static files, before sign-in and after."""
    user = t.make_user(Role.SUPPORT_WORKER, organisation=t.make_organisation())
    for signed_in in (False, True):
        if signed_in:
            client.force_login(user)
            assert client.get("/me/")["Cache-Control"] == "no-store, private"
        else:
            assert "no-store" not in client.get("/accounts/sign-in/").get("Cache-Control", "")
        assert "no-store" not in client.get("/static/build/nhsuk.css").get("Cache-Control", "")
    # Signing in answers the signed-in user, so the redirect is not stored either.
    response = Client().post("/accounts/sign-in/", {"email": user.email, "password": t.PASSWORD})
    assert response.status_code == 302 and response["Cache-Control"] == "no-store, private"
