from __future__ import annotations

from cultivate.programmes.models import Attendance
from cultivate.programmes.testing import make_participant, make_session
from cultivate.programmes.tests.test_views import signed_in


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
    assert lead.get(f"/api/programmes/{programme.pk}/applications").status_code == 200
    member = signed_in(user)
    assert member.get(f"/api/programmes/{programme.pk}/applications").status_code == 403
    assert member.get(f"/api/cohorts/{cohort.pk}").json()["members"][0]["participant_id"] == place.pk
    outsider = signed_in(world["outsider"][0])
    assert outsider.get(f"/api/cohorts/{cohort.pk}").status_code == 404
    wrong = member.post(
        f"/api/sessions/{session.pk}/check-in",
        {"participant_id": place.pk, "code": "XXXXXX"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    ok = member.post(
        f"/api/sessions/{session.pk}/check-in",
        {"participant_id": place.pk, "code": session.checkin_code},
        content_type="application/json",
    )
    assert ok.status_code == 200 and Attendance.objects.filter(participant=place).exists()
    assert lead.get(f"/api/cohorts/{cohort.pk}/attendance").json()[0]["status"] == "present"
