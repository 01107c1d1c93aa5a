from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.models import Notification
from cultivate.programmes import services
from cultivate.programmes.models import ApplicationStatus as S
from cultivate.programmes.tests.conftest import ctx_for


def test_a_worker_applies_once_and_is_told(world):
    user, person = world["workers"][0]
    application = services.application_submit(
        ctx=ctx_for(user),
        programme=world["programme"],
        person=person,
        statement="To grow",
        availability="Tuesdays",
    )
    assert application.status == S.SUBMITTED
    assert application.events.count() == 1
    assert Notification.objects.filter(user=user, title__icontains="received").exists()
    with pytest.raises(ValidationError, match="already applied"):
        services.application_submit(
            ctx=ctx_for(user), programme=world["programme"], person=person, statement="x"
        )


def test_an_empty_statement_is_refused(world):
    user, person = world["workers"][0]
    with pytest.raises(ValidationError, match="why you want"):
        services.application_submit(
            ctx=ctx_for(user), programme=world["programme"], person=person, statement=" "
        )


def test_the_states_follow_the_allowed_path_with_reasons_and_notifications(world):
    user, person = world["workers"][1]
    app = services.application_submit(
        ctx=ctx_for(user), programme=world["programme"], person=person, statement="x"
    )
    lead = world["lead_ctx"]
    with pytest.raises(ValidationError, match="cannot become"):
        services.application_move(ctx=lead, application=app, to=S.ACCEPTED)
    app = services.application_move(ctx=lead, application=app, to=S.MANAGER_APPROVED)
    with pytest.raises(ValidationError):
        services.application_move(ctx=lead, application=app, to=S.WAITING_LIST)  # no reason
    app = services.application_move(ctx=lead, application=app, to=S.OFFERED)
    app = services.application_move(ctx=ctx_for(user), application=app, to=S.ACCEPTED)
    assert [e.to_status for e in app.events.all()] == [S.SUBMITTED, S.MANAGER_APPROVED, S.OFFERED, S.ACCEPTED]
    assert Notification.objects.filter(user=user).count() == 4


def test_the_line_manager_agrees_protected_time(world):
    user, person = world["workers"][2]
    team = person.spells.get().team
    manager = make_user(Role.LINE_MANAGER, organisation=person.organisation, teams=[team])
    app = services.application_submit(
        ctx=ctx_for(user), programme=world["programme"], person=person, statement="x"
    )
    app = services.application_agree_protected_time(ctx=ctx_for(manager), application=app)
    assert app.status == S.MANAGER_APPROVED and app.protected_time_agreed_by == manager


def test_a_manager_nominates_someone_in_their_team(world):
    _, person = world["workers"][3]
    team = person.spells.get().team
    manager = make_user(Role.LINE_MANAGER, organisation=person.organisation, teams=[team])
    app = services.application_nominate(
        ctx=ctx_for(manager), programme=world["programme"], person=person, statement="Ready for more"
    )
    assert app.kind == "nomination" and app.status == S.MANAGER_APPROVED


def test_accepting_beyond_the_places_is_refused(world):
    programme = world["programme"]
    programme.cohorts.update(capacity=2)
    lead = world["lead_ctx"]
    apps = []
    for user, person in world["workers"][:5]:
        a = services.application_submit(ctx=ctx_for(user), programme=programme, person=person, statement="x")
        a = services.application_move(ctx=lead, application=a, to=S.MANAGER_APPROVED)
        apps.append((user, services.application_move(ctx=lead, application=a, to=S.OFFERED)))
    for user, a in apps[:4]:
        services.application_move(ctx=ctx_for(user), application=a, to=S.ACCEPTED)
    with pytest.raises(ValidationError, match="full"):
        services.application_move(ctx=ctx_for(apps[4][0]), application=apps[4][1], to=S.ACCEPTED)
