"""Development programmes: cohorts, practice partners, sessions and attendance, the cohort community, surveys.

A programme belongs to an organisation or to an alliance. People apply (or are nominated), their line manager
agrees protected time, the lead offers places; accepted applicants are allocated to cohorts and paired with
practice partners by an optimiser (allocation.py), and the lead's pins and moves survive a re-run. Closing a
cohort records who completed against the programme's criteria and announces them (completion.py)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet

# The ten dimensions Developing Healthcare Talent measured before and after (seed 000); editable per programme.
DEFAULT_DIMENSIONS = (
    "Communication",
    "Resilience",
    "Motivation",
    "Confidence",
    "Teamwork",
    "Wellbeing",
    "Reflective practice",
    "Problem solving",
    "Career clarity",
    "Feeling valued",
)
DEFAULT_CAPACITY = 20


class Delivery(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    BLENDED = "blended", "Blended"


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Taking applications"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class Programme(TimeStampedModel):
    objects = ScopedQuerySet["Programme"].as_manager()

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    alliance = models.ForeignKey(
        "organisations.Alliance", null=True, blank=True, on_delete=models.PROTECT, related_name="programmes"
    )
    title = models.CharField(max_length=200)
    aims = models.TextField(blank=True)
    weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(104)])
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.ONLINE)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT)
    cohort_capacity = models.PositiveSmallIntegerField(
        default=DEFAULT_CAPACITY, validators=[MinValueValidator(2), MaxValueValidator(200)]
    )
    # Completion criteria.
    min_attendance_pct = models.PositiveSmallIntegerField(default=80, validators=[MaxValueValidator(100)])
    require_self_assessments = models.BooleanField(
        default=True, help_text="Both the before and the after self-assessment are needed to complete."
    )
    competences: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "frameworks.Competence", blank=True, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, alliance__isnull=True)
                | Q(organisation__isnull=True, alliance__isnull=False),
                name="programme_one_owner",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programme_dates"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeLead(models.Model):
    """An educator who leads the programme: of its organisation, or of a member trust of its alliance."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="leads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="programme_lead_unique")]

    def __str__(self) -> str:
        return f"{self.user} leads {self.programme}"


