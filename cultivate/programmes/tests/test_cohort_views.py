from __future__ import annotations

from cultivate.programmes.models import Attendance
from cultivate.programmes.testing import make_participant, make_session
from cultivate.programmes.tests.test_views import signed_in


def test_the_lead_takes_a_register_and_sees_the_code(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    people = [make_participant(cohort, p) for _, p in world["workers"][:2]]
    session = make_session(programme)
    client = signed_in(world["educator"])
    page = client.get(f"/programmes/cohorts/{cohort.pk}/sessions/{session.pk}/register/")
    assert session.checkin_code.encode() in page.content
    response = client.post(
        f"/programmes/cohorts/{cohort.pk}/sessions/{session.pk}/register/",
        {f"p{people[0].pk}": "present", f"p{people[1].pk}": "absent"},
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session, status="present").count() == 1


def test_members_see_each_other_in_the_cohort_but_not_the_register(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    (user_a, person_a), (_user_b, person_b) = world["workers"][0], world["workers"][1]
    assert person_a.organisation != person_b.organisation
    make_participant(cohort, person_a)
    make_participant(cohort, person_b)
    session = make_session(programme)
    client = signed_in(user_a)
    page = client.get(f"/programmes/cohorts/{cohort.pk}/")
    assert page.status_code == 200 and person_b.family_name.encode() in page.content
    assert client.get(f"/programmes/cohorts/{cohort.pk}/sessions/{session.pk}/register/").status_code == 403
    # The grant is the programme record only: the other trust's staff record stays out of reach.
    assert client.get(f"/people/{person_b.pk}/").status_code == 404


def test_the_community_is_for_members_and_leads_and_hiding_keeps_the_reason(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    user, person = world["workers"][0]
    make_participant(cohort, person)
    member = signed_in(user)
    member.post(f"/programmes/cohorts/{cohort.pk}/community/", {"kind": "discussion", "body": "Hello cohort"})
    post = cohort.posts.get()
    outsider = signed_in(world["workers"][2][0])
    assert outsider.get(f"/programmes/cohorts/{cohort.pk}/community/").status_code == 404
    lead = signed_in(world["educator"])
    assert lead.post(f"/programmes/posts/{post.pk}/hide/", {"reason": ""}).status_code == 200
    lead.post(f"/programmes/posts/{post.pk}/hide/", {"reason": "Off topic"})
    post.refresh_from_db()
    assert post.hidden_reason == "Off topic"
    assert b"Hello cohort" not in member.get(f"/programmes/cohorts/{cohort.pk}/community/").content


def test_closing_the_cohort(world):
    programme = world["programme"]
    cohort = programme.cohorts.order_by("name").first()
    make_participant(cohort, world["workers"][0][1])
    client = signed_in(world["educator"])
    assert b"will not complete" in client.get(f"/programmes/cohorts/{cohort.pk}/close/").content
    assert client.post(f"/programmes/cohorts/{cohort.pk}/close/").status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "closed"
