"""Development plans, their goals, supervision meetings and each organisation's supervision interval."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet

# Supervision (or a plan review) is due this many months after the last, unless the organisation says otherwise.
DEFAULT_INTERVAL_MONTHS = 3


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Not yet sent to your supervisor"
    PROPOSED = "proposed", "Waiting for your supervisor"
    CHANGES_ASKED = "changes_asked", "Changes asked for"
    AGREED = "agreed", "Agreed"


class DevelopmentPlan(TimeStampedModel):
    """A worker's personal development plan: one per person, revised over time. The worker writes it and sends
    it; their supervisor agrees it (a review) or asks for changes with a reason."""

    objects = ScopedQuerySet["DevelopmentPlan"].as_manager()

    person = models.OneToOneField(
        "organisations.Person", on_delete=models.CASCADE, related_name="development_plan"
    )
    status = models.CharField(max_length=14, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    starts_on = models.DateField()
    review_on = models.DateField()
    proposed_at = models.DateTimeField(null=True, blank=True)
    # The supervisor's last decision: who, when, and why changes were asked for.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    changes_reason = models.TextField(blank=True)
    # The last time the supervisor agreed it: the plan's last review.
    agreed_on = models.DateField(null=True, blank=True)
    review_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["person", "pk"]
        indexes = [models.Index(fields=["status", "review_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gte=F("starts_on")), name="learning_plan_review_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="agreed") | Q(agreed_on__isnull=False), name="learning_plan_agreed_on"
            ),
        ]

    def __str__(self) -> str:
        return f"Development plan of {self.person}"


class PlanGoal(TimeStampedModel):
    """One goal of a plan, with the action that gets there: a learning offer, a competence or a career step
    (at most one of them), and the date it should be done by."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    action = models.CharField(max_length=300, blank=True)
    offer = models.ForeignKey(
        "learning.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    competence = models.ForeignKey(
        "frameworks.Competence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.ForeignKey(
        "pathways.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_on = models.DateField(null=True, blank=True)
    is_done = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "target_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(offer__isnull=True, competence__isnull=True)
                    | Q(offer__isnull=True, step__isnull=True)
                    | Q(competence__isnull=True, step__isnull=True)
                ),
                name="learning_goal_one_link",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="learning_goal_has_text"),
        ]

    def __str__(self) -> str:
        return self.text


class SupervisionMeeting(TimeStampedModel):
    """A supervision meeting between a worker and their supervisor: when, what they agreed, and a note only the
    two of them may read."""

    objects = ScopedQuerySet["SupervisionMeeting"].as_manager()

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="supervision_meetings"
    )
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    agreed_actions = models.TextField(blank=True)
    private_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["person", "-held_on"])]

    def __str__(self) -> str:
        return f"Supervision of {self.person} on {self.held_on}"


class SupervisionPolicy(TimeStampedModel):
    """How often an organisation expects supervision (or a plan review): people with neither for longer are
    shown to their managers as overdue."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="supervision_policy"
    )
    interval_months = models.PositiveSmallIntegerField(
        default=DEFAULT_INTERVAL_MONTHS, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        verbose_name_plural = "supervision policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=1) & Q(interval_months__lte=12),
                name="learning_supervision_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Supervision every {self.interval_months} months at {self.organisation}"
