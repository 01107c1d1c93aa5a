"""Shared base models and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Sign-in locked"
    SIGN_IN_UNLOCKED = "sign_in_unlocked", "Sign-in unlocked"
    SIGN_OUT = "sign_out", "Signed out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    ROLE_SWITCHED = "role_switched", "Role switched"
    USER_CREATED = "user_created", "User created"
    USER_CHANGED = "user_changed", "User changed"
    USER_DEACTIVATED = "user_deactivated", "User deactivated"
    MEMBERSHIP_GRANTED = "membership_granted", "Role granted"
    MEMBERSHIP_REVOKED = "membership_revoked", "Role revoked"
    PERSON_CREATED = "person_created", "Person created"
    PERSON_CHANGED = "person_changed", "Person changed"
    SPELL_CREATED = "spell_created", "Employment spell created"
    SPELL_CHANGED = "spell_changed", "Employment spell changed"
    IMPORT_STARTED = "import_started", "Import started"
    IMPORT_SUCCEEDED = "import_succeeded", "Import succeeded"
    IMPORT_REJECTED = "import_rejected", "Import rejected"
    EXPORT = "export", "Personal data exported"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    FRAMEWORK_CREATED = "framework_created", "Framework created"
    FRAMEWORK_CHANGED = "framework_changed", "Framework changed"
    FRAMEWORK_PUBLISHED = "framework_published", "Framework version published"
    FRAMEWORK_RETIRED = "framework_retired", "Framework version retired"
    FRAMEWORK_IMPORTED = "framework_imported", "Framework imported (CASE)"
    FRAMEWORK_EXPORTED = "framework_exported", "Framework exported (CASE)"
    FRAMEWORK_ADOPTED = "framework_adopted", "Framework adopted"
    REQUIREMENT_CHANGED = "requirement_changed", "Role requirement changed"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    EVIDENCE_CHANGED = "evidence_changed", "Evidence changed"
    EVIDENCE_FILE_VIEWED = "evidence_file_viewed", "Evidence file viewed"
    SIGNOFF_REQUESTED = "signoff_requested", "Sign-off requested"
    SIGNOFF_RETURNED = "signoff_returned", "Sign-off returned with feedback"
    SIGNED_OFF = "signed_off", "Competence signed off"
    ASSESSMENT_CORRECTED = "assessment_corrected", "Sign-off corrected"
    ASSESSMENT_WITHDRAWN = "assessment_withdrawn", "Sign-off withdrawn"
    PROTOCOL_CHANGED = "protocol_changed", "Delegation protocol changed"
    DELEGATION_CHECKED = "delegation_checked", "Delegation checked"
    JOB_TITLE_MAPPED = "job_title_mapped", "Job title mapped to a role"
    INSIGHTS_IMPORTED = "insights_imported", "Workforce extract imported"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what, to what, when and from where. Written by `core.audit.audit()`; never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the record still says who it was if the account is later removed or renamed.
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'anonymous'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events cannot be deleted.")


class Notification(models.Model):
    """A message to a user in the service (the bell in the header); most are also emailed (core.notify)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
