"""Training provision and records: the catalogue of offers and the competences each develops, statutory and
mandatory subjects and who must hold them, sessions, enrolments, completions and evaluations.

Compliance and gaps are never stored: `compliance.py` and `gaps.py` compute them from these records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cultivate.core.jobs import BackgroundJob
from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet
from cultivate.organisations.models import TeamSetting


class OfferKind(models.TextChoices):
    INTERNAL_COURSE = "internal_course", "Internal course"
    E_LEARNING = "e_learning", "E-learning"
    UNIVERSITY_MODULE = "university_module", "University module"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship standard"
    BRIDGING = "bridging", "Bridging programme"
    FUNCTIONAL_SKILLS = "functional_skills", "Functional skills course"


class DeliveryMode(models.TextChoices):
    CLASSROOM = "classroom", "Classroom"
    ONLINE_LIVE = "online_live", "Online, live"
    SELF_PACED = "self_paced", "Online, at your own pace"
    BLENDED = "blended", "Blended"
    WORK_BASED = "work_based", "Work-based"


class Offer(TimeStampedModel):
    """Something a worker can take to learn: owned by one organisation, or shared by an alliance."""

    objects = ScopedQuerySet["Offer"].as_manager()

    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    # The learning system's course code (training.csv `course_code`); unique within the owner.
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    provider = models.CharField(max_length=200)
    mode = models.CharField(max_length=20, choices=DeliveryMode.choices)
    hours = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))])
    cost_per_place = models.DecimalField(
        max_digits=9, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    # Places a session offers unless it says otherwise; empty for self-paced learning with no limit.
    capacity = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    # University modules: credits, academic level (e.g. "Level 5") and the accrediting body.
    credits = models.PositiveSmallIntegerField(null=True, blank=True)
    academic_level = models.CharField(max_length=40, blank=True)
    accreditation = models.CharField(max_length=200, blank=True)
    # A statutory or mandatory subject this offer satisfies, if any.
    subject = models.ForeignKey(
        "MandatorySubject", null=True, blank=True, on_delete=models.SET_NULL, related_name="offers"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            # Exactly one owner: an organisation or an alliance.
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(alliance__isnull=True))
                | (Q(organisation__isnull=True) & Q(alliance__isnull=False)),
                name="learning_offer_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_place__gte=0), name="learning_offer_cost_not_negative"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="learning_offer_hours_not_negative"),
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=Q(organisation__isnull=False),
                name="learning_offer_code_unique_org",
            ),
            models.UniqueConstraint(
                fields=["alliance", "code"],
                condition=Q(alliance__isnull=False),
                name="learning_offer_code_unique_alliance",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Part(models.TextChoices):
    KNOWLEDGE = "knowledge", "Knowledge"
    SKILL = "skill", "Skill"


class OfferCompetence(models.Model):
    """A competence an offer develops: its knowledge or its skill, up to a level of the framework."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="develops")
    competence = models.ForeignKey("frameworks.Competence", on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=Part.choices, default=Part.KNOWLEDGE)
    up_to_level = models.CharField(max_length=40, blank=True, help_text="Empty: any level.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "competence"], name="learning_offer_competence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} develops {self.competence}"


