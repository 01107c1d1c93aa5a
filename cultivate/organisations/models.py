"""Alliances, organisations, sites, teams, the role catalogue, people and their employment spells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cultivate.core import periods
from cultivate.core.jobs import BackgroundJob
from cultivate.core.models import TimeStampedModel

from . import reference


class Alliance(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    COMMUNITY = "community", "Community"
    ACUTE = "acute", "Acute"
    MENTAL_HEALTH_LD = "mental_health_ld", "Mental health and learning disability"


ods_code_validator = RegexValidator(r"^[A-Z0-9]{3,5}$", "An ODS code is 3 to 5 capital letters or digits.")


class Organisation(TimeStampedModel):
    ods_code = models.CharField("ODS code", max_length=5, unique=True, validators=[ods_code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    alliance = models.ForeignKey(
        Alliance, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name")]

    def __str__(self) -> str:
        return self.name


class TeamSetting(models.TextChoices):
    INPATIENT = "inpatient", "Inpatient"
    COMMUNITY = "community", "Community"
    CRISIS = "crisis", "Crisis and home treatment"
    FORENSIC = "forensic", "Forensic and secure"
    OUTPATIENT = "outpatient", "Outpatient and clinics"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    OTHER = "other", "Other"


class Team(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams")
    name = models.CharField(max_length=200)
    setting = models.CharField(max_length=20, choices=TeamSetting.choices, default=TeamSetting.OTHER)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class RoleCategory(models.TextChoices):
    HCA = "HCA and similar", "HCA and similar"
    PROFESSIONAL = "Professional", "Professional"
    TRAINING = "Training post", "Training post"
    OTHER = "Other", "Other"


class SupportRole(models.Model):
    """A canonical support role from the role catalogue (reference/support-roles.csv)."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=RoleCategory.choices)
    typical_bands = models.CharField(max_length=10, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobTitle(models.Model):
    """A local job title and the canonical role it maps to. Organisation-specific titles override shared ones."""

    title = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, db_index=True)
    role = models.ForeignKey(SupportRole, on_delete=models.CASCADE, related_name="job_titles")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="job_titles"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "normalised"], name="job_title_unique_per_org"),
            models.UniqueConstraint(
                fields=["normalised"], condition=Q(organisation__isnull=True), name="job_title_unique_shared"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.role}"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Not known"


class Disability(models.TextChoices):
    YES = "Y", "Yes"
    NO = "N", "No"
    UNDECLARED = "U", "Not declared"


