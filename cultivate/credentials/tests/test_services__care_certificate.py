"""The Care Certificate as an Open Badges credential: issued on the worker's request or by the nightly command
once every standard is signed off and held, listed with the worker's certificates, verifiable on the public page
and by an independent verifier, aligned to each standard's CASE identifier."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from cultivate.accounts.testing import PASSWORD
from cultivate.core.models import Notification
from cultivate.credentials.models import CredentialKind, IssuedCredential
from cultivate.credentials.selectors import care_certificate_standards
from cultivate.organisations.testing import make_person
from cultivate.portfolio.tests.portfolio_factories import make_assessment

from .node import node_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(db):
    from cultivate.frameworks.reference import install

    install()
    found = care_certificate_standards()
    assert len(found) == 16  # the 2025 Care Certificate (shared/reference/care-certificate-standards.csv)
    return found


def test_the_nightly_command_issues_it_once_to_whoever_holds_every_standard(worker, trust, standards) -> None:
    person, user = worker
    organisation, team = trust
    almost = make_person(organisation, team=team)
    for standard in standards:
        make_assessment(person, standard)
    for standard in standards[1:]:
        make_assessment(almost, standard)
    call_command("credentials", "care-certificates", "--organisation", organisation.ods_code)
    (credential,) = IssuedCredential.objects.filter(kind=CredentialKind.CARE_CERTIFICATE)
    assert credential.person == person and credential.key.organisation == organisation
    assert Notification.objects.filter(user=user, title__icontains="Care Certificate").exists()
    call_command("credentials", "care-certificates")  # again: nobody new
    assert IssuedCredential.objects.filter(kind=CredentialKind.CARE_CERTIFICATE).count() == 1
    achievement = credential.document["credentialSubject"]["achievement"]
    assert achievement["name"] == "The Care Certificate"
    assert [a["targetCode"] for a in achievement["alignment"]] == [str(s.identifier) for s in standards]
    # With the worker's other certificates; shared by the worker, its public page says valid.
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    assert "The Care Certificate" in client.get("/credentials/").content.decode()
    assert client.get(f"/credentials/verify/{credential.identifier}/").status_code == 404  # not shared yet
    client.post(f"/credentials/{credential.identifier}/share/", {"shared": "yes"})
    page = Client().get(f"/credentials/verify/{credential.identifier}/")
    assert page.status_code == 200 and 'data-outcome="valid"' in page.content.decode()
    # An independent implementation agrees.
    (checked,) = node_verify([credential.document])
    assert checked["verified"] is True and checked["status"] == [False], checked


def test_the_worker_asks_for_it_from_their_certificates(worker, standards) -> None:
    person, user = worker
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    refused = client.post("/credentials/care-certificate/", follow=True)
    assert "not signed off yet" in refused.content.decode()
    for standard in standards:
        make_assessment(person, standard)
    assert client.post("/credentials/care-certificate/").status_code == 302
    assert IssuedCredential.objects.filter(person=person, kind=CredentialKind.CARE_CERTIFICATE).count() == 1
