"""Surveys: the self-assessment before and after, the evaluation after each session, the end-of-programme
feedback. Each is the person's own, answered once; others only ever see aggregates."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cultivate.core.audit import AuditContext

from ..models import (
    Feedback,
    Participant,
    SelfAssessment,
    SelfAssessmentAnswer,
    Session,
    SessionEvaluation,
    Stage,
)
from ._common import require


def _score(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError({what: "Choose a number from 1 to 5"})
    return value


@transaction.atomic
def self_assessment_submit(
    *, ctx: AuditContext, participant: Participant, stage: str, scores: Mapping[int, int]
) -> SelfAssessment:
    """Scores (dimension id -> 1 to 5) for every dimension of the programme."""
    require(ctx, "own_participation", participant)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose before or after."})
    if stage == Stage.AFTER and not participant.self_assessments.filter(stage=Stage.BEFORE).exists():
        raise ValidationError("Answer the self-assessment at the start of the programme first.")
    dimensions = list(participant.cohort.programme.dimensions.all())
    missing = [d.name for d in dimensions if d.pk not in scores]
    if missing:
        raise ValidationError({"scores": f"Choose a number for {', '.join(missing)}"})
    if set(scores) - {d.pk for d in dimensions}:
        raise ValidationError({"scores": "The answers name a dimension this programme does not have."})
    checked = {d.pk: _score(scores[d.pk], d.name) for d in dimensions}
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(participant=participant, stage=stage)
    except IntegrityError:
        raise ValidationError("You have already answered this self-assessment.") from None
    SelfAssessmentAnswer.objects.bulk_create(
        SelfAssessmentAnswer(self_assessment=assessment, dimension_id=pk, score=score)
        for pk, score in checked.items()
    )
    return assessment


def evaluation_submit(
    *, ctx: AuditContext, session: Session, participant: Participant, rating: int, comment: str = ""
) -> SessionEvaluation:
    require(ctx, "own_participation", participant)
    if session.programme_id != participant.cohort.programme_id or session.cohort_id not in (
        None,
        participant.cohort_id,
    ):
        raise ValidationError("This session is not one of your cohort's.")
    if session.starts_at > timezone.now():
        raise ValidationError("You can evaluate a session once it has started.")
    evaluation = SessionEvaluation(
        session=session, participant=participant, rating=_score(rating, "rating"), comment=comment.strip()
    )
    evaluation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise ValidationError("You have already evaluated this session.") from None
    return evaluation


def feedback_submit(
    *,
    ctx: AuditContext,
    participant: Participant,
    overall: int,
    would_recommend: bool,
    what_changed: str = "",
) -> Feedback:
    require(ctx, "own_participation", participant)
    feedback = Feedback(
        participant=participant,
        overall=_score(overall, "overall"),
        would_recommend=bool(would_recommend),
        what_changed=what_changed.strip(),
    )
    if Feedback.objects.filter(participant=participant).exists():
        raise ValidationError("You have already given your feedback on the programme.")
    feedback.full_clean(validate_unique=False)
    feedback.save()
    return feedback
