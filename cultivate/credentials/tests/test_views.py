from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.credentials import selectors, services
from cultivate.credentials.models import IssuerKey
from cultivate.credentials.testing import make_credential
from cultivate.organisations.testing import make_organisation, make_person

pytestmark = pytest.mark.django_db


def _outcome(response) -> str:
    text = response.content.decode()
    return text.split('data-outcome="', 1)[1].split('"', 1)[0]


def test_the_verification_page_says_valid_without_signing_in(worker, client) -> None:
    person, _ = worker
    credential = make_credential(person)
    response = client.get(f"/credentials/verify/{credential.identifier}/")
    assert response.status_code == 200
    assert _outcome(response) == "valid"
    assert "This credential is valid" in response.content.decode()
    assert person.display_name in response.content.decode()


def test_the_verification_page_says_revoked_with_the_reason(worker, trust, client) -> None:
    person, _ = worker
    admin = make_user(Role.ORG_ADMIN, organisation=trust[0])
    credential = make_credential(person)
    services.credential_revoke(
        ctx=AuditContext.system("tests"),
        membership=admin.memberships.get(),
        credential=credential,
        reason="Issued in error",
    )
    response = client.get(f"/credentials/verify/{credential.identifier}/")
    assert _outcome(response) == "revoked"
    assert "Revoked (Issued in error)" in response.content.decode()


