from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cultivate.programmes import services
from cultivate.programmes.testing import make_participant, make_session
from cultivate.programmes.tests.conftest import ctx_for


@pytest.fixture
def me(world):
    cohort = world["programme"].cohorts.order_by("name").first()
    user, person = world["workers"][0]
    return user, make_participant(cohort, person)


def test_self_assessment_needs_every_dimension_in_range_and_once(world, me):
    user, participant = me
    dims = list(world["programme"].dimensions.all())
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.self_assessment_submit(
            ctx=ctx_for(user), participant=participant, stage="before", scores={d.pk: 6 for d in dims}
        )
    with pytest.raises(ValidationError, match="Choose a number for"):
        services.self_assessment_submit(
            ctx=ctx_for(user), participant=participant, stage="before", scores={dims[0].pk: 3}
        )
    with pytest.raises(ValidationError, match="at the start"):
        services.self_assessment_submit(
            ctx=ctx_for(user), participant=participant, stage="after", scores={d.pk: 3 for d in dims}
        )
    services.self_assessment_submit(
        ctx=ctx_for(user), participant=participant, stage="before", scores={d.pk: 3 for d in dims}
    )
    assert participant.self_assessments.get().answers.count() == 10
    with pytest.raises(ValidationError, match="already"):
        services.self_assessment_submit(
            ctx=ctx_for(user), participant=participant, stage="before", scores={d.pk: 3 for d in dims}
        )


def test_a_session_evaluation_and_the_feedback(world, me):
    user, participant = me
    session = make_session(world["programme"])
    services.evaluation_submit(ctx=ctx_for(user), session=session, participant=participant, rating=5)
    with pytest.raises(ValidationError, match="already"):
        services.evaluation_submit(ctx=ctx_for(user), session=session, participant=participant, rating=4)
    with pytest.raises(ValidationError, match="1 to 5"):
        services.feedback_submit(ctx=ctx_for(user), participant=participant, overall=0, would_recommend=True)
    services.feedback_submit(
        ctx=ctx_for(user), participant=participant, overall=5, would_recommend=True, what_changed="Confidence"
    )


def test_nobody_answers_for_someone_else(world, me):
    from django.core.exceptions import PermissionDenied

    _, participant = me
    other_user, _ = world["workers"][1]
    with pytest.raises(PermissionDenied):
        services.feedback_submit(
            ctx=ctx_for(other_user), participant=participant, overall=5, would_recommend=True
        )
