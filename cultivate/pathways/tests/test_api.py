import datetime as dt

import pytest
from django.test import Client

from cultivate.accounts import services as account_services
from cultivate.accounts import testing as t
from cultivate.accounts.models import Role
from cultivate.pathways import testing as pt
from cultivate.pathways.models import Pathway, QualificationKind

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    _token, secret = account_services.api_token_create(user=user, membership=user.memberships.get(), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_gives_pathways_qualifications_apprenticeships_and_readiness():
    pt.load_reference()
    org = t.make_organisation("RAA", alliance=t.make_alliance())
    other = t.make_organisation("RBB")
    Pathway.objects.create(code="theirs", title="Theirs", owner_organisation=other)
    person = t.make_person(org, team=t.make_team(org))
    pt.make_qualification(person, QualificationKind.CARE_CERTIFICATE)
    pt.make_apprenticeship(person, start=dt.date(2025, 9, 1), end=dt.date(2026, 9, 1))
    client = _client(t.make_user(Role.SUPPORT_WORKER, organisation=org, person=person))
    titles = {p["title"] for p in client.get("/api/pathways").json()}
    assert "Support worker to registered nurse" in titles and "Theirs" not in titles
    qualifications = client.get(f"/api/pathways/people/{person.pk}/qualifications").json()
    assert qualifications["qualifications"][0]["kind"] == "care_certificate"
    apprenticeship = client.get(f"/api/pathways/people/{person.pk}/apprenticeships").json()[0]
    assert apprenticeship["standard"] == "ST0827" and apprenticeship["off_the_job_required"] == "187"
    readiness = client.get(f"/api/pathways/people/{person.pk}/readiness").json()
    tna = next(r for r in readiness if r["title"] == "Trainee nursing associate")
    care = next(r for r in tna["requirements"] if r["summary"] == "Care Certificate")
    assert care["state"] == "met"
