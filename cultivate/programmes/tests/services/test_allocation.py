from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cultivate.programmes import services
from cultivate.programmes.models import AllocationRun, Participant
from cultivate.programmes.testing import make_application, make_worker


@pytest.fixture
def accepted(world):
    programme = world["programme"]
    people = [p for _, p in world["workers"]]
    for org in world["orgs"]:
        people += [make_worker(org, setting="crisis")[1] for _ in range(4)]
    return [make_application(programme, p) for p in people]


def test_allocation_places_everyone_within_capacity_and_stores_the_run(world, accepted):
    programme = world["programme"]
    run = services.cohorts_allocate(ctx=world["lead_ctx"], programme=programme, time_limit_s=2)
    assert run.placed == len(accepted) == Participant.objects.filter(cohort__programme=programme).count()
    assert run.bound <= run.objective + 1e-6 and run.gap_pct >= 0
    for cohort in programme.cohorts.all():
        assert cohort.participants.count() <= cohort.capacity
        assert cohort.summary
    assert all(p.explanation for p in Participant.objects.all())


def test_pins_and_moves_survive_a_rerun(world, accepted):
    programme = world["programme"]
    ctx = world["lead_ctx"]
    services.cohorts_allocate(ctx=ctx, programme=programme, time_limit_s=2)
    one, two = programme.cohorts.order_by("name")
    someone = one.participants.first()
    other = one.participants.exclude(pk=someone.pk).first()
    services.placement_pin(ctx=ctx, participant=someone, pinned=True)
    services.placement_move(ctx=ctx, participant=other, cohort=two)
    services.cohorts_allocate(ctx=ctx, programme=programme, time_limit_s=2)
    someone.refresh_from_db()
    other.refresh_from_db()
    assert someone.cohort == one and someone.pinned
    assert other.cohort == two and other.manual
    assert AllocationRun.objects.filter(programme=programme).count() == 2


def test_moving_into_a_full_cohort_is_refused(world, accepted):
    programme = world["programme"]
    ctx = world["lead_ctx"]
    services.cohorts_allocate(ctx=ctx, programme=programme, time_limit_s=2)
    one, two = programme.cohorts.order_by("name")
    two.capacity = two.participants.count()
    two.save()
    with pytest.raises(ValidationError, match="full"):
        services.placement_move(ctx=ctx, participant=one.participants.first(), cohort=two)


def test_partners_pair_everyone_and_keep_fixed_groups(world, accepted):
    programme = world["programme"]
    ctx = world["lead_ctx"]
    services.cohorts_allocate(ctx=ctx, programme=programme, time_limit_s=2)
    cohort = programme.cohorts.order_by("name").first()
    services.partners_pair(ctx=ctx, cohort=cohort, time_limit_s=2)
    members = list(cohort.participants.all())
    assert all(m.partner_group_id and m.partner_explanation for m in members)
    group = members[0].partner_group
    services.partner_group_fix(ctx=ctx, group=group, fixed=True)
    kept = set(group.members.values_list("pk", flat=True))
    services.partners_pair(ctx=ctx, cohort=cohort, time_limit_s=2)
    group.refresh_from_db()
    assert set(group.members.values_list("pk", flat=True)) == kept


def test_candidates_are_described_by_the_post_held_when_they_applied(world):
    """Someone who moved team after applying is mixed as the person the lead offered a place to."""
    import datetime as dt

    from django.utils import timezone

    from cultivate.accounts.testing import make_team
    from cultivate.programmes.models import Application

    _, person = world["workers"][0]
    spell = person.spells.get()
    applied = make_application(world["programme"], person)
    applied_on = timezone.localdate() - dt.timedelta(days=30)
    Application.objects.filter(pk=applied.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    spell.start_date = applied_on - dt.timedelta(days=400)
    spell.end_date = applied_on + dt.timedelta(days=10)
    spell.save()
    moved = make_team(person.organisation, setting="crisis")
    spell.pk = None
    spell.assignment_id = f"{spell.assignment_id}-2"
    spell.team, spell.start_date, spell.end_date = moved, applied_on + dt.timedelta(days=11), None
    spell.save()
    applied.refresh_from_db()
    (candidate,) = services.candidates([applied], today=timezone.localdate())
    first_team = person.spells.order_by("start_date").first().team
    assert candidate.team == str(first_team.pk) and candidate.setting == first_team.setting != "crisis"
    assert 12 <= candidate.experience_months <= 14
