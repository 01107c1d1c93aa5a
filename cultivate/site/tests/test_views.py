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
    assert "Rows: 10" in html and "Rows: 99" not in html
    bad = client.get("/audit/?since=2025-02-01&until=2025-01-01")
    assert "The end date must be the same as or after the start date" in bad.content.decode()
    # Audit entries are read-only in the service: there is no route that changes them.
    assert client.post("/audit/", {"action": "sign_in"}).status_code in (200, 405)
    assert AuditEvent.objects.filter(action=CoreAction.EXPORT).count() == 2


def test_audit_log_reads_in_words_and_names_the_person() -> None:
    from django.test import Client as _Client

    from cultivate.accounts.audit_actions import AccountsAction
    from cultivate.portfolio.tests import portfolio_factories as pf

    scene = pf.make_scene()
    admin = scene["org_admin"]
    ctx = AuditContext.system("test")
    audit(
        AccountsAction.MEMBERSHIP_GRANTED,
        ctx=ctx,
        organisation=scene["org"],
        role="org_admin",
        teams=[],
        on="2026-12-06",
    )
    evidence = pf.make_evidence(scene["worker_person"], scene["obs"])
    audit(CoreAction.EXPORT, actor=admin, obj=evidence, organisation=scene["org"], what="evidence")
    client = _Client()
    client.force_login(admin)
    html = client.get("/audit/").content.decode()
    main = html.split("<main", 1)[1]
    assert "Organisation admin" in main and "org_admin" not in main
    assert "Teams: none" in main and "teams: []" not in main
    assert "6 December 2026" in main
    # The evidence is Wren Worker's: the entry names her and links to her record.
    assert f'href="/people/{scene["worker_person"].pk}/">Wren Worker</a>' in main

    # Filtered by the person it is about
    only = client.get("/audit/?person=Wren").content.decode().split("<main", 1)[1]
    assert "Wren Worker" in only and "Teams: none" not in only
    assert "0 entries" in client.get("/audit/?person=Nobody").content.decode()


def test_audit_log_exports_are_audited(client: Client) -> None:
    org = t.make_organisation()
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    audit(CoreAction.EXPORT, actor=admin, organisation=org, rows=10)
    client.force_login(admin)
    response = client.get("/audit/export.csv?action=export")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "When,Who,Role,What,About,Person,From,Detail"
    assert "Rows: 10" in body
    xlsx = client.get("/audit/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    exports = AuditEvent.objects.filter(action=CoreAction.EXPORT, detail__what="audit log")
    assert exports.count() == 2
    assert exports.filter(detail__format="csv", detail__filters={"action": "export"}).exists()
    assert client.get("/audit/export.pdf").status_code == 404
    worker = t.make_user(Role.SUPPORT_WORKER, organisation=org)
    client.force_login(worker)
    assert client.get("/audit/export.csv").status_code == 403


def test_audit_log_oldest_first(client: Client) -> None:
    org = t.make_organisation()
    admin = t.make_user(Role.ORG_ADMIN, organisation=org)
    audit(CoreAction.EXPORT, actor=admin, organisation=org, what="first")
    audit(CoreAction.EXPORT, actor=admin, organisation=org, what="second")
    client.force_login(admin)
    newest = client.get("/audit/").content.decode()
    oldest = client.get("/audit/?order=oldest").content.decode()
    assert newest.index("What: second") < newest.index("What: first")
    assert oldest.index("What: first") < oldest.index("What: second")
