"""The audit log page: admins read their organisation's events, filtered; nobody changes them."""

from __future__ import annotations

import pytest
from django.test import Client

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.models import AuditEvent

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


def test_audit_log_filters_and_scope(client: Client) -> None:
    org_a, org_b = t.make_organisation(), t.make_organisation()
    admin_a = t.make_user(Role.ORG_ADMIN, organisation=org_a)
    audit(CoreAction.EXPORT, actor=admin_a, organisation=org_a, rows=10)
    audit(CoreAction.EXPORT, ctx=TEST_JOB, actor_email="b@example.nhs.uk", organisation=org_b, rows=99)
    client.force_login(admin_a)
    html = client.get("/audit/?action=export").content.decode()
    assert "rows: 10" in html and "rows: 99" not in html
    bad = client.get("/audit/?since=2025-02-01&until=2025-01-01")
    assert "The end date must be the same as or after the start date" in bad.content.decode()
    # Audit entries are read-only in the service: there is no route that changes them.
    assert client.post("/audit/", {"action": "sign_in"}).status_code in (200, 405)
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT).count() == 2
