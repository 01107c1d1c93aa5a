from __future__ import annotations

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.models import Notification
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_domain, make_framework
from cultivate.programmes.models import Application, ApplicationStatus, Attendance
from cultivate.programmes.testing import make_application, make_participant, make_session
from cultivate.programmes.tests.test_views import signed_in

JSON = "application/json"


def test_the_api_lists_and_reads_within_scope(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    user, person = world["workers"][0]
    place = make_participant(cohort, person)
    session = make_session(programme)
    lead = signed_in(world["educator"])
    assert [p["id"] for p in lead.get("/api/programmes").json()] == [programme.pk]
    detail = lead.get(f"/api/programmes/{programme.pk}").json()
    assert len(detail["dimensions"]) == 10 and len(detail["cohorts"]) == 2
    assert detail["competences"] == []
    assert lead.get(f"/api/programmes/{programme.pk}/applications").status_code == 200
    member = signed_in(user)
    assert member.get(f"/api/programmes/{programme.pk}/applications").status_code == 403
    members = member.get(f"/api/programmes/cohorts/{cohort.pk}").json()["members"]
    assert members[0]["participant_id"] == place.pk
    assert member.get(f"/api/programmes/sessions/{session.pk}").json()["id"] == session.pk
    outsider = signed_in(world["outsider"][0])
    assert outsider.get(f"/api/programmes/cohorts/{cohort.pk}").status_code == 404
    wrong = member.post(
        f"/api/programmes/sessions/{session.pk}/check-in",
        {"participant_id": place.pk, "code": "XXXXXX"},
        content_type=JSON,
    )
    assert wrong.status_code == 400
    ok = member.post(
        f"/api/programmes/sessions/{session.pk}/check-in",
        {"participant_id": place.pk, "code": session.checkin_code},
        content_type=JSON,
    )
    assert ok.status_code == 200 and Attendance.objects.filter(participant=place).exists()
    assert lead.get(f"/api/programmes/cohorts/{cohort.pk}/attendance").json()[0]["status"] == "present"


def test_apply_agree_offer_accept_through_the_api(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    user, person = world["workers"][2]
    worker = signed_in(user)
    made = worker.post(
        f"/api/programmes/{programme.pk}/applications",
        {"statement": "To grow", "availability": "Tuesdays", "cohort_ids": [cohort.pk]},
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    application = Application.objects.get(pk=made.json()["id"])
    assert application.status == ApplicationStatus.SUBMITTED
    assert list(application.available_cohorts.all()) == [cohort]
    again = worker.post(f"/api/programmes/{programme.pk}/applications", {"statement": "x"}, content_type=JSON)
    assert again.status_code == 409 and "already applied" in again.json()["detail"]
    # Only the applicant's line manager decides protected time; only the lead offers a place.
    lead = signed_in(world["educator"])
    url = f"/api/programmes/applications/{application.pk}"
    assert lead.post(f"{url}/protected-time", {"decision": "agree"}, content_type=JSON).status_code == 403
    manager = make_user(Role.LINE_MANAGER, organisation=person.organisation, teams=[person.spells.get().team])
    agreed = signed_in(manager).post(f"{url}/protected-time", {"decision": "agree"}, content_type=JSON)
    assert agreed.status_code == 200 and agreed.json()["protected_time_agreed"]
    assert worker.post(f"{url}/status", {"status": "offered"}, content_type=JSON).status_code == 403
    assert lead.post(f"{url}/status", {"status": "waiting_list"}, content_type=JSON).status_code == 400
    assert lead.post(f"{url}/status", {"status": "offered"}, content_type=JSON).json()["status"] == "offered"
    accepted = worker.post(f"{url}/status", {"status": "accepted"}, content_type=JSON)
    assert accepted.json()["status"] == "accepted"
    refused = worker.post(
        f"{url}/status", {"status": "declined", "reason": "Changed my mind"}, content_type=JSON
    )
    assert refused.status_code == 409 and "cannot become" in refused.json()["detail"]
    assert [e.to_status for e in application.events.all()] == [
        "submitted",
        "manager_approved",
        "offered",
        "accepted",
    ]


def test_the_line_manager_declines_protected_time_with_a_reason(world):
    user, person = world["workers"][3]
    application = make_application(world["programme"], person, status=ApplicationStatus.SUBMITTED)
    manager = signed_in(
        make_user(Role.LINE_MANAGER, organisation=person.organisation, teams=[person.spells.get().team])
    )
    url = f"/api/programmes/applications/{application.pk}/protected-time"
    assert manager.post(url, {"decision": "decline"}, content_type=JSON).status_code == 400
    declined = manager.post(url, {"decision": "decline", "reason": "Ward short-staffed"}, content_type=JSON)
    assert declined.status_code == 200 and declined.json()["status"] == "withdrawn"
    assert "Ward short-staffed" in declined.json()["reason"]
    assert Notification.objects.filter(user=user, body__icontains="short-staffed").exists()
    assert manager.post(url, {"decision": "agree"}, content_type=JSON).status_code == 409


def test_the_lead_takes_a_register_through_the_api(world):
    programme = world["programme"]
    cohort, other = programme.cohorts.order_by("name")
    places = [make_participant(cohort, p) for _u, p in world["workers"][:2]]
    stranger = make_participant(other, world["workers"][2][1])
    session = make_session(programme, cohort=cohort)
    lead = signed_in(world["educator"])
    url = f"/api/programmes/cohorts/{cohort.pk}/sessions/{session.pk}/register"
    marks = [
        {"participant_id": places[0].pk, "status": "present"},
        {"participant_id": places[1].pk, "status": "excused"},
    ]
    taken = lead.put(url, {"marks": marks}, content_type=JSON)
    assert taken.status_code == 200, taken.content
    assert {(a["participant_id"], a["status"]) for a in taken.json()} == {
        (places[0].pk, "present"),
        (places[1].pk, "excused"),
    }
    bad = lead.put(url, {"marks": [{"participant_id": stranger.pk, "status": "present"}]}, content_type=JSON)
    assert bad.status_code == 400
    member = signed_in(world["workers"][0][0])
    assert member.put(url, {"marks": marks}, content_type=JSON).status_code == 403
    # The session of another cohort is not this cohort's: 404, as for any session out of reach.
    elsewhere = make_session(programme, cohort=other)
    assert (
        lead.put(
            f"/api/programmes/cohorts/{cohort.pk}/sessions/{elsewhere.pk}/register",
            {"marks": marks},
            content_type=JSON,
        ).status_code
        == 404
    )
    cohort.status, cohort.closed_on = "closed", session.starts_at.date()
    cohort.save()
    assert lead.put(url, {"marks": marks}, content_type=JSON).status_code == 409


def test_the_lead_sets_the_competences_through_the_api(world):
    framework = make_framework(title="Support worker framework")
    domain = make_domain(framework, "Communication")
    competence = make_competence(framework, "Communicates with people who use services", parent=domain)
    programme = world["programme"]
    lead = signed_in(world["educator"])
    url = f"/api/programmes/{programme.pk}/competences"
    done = lead.put(url, {"identifiers": [str(competence.identifier)]}, content_type=JSON)
    assert done.status_code == 200, done.content
    assert done.json() == [
        {
            "identifier": str(competence.identifier),
            "framework": str(framework.identifier),
            "framework_title": "Support worker framework",
            "code": competence.code,
            "title": competence.label,
        }
    ]
    assert list(programme.competences.all()) == [competence]
    unknown = lead.put(url, {"identifiers": ["00000000-0000-0000-0000-000000000001"]}, content_type=JSON)
    assert unknown.status_code == 400
    assert lead.put(url, {"identifiers": [str(domain.identifier)]}, content_type=JSON).status_code == 400
    member = signed_in(world["workers"][0][0])
    assert member.put(url, {"identifiers": []}, content_type=JSON).status_code == 403
    assert lead.put(url, {"identifiers": []}, content_type=JSON).json() == []
