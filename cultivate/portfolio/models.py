"""A worker's portfolio (evidence, sign-off requests, assessments) and the delegation register.

Assessments are never edited: a correction or a withdrawal is a new record that supersedes the earlier one,
with a reason. A worker's competence status is computed from them (status.py), never stored."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet
from cultivate.frameworks.models import EvidenceKind


def _private_storage() -> Any:
    # Uploads live under MEDIA_ROOT, outside the web root; a view that checks access streams them.
    return storages["default"]


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    # The stored name is random; the original name is kept on the row and given back on download.
    return f"evidence/{instance.evidence.person_id}/{uuid.uuid4().hex}"


class Evidence(TimeStampedModel):
    """Something a worker did or holds that shows competence. One piece may count for several competences."""

    objects = ScopedQuerySet["Evidence"].as_manager()

    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    occurred_on = models.DateField()
    # A witness or observer who is not a Cultivate user (name and role as written by the worker).
    witness_name = models.CharField(max_length=150, blank=True)
    witness_role = models.CharField(max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    competences: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "frameworks.Competence",
        through="EvidenceLink",
        through_fields=("evidence", "competence"),
        related_name="evidence",
        blank=True,
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["person", "-occurred_on"])]

    def __str__(self) -> str:
        return self.title


class EvidenceLink(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    competence = models.ForeignKey(
        "frameworks.Competence", on_delete=models.CASCADE, related_name="evidence_links"
    )
    # Set when the link was made because the competence maps (crosswalk) to one the worker chose.
    via = models.ForeignKey(
        "frameworks.Competence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "competence"], name="evidence_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.competence}"


class EvidenceFile(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_upload_to, storage=_private_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class RequestStatus(models.TextChoices):
    OPEN = "open", "Awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    RETURNED = "returned", "Returned with feedback"
    CANCELLED = "cancelled", "Cancelled"


class SignOffRequest(TimeStampedModel):
    """A worker asks an assessor to assess a competence in practice."""

    objects = ScopedQuerySet["SignOffRequest"].as_manager()

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="signoff_requests"
    )
    competence = models.ForeignKey("frameworks.Competence", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "organisations.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signoff_requests_to_assess",
    )
    level_sought = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="signoff_requests")
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["assessor", "status"]),
        ]
        constraints = [
            # One open request per worker and competence; a second would split the assessor's attention.
            models.UniqueConstraint(
                fields=["person", "competence"], condition=Q(status="open"), name="signoff_request_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.competence} ({self.get_status_display()})"


class AssessmentKind(models.TextChoices):
    SIGN_OFF = "sign_off", "Signed off"
    CORRECTION = "correction", "Correction"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Assessments are never edited: record a correction or a withdrawal.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Assessments are never deleted: record a withdrawal.")


class Assessment(models.Model):
    """A sign-off in practice by a registered professional, or a correction or withdrawal of one.

    Immutable. The assessor's name and registration are copied so the record stands on its own."""

    person = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="assessments")
    competence = models.ForeignKey(
        "frameworks.Competence", on_delete=models.PROTECT, related_name="assessments"
    )
    # Copied from the competence: a sign-off counts for the same identifier in a later version while the
    # content hash is unchanged.
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="+")
    competence_identifier = models.UUIDField()
    content_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=AssessmentKind.choices, default=AssessmentKind.SIGN_OFF)
    level = models.CharField(max_length=40, blank=True)
    level_rank = models.PositiveSmallIntegerField(default=0)
    assessed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assessments_given"
    )
    assessor_name = models.CharField(max_length=150)
    registration_body = models.CharField(max_length=10)
    registration_pin = models.CharField(max_length=20)
    request = models.ForeignKey(
        SignOffRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="assessments")
    comments = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.TextField(blank=True, help_text="Why a correction or withdrawal was made.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "framework", "competence_identifier"]),
            models.Index(fields=["expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="sign_off") | (Q(supersedes__isnull=False) & ~Q(reason="")),
                name="assessment_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind="withdrawal") | ~Q(level=""), name="assessment_sign_off_has_level"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("assessed_on")),
                name="assessment_expires_after_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.competence} ({self.get_kind_display()} {self.level})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Assessments are never edited: record a correction or a withdrawal.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Assessments are never deleted: record a withdrawal.")


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    DUE = "due", "Required competence due"
    REASSESS = "reassess", "Reassessment needed"


class ReminderSent(models.Model):
    """So that each reminder goes once."""

    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey("frameworks.Competence", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "competence", "assessment", "kind"], name="reminder_sent_once"
            ),
            # NULLs are distinct in a unique constraint, so reminders not tied to an assessment (a required
            # competence past due) need their own.
            models.UniqueConstraint(
                fields=["person", "competence", "kind"],
                condition=Q(assessment__isnull=True),
                name="reminder_sent_once_without_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder to {self.person}"


# --- Delegation register -------------------------------------------------------------------------------


class DelegationProtocol(TimeStampedModel):
    """When a support worker may carry out a clinical activity delegated by a registered professional."""

    objects = ScopedQuerySet["DelegationProtocol"].as_manager()

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="delegation_protocols"
    )
    code = models.SlugField(max_length=60)
    activity = models.CharField(max_length=200, help_text="e.g. Capillary blood glucose monitoring")
    description = models.TextField(blank=True)
    # Team settings (organisations.TeamSetting values) where the protocol applies; empty means every setting.
    team_settings = models.JSONField(default=list, blank=True)
    roles = models.ManyToManyField(
        "organisations.SupportRole", blank=True, related_name="+", help_text="Empty: any support role."
    )
    min_band = models.CharField(max_length=2, blank=True)
    supervision = models.TextField(
        blank=True, help_text="Supervision conditions, as the delegator reads them."
    )
    delegating_role = models.CharField(
        max_length=150, help_text="The registered role who delegates and stays accountable."
    )
    is_active = models.BooleanField(default=True)
    # Savings model inputs (the Leeds diabetes example); optional.
    savings = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="delegation_protocol_unique_code"),
        ]

    def __str__(self) -> str:
        return self.activity


class ProtocolRequirement(models.Model):
    protocol = models.ForeignKey(DelegationProtocol, on_delete=models.CASCADE, related_name="requirements")
    competence = models.ForeignKey("frameworks.Competence", on_delete=models.PROTECT, related_name="+")
    min_level = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["protocol", "competence"], name="protocol_requirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol}: {self.competence} ≥ {self.min_level}"