def test_the_verification_page_says_expired(worker, client) -> None:
    person, _ = worker
    credential = make_credential(person, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert _outcome(client.get(f"/credentials/verify/{credential.identifier}/")) == "expired"


def test_never_valid_when_the_status_list_cannot_be_read(worker, client) -> None:
    person, _ = worker
    credential = make_credential(person)
    IssuerKey.objects.filter(pk=credential.key_id).update(status_list={})
    response = client.get(f"/credentials/verify/{credential.identifier}/")
    assert _outcome(response) == "unchecked"
    assert "could not be checked" in response.content.decode()


def test_only_shared_credentials_have_a_public_page_and_only_the_holder_shares(worker, trust, client) -> None:
    person, user = worker
    credential = make_credential(person, shared=False)
    assert client.get(f"/credentials/verify/{credential.identifier}/").status_code == 404
    admin = make_user(Role.ORG_ADMIN, organisation=trust[0])
    client.force_login(admin)
    assert client.post(f"/credentials/{credential.identifier}/share/", {"shared": "yes"}).status_code == 403
    client.force_login(user)
    assert client.post(f"/credentials/{credential.identifier}/share/", {"shared": "yes"}).status_code == 302
    assert client.get(f"/credentials/verify/{credential.identifier}/").status_code == 200


def test_an_admins_download_is_audited_and_another_trust_sees_nothing(worker, trust, client) -> None:
    person, user = worker
    credential = make_credential(person)
    client.force_login(user)
    assert client.get(f"/credentials/{credential.identifier}/credential.json").status_code == 200
    assert not AuditEvent.objects.filter(action="credential_downloaded").exists()
    admin = make_user(Role.ORG_ADMIN, organisation=trust[0])
    client.force_login(admin)
    assert client.get(f"/credentials/{credential.identifier}/credential.json").status_code == 200
    assert AuditEvent.objects.filter(action="credential_downloaded").count() == 1
    other = make_user(Role.ORG_ADMIN, organisation=make_organisation())
    client.force_login(other)
    assert client.get(f"/credentials/{credential.identifier}/").status_code == 404


def test_the_pdf_certificate_has_a_qr_code_to_its_page(worker, client) -> None:
    from cultivate.credentials.certificate import certificate_html

    person, user = worker
    credential = make_credential(person)
    html = certificate_html(credential)
    assert "<svg" in html and f"/credentials/verify/{credential.identifier}/" in html
    client.force_login(user)
    response = client.get(f"/credentials/{credential.identifier}/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_checking_an_unreadable_or_forged_file_says_so(worker, client) -> None:
    person, _ = worker
    credential = make_credential(person)
    response = client.post("/credentials/check/", {"text": "{not json"})
    assert "cannot be read as JSON" in response.content.decode()
    forged = dict(credential.document, name="Something grander")
    import json

    response = client.post("/credentials/check/", {"text": json.dumps(forged)})
    assert _outcome(response) == "not_genuine"
    assert "changed since it was issued" in response.content.decode()


def test_a_status_list_is_public_json(worker, client) -> None:
    person, _ = worker
    credential = make_credential(person)
    response = client.get(f"/credentials/status/{credential.key.public_key}/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["issuer"] == credential.document["issuer"]["id"]


def test_a_worker_brings_a_record_and_an_assessor_confirms_it_in_one_step(trust, client) -> None:
    from cultivate.organisations.testing import make_team
    from cultivate.portfolio.models import Assessment
    from cultivate.portfolio.tests.portfolio_factories import make_assessment, make_competence, make_framework

    organisation_a, team_a = trust
    framework = make_framework("Clinical skills", is_reference=True)
    competence = make_competence(framework, "Measure blood glucose", assessed_in_practice=True)
    person_a = make_person(organisation_a, team=team_a)
    user = make_user(Role.SUPPORT_WORKER, organisation=organisation_a, person=person_a)
    make_assessment(person_a, competence)
    client.force_login(user)
    client.post("/credentials/records/new/")
    record = selectors.records_visible_to(user.memberships.get()).get()
    document = client.get(f"/credentials/records/{record.token}/record.json").content

    organisation_b = make_organisation(alliance=organisation_a.alliance)
    team_b = make_team(organisation_b)
    person_b = make_person(organisation_b, team=team_b)
    newcomer = make_user(Role.SUPPORT_WORKER, organisation=organisation_b, person=person_b)
    assessor = make_user(Role.ASSESSOR, organisation=organisation_b, teams=[team_b])
    client.force_login(newcomer)
    response = client.post("/credentials/bring/", {"text": document.decode()}, follow=True)
    assert "Your record was checked and brought in." in response.content.decode()

    client.force_login(assessor)
    page = client.get("/credentials/recognition/")
    assert "Measure blood glucose" in page.content.decode()
    item = selectors.recognitions_waiting(assessor.memberships.get()).get()
    client.post(f"/credentials/recognition/{item.pk}/confirm/")
    sign_off = Assessment.objects.get(person=person_b)
    assert sign_off.assessor == assessor and "Recognised prior assessment" in sign_off.comments
    assert AuditEvent.objects.filter(action="prior_assessment_confirmed").exists()


def test_the_verification_page_reads_a_status_list_another_service_serves(
    worker, trust, settings, monkeypatch
):
    """A credential whose status list another Cultivate serves (here this one, at another address): with
    fetching allowed, the page fetches the list, checks its proof, and reads the bit; a list whose proof does not
    hold, or fetching not allowed, is "could not be checked", never valid."""
    import io
    import json

    from django.test import Client

    from cultivate.credentials import status_lists

    person, _ = worker
    admin = make_user(Role.ORG_ADMIN, organisation=trust[0])
    settings.SITE_URL = "https://other.example"
    credential = make_credential(person)  # its status list entry names the other service
    settings.SITE_URL = "http://testserver"
    url = credential.document["credentialStatus"]["statusListCredential"]
    assert url.startswith("https://other.example/credentials/status/")
    served = Client()
    fetched: list[str] = []
    tamper = {"on": False}

    def urlopen(request, timeout):
        fetched.append(request.full_url)
        answer = served.get(request.full_url.removeprefix("https://other.example"))
        assert answer.status_code == 200 and timeout == status_lists.FETCH_TIMEOUT_S
        body = answer.content
        if tamper["on"]:
            document = json.loads(body)
            document["credentialSubject"]["encodedList"] = (
                document["credentialSubject"]["encodedList"][:-4] + "AAAA"
            )
            body = json.dumps(document).encode()
        return io.BytesIO(body)

    monkeypatch.setattr("cultivate.credentials.status_lists.urllib.request.urlopen", urlopen)
    page = f"/credentials/verify/{credential.identifier}/"
    client = Client()
    settings.CREDENTIALS_FETCH_STATUS_LISTS = False
    assert _outcome(client.get(page)) == "unchecked" and not fetched
    settings.CREDENTIALS_FETCH_STATUS_LISTS = True
    assert _outcome(client.get(page)) == "valid" and fetched == [url]
    services.credential_revoke(
        ctx=AuditContext.system("tests"),
        membership=admin.memberships.get(),
        credential=credential,
        reason="Error",
    )
    assert _outcome(client.get(page)) == "revoked"
    tamper["on"] = True
    assert _outcome(client.get(page)) == "unchecked"
