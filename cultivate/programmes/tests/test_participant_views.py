from __future__ import annotations

from cultivate.programmes.models import Attendance, Feedback, SelfAssessment
from cultivate.programmes.testing import make_participant, make_session
from cultivate.programmes.tests.test_views import signed_in


def test_check_in_and_surveys_from_my_programme(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    user, person = world["workers"][0]
    place = make_participant(cohort, person)
    session = make_session(programme)
    client = signed_in(user)
    page = client.get("/programmes/mine/")
    assert b"Check in" in page.content
    wrong = client.post(f"/programmes/places/{place.pk}/check-in/", {"code": "XXXXXX"})
    assert b"not right" in wrong.content
    client.post(f"/programmes/places/{place.pk}/check-in/", {"code": session.checkin_code})
    assert Attendance.objects.filter(participant=place, session=session, status="present").exists()
    dims = list(programme.dimensions.all())
    incomplete = client.post(
        f"/programmes/places/{place.pk}/self-assessment/before/", {f"d{dims[0].pk}": "3"}
    )
    assert b"Choose a number for" in incomplete.content
    client.post(f"/programmes/places/{place.pk}/self-assessment/before/", {f"d{d.pk}": "3" for d in dims})
    assert SelfAssessment.objects.filter(participant=place, stage="before").exists()
    client.post(f"/programmes/places/{place.pk}/feedback/", {"overall": "5", "would_recommend": "yes"})
    assert Feedback.objects.get(participant=place).would_recommend is True


def test_nobody_opens_someone_elses_survey(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    place = make_participant(cohort, world["workers"][0][1])
    make_participant(cohort, world["workers"][1][1])
    other = signed_in(world["workers"][1][0])
    assert other.get(f"/programmes/places/{place.pk}/feedback/").status_code == 403
    assert signed_in(world["educator"]).get(f"/programmes/places/{place.pk}/feedback/").status_code == 403
