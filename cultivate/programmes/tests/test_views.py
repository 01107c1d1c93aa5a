from __future__ import annotations

import datetime as dt

from django.test import Client

from cultivate.accounts.testing import PASSWORD
from cultivate.programmes.models import Application, Participant, Programme
from cultivate.programmes.testing import make_application


def signed_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_the_lead_creates_a_programme_with_the_nhs_date_input(world):
    client = signed_in(world["educator"])
    org = world["orgs"][0]
    page = client.get("/programmes/new/")
    assert page.status_code == 200 and b"starts_on_day" in page.content
    response = client.post(
        "/programmes/new/",
        {
            "owner": f"a{world['alliance'].pk}",
            "title": "Developing talent",
            "aims": "Grow",
            "weeks": "14",
            "starts_on_day": "4",
            "starts_on_month": "1",
            "starts_on_year": "2027",
            "delivery": "online",
            "cohort_capacity": "20",
            "min_attendance_pct": "80",
            "require_self_assessments": "on",
        },
    )
    assert response.status_code == 302
    created = Programme.objects.get(title="Developing talent")
    assert created.alliance == world["alliance"] and created.organisation is None
    assert created.starts_on == dt.date(2027, 1, 4)
    response = client.post("/programmes/new/", {"owner": f"o{org.pk}", "title": "", "weeks": "x"})
    assert (
        b"s title" in response.content and b"Enter the length as a whole number of weeks" in response.content
    )


def test_a_session_outside_the_dates_is_refused_with_a_message(world):
    client = signed_in(world["educator"])
    programme = world["programme"]
    late = programme.ends_on + dt.timedelta(days=3)
    response = client.post(
        f"/programmes/{programme.pk}/sessions/new/",
        {
            "topic": "Late",
            "day_day": late.day,
            "day_month": late.month,
            "day_year": late.year,
            "start": "14:30",
            "end": "16:00",
            "venue": "Room 1",
        },
    )
    assert response.status_code == 200 and b"within the programme" in response.content
    response = client.post(
        f"/programmes/{programme.pk}/sessions/new/",
        {
            "topic": "Bad time",
            "day_day": programme.starts_on.day,
            "day_month": programme.starts_on.month,
            "day_year": programme.starts_on.year,
            "start": "25:00",
            "end": "16:00",
            "venue": "Room 1",
        },
    )
    assert b"for example 14:30" in response.content


def test_a_worker_applies_and_a_second_application_is_refused(world):
    user, person = world["workers"][0]
    client = signed_in(user)
    programme = world["programme"]
    assert b"Apply for a place" in client.get(f"/programmes/{programme.pk}/").content
    data = {"statement": "I want to learn", "availability": "Not Mondays"}
    assert client.post(f"/programmes/{programme.pk}/apply/", data).status_code == 302
    assert Application.objects.filter(person=person).count() == 1
    again = client.post(f"/programmes/{programme.pk}/apply/", data)
    assert b"already applied" in again.content


def test_the_lead_allocates_pins_and_reruns(world):
    programme = world["programme"]
    for _, person in world["workers"]:
        make_application(programme, person)
    client = signed_in(world["educator"])
    assert client.post(f"/programmes/{programme.pk}/allocation/").status_code == 302
    page = client.get(f"/programmes/{programme.pk}/allocation/")
    assert b"Mix score" in page.content and b"Pin" in page.content
    someone = Participant.objects.order_by("pk")[0]
    client.post(f"/programmes/participants/{someone.pk}/placement/", {"action": "pin"})
    client.post(f"/programmes/{programme.pk}/allocation/")
    someone.refresh_from_db()
    assert someone.pinned


def test_an_outsider_cannot_see_the_alliance_programme(world):
    user, _ = world["outsider"]
    client = signed_in(user)
    assert client.get(f"/programmes/{world['programme'].pk}/").status_code == 404


def test_the_lead_adds_an_educator_of_a_member_trust(world):
    from cultivate.accounts.models import Role
    from cultivate.accounts.testing import make_user

    other = make_user(Role.EDUCATOR, organisation=world["orgs"][2])
    client = signed_in(world["educator"])
    page = client.get(f"/programmes/{world['programme'].pk}/leads/")
    assert other.full_name.encode() in page.content
    assert client.post(f"/programmes/{world['programme'].pk}/leads/", {"user": other.pk}).status_code == 302
    assert world["programme"].leads.filter(user=other).exists()


def test_the_line_manager_cannot_agree_protected_time_and_says_why(world):
    from cultivate.accounts.models import Role
    from cultivate.accounts.testing import make_user

    _user, person = world["workers"][1]
    application = make_application(world["programme"], person, status="submitted")
    manager = make_user(Role.LINE_MANAGER, organisation=person.organisation, teams=[person.spells.get().team])
    client = signed_in(manager)
    url = f"/programmes/applications/{application.pk}/"
    page = client.get(url).content.decode()
    assert "Agree protected time" in page and "Protected time cannot be agreed" in page
    empty = client.post(url, {"decline": "1", "decline-reason": ""})
    assert empty.status_code == 200 and "Say why protected time cannot be agreed" in empty.content.decode()
    client.post(url, {"decline": "1", "decline-reason": "Ward short-staffed until March"})
    application.refresh_from_db()
    assert application.status == "withdrawn" and "short-staffed" in application.reason
