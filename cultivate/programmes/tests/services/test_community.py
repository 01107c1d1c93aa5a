from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cultivate.programmes import services
from cultivate.programmes.testing import make_participant
from cultivate.programmes.tests.conftest import ctx_for


def test_members_post_leads_announce_and_hide_with_a_reason(world):
    cohort = world["programme"].cohorts.order_by("name").first()
    user, person = world["workers"][0]
    make_participant(cohort, person)
    post = services.post_add(ctx=ctx_for(user), cohort=cohort, kind="discussion", body="Hello all")
    with pytest.raises(ValidationError, match="leads"):
        services.post_add(ctx=ctx_for(user), cohort=cohort, kind="announcement", body="x")
    services.post_add(ctx=world["lead_ctx"], cohort=cohort, kind="announcement", body="Welcome")
    with pytest.raises(ValidationError, match="reason"):
        services.post_hide(ctx=world["lead_ctx"], post=post, reason="")
    services.post_hide(ctx=world["lead_ctx"], post=post, reason="Shared a patient's name")
    post.refresh_from_db()
    assert post.hidden_at and post.hidden_reason == "Shared a patient's name"
