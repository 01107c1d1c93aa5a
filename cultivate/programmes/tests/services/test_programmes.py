from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.programmes import services
from cultivate.programmes.models import DEFAULT_DIMENSIONS


def test_an_educator_creates_a_programme_with_default_dimensions_and_leads_it(world):
    org = world["orgs"][1]
    educator = make_user(Role.EDUCATOR, organisation=org)
    from cultivate.programmes.tests.conftest import ctx_for

    programme = services.programme_create(
        ctx=ctx_for(educator), organisation=org, title="Care skills", weeks=14, starts_on=dt.date(2027, 1, 4)
    )
    assert [d.name for d in programme.dimensions.all()] == list(DEFAULT_DIMENSIONS)
    assert programme.leads.get().user == educator
    assert programme.ends_on == dt.date(2027, 4, 11)


def test_a_session_outside_the_programme_dates_is_refused(world):
    programme = world["programme"]
    start = timezone.make_aware(dt.datetime.combine(programme.ends_on + dt.timedelta(days=1), dt.time(10)))
    with pytest.raises(ValidationError, match="within the programme's dates"):
        services.session_create(
            ctx=world["lead_ctx"],
            programme=programme,
            topic="Late",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )


def test_a_lead_must_be_an_educator_of_a_member_trust(world):
    programme = world["programme"]
    member_educator = make_user(Role.EDUCATOR, organisation=world["orgs"][2])
    services.lead_add(ctx=world["lead_ctx"], programme=programme, user=member_educator)
    stranger = make_user(Role.EDUCATOR, organisation=world["outsider"][1].organisation)
    with pytest.raises(ValidationError, match="educator"):
        services.lead_add(ctx=world["lead_ctx"], programme=programme, user=stranger)


def test_copying_for_the_next_intake_moves_the_dates_and_keeps_the_design(world):
    programme = world["programme"]
    from cultivate.programmes.testing import make_session

    make_session(programme)
    copy = services.programme_copy(
        ctx=world["lead_ctx"], programme=programme, starts_on=programme.starts_on + dt.timedelta(weeks=20)
    )
    assert copy.status == "draft" and copy.copied_from == programme
    assert copy.dimensions.count() == 10 and copy.cohorts.count() == 2 and copy.leads.count() == 1
    original, moved = programme.sessions.get(), copy.sessions.get()
    assert moved.starts_at - original.starts_at == dt.timedelta(weeks=20)
    assert copy.applications.count() == 0


def test_dimensions_change_only_before_anyone_answers(world):
    services.dimensions_set(ctx=world["lead_ctx"], programme=world["programme"], names=["A", "B"])
    assert world["programme"].dimensions.count() == 2
    with pytest.raises(ValidationError):
        services.dimensions_set(ctx=world["lead_ctx"], programme=world["programme"], names=["A", "a"])
