"""Pathways pages: public routes, a worker's pathway and readiness, qualifications, apprenticeships, who is
ready."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.core.models import AuditEvent
from cultivate.pathways import testing as pt
from cultivate.pathways.audit_actions import PathwaysAction
from cultivate.pathways.models import OffTheJobEntry, Qualification, QualificationKind, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    pt.load_reference()
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    team = t.make_team(org)
    person = t.make_person(org, given_name="Priya", family_name="Shah")
    t.make_spell(person, team=team, band="3", start=dt.date(2024, 1, 1))
    return {
        "org": org,
        "team": team,
        "person": person,
        "worker": t.make_user(Role.SUPPORT_WORKER, organisation=org, person=person),
        "manager": t.make_user(Role.LINE_MANAGER, organisation=org, teams=[team]),
        "educator": t.make_user(Role.EDUCATOR, organisation=org),
        "admin": t.make_user(Role.ORG_ADMIN, organisation=org),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_public_routes_need_no_sign_in_and_show_nothing_personal(scene):
    pt.make_qualification(scene["person"], QualificationKind.CARE_CERTIFICATE)
    response = Client().get("/pathways/routes/raa/")
    assert response.status_code == 200
    page = text(response)
    assert "Progression routes" in page and "Trainee nursing associate" in page
    assert "Band 3" in page and "Nursing associate (NMC 2018) apprenticeship, level 5 (ST0827)" in page
    assert "Priya" not in page and "Shah" not in page
    assert Client().get("/pathways/routes/ZZZ/").status_code == 404


def test_the_worker_sees_what_is_left_in_plain_words(scene):
    home = text(client_for(scene["worker"]).get("/"))
    assert "What is left for me to become a nursing associate" in home
    page = text(client_for(scene["worker"]).get("/pathways/me/"))
    assert "What is left for you to become a nursing associate" in page
    assert "4 things left before you can become a trainee nursing associate." in page
    assert "Ask an educator for a functional skills English initial assessment" in page
    assert "Talk to your line manager" in page


def test_a_qualification_in_the_future_is_refused_on_the_page_and_nothing_saved(scene):
    future = timezone.localdate() + dt.timedelta(days=10)
    response = client_for(scene["worker"]).post(
        f"/pathways/people/{scene['person'].pk}/qualifications/new/",
        {
            "kind": "care_certificate",
            "awarded_on_day": future.day,
            "awarded_on_month": future.month,
            "awarded_on_year": future.year,
            "evidence": "Cert 1",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not Qualification.objects.exists()


def test_the_admin_confirms_a_recorded_qualification_and_it_is_audited(scene):
    worker = client_for(scene["worker"])
    response = worker.post(
        f"/pathways/people/{scene['person'].pk}/qualifications/new/",
        {
            "kind": "care_certificate",
            "awarded_on_day": "3",
            "awarded_on_month": "3",
            "awarded_on_year": "2025",
            "evidence": "Cert 1",
        },
    )
    assert response.status_code == 302
    qualification = Qualification.objects.get()
    assert worker.post(f"/pathways/qualifications/{qualification.pk}/confirm/").status_code == 403
    listing = text(client_for(scene["admin"]).get("/pathways/"))
    assert "Qualifications waiting for you to confirm" in listing and "Priya" in listing
    client_for(scene["admin"]).post(f"/pathways/qualifications/{qualification.pk}/confirm/")
    qualification.refresh_from_db()
    assert qualification.status == "confirmed"
    assert AuditEvent.objects.filter(action=PathwaysAction.QUALIFICATION_CONFIRMED).exists()


def test_a_step_follows_one_chosen_from_the_steps_the_role_sees(scene):
    pathway = pt.make_pathway(owner_organisation=scene["org"])
    first = Step.objects.create(pathway=pathway, code="a", title="A")
    second = Step.objects.create(pathway=pathway, code="b", title="B", previous=first)
    educator = client_for(scene["educator"])
    # A new step cannot close a circle; a changed one can, and the service refuses it (test_services).
    response = educator.post(
        f"/pathways/{pathway.pk}/steps/new/", {"title": "C", "code": "c", "band": "", "previous": second.pk}
    )
    assert response.status_code == 302
    assert Step.objects.get(code="c").previous == second


def test_a_circular_pathway_is_refused_on_the_page_and_nothing_saved(scene):
    pathway = pt.make_pathway(owner_organisation=scene["org"])
    first = Step.objects.create(pathway=pathway, code="a", title="A")
    Step.objects.create(pathway=pathway, code="b", title="B", previous=first)
    second = Step.objects.get(code="b")
    response = client_for(scene["educator"]).post(
        f"/pathways/{pathway.pk}/steps/{first.pk}/edit/",
        {"title": "A", "code": "a", "band": "", "previous": second.pk},
    )
    assert "This would make a circle: a step cannot lead back to itself" in text(response)
    first.refresh_from_db()
    assert first.previous is None


def test_the_apprentice_logs_hours_and_sees_the_shortfall(scene):
    start = timezone.localdate() - dt.timedelta(days=120)
    apprenticeship = pt.make_apprenticeship(
        scene["person"], pt.standard("ST0827"), start=start, end=start + dt.timedelta(days=730)
    )
    client = client_for(scene["worker"])
    page = text(client.get(f"/pathways/apprenticeships/{apprenticeship.pk}/"))
    assert "Behind on off-the-job hours" in page
    day = timezone.localdate() - dt.timedelta(days=1)
    too_many = client.post(
        f"/pathways/apprenticeships/{apprenticeship.pk}/",
        {
            "on_day": day.day,
            "on_month": day.month,
            "on_year": day.year,
            "hours": "9",
            "activity": "Study day",
        },
    )
    assert "more than the 7.5 hours contracted that day" in text(too_many)
    assert not OffTheJobEntry.objects.exists()
    ok = client.post(
        f"/pathways/apprenticeships/{apprenticeship.pk}/",
        {
            "on_day": day.day,
            "on_month": day.month,
            "on_year": day.year,
            "hours": "7.5",
            "activity": "Study day",
        },
    )
    assert ok.status_code == 302
    assert "7.5 hours, Study day" in text(client.get(f"/pathways/apprenticeships/{apprenticeship.pk}/"))


def test_the_manager_sees_who_is_ready(scene):
    person = scene["person"]
    for kind in (
        QualificationKind.GCSE_ENGLISH,
        QualificationKind.GCSE_MATHS,
        QualificationKind.CARE_CERTIFICATE,
    ):
        pt.make_qualification(person, kind)
    manager = client_for(scene["manager"])
    step = pt.step("trainee-nursing-associate")
    manager.post(f"/pathways/people/{person.pk}/support/", {"step": step.pk})
    page = text(manager.get("/pathways/organisations/RAA/readiness/"))
    assert "Trainee nursing associate" in page
    assert "Priya Shah" in page


def test_outcomes_by_cohort_suppress_small_numbers(scene):
    analyst = t.make_user(Role.ANALYST, organisation=scene["org"])
    for _ in range(3):
        pt.make_apprenticeship(
            t.make_person(scene["org"]),
            start=dt.date(2024, 1, 8),
            end=dt.date(2025, 7, 8),
            outcome="kept_on",
            outcome_on=dt.date(2025, 8, 1),
        )
    html = client_for(analyst).get("/pathways/organisations/RAA/apprenticeships/").content.decode()
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">[c]</td>' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">3</td>' not in html
    assert "Priya" not in html


def test_readiness_links_progression_by_group_for_roles_that_read_insights(scene):
    link = "/pathways/organisations/RAA/readiness/"
    assert "/insights/organisations/RAA/dashboards/fairness/" in text(client_for(scene["admin"]).get(link))
    # Educators do not read the workforce dashboards.
    assert "/dashboards/fairness/" not in text(client_for(scene["educator"]).get(link))