class Person(TimeStampedModel):
    """A member of staff as the employing organisation holds them. `staff_id` is ESR's pseudonymised person_id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    staff_id = models.CharField(max_length=40)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    # Protected characteristics: optional, and shown only to roles the access module allows.
    birth_date = models.DateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnic_category = models.CharField(max_length=2, choices=reference.ETHNIC_CATEGORY_CHOICES, default="99")
    disability = models.CharField(max_length=1, choices=Disability.choices, default=Disability.UNDECLARED)
    religion = models.CharField(max_length=100, blank=True)
    sexual_orientation = models.CharField(max_length=100, blank=True)
    nationality = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "staff_id"], name="person_unique_staff_id"),
        ]
        indexes = [models.Index(fields=["organisation", "family_name", "given_name"])]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or f"Staff {self.staff_id}"

    @property
    def year_of_birth(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


class AfcBand(models.TextChoices):
    B1 = "1", "Band 1"
    B2 = "2", "Band 2"
    B3 = "3", "Band 3"
    B4 = "4", "Band 4"
    B5 = "5", "Band 5"
    B6 = "6", "Band 6"
    B7 = "7", "Band 7"
    B8A = "8a", "Band 8a"
    B8B = "8b", "Band 8b"
    B8C = "8c", "Band 8c"
    B8D = "8d", "Band 8d"
    B9 = "9", "Band 9"
    NA = "NA", "Not on Agenda for Change"


class ContractType(models.TextChoices):
    PERMANENT = "Permanent", "Permanent"
    FIXED_TERM = "Fixed Term Temp", "Fixed term temporary"
    LOCUM = "Locum", "Locum"
    BANK = "Bank", "Bank"


class SpellQuerySet(models.QuerySet["EmploymentSpell"]):
    def active_on(self, day: dt.date | None = None) -> SpellQuerySet:
        return self.filter(periods.active_on(day or timezone.localdate()))


class EmploymentSpell(TimeStampedModel):
    """A period in which role, band, team, hours and contract do not change (an ESR assignment row)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="spells")
    assignment_id = models.CharField(max_length=40)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="spells")
    role = models.ForeignKey(
        SupportRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="spells"
    )
    occupation_code = models.CharField(max_length=10, blank=True)
    job_role = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    afc_band = models.CharField("AfC band", max_length=2, choices=AfcBand.choices)
    staff_group = models.CharField(max_length=100, blank=True)
    area_of_work = models.CharField(max_length=100, blank=True)
    contract_type = models.CharField(
        max_length=20, choices=ContractType.choices, default=ContractType.PERMANENT
    )
    fte = models.DecimalField(
        "FTE",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.5"))],
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=80, blank=True, choices=reference.LEAVING_REASON_CHOICES)
    line_manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_spells"
    )

    objects = SpellQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["person", "assignment_id"], name="spell_unique_assignment"),
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=Decimal("1.5")), name="spell_fte_range"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="spell_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(leaving_reason="") | Q(end_date__isnull=False),
                name="spell_leaving_reason_needs_end",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "end_date"]),
            models.Index(fields=["person", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.job_title or self.job_role} ({self.get_afc_band_display()})"

    @property
    def is_current(self) -> bool:
        return periods.is_active_on(self.start_date, self.end_date, timezone.localdate())


class StaffImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    CHECKED = "checked", "Ready to import"  # checked and clean; waits for an admin to confirm the preview
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class StaffImportStage(models.TextChoices):
    WAITING = "", "Waiting to start"
    CHECKING = "checking", "Checking the files"
    SAVING = "saving", "Saving the changes"
    DONE = "done", "Finished"


STAFF_IMPORT_STOPPED = (
    "The import stopped unexpectedly before it finished: the background worker running it was stopped. Nothing "
    "was saved, and the uploaded files have been deleted. Please upload the files again."
)


class StaffImport(BackgroundJob):
    """One upload of people.csv and assignments.csv to an organisation: where the files are, how far the
    import has got, and its report (counts, warnings and the first problems; every problem is in a CSV beside
    the uploads)."""

    job_task: ClassVar[str] = "cultivate.organisations.tasks.run_staff_import"
    job_waiting: ClassVar[str | None] = StaffImportStatus.CHECKED
    job_finished: ClassVar[frozenset[str]] = frozenset(
        {
            StaffImportStatus.SUCCEEDED,
            StaffImportStatus.REJECTED,
            StaffImportStatus.FAILED,
            StaffImportStatus.CANCELLED,
        }
    )
    # A step is a row of the two files, checked.
    job_step_unit: ClassVar[str] = "row"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_imports")
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Relative to MEDIA_ROOT, which is outside the web root.
    folder = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=StaffImportStatus.choices, default=StaffImportStatus.QUEUED
    )
    stage = models.CharField(max_length=100, choices=StaffImportStage.choices, blank=True)
    # Counts, warnings and the preview; the problems are in `problems`.
    report = models.JSONField(default=dict, blank=True)
    # Set when an admin confirms the preview: the next run writes the changes rather than only checking.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"Staff import {self.pk} ({self.get_status_display()})"

    def job_failed_fields(self, now: dt.datetime) -> dict[str, Any]:
        # The import writes in one transaction, so a worker that died mid-way saved nothing.
        return {
            "status": StaffImportStatus.FAILED,
            "stage": StaffImportStage.DONE,
            "finished_at": now,
            "error": STAFF_IMPORT_STOPPED,
        }

    def job_expired_fields(self, now: dt.datetime) -> dict[str, Any]:
        # The uploads hold personal data, so a preview nobody confirms is not kept for ever.
        return {
            "status": StaffImportStatus.CANCELLED,
            "stage": StaffImportStage.DONE,
            "finished_at": now,
            "report": {**self.report, "expired": True},
        }

    def job_files(self) -> list[Path]:
        return [Path(settings.MEDIA_ROOT) / self.folder] if self.folder else []

    @property
    def stage_label(self) -> str:
        return self.get_stage_display() if self.stage else ""
