"""Support at work: requests for flexible working and the support offered after an incident of violence or
harassment. Imported by `models.py` so that Django finds them.

Flexible working follows the Employment Rights Act 1996, ss. 80F–80I, as amended by the Employment Relations
(Flexible Working) Act 2023 and the Flexible Working (Amendment) Regulations 2023, in force from 6 April 2024:
a right from the first day of employment, at most two requests in any 12 months, and a decision (including any
appeal) within two months of the request unless both agree to extend it. A refusal must rest on one of the
eight business reasons of s. 80G(1)(b).

Post-incident support records only that a debrief and support were offered, and the follow-up: the incident
itself (what happened, injuries, clinical detail) belongs in the organisation's incident reporting system."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet


class FlexibleDecision(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    APPROVED_CHANGED = "approved_changed", "Approved with changes"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


APPROVALS = frozenset({FlexibleDecision.APPROVED, FlexibleDecision.APPROVED_CHANGED})
DECIDED = frozenset({FlexibleDecision.APPROVED, FlexibleDecision.APPROVED_CHANGED, FlexibleDecision.REFUSED})


class RefusalReason(models.TextChoices):
    """The business reasons of the Employment Rights Act 1996, s. 80G(1)(b): the only grounds for refusing."""

    COSTS = "costs", "The burden of additional costs"
    DEMAND = "demand", "A detrimental effect on ability to meet customer (patient) demand"
    REORGANISE = "reorganise", "Inability to reorganise work among existing staff"
    RECRUIT = "recruit", "Inability to recruit additional staff"
    QUALITY = "quality", "A detrimental impact on quality"
    PERFORMANCE = "performance", "A detrimental impact on performance"
    INSUFFICIENT_WORK = "insufficient_work", "Not enough work during the periods proposed"
    STRUCTURAL = "structural", "Planned structural changes"


class FlexibleWorkingRequest(TimeStampedModel):
    """A worker's statutory request to change when, where or how long they work, and its outcome."""

    objects = ScopedQuerySet["FlexibleWorkingRequest"].as_manager()

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="flexible_requests"
    )
    # What is asked: the pattern in the worker's words, the hours a week, and from when.
    pattern = models.CharField(max_length=300)
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("48"))],
    )
    start_on = models.DateField()
    made_on = models.DateField()
    # Two months from the request (ERA 1996 s. 80G(1B)): stored, so that overdue decisions are one query.
    decision_due_on = models.DateField()
    decision = models.CharField(
        max_length=20, choices=FlexibleDecision.choices, default=FlexibleDecision.PENDING
    )
    refusal_reason = models.CharField(max_length=20, choices=RefusalReason.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    # The changes agreed, or the explanation of a refusal (the worker is told why).
    decision_note = models.CharField(max_length=500, blank=True)
    appeal_note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-made_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "made_on"]),
            models.Index(fields=["decision", "decision_due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("made_on")),
                name="learning_flexible_decided_after_request",
            ),
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(refusal_reason=""),
                name="learning_flexible_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(decision_due_on__gt=F("made_on")), name="learning_flexible_due_after_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Flexible working request of {self.person} on {self.made_on}"


class IncidentKind(models.TextChoices):
    VIOLENCE = "violence", "Physical violence"
    VERBAL = "verbal", "Verbal abuse"
    HARASSMENT = "harassment", "Harassment"
    OTHER = "other", "Other"


class IncidentSource(models.TextChoices):
    PATIENT = "patient", "A patient or service user"
    PUBLIC = "public", "A relative or member of the public"
    STAFF = "staff", "A colleague or manager"


class SupportAnswer(models.TextChoices):
    WAITING = "waiting", "Not answered yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class IncidentSupport(TimeStampedModel):
    """What a manager offered a worker after an incident of violence, abuse or harassment, and the follow-up.
    No account of the incident: the short kind and source only."""

    objects = ScopedQuerySet["IncidentSupport"].as_manager()

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="incident_support"
    )
    incident_on = models.DateField()
    kind = models.CharField(max_length=12, choices=IncidentKind.choices)
    source = models.CharField(max_length=10, choices=IncidentSource.choices)
    debrief_on = models.DateField(null=True, blank=True)
    occupational_health = models.BooleanField(default=False)
    counselling = models.BooleanField(default=False)
    peer_support = models.BooleanField(default=False)
    time_off = models.BooleanField(default=False)
    answer = models.CharField(max_length=10, choices=SupportAnswer.choices, default=SupportAnswer.WAITING)
    follow_up_on = models.DateField()
    follow_up_done_on = models.DateField(null=True, blank=True)
    # Short, and never about the incident (the form says so).
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-incident_on", "-pk"]
        indexes = [models.Index(fields=["person", "incident_on"]), models.Index(fields=["follow_up_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__gte=F("incident_on")), name="learning_support_follow_up_after"
            ),
            models.CheckConstraint(
                condition=Q(debrief_on__isnull=True) | Q(debrief_on__gte=F("incident_on")),
                name="learning_support_debrief_after",
            ),
        ]

    def __str__(self) -> str:
        return f"Support for {self.person} after an incident on {self.incident_on}"

    @property
    def offered(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.occupational_health, "Occupational health"),
                (self.counselling, "Counselling or employee assistance"),
                (self.peer_support, "Peer support"),
                (self.time_off, "Time off"),
            )
            if flag
        ]
