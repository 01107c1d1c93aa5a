"""A completion's own page (what, when, the offer, the competences it stands as evidence for, the evaluation)
and evaluations in the API."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cultivate.accounts import services as account_services
from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.learning import services
from cultivate.learning.models import Evaluation
from cultivate.learning.testing import make_completion, make_offer
from cultivate.organisations import testing as t
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    org = t.make_organisation("RX1")
    team = t.make_team(org, "Ward 1")
    worker = t.make_person(org, team, given_name="Wren")
    framework = make_framework(owner_organisation=org)
    awareness = make_competence(framework, "Mental health awareness")
    offer = make_offer(org, title="Mental health first aid", develops=[awareness])
    educator = make_user(Role.EDUCATOR, organisation=org)
    return {
        "org": org,
        "worker": worker,
        "offer": offer,
        "worker_user": make_user(Role.SUPPORT_WORKER, organisation=org, person=worker),
        "educator": educator,
        "analyst": make_user(Role.ANALYST, organisation=org),
        "outsider": make_user(Role.ORG_ADMIN, organisation=t.make_organisation("RX2")),
    }


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_completion_page_names_the_evidence_and_the_evaluation(scene):
    completion = services.completion_record(
        ctx=AuditContext(actor=scene["educator"]),
        membership=scene["educator"].memberships.get(),
        person=scene["worker"],
        offer=scene["offer"],
        completed_on=timezone.localdate() - dt.timedelta(days=2),
    )
    worker = client_for(scene["worker_user"])
    assert f"/learning/completions/{completion.pk}/" in worker.get("/learning/").content.decode()
    page = worker.get(f"/learning/completions/{completion.pk}/").content.decode()
    assert "Mental health awareness" in page and "see it in your portfolio" in page and "Evaluate it" in page
    Evaluation.objects.create(completion=completion, rating=5, useful="The scenarios")
    page = worker.get(f"/learning/completions/{completion.pk}/").content.decode()
    assert "You rated it 5 out of 5" in page
    # The educator sees the completion, never the evaluation; another organisation sees nothing.
    educator_page = (
        client_for(scene["educator"]).get(f"/learning/completions/{completion.pk}/").content.decode()
    )
    assert "Mental health awareness" in educator_page and "You rated" not in educator_page
    assert client_for(scene["outsider"]).get(f"/learning/completions/{completion.pk}/").status_code == 404


def test_imported_completion_page_says_no_evidence(scene):
    completion = make_completion(scene["worker"], offer=scene["offer"], on=dt.date(2025, 5, 1))
    completion.source = "import"
    completion.save()
    page = client_for(scene["worker_user"]).get(f"/learning/completions/{completion.pk}/").content.decode()
    assert "No portfolio evidence was made for it" in page and "imported" in page


def test_evaluations_in_the_api(scene):
    def api(user):
        _token, secret = account_services.api_token_create(
            user=user, membership=user.memberships.get(), name="t"
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    offer = scene["offer"]
    completions = []
    for n in range(6):
        person = t.make_person(scene["org"], given_name=f"P{n}")
        completions.append(make_completion(person, offer=offer, on=dt.date(2025, 6, 1)))
        Evaluation.objects.create(completion=completions[-1], rating=5 if n < 3 else 3)
    analyst = api(scene["analyst"])
    body = analyst.get(f"/api/learning/offers/{offer.pk}/evaluations").json()
    assert body["responses"] == 6 and body["mean_rating"] == 4.0 and body["rated_good"] == 0.5
    Evaluation.objects.filter(completion__in=completions[:3]).delete()
    body = analyst.get(f"/api/learning/offers/{offer.pk}/evaluations").json()
    assert body["suppressed"] and body["responses"] is None and body["mean_rating"] is None
    assert api(scene["worker_user"]).get(f"/api/learning/offers/{offer.pk}/evaluations").status_code == 403
    own = make_completion(scene["worker"], offer=offer, on=dt.date(2025, 6, 2))
    worker = api(scene["worker_user"])
    assert worker.get(f"/api/learning/completions/{own.pk}/evaluation").status_code == 404
    Evaluation.objects.create(completion=own, rating=2, change="Smaller groups")
    mine = worker.get(f"/api/learning/completions/{own.pk}/evaluation").json()
    assert mine["rating"] == 2 and mine["change"] == "Smaller groups"
    assert api(scene["educator"]).get(f"/api/learning/completions/{own.pk}/evaluation").status_code == 403
