"""Development plans and supervision: the services (bad input refused, nothing half-saved, notifications,
audit), who sees what (private notes for the two people in the meeting), the overdue list, home actions, the
pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent, Notification
from cultivate.learning.audit_actions import LearningAction
from cultivate.learning.plans import access, home, selectors, services
from cultivate.learning.plans.models import DevelopmentPlan, PlanGoal, PlanStatus, SupervisionMeeting
from cultivate.learning.testing import make_offer
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import membership

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("plan tests")
TODAY = timezone.localdate()


@pytest.fixture
def scene() -> dict[str, Any]:
    org = t.make_organisation(alliance=t.make_alliance())
    team, other_team = t.make_team(org, "Ward 1"), t.make_team(org, "Ward 2")
    manager_person = t.make_person(org, team, band="6", given_name="Mo")
    worker = t.make_person(org, given_name="Wren", family_name="Hale")
    t.make_spell(worker, team=team, line_manager=manager_person)
    elsewhere = t.make_person(org, other_team, given_name="Eli")
    other_org = t.make_organisation()
    outsider_person = t.make_person(other_org, t.make_team(other_org), given_name="Out")
    return {
        "org": org,
        "team": team,
        "worker": worker,
        "elsewhere": elsewhere,
        "worker_user": make_user(Role.SUPPORT_WORKER, organisation=org, person=worker),
        "manager": make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=manager_person),
        "other_manager": make_user(
            Role.LINE_MANAGER, organisation=org, teams=[team], person=t.make_person(org, team, band="6")
        ),
        "assessor": make_user(Role.ASSESSOR, organisation=org, teams=[team]),
        "admin": make_user(Role.ORG_ADMIN, organisation=org),
        "analyst": make_user(Role.ANALYST, organisation=org),
        "outsider": make_user(Role.LINE_MANAGER, organisation=other_org, person=outsider_person),
        "offer": make_offer(org, title="Blood glucose monitoring"),
    }


def _plan(scene: dict[str, Any], *, goals: int = 1) -> DevelopmentPlan:
    worker = membership(scene["worker_user"])
    plan = services.plan_save(
        ctx=CTX, membership=worker, starts_on=TODAY, review_on=TODAY + dt.timedelta(days=90)
    )
    for n in range(goals):
        services.goal_save(ctx=CTX, membership=worker, plan=plan, text=f"Goal {n}", offer=scene["offer"])
    return plan


def _send(
    scene: dict[str, Any], plan: DevelopmentPlan, django_capture_on_commit_callbacks: Any
) -> DevelopmentPlan:
    with django_capture_on_commit_callbacks(execute=True):
        return services.plan_propose(ctx=CTX, membership=membership(scene["worker_user"]), plan=plan)


# --- Services ------------------------------------------------------------------------------------------


def test_review_date_before_the_start_is_refused_and_nothing_saved(scene: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.plan_save(
            ctx=CTX,
            membership=membership(scene["worker_user"]),
            starts_on=TODAY,
            review_on=TODAY - dt.timedelta(days=1),
        )
    assert caught.value.message_dict["review_on"] == [
        "The review date must be on or after the plan's start date"
    ]
    assert not DevelopmentPlan.objects.exists()


def test_a_goal_needs_text_and_one_link(scene: dict[str, Any]) -> None:
    plan = _plan(scene, goals=0)
    worker = membership(scene["worker_user"])
    with pytest.raises(ValidationError) as caught:
        services.goal_save(ctx=CTX, membership=worker, plan=plan, text="  ")
    assert caught.value.message_dict["text"] == ["Enter the goal"]
    with pytest.raises(ValidationError):
        services.goal_save(
            ctx=CTX,
            membership=worker,
            plan=plan,
            text="Two links",
            target_on=TODAY - dt.timedelta(days=3),
        )
    assert not PlanGoal.objects.exists()


def test_worker_proposes_supervisor_asks_for_changes_then_agrees(
    scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    plan = _plan(scene)
    plan = _send(scene, plan, django_capture_on_commit_callbacks)
    assert plan.status == PlanStatus.PROPOSED
    # The named line manager is told (not every manager of the team: the named one comes first).
    told = Notification.objects.filter(user=scene["manager"])
    assert told.count() == 1 and "Wren Hale sent you their development plan" in told.get().title
    manager = membership(scene["manager"])
    with pytest.raises(ValidationError) as caught:
        services.plan_decide(ctx=CTX, membership=manager, plan=plan, agree=False, reason=" ")
    assert caught.value.message_dict["reason"] == ["Say what should change"]
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_decide(
            ctx=CTX, membership=manager, plan=plan, agree=False, reason="Add a date to the goal"
        )
    assert plan.status == PlanStatus.CHANGES_ASKED
    assert told.get().read_at is not None  # decided: the supervisor's notice is done with
    assert Notification.objects.filter(
        user=scene["worker_user"], title__contains="asked for changes"
    ).exists()
    assert AuditEvent.objects.filter(action=LearningAction.PLAN_CHANGES_ASKED).count() == 1
    goal = plan.goals.get()
    services.goal_save(
        ctx=CTX,
        membership=membership(scene["worker_user"]),
        plan=plan,
        goal=goal,
        text=goal.text,
        offer=scene["offer"],
        target_on=TODAY + dt.timedelta(days=60),
    )
    plan = _send(scene, plan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_decide(ctx=CTX, membership=manager, plan=plan, agree=True, review_notes="Good")
    assert plan.status == PlanStatus.AGREED and plan.agreed_on == TODAY
    assert Notification.objects.filter(user=scene["worker_user"], title__contains="agreed your").exists()
    assert AuditEvent.objects.filter(action=LearningAction.PLAN_AGREED).count() == 1


def test_a_plan_with_no_goals_cannot_be_sent(scene: dict[str, Any]) -> None:
    plan = _plan(scene, goals=0)
    with pytest.raises(ValidationError, match="Add at least one goal"):
        services.plan_propose(ctx=CTX, membership=membership(scene["worker_user"]), plan=plan)
    assert DevelopmentPlan.objects.get().status == PlanStatus.DRAFT


def test_only_a_supervisor_decides(scene: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    plan = _send(scene, _plan(scene), django_capture_on_commit_callbacks)
    for user in ("worker_user", "assessor", "admin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.plan_decide(ctx=CTX, membership=membership(scene[user]), plan=plan, agree=True)
    assert DevelopmentPlan.objects.get().status == PlanStatus.PROPOSED


def test_a_meeting_in_the_future_is_refused(scene: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.meeting_record(
            ctx=CTX,
            membership=membership(scene["manager"]),
            person=scene["worker"],
            held_on=TODAY + dt.timedelta(days=1),
        )
    assert caught.value.message_dict["held_on"] == ["The date of the meeting must be today or in the past"]
    assert not SupervisionMeeting.objects.exists()
    assert not AuditEvent.objects.filter(action=LearningAction.SUPERVISION_RECORDED).exists()


def test_private_note_only_for_the_two_people_in_the_meeting(scene: dict[str, Any]) -> None:
    meeting = services.meeting_record(
        ctx=CTX,
        membership=membership(scene["manager"]),
        person=scene["worker"],
        held_on=TODAY,
        agreed_actions="Shadow the diabetes nurse",
        private_note="Finding nights hard",
    )
    event = AuditEvent.objects.get(action=LearningAction.SUPERVISION_RECORDED)
    assert "Finding nights hard" not in str(event.detail)
    readers = {
        name
        for name in ("worker_user", "manager", "other_manager", "assessor", "admin", "analyst", "outsider")
        if access.may(membership(scene[name]), "read_private_note", meeting)
    }
    assert readers == {"worker_user", "manager"}
    # The other manager of the team sees the record, not the note.
    assert access.may(membership(scene["other_manager"]), "view_meeting", meeting)
    seen = {
        name
        for name in ("worker_user", "manager", "other_manager", "assessor", "admin", "analyst", "outsider")
        if selectors.meetings_visible_to(membership(scene[name])).filter(pk=meeting.pk).exists()
    }
    assert seen == {"worker_user", "manager", "other_manager"}


def test_overdue_uses_the_organisation_interval(scene: dict[str, Any]) -> None:
    manager = membership(scene["manager"])
    # Everybody in post since 2020 with no supervision is overdue.
    names = {row.person.given_name for row in selectors.overdue_people(manager)}
    assert "Wren" in names
    services.meeting_record(
        ctx=CTX, membership=manager, person=scene["worker"], held_on=TODAY - dt.timedelta(days=100)
    )
    assert "Wren" in {row.person.given_name for row in selectors.overdue_people(manager)}
    services.interval_set(ctx=CTX, membership=membership(scene["admin"]), organisation=scene["org"], months=6)
    assert "Wren" not in {row.person.given_name for row in selectors.overdue_people(manager)}
    assert AuditEvent.objects.filter(action=LearningAction.SUPERVISION_INTERVAL_CHANGED).count() == 1
    with pytest.raises(ValidationError):
        services.interval_set(
            ctx=CTX, membership=membership(scene["admin"]), organisation=scene["org"], months=0
        )


def test_home_actions(scene: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    worker = membership(scene["worker_user"])
    assert [a.text for a in home.actions(worker)] == ["Agree your development plan"]
    _send(scene, _plan(scene), django_capture_on_commit_callbacks)
    assert home.actions(worker) == []
    texts = [a.text for a in home.actions(membership(scene["manager"])) if a.shown]
    assert "1 development plan waits for you to agree" in texts
    assert any("overdue for supervision" in text for text in texts)
    assert home.actions(membership(scene["analyst"])) == []


def test_analyst_sees_counts_only(scene: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    _send(scene, _plan(scene), django_capture_on_commit_callbacks)
    figures = selectors.organisation_figures(scene["org"])
    assert figures.waiting == 1 and figures.interval_months == 3
    analyst = membership(scene["analyst"])
    assert not access.may(analyst, "view_plan", scene["worker"])
    assert not selectors.plans_visible_to(analyst).exists()


# --- Pages and API -------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_worker_pages_start_with_the_next_step(scene: dict[str, Any]) -> None:
    client = _client(scene["worker_user"])
    page = client.get("/learning/plan/").content.decode()
    assert page.index("What to do next") < page.index("Supervision")
    assert "Start your development plan" in page
    bad = client.post(
        "/learning/plan/dates/",
        {"starts_on": TODAY.isoformat(), "review_on": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert "The review date must be on or after the plan" in bad.content.decode()
    assert not DevelopmentPlan.objects.exists()
    goal = client.post("/learning/plan/goals/new/", {"text": "x"})
    assert goal.status_code == 403  # no plan yet


def test_supervisor_records_a_meeting_through_the_page(scene: dict[str, Any]) -> None:
    client = _client(scene["manager"])
    url = f"/learning/people/{scene['worker'].pk}/supervision/new/"
    future = TODAY + dt.timedelta(days=2)
    bad = client.post(url, {"held_on": future.isoformat()})
    assert "The date of the meeting must be today or in the past" in bad.content.decode()
    ok = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "agreed_actions": "Book the course",
            "private_note": "Secret",
        },
    )
    assert ok.status_code == 302
    mine = _client(scene["worker_user"]).get(f"/learning/people/{scene['worker'].pk}/supervision/")
    assert "Secret" in mine.content.decode()
    other = _client(scene["other_manager"]).get(f"/learning/people/{scene['worker'].pk}/supervision/")
    assert other.status_code == 200 and "Secret" not in other.content.decode()
    assert "Book the course" in other.content.decode()
    overdue = client.get("/learning/supervision/").content.decode()
    assert "Wren Hale" not in overdue.split("Overdue for supervision")[1]


def test_api_leaves_out_the_private_note_for_others(scene: dict[str, Any]) -> None:
    from cultivate.accounts import services as account_services

    meeting = services.meeting_record(
        ctx=CTX,
        membership=membership(scene["manager"]),
        person=scene["worker"],
        held_on=TODAY,
        private_note="Between us",
    )

    def get(user: Any, url: str) -> Any:
        _token, secret = account_services.api_token_create(
            user=user, membership=user.memberships.get(), name="t"
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(url)

    assert (
        get(scene["worker_user"], f"/api/learning/supervision/{meeting.pk}").json()["private_note"]
        == "Between us"
    )
    other = get(scene["other_manager"], f"/api/learning/people/{scene['worker'].pk}/supervision").json()
    assert other[0]["private_note"] is None
    assert get(scene["analyst"], f"/api/learning/supervision/{meeting.pk}").status_code == 404
    assert get(scene["outsider"], f"/api/learning/people/{scene['worker'].pk}/plan").status_code == 404
    assert get(scene["worker_user"], f"/api/learning/people/{scene['worker'].pk}/plan").status_code == 404


def test_overdue_and_home_queries_do_not_grow_with_the_team(scene: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = membership(scene["manager"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.overdue_people(manager)
            home.actions(manager)
        return len(captured.captured_queries)

    count()  # warm: what is read once per process (content types) is not counted
    before = count()
    for _ in range(5):
        person = t.make_person(scene["org"], scene["team"])
        services.meeting_record(ctx=CTX, membership=manager, person=person, held_on=TODAY)
    assert count() == before


def test_api_records_supervision_and_decides(
    scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from cultivate.accounts import services as account_services

    _send(scene, _plan(scene), django_capture_on_commit_callbacks)
    manager = scene["manager"]
    _token, secret = account_services.api_token_create(
        user=manager, membership=manager.memberships.get(), name="t"
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    base = f"/api/learning/people/{scene['worker'].pk}"
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    bad = client.post(f"{base}/supervision", {"held_on": future}, content_type="application/json")
    assert bad.status_code == 400 and "today or in the past" in bad.json()["detail"]
    assert not SupervisionMeeting.objects.exists()
    made = client.post(
        f"{base}/supervision",
        {"held_on": TODAY.isoformat(), "private_note": "Ours"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["private_note"] == "Ours"
    no_reason = client.post(f"{base}/plan/decision", {"agree": False}, content_type="application/json")
    assert no_reason.status_code == 400
    agreed = client.post(f"{base}/plan/decision", {"agree": True}, content_type="application/json")
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed"
    again = client.post(f"{base}/plan/decision", {"agree": True}, content_type="application/json")
    assert again.status_code == 409
