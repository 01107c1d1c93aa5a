"""The auditor: each app's actions registered with core, the audit context services receive instead of the
request, and the refusal to record a change nobody answers for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client, RequestFactory, override_settings

from cultivate.accounts import services as account_services
from cultivate.accounts import testing as t
from cultivate.accounts.audit_actions import AccountsAction
from cultivate.accounts.models import Role
from cultivate.core import audit_actions
from cultivate.core.audit import AuditContext, AuditRefused, audit
from cultivate.core.audit_actions import AuditActions, CoreAction
from cultivate.core.models import AuditEvent
from cultivate.credentials.audit_actions import CredentialsAction
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.insights.audit_actions import InsightsAction
from cultivate.learning.audit_actions import LearningAction
from cultivate.organisations.audit_actions import OrganisationsAction
from cultivate.pathways.audit_actions import PathwaysAction
from cultivate.portfolio.audit_actions import PortfolioAction
from cultivate.programmes.audit_actions import ProgrammeAction

pytestmark = pytest.mark.django_db

APP_ACTIONS: dict[str, type[AuditActions]] = {
    "core": CoreAction,
    "accounts": AccountsAction,
    "organisations": OrganisationsAction,
    "frameworks": FrameworksAction,
    "portfolio": PortfolioAction,
    "insights": InsightsAction,
    "learning": LearningAction,
    "programmes": ProgrammeAction,
    "credentials": CredentialsAction,
    "pathways": PathwaysAction,
}

# The stored strings: rows written before the actions moved to their apps must keep their meaning.
STORED = {
    "sign_in", "sign_in_failed", "locked_out", "sign_in_unlocked", "sign_out", "password_changed",
    "password_reset_requested", "permission_denied", "role_switched", "user_created", "user_changed",
    "user_deactivated", "membership_granted", "membership_revoked", "person_created", "person_changed",
    "spell_created", "spell_changed", "import_started", "import_succeeded", "import_rejected", "export",
    "notification_settings_changed",
    "token_created", "token_revoked", "framework_created", "framework_changed", "framework_published",
    "framework_retired", "framework_imported", "framework_exported", "framework_adopted", "requirement_changed",
    "framework_discarded", "framework_deleted",
    "evidence_added", "evidence_changed", "evidence_file_viewed", "signoff_requested", "signoff_returned",
    "signed_off", "assessment_corrected", "assessment_withdrawn", "protocol_changed", "delegation_checked",
    "job_title_mapped", "insights_imported", "user_invited", "invitation_accepted",
    # learning
    "learning_attendance_recorded", "learning_completion_recorded", "learning_enrolment_decided",
    "learning_enrolment_requested", "learning_enrolment_withdrawn", "learning_offer_changed",
    "learning_session_changed", "learning_subject_changed", "learning_plan_agreed", "learning_plan_changes_asked",
    "learning_supervision_recorded", "learning_supervision_interval_changed",
    "learning_flexible_requested", "learning_flexible_decided", "learning_flexible_withdrawn",
    "learning_flexible_appeal_noted", "learning_support_recorded", "learning_support_changed",
    # programmes
    "programme_application_changed", "programme_changed", "programme_cohort_closed", "programme_cohorts_allocated",
    "programme_copied", "programme_created", "programme_partners_paired", "programme_placement_changed",
    "programme_post_hidden", "programme_register_taken",
    # credentials
    "competence_record_created", "competence_record_imported", "competence_record_refused",
    "competence_record_shared", "credential_downloaded", "credential_issued", "credential_revoked",
    "credential_shared", "credentials_exported", "issuer_key_created", "issuer_key_rotated",
    "prior_assessment_confirmed",
    # pathways
    "apprenticeship_changed", "epa_recorded", "manager_support_given", "pathway_changed", "qualification_confirmed",
    "qualification_recorded", "qualification_superseded", "skills_result_recorded",
}  # fmt: skip

ROOT = Path(__file__).resolve().parents[2]


def test_each_app_registers_its_own_actions_and_the_stored_strings_are_unchanged() -> None:
    owners = audit_actions.owners()
    for app, actions in APP_ACTIONS.items():
        assert apps.is_installed(f"cultivate.{app}")
        assert {owners[action.value] for action in actions} == {app}, app
    assert set(owners) == STORED
    assert audit_actions.label("signed_off") == "Competence signed off"
    assert audit_actions.label("an_old_action") == "an_old_action"  # a removed app's rows still show


def test_an_action_value_belongs_to_one_app() -> None:
    class Stolen(AuditActions):
        SIGN_IN = "sign_in", "Signed in elsewhere"

    with pytest.raises(audit_actions.DuplicateAuditAction):
        audit_actions.register("portfolio", Stolen)
    audit_actions.register("accounts", AccountsAction)  # registering again (apps reloaded) is harmless
    assert audit_actions.label("sign_in") == "Signed in"


def test_an_unregistered_action_is_refused() -> None:
    class Unregistered(AuditActions):
        SOMETHING = "something_unregistered", "Something"

    with pytest.raises(AuditRefused, match="not registered"):
        audit(Unregistered.SOMETHING, ctx=AuditContext.system("test"))
    assert not AuditEvent.objects.exists()


def test_a_change_without_an_actor_or_a_system_job_is_refused() -> None:
    org = t.make_organisation()
    with pytest.raises(AuditRefused, match="needs an actor or a named system job"):
        audit(FrameworksAction.FRAMEWORK_CHANGED, obj=org)
    with pytest.raises(AuditRefused):
        audit(
            CoreAction.EXPORT, ctx=AuditContext(ip_address="192.0.2.1"), actor_email="claimed@example.nhs.uk"
        )
    with pytest.raises(ValueError, match="needs a name"):
        AuditContext.system("  ")
    # Services refuse too: the error reaches the caller instead of an unattributed row.
    user = account_services.user_create(
        email="x@example.nhs.uk", full_name="X", ctx=AuditContext.system("test")
    )
    with pytest.raises(AuditRefused):
        account_services.user_deactivate(user=user, by=None)  # type: ignore[arg-type]
    assert not AuditEvent.objects.filter(action=AccountsAction.USER_DEACTIVATED).exists()


def test_a_system_job_is_named_in_the_row() -> None:
    event = audit(CoreAction.IMPORT_STARTED, ctx=AuditContext.system("staff import worker"), rows=3)
    assert event.actor is None and event.detail == {"rows": 3, "system_job": "staff import worker"}
    admin = t.make_user(Role.ORG_ADMIN, organisation=t.make_organisation())
    on_behalf = audit(CoreAction.IMPORT_STARTED, ctx=AuditContext.system("staff import worker", actor=admin))
    assert on_behalf.actor == admin and on_behalf.detail["system_job"] == "staff import worker"


def test_attempts_by_a_client_without_an_account_need_no_actor() -> None:
    # Registered as anonymous by their apps: they record what was tried, not a change.
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.7")
    ctx = AuditContext.from_request(request)
    failed = audit(AccountsAction.SIGN_IN_FAILED, ctx=ctx, actor_email="who@example.nhs.uk")
    denied = audit(CoreAction.PERMISSION_DENIED, ctx=ctx, reason="no")
    assert (failed.actor_email, failed.ip_address, denied.ip_address) == (
        "who@example.nhs.uk",
        "192.0.2.7",
        "192.0.2.7",
    )


def test_the_request_itself_is_refused() -> None:
    request = RequestFactory().get("/")
    with pytest.raises(TypeError, match="AuditContext"):
        audit(CoreAction.EXPORT, request=request)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_context_from_a_request_reads_the_actor_membership_and_address() -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=t.make_organisation())
    request = RequestFactory().get(
        "/people/?page=2",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4",
        HTTP_USER_AGENT="Browser",
    )
    request.user = admin
    request.membership = admin.memberships.get()  # type: ignore[attr-defined]
    ctx = AuditContext.from_request(request)
    assert ctx.actor == admin and ctx.membership == admin.memberships.get() and not ctx.system_job
    # One trusted proxy: the client is the last hop it vouches for, not what the client wrote to its left.
    assert (ctx.ip_address, ctx.user_agent, ctx.path) == ("198.51.100.4", "Browser", "/people/?page=2")
    with pytest.raises(AttributeError):
        ctx.actor = None  # type: ignore[misc]  # frozen: a service cannot change who acted


def test_a_service_records_the_actor_membership_and_address_of_its_context() -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=t.make_organisation())
    membership = admin.memberships.get()
    user = account_services.user_create(email="y@example.nhs.uk", full_name="Y", created_by=admin)
    ctx = AuditContext(
        actor=admin, membership=membership, ip_address="192.0.2.44", user_agent="UA", path="/p/"
    )
    account_services.user_deactivate(user=user, by=admin, ctx=ctx)
    event = AuditEvent.objects.get(action=AccountsAction.USER_DEACTIVATED)
    assert (event.actor, event.actor_role, event.ip_address, event.user_agent, event.path) == (
        admin,
        Role.ORG_ADMIN,
        "192.0.2.44",
        "UA",
        "/p/",
    )


def test_the_audit_log_shows_every_apps_actions_by_label(client: Client) -> None:
    admin = t.make_user(Role.ORG_ADMIN, organisation=t.make_organisation())
    org = admin.memberships.get().organisation
    ctx = AuditContext(actor=admin)
    for actions in APP_ACTIONS.values():
        audit(next(iter(actions)), ctx=ctx, organisation=org)
    client.force_login(admin)
    html = client.get("/audit/").content.decode()
    for actions in APP_ACTIONS.values():
        first = next(iter(actions))
        what = f'aria-hidden="true">What </span>{first.label}</td>'
        assert what in html.replace("&#x27;", "'"), first
        # The filter offers every registered action, by its label.
        for action in actions:
            assert f'<option value="{action.value}"' in html, action
    filtered = client.get(f"/audit/?action={PortfolioAction.EVIDENCE_ADDED.value}").content.decode()
    assert "1 entry" in filtered and "Evidence added" in filtered


def _service_modules() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.stem == "services" or "services" in parts[:-1]:
            found.append(path)
    return found


def test_no_service_module_takes_the_request() -> None:
    """Services receive an AuditContext; the HttpRequest stays in views and API modules."""
    modules = _service_modules()
    assert len(modules) >= 6
    offenders = []
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("django.http"):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Name | ast.Attribute):
                names = [node.id if isinstance(node, ast.Name) else node.attr]
            if "HttpRequest" in names:
                offenders.append(f"{path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', 0)}")
    assert not offenders, f"service modules that use HttpRequest: {offenders}"
