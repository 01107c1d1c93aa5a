"""Support at work: flexible working requests and decisions, post-incident support, who sees them, the home
action, and the organisation's rates with small numbers hidden."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent, Notification
from cultivate.insights.dashboards import disclosure
from cultivate.learning import support_home as home
from cultivate.learning import support_report, support_services
from cultivate.learning.support_models import (
    FlexibleDecision,
    FlexibleWorkingRequest,
    IncidentSupport,
    SupportAnswer,
)
from cultivate.learning.support_services import FlexibleAsk, SupportOffered
from cultivate.organisations import testing as t

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def scene():
    org = t.make_organisation("RX1", alliance=t.make_alliance())
    team = t.make_team(org, "Ward 1")
    manager_person = t.make_person(org, team, given_name="Mo", band="6")
    worker = t.make_person(org, given_name="Wren", ethnic_category="A", disability="N")
    t.make_spell(worker, team=team, line_manager=manager_person)
    other_org = t.make_organisation("RX2")
    other_team = t.make_team(other_org, "Ward 9")
    outsider = t.make_person(other_org, other_team, given_name="Ola")
    return {
        "org": org,
        "team": team,
        "worker": worker,
        "worker_user": make_user(Role.SUPPORT_WORKER, organisation=org, person=worker),
        "manager": make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=manager_person),
        "assessor": make_user(Role.ASSESSOR, organisation=org, teams=[team]),
        "educator": make_user(Role.EDUCATOR, organisation=org),
        "analyst": make_user(Role.ANALYST, organisation=org),
        "admin": make_user(Role.ORG_ADMIN, organisation=org),
        "outsider": make_user(Role.LINE_MANAGER, organisation=other_org, teams=[other_team]),
        "outsider_person": outsider,
    }


def m(user):
    return user.memberships.get()


def ctx(user):
    return AuditContext(actor=user)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def ask(scene, made_on=None, **extra):
    return support_services.flexible_request(
        ctx=ctx(scene["worker_user"]),
        membership=m(scene["worker_user"]),
        ask=FlexibleAsk(
            pattern=extra.pop("pattern", "Four long days"),
            start_on=extra.pop("start_on", timezone.localdate() + dt.timedelta(days=60)),
            made_on=made_on,
            **extra,
        ),
    )


def test_decision_due_two_months_from_the_request():
    assert support_services.decision_due(dt.date(2026, 1, 10)) == dt.date(2026, 3, 9)
    assert support_services.decision_due(dt.date(2025, 12, 31)) == dt.date(2026, 2, 27)


def test_worker_asks_manager_is_told_and_decides(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(scene)
    assert request.decision == FlexibleDecision.PENDING
    assert request.decision_due_on == support_services.decision_due(timezone.localdate())
    assert Notification.objects.filter(user=scene["manager"], title__contains="flexible working").exists()
    assert AuditEvent.objects.filter(action="learning_flexible_requested").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        support_services.flexible_decide(
            ctx=ctx(scene["manager"]),
            membership=m(scene["manager"]),
            request=request,
            decision=FlexibleDecision.REFUSED,
            decided_on=timezone.localdate(),
            refusal_reason="recruit",
            note="We talked it through; nights cannot be covered.",
        )
    request.refresh_from_db()
    assert request.decision == FlexibleDecision.REFUSED and request.decided_by == scene["manager"]
    assert Notification.objects.filter(user=scene["worker_user"], title__contains="refused").exists()
    assert AuditEvent.objects.filter(action="learning_flexible_decided").count() == 1


def test_bad_decisions_are_refused_with_the_field_named(scene):
    request = ask(scene, made_on=timezone.localdate() - dt.timedelta(days=3))
    decide = dict(ctx=ctx(scene["manager"]), membership=m(scene["manager"]), request=request)
    with pytest.raises(ValidationError) as error:
        support_services.flexible_decide(
            **decide, decision="approved", decided_on=timezone.localdate() - dt.timedelta(days=10)
        )
    assert "on or after the date of the request" in error.value.message_dict["decided_on"][0]
    with pytest.raises(ValidationError) as error:
        support_services.flexible_decide(**decide, decision="refused", decided_on=timezone.localdate())
    assert set(error.value.message_dict) == {"refusal_reason", "note"}
    with pytest.raises(ValidationError) as error:
        support_services.flexible_decide(
            **decide, decision="approved_changed", decided_on=timezone.localdate()
        )
    assert "changes" in error.value.message_dict["note"][0]
    # The worker may not decide their own; nothing was saved.
    with pytest.raises(PermissionDenied):
        support_services.flexible_decide(
            ctx=ctx(scene["worker_user"]),
            membership=m(scene["worker_user"]),
            request=request,
            decision="approved",
            decided_on=timezone.localdate(),
        )
    request.refresh_from_db()
    assert request.decision == FlexibleDecision.PENDING


def test_one_request_at_a_time_and_two_a_year(scene):
    first = ask(scene, made_on=timezone.localdate() - dt.timedelta(days=100))
    with pytest.raises(ValidationError, match="already have a request waiting"):
        ask(scene)
    support_services.flexible_withdraw(
        ctx=ctx(scene["worker_user"]), membership=m(scene["worker_user"]), request=first
    )
    ask(scene, made_on=timezone.localdate() - dt.timedelta(days=50))
    FlexibleWorkingRequest.objects.update(decision=FlexibleDecision.WITHDRAWN)
    with pytest.raises(ValidationError, match="law allows 2"):
        ask(scene)
    with pytest.raises(ValidationError) as error:
        ask(scene, start_on=None, pattern=" ")
    assert set(error.value.message_dict) == {"pattern", "start_on"}


def test_support_bad_dates_are_refused(scene):
    today = timezone.localdate()
    record = dict(ctx=ctx(scene["manager"]), membership=m(scene["manager"]), person=scene["worker"])
    with pytest.raises(ValidationError) as error:
        support_services.support_record(
            **record,
            offered=SupportOffered(
                incident_on=today + dt.timedelta(days=1),
                kind="violence",
                source="patient",
                follow_up_on=today,
            ),
        )
    assert "today or in the past" in error.value.message_dict["incident_on"][0]
    with pytest.raises(ValidationError) as error:
        support_services.support_record(
            **record,
            offered=SupportOffered(
                incident_on=today,
                kind="verbal",
                source="public",
                follow_up_on=today - dt.timedelta(days=2),
                debrief_on=today - dt.timedelta(days=1),
                note="x" * 201,
            ),
        )
    assert set(error.value.message_dict) == {"follow_up_on", "debrief_on", "note"}
    assert "no clinical or incident detail" in error.value.message_dict["note"][0]
    assert not IncidentSupport.objects.exists()


def test_manager_records_support_worker_sees_it_others_do_not(scene):
    today = timezone.localdate()
    made = support_services.support_record(
        ctx=ctx(scene["manager"]),
        membership=m(scene["manager"]),
        person=scene["worker"],
        offered=SupportOffered(
            incident_on=today - dt.timedelta(days=2),
            kind="violence",
            source="patient",
            follow_up_on=today,
            debrief_on=today - dt.timedelta(days=1),
            counselling=True,
            peer_support=True,
        ),
    )
    assert AuditEvent.objects.filter(action="learning_support_recorded").count() == 1
    url = f"/learning/support/incidents/{made.pk}/"
    assert client_for(scene["worker_user"]).get(url).status_code == 200
    manager_page = client_for(scene["manager"]).get(url).content.decode()
    assert "Peer support" in manager_page and "Follow-up due" in manager_page
    for role in ("assessor", "educator", "analyst", "admin", "outsider"):
        assert client_for(scene[role]).get(url).status_code in (403, 404), role
    # The home page tells the manager the follow-up is due.
    assert [a.text for a in home.actions(m(scene["manager"]))] == ["1 follow-up after an incident is due"]
    response = client_for(scene["manager"]).post(url, {"answer": "accepted", "done_on": today.isoformat()})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.answer == SupportAnswer.ACCEPTED and made.follow_up_done_on == today
    assert home.actions(m(scene["manager"])) == []


def test_overdue_decision_is_an_urgent_home_action(scene):
    ask(scene, made_on=timezone.localdate() - dt.timedelta(days=70))
    (action,) = home.actions(m(scene["manager"]))
    assert action.urgent and "past its decision date" in action.text
    assert home.actions(m(scene["worker_user"])) == []
    hub = client_for(scene["manager"]).get("/learning/support/").content.decode()
    assert "Overdue" in hub and "Wren" in hub


def test_pages_journey_and_form_errors(scene):
    worker = client_for(scene["worker_user"])
    response = worker.post("/learning/support/flexible/new/", {"pattern": "", "start_on": ""})
    page = response.content.decode()
    assert (
        response.status_code == 200 and "Say what working pattern" in page and "nhsuk-error-summary" in page
    )
    start = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = worker.post(
        "/learning/support/flexible/new/",
        {"pattern": "Term-time only", "hours_per_week": "30", "start_on": start},
    )
    assert response.status_code == 302
    request = FlexibleWorkingRequest.objects.get()
    manager = client_for(scene["manager"])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = manager.post(
        f"/learning/support/flexible/{request.pk}/decide/", {"decision": "approved", "decided_on": yesterday}
    ).content.decode()
    assert "on or after the date of the request" in page
    response = manager.post(
        f"/learning/support/flexible/{request.pk}/decide/",
        {
            "decision": "approved_changed",
            "note": "Term-time, 28 hours",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.decision == FlexibleDecision.APPROVED_CHANGED
    # HR sees it (for an appeal), listed on their support page; the assessor and analyst do not.
    assert "Wren" in client_for(scene["admin"]).get("/learning/support/").content.decode()
    assert client_for(scene["admin"]).get(f"/learning/support/flexible/{request.pk}/").status_code == 200
    for role in ("assessor", "analyst", "educator", "outsider"):
        assert client_for(scene[role]).get(f"/learning/support/flexible/{request.pk}/").status_code in (
            403,
            404,
        )
    response = client_for(scene["admin"]).post(
        f"/learning/support/flexible/{request.pk}/", {"appeal_note": "Appeal heard; 30 hours agreed."}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="learning_flexible_appeal_noted").exists()


def test_figures_hide_small_numbers_and_cannot_be_worked_out(scene):
    org, team = scene["org"], scene["team"]
    people = [
        t.make_person(
            org, team, band="3" if n < 16 else "4", ethnic_category="A" if n < 9 else "H", disability="N"
        )
        for n in range(20)
    ]
    for n, person in enumerate(people[:9]):
        FlexibleWorkingRequest.objects.create(
            person=person,
            pattern="Later start",
            start_on=TODAY,
            made_on=TODAY - dt.timedelta(days=40),
            decision_due_on=TODAY,
            decision=FlexibleDecision.APPROVED if n % 3 else FlexibleDecision.REFUSED,
            refusal_reason="" if n % 3 else "costs",
            decided_on=TODAY - dt.timedelta(days=10),
        )
    report = support_report.figures(org, on=TODAY)
    by_band = {row["group"]: row for row in report.tables[0].rows}
    assert by_band["Band 3"]["requested_num"] == 9 and by_band["All people"]["requested_den"] == 22
    # Band 6 (the manager alone) is a group of 1: its count is hidden, so another figure must be too.
    assert by_band["Band 6"]["requested_den"] is None
    for table in report.tables:
        relations = disclosure.figure_relations({table.key: table}) + support_report._adds_up(
            {table.key: table}, table.key
        )
        assert not disclosure.recoverable({table.key: table}, relations), table.key
    # The page shows the chart with its table; the analyst sees it, the line manager does not.
    page = client_for(scene["analyst"]).get("/learning/organisations/RX1/support/").content.decode()
    assert "By ethnic group" in page and "[c]" in page and "app-chart" in page
    assert client_for(scene["manager"]).get("/learning/organisations/RX1/support/").status_code == 403
    assert client_for(scene["analyst"]).get("/learning/organisations/RX2/support/").status_code == 404
    csv = client_for(scene["analyst"]).get("/learning/organisations/RX1/support.csv")
    assert csv.status_code == 200 and b"Approval rate" in csv.content


def test_api_asks_decides_and_refuses_bad_input(scene):
    from cultivate.accounts import services as account_services

    def api(user):
        _token, secret = account_services.api_token_create(user=user, membership=m(user), name="t")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    worker, manager = api(scene["worker_user"]), api(scene["manager"])
    start = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    made = worker.post(
        "/api/learning/support/flexible",
        {"pattern": "Term-time only", "hours_per_week": 30, "start_on": start},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["decision"] == "pending" and body["hours_per_week"] == "30.0"
    url = f"/api/learning/support/flexible/{body['id']}/decision"
    early = manager.post(
        url, {"decision": "approved", "decided_on": "2020-01-01"}, content_type="application/json"
    )
    assert early.status_code == 400 and "decided_on" in early.json()["detail"]
    today = timezone.localdate().isoformat()
    assert (
        manager.post(
            url, {"decision": "approved", "decided_on": today}, content_type="application/json"
        ).status_code
        == 200
    )
    again = manager.post(url, {"decision": "approved", "decided_on": today}, content_type="application/json")
    assert again.status_code == 409
    future = manager.post(
        "/api/learning/support/incidents",
        {
            "person_id": scene["worker"].pk,
            "incident_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "kind": "violence",
            "source": "patient",
            "follow_up_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        },
        content_type="application/json",
    )
    assert future.status_code == 400 and "incident_on" in future.json()["detail"]
    figures = api(scene["analyst"]).get("/api/learning/organisations/RX1/support")
    assert figures.status_code == 200 and [t["breakdown"] for t in figures.json()["tables"]] == [
        "band",
        "ethnic_group",
        "disability",
    ]
