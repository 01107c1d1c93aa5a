"""Issuer keys, the credentials issued with them, workers' competence records, and records brought in from
another trust for a local assessor to recognise.

A credential's signed document is kept exactly as issued (it is what the holder downloads and what
`cultivate credentials export` writes); revocation is a bit in the issuer key's status list, never a change to
the document."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from cultivate.core.scopes import ScopedQuerySet

# The Bitstring Status List specification's minimum length (16 KB), which also hides which bit is whose.
STATUS_LIST_LENGTH = 131_072


class IssuerKey(models.Model):
    """An Ed25519 key an organisation or an alliance issues with. Its `did:key` is the issuer's id. One key per
    issuer issues; a rotated (retired) key issues nothing new but still signs its own status list, so that the
    credentials it signed can be revoked and keep verifying."""

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_key = models.CharField(max_length=60, unique=True, help_text="Multikey, z6Mk…")
    # AES-GCM under a key derived from CREDENTIALS_KEY: nonce (12 bytes) + ciphertext of the raw private key.
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    next_status_index = models.PositiveIntegerField(default=0)
    # The signed BitstringStatusListCredential as published; signed again at each revocation.
    status_list = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) ^ Q(alliance__isnull=True),
                name="issuer_key_one_issuer",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(retired_at__isnull=True, organisation__isnull=False),
                name="issuer_key_one_current_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["alliance"],
                condition=Q(retired_at__isnull=True, alliance__isnull=False),
                name="issuer_key_one_current_per_alliance",
            ),
            models.CheckConstraint(
                condition=Q(next_status_index__lte=STATUS_LIST_LENGTH), name="issuer_key_status_list_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.did

    @property
    def did(self) -> str:
        return f"did:key:{self.public_key}"

    @property
    def issuer_name(self) -> str:
        owner = self.organisation or self.alliance
        return str(owner.name) if owner is not None else ""


class CredentialKind(models.TextChoices):
    PROGRAMME = "programme", "Programme certificate"
    CARE_CERTIFICATE = "care_certificate", "Care Certificate"
    SIGN_OFF = "sign_off", "Signed-off competence"


class IssuedCredential(models.Model):
    """One credential issued to a worker (the holder), as signed."""

    identifier = models.UUIDField(
        default=uuid.uuid4, unique=True, help_text="The credential's id, urn:uuid:…"
    )
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField()
    person = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="credentials")
    title = models.CharField(max_length=300)
    document = models.JSONField(help_text="The signed credential exactly as issued.")
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    # What it was issued for, so that issuing again gives the same credential: "programme:<participant id>",
    # "care_certificate:<person id>", "assessment:<assessment id>".
    source_key = models.CharField(max_length=80, unique=True)
    assessment = models.ForeignKey(
        "portfolio.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shared = models.BooleanField(default=False, help_text="The holder lets anyone with the link verify it.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet["IssuedCredential"].as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "status_index"], name="credential_one_status_bit"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="credential_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status_index__lt=STATUS_LIST_LENGTH), name="credential_status_index_in_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.identifier})"

    @property
    def organisation(self) -> object:
        """The holder's organisation: where refusals and revocations are filed in the audit log."""
        return self.person.organisation


class CompetenceRecord(models.Model):
    """A worker's record of their current sign-offs: a presentation of one signed credential per sign-off,
    made when they ask for it; shared by link only while they choose."""

    token = models.UUIDField(default=uuid.uuid4, unique=True)
    person = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    credentials = models.ManyToManyField(IssuedCredential, related_name="records")
    created_at = models.DateTimeField(auto_now_add=True)
    shared = models.BooleanField(default=False)

    objects = ScopedQuerySet["CompetenceRecord"].as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Competence record of {self.person} ({self.created_at:%Y-%m-%d})"

    @property
    def organisation(self) -> object:
        return self.person.organisation


class RecognitionState(models.TextChoices):
    WAITING = "waiting", "Waiting for an assessor"
    CONFIRMED = "confirmed", "Confirmed"
    NOT_MATCHED = "not_matched", "No matching competence here"


class ImportedRecord(models.Model):
    """A competence record a worker brought from another employer, verified when it was brought in."""

    person = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    document = models.JSONField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet["ImportedRecord"].as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"Record brought in by {self.person}"

    @property
    def organisation(self) -> object:
        return self.person.organisation


class RecognisedAssessment(models.Model):
    """One verified sign-off from an imported record, for a local assessor to confirm as prior assessment."""

    record = models.ForeignKey(ImportedRecord, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("organisations.Person", on_delete=models.PROTECT, related_name="+")
    credential_id = models.CharField(max_length=200)
    issuer_name = models.CharField(max_length=300)
    issuer_id = models.CharField(max_length=200)
    issuer_known = models.BooleanField(default=False, help_text="The issuer's key is one this service holds.")
    framework_title = models.CharField(max_length=300)
    competence_identifier = models.UUIDField()
    competence_name = models.CharField(max_length=500)
    competence = models.ForeignKey(
        "frameworks.Competence", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=40, blank=True)
    level_label = models.CharField(max_length=100)
    assessed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    assessor_name = models.CharField(max_length=150)
    registration = models.CharField(max_length=60, blank=True)
    state = models.CharField(
        max_length=12, choices=RecognitionState.choices, default=RecognitionState.WAITING
    )
    signoff_request = models.ForeignKey(
        "portfolio.SignOffRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessment = models.ForeignKey(
        "portfolio.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet["RecognisedAssessment"].as_manager()

    class Meta:
        ordering = ["record", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(assessment__isnull=False),
                name="recognised_confirmed_has_sign_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competence_name} from {self.issuer_name}"