class MandatorySubject(TimeStampedModel):
    """A statutory or mandatory training subject as one organisation runs it: a CSTF subject (`cstf_code`) or
    a local one (PMVA), with the renewal period the organisation sets."""

    objects = ScopedQuerySet["MandatorySubject"].as_manager()

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="mandatory_subjects"
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    # The subject's code in reference/cstf_subjects.csv; empty for a local subject.
    cstf_code = models.SlugField(max_length=60, blank=True)
    renewal_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="learning_subject_code_unique"),
            models.CheckConstraint(
                condition=Q(renewal_months__gte=1), name="learning_subject_renewal_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MandatoryRequirement(models.Model):
    """Who must hold a subject: a support role (empty: every role) in a setting (empty: every setting)."""

    subject = models.ForeignKey(MandatorySubject, on_delete=models.CASCADE, related_name="requirements")
    role = models.ForeignKey(
        "organisations.SupportRole", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    setting = models.CharField(max_length=20, choices=TeamSetting.choices, blank=True)

    class Meta:
        constraints = [
            # Two partial constraints rather than nulls_distinct=False, which SQLite cannot enforce: the
            # setting is never null (blank means every setting), only the role is.
            models.UniqueConstraint(
                fields=["subject", "role", "setting"],
                condition=Q(role__isnull=False),
                name="learning_requirement_unique",
            ),
            models.UniqueConstraint(
                fields=["subject", "setting"],
                condition=Q(role__isnull=True),
                name="learning_requirement_every_role_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} for {self.role or 'every role'} in {self.get_setting_display() or 'every setting'}"


class Session(TimeStampedModel):
    """One run of an offer: when, where, how many places."""

    objects = ScopedQuerySet["Session"].as_manager()

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["offer", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="learning_session_ends_after"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="learning_session_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} on {self.starts_at:%Y-%m-%d}"


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for manager approval"
    BOOKED = "booked", "Booked"
    WAITING = "waiting", "On the waiting list"
    DECLINED = "declined", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Did not attend"


# Enrolments that hold (or queue for) a place; a person has at most one of these per session.
LIVE_STATUSES = frozenset(
    {EnrolmentStatus.REQUESTED, EnrolmentStatus.BOOKED, EnrolmentStatus.WAITING, EnrolmentStatus.ATTENDED}
)
# Enrolments that take one of the session's places.
PLACE_STATUSES = frozenset({EnrolmentStatus.BOOKED, EnrolmentStatus.ATTENDED})


class Enrolment(TimeStampedModel):
    """A person's place (asked for, booked or waiting) on a session."""

    objects = ScopedQuerySet["Enrolment"].as_manager()

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.REQUESTED
    )
    # Approved to learn in working hours (backfilled), as the manager agreed.
    protected_time = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["session", "status"]), models.Index(fields=["person", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(status__in=["requested", "booked", "waiting", "attended"]),
                name="learning_enrolment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.session} ({self.get_status_display()})"


class CompletionSource(models.TextChoices):
    SERVICE = "service", "Recorded in Cultivate"
    IMPORT = "import", "Imported from a learning system"


class Completion(TimeStampedModel):
    """A person completed an offer (or a mandatory subject), on a day."""

    objects = ScopedQuerySet["Completion"].as_manager()

    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="completions")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="completions"
    )
    subject = models.ForeignKey(
        MandatorySubject, null=True, blank=True, on_delete=models.PROTECT, related_name="completions"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="completions"
    )
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))])
    cost = models.DecimalField(
        max_digits=9, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    source = models.CharField(
        max_length=10, choices=CompletionSource.choices, default=CompletionSource.SERVICE
    )
    # The portfolio evidence this completion stands as (for the competences the offer develops).
    evidence = models.ForeignKey(
        "portfolio.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "subject", "-completed_on"]),
            models.Index(fields=["offer", "completed_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=False) | Q(subject__isnull=False),
                name="learning_completion_of_something",
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="learning_completion_cost_not_negative"),
            models.UniqueConstraint(
                fields=["person", "session"],
                condition=Q(session__isnull=False),
                name="learning_completion_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} completed {self.offer or self.subject} on {self.completed_on}"


class Evaluation(TimeStampedModel):
    """The worker's evaluation of an event they completed. Reported in aggregate only."""

    objects = ScopedQuerySet["Evaluation"].as_manager()

    completion = models.OneToOneField(Completion, on_delete=models.CASCADE, related_name="evaluation")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    useful = models.TextField(blank=True)
    change = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="learning_evaluation_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.completion}"


class TrainingImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"


TRAINING_IMPORT_STOPPED = (
    "The import stopped unexpectedly before it finished: the background worker running it was stopped. Nothing "
    "was saved, and the uploaded file has been deleted. Please upload it again."
)


class TrainingImport(BackgroundJob):
    """One upload of a learning system's export of completions (`training.csv`, or an XLSX workbook with a
    sheet of that shape) to an organisation. Every row is checked first; nothing is written unless every row is
    good, and then all of it in one transaction."""

    job_task: ClassVar[str] = "cultivate.learning.tasks.run_training_import"
    job_finished: ClassVar[frozenset[str]] = frozenset(
        {TrainingImportStatus.SUCCEEDED, TrainingImportStatus.REJECTED, TrainingImportStatus.FAILED}
    )
    job_step_unit: ClassVar[str] = "row"

    objects = ScopedQuerySet["TrainingImport"].as_manager()

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="training_imports"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=TrainingImportStatus.choices, default=TrainingImportStatus.QUEUED
    )
    # Relative to MEDIA_ROOT, which is outside the web root; removed once the import is over.
    path = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200)
    # Counts: rows, completions written, rows already recorded.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Training import {self.pk} ({self.get_status_display()})"

    def job_failed_fields(self, now: dt.datetime) -> dict[str, Any]:
        return {"status": TrainingImportStatus.FAILED, "finished_at": now, "error": TRAINING_IMPORT_STOPPED}

    def job_files(self) -> list[Path]:
        return [Path(settings.MEDIA_ROOT) / self.path] if self.path else []


# Development plans and supervision live in their own module; imported here so Django registers them.
from .plans.models import DevelopmentPlan as DevelopmentPlan  # noqa: E402
from .plans.models import PlanGoal as PlanGoal  # noqa: E402
from .plans.models import SupervisionMeeting as SupervisionMeeting  # noqa: E402
from .plans.models import SupervisionPolicy as SupervisionPolicy  # noqa: E402

# Support at work (flexible working, post-incident support) lives in its own module; imported here for Django.
from .support_models import FlexibleWorkingRequest, IncidentSupport  # noqa: E402, F401
