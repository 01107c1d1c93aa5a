import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.learning.models import Enrolment, EnrolmentStatus, Evaluation, Offer
from cultivate.learning.testing import make_offer, make_session, make_subject
from cultivate.organisations import testing as t
from cultivate.portfolio.models import Evidence
from cultivate.portfolio.tests.portfolio_factories import (
    give_role,
    make_competence,
    make_framework,
    make_role,
    require,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    org = t.make_organisation("RX1", alliance=t.make_alliance())
    team = t.make_team(org, "Ward 1")
    manager_person = t.make_person(org, team, given_name="Mo")
    worker = t.make_person(org, given_name="Wren")
    t.make_spell(worker, team=team, line_manager=manager_person)
    hca = make_role("Healthcare assistant")
    give_role(worker, hca)
    framework = make_framework(owner_organisation=org)
    awareness = make_competence(framework, "Mental health awareness")
    require(org, hca, awareness, "supervised")
    make_subject(org, "Fire safety")
    return {
        "org": org,
        "team": team,
        "worker": worker,
        "awareness": awareness,
        "worker_user": make_user(Role.SUPPORT_WORKER, organisation=org, person=worker),
        "manager": make_user(Role.LINE_MANAGER, organisation=org, teams=[team], person=manager_person),
        "educator": make_user(Role.EDUCATOR, organisation=org),
    }


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_my_learning_shows_what_to_do_next(scene):
    offer = make_offer(scene["org"], title="Mental health first aid", develops=[scene["awareness"]])
    make_session(offer, starts_in_days=10)
    page = client_for(scene["worker_user"]).get("/learning/").content.decode()
    assert "Mental health awareness" in page and "Fire safety" in page
    assert "Mental health first aid" in page and "Next session" in page


def test_worker_asks_manager_approves(scene):
    session = make_session(make_offer(scene["org"]))
    worker = client_for(scene["worker_user"])
    assert worker.post(f"/learning/sessions/{session.pk}/enrol/").status_code == 302
    enrolment = Enrolment.objects.get()
    manager = client_for(scene["manager"])
    assert "Wren" in manager.get("/learning/requests/").content.decode()
    response = manager.post(
        f"/learning/enrolments/{enrolment.pk}/decide/", {"decision": "approve", "protected_time": "on"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.BOOKED and enrolment.protected_time


def test_manager_books_and_full_session_message(scene):
    session = make_session(make_offer(scene["org"]), capacity=1)
    manager = client_for(scene["manager"])
    assert (
        manager.post(f"/learning/sessions/{session.pk}/book/", {"person": scene["worker"].pk}).status_code
        == 302
    )
    other = t.make_person(scene["org"], scene["team"])
    page = manager.post(f"/learning/sessions/{session.pk}/book/", {"person": other.pk}).content.decode()
    assert "This session is full" in page


def test_worker_completes_evaluates_and_evidence_is_in_portfolio(scene):
    offer = make_offer(scene["org"], develops=[scene["awareness"]])
    session = make_session(offer, starts_in_days=-1)
    enrolment = session.enrolments.create(person=scene["worker"], status=EnrolmentStatus.BOOKED)
    worker = client_for(scene["worker_user"])
    today = timezone.localdate()
    response = worker.post(
        f"/learning/enrolments/{enrolment.pk}/complete/",
        {"completed_on_day": today.day, "completed_on_month": today.month, "completed_on_year": today.year},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(person=scene["worker"])
    assert scene["awareness"] in evidence.competences.all()
    assert evidence.title in worker.get("/portfolio/evidence/").content.decode()
    response = worker.post(response["Location"], {"rating": "4", "useful": "Role play"})
    assert response.status_code == 302 and Evaluation.objects.get().rating == 4


def test_completion_date_before_the_session_is_refused_in_words(scene):
    session = make_session(make_offer(scene["org"]), starts_in_days=-1)
    enrolment = session.enrolments.create(person=scene["worker"], status=EnrolmentStatus.BOOKED)
    early = timezone.localdate() - dt.timedelta(days=10)
    page = (
        client_for(scene["worker_user"])
        .post(
            f"/learning/enrolments/{enrolment.pk}/complete/",
            {
                "completed_on_day": early.day,
                "completed_on_month": early.month,
                "completed_on_year": early.year,
            },
        )
        .content.decode()
    )
    assert "must be on or after the session" in page


def test_educator_adds_an_offer_negative_cost_refused(scene):
    educator = client_for(scene["educator"])
    data = {
        "title": "PMVA",
        "code": "pmva",
        "kind": "internal_course",
        "provider": "L&D",
        "mode": "classroom",
        "hours": "7",
        "cost_per_place": "-3",
    }
    page = educator.post("/learning/offers/new/", data).content.decode()
    assert "The cost per place must be £0 or more" in page and not Offer.objects.exists()
    data["cost_per_place"] = "30"
    assert educator.post("/learning/offers/new/", data).status_code == 302


def test_gaps_page_and_xlsx(scene):
    educator = client_for(scene["educator"])
    page = educator.get("/learning/organisations/RX1/gaps/").content.decode()
    assert "Mental health awareness" in page and "Gap: no offer develops it" in page
    response = educator.get("/learning/organisations/RX1/gaps.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Competence" and "Mental health awareness" in rows[1][0]


def test_team_page_and_subject_renewal_zero(scene):
    manager = client_for(scene["manager"])
    page = manager.get(f"/learning/teams/{scene['team'].pk}/").content.decode()
    assert "Fire safety" in page and "Mental health awareness" in page
    educator = client_for(scene["educator"])
    subject = scene["org"].mandatory_subjects.get()
    page = educator.post(
        f"/learning/subjects/{subject.pk}/", {"form": "renewal", "renewal_months": "0"}
    ).content.decode()
    assert "Enter a renewal period of at least 1 month" in page