class Dimension(models.Model):
    """A self-assessment dimension (rated 1–5 before and after the programme)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="dimension_unique_name")]

    def __str__(self) -> str:
        return self.name


class CohortStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class Cohort(TimeStampedModel):
    objects = ScopedQuerySet["Cohort"].as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(
        default=DEFAULT_CAPACITY, validators=[MinValueValidator(2), MaxValueValidator(200)]
    )
    status = models.CharField(max_length=12, choices=CohortStatus.choices, default=CohortStatus.PLANNED)
    closed_on = models.DateField(null=True, blank=True)
    # The last allocation's figures, for the lead's page.
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_unique_name"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False) | ~Q(status="closed"),
                name="cohort_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def new_checkin_code() -> str:
    # Six characters without look-alikes (0/O, 1/I/L), typed on a phone.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


class Session(TimeStampedModel):
    objects = ScopedQuerySet["Session"].as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    # A session for one cohort only; none means every cohort meets at this time.
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    topic = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    joining_link = models.URLField(blank=True)
    facilitator = models.CharField(max_length=150, blank=True)
    checkin_code = models.CharField(max_length=6, default=new_checkin_code)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_times")
        ]

    def __str__(self) -> str:
        return self.topic


class ApplicationKind(models.TextChoices):
    OWN = "own", "Own application"
    NOMINATION = "nomination", "Nominated by a manager"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    MANAGER_APPROVED = "manager_approved", "Manager approved"
    OFFERED = "offered", "Offered a place"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    WAITING_LIST = "waiting_list", "On the waiting list"


class Application(TimeStampedModel):
    objects = ScopedQuerySet["Application"].as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="applications")
    kind = models.CharField(max_length=12, choices=ApplicationKind.choices, default=ApplicationKind.OWN)
    statement = models.TextField(blank=True)
    availability = models.CharField(max_length=300, blank=True)
    # Cohorts the person can attend; none chosen means any.
    available_cohorts: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        Cohort, blank=True, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    reason = models.CharField(max_length=300, blank=True)
    protected_time_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    protected_time_agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="application_once_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.person} for {self.programme}"


class ApplicationEvent(models.Model):
    """One change of an application's state: the history shown to the lead and the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class PartnerGroup(models.Model):
    """Practice partners: a pair, or one trio when a cohort's count is odd."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="partner_groups")
    # Kept by the lead: a re-run pairs everyone else around it.
    fixed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Partners in {self.cohort}"


class Participant(TimeStampedModel):
    """A place in a cohort (cohort membership)."""

    objects = ScopedQuerySet["Participant"].as_manager()

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participants")
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="participant")
    person = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    # The lead fixed this placement (pinned) or moved the person by hand (manual): a re-run keeps both.
    pinned = models.BooleanField(default=False)
    manual = models.BooleanField(default=False)
    explanation = models.CharField(max_length=300, blank=True)
    partner_group = models.ForeignKey(
        PartnerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    partner_explanation = models.CharField(max_length=300, blank=True)
    completed = models.BooleanField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["cohort", "pk"]

    def __str__(self) -> str:
        return f"{self.person} in {self.cohort}"


class AllocationKind(models.TextChoices):
    COHORTS = "cohorts", "Cohort allocation"
    PARTNERS = "partners", "Practice partners"


class AllocationRun(models.Model):
    """One run of the optimiser, with what the lead needs to trust it: the objective and the proven bound."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="allocation_runs")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=AllocationKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objective = models.FloatField()
    bound = models.FloatField()
    gap_pct = models.FloatField()
    optimal = models.BooleanField()
    placed = models.PositiveIntegerField(default=0)
    # Candidate id -> reason, for those who could not be placed.
    unplaced = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Absent with apologies"


class AttendanceMethod(models.TextChoices):
    REGISTER = "register", "Register taken by the lead"
    CHECK_IN = "check_in", "Checked in"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    method = models.CharField(max_length=10, choices=AttendanceMethod.choices)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet["Attendance"].as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.participant} {self.status} at {self.session}"


class SessionReminder(models.Model):
    """A reminder sent before a session, once per participant."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="session_reminder_once")
        ]

    def __str__(self) -> str:
        return f"Reminder of {self.session} to {self.participant}"


class PostKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"
    DISCUSSION = "discussion", "Discussion"
    RESOURCE = "resource", "Shared resource"


class Post(TimeStampedModel):
    """The cohort community: announcements (leads), the discussion thread, shared resource links."""

    objects = ScopedQuerySet["Post"].as_manager()

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=PostKind.choices)
    body = models.TextField(blank=True)
    link = models.URLField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="post_hidden_with_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.cohort}"


class Stage(models.TextChoices):
    BEFORE = "before", "Before the programme"
    AFTER = "after", "After the programme"


class SelfAssessment(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="self_assessments")
    stage = models.CharField(max_length=6, choices=Stage.choices)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "stage"], name="self_assessment_once")]

    def __str__(self) -> str:
        return f"{self.participant} {self.stage}"


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class SelfAssessmentAnswer(models.Model):
    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=SCORE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["self_assessment", "dimension"], name="answer_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="answer_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.score}"


class SessionEvaluation(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluations")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="evaluations")
    rating = models.PositiveSmallIntegerField(validators=SCORE)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="evaluation_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="evaluation_rating_range"),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.session}"


class Feedback(models.Model):
    """End-of-programme feedback."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="feedback")
    overall = models.PositiveSmallIntegerField(validators=SCORE)
    would_recommend = models.BooleanField()
    what_changed = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="feedback_overall_range")
        ]

    def __str__(self) -> str:
        return f"Feedback from {self.participant}"
