"""Shared base models and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from . import audit_actions


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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
    # Each app declares its own actions (core.audit_actions); the row keeps the stored string.
    action = models.CharField(max_length=40, db_index=True)
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

    @property
    def action_label(self) -> str:
        return audit_actions.label(self.action)


class Notification(models.Model):
    """A message to a user in the service (the bell in the header); most are also emailed, at once or in the
    daily digest, as the user chose (core.notify). The subject (a kind and a key, such as
    "portfolio.signoffrequest" and "42") names what it is about, so acting on that marks it read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    subject_kind = models.CharField(max_length=100, blank=True)
    subject_key = models.CharField(max_length=100, blank=True)
    # Waiting for the user's daily digest (they chose one); cleared when the digest goes.
    digest_due = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["subject_kind", "subject_key"], name="notification_subject"),
            models.Index(fields=["digest_due", "user"], name="notification_digest_due"),
        ]

    def __str__(self) -> str:
        return self.title


class EmailChoice(models.TextChoices):
    EACH = "each", "Email me each notification"
    DIGEST = "digest", "Email me a daily summary"
    NONE = "none", "Do not email me"


class NotificationSettings(models.Model):
    """How a user wants to be told by email; in the service they are always told. No row: each by email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.CharField(max_length=10, choices=EmailChoice.choices, default=EmailChoice.EACH)
    # The day the last digest went, so that a second run on the same day sends nobody a second one.
    digest_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_email_display()}"
