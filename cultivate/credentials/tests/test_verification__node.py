"""An independent implementation checks what Cultivate issues: @digitalbazaar/vc with the eddsa-rdfc-2022
cryptosuite and the Bitstring Status List checker, run with node, with only the shipped contexts."""

from __future__ import annotations

import copy

import pytest

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.credentials import services
from cultivate.credentials.testing import make_credential
from cultivate.organisations.testing import make_organisation, make_person, make_team
from cultivate.portfolio.tests.portfolio_factories import make_assessment, make_competence, make_framework

from .node import node_verify

pytestmark = pytest.mark.django_db


def test_a_cultivate_credential_verifies_and_a_tampered_copy_does_not(worker) -> None:
    person, _ = worker
    credential = make_credential(person)
    tampered = copy.deepcopy(credential.document)
    tampered["credentialSubject"]["name"] = "Someone Else"
    genuine, changed = node_verify([credential.document, tampered])
    assert genuine["verified"] is True, genuine
    assert genuine["status"] == [False]
    assert changed["verified"] is False


def test_a_revoked_credential_reports_revoked(worker, trust) -> None:
    person, _ = worker
    organisation, _team = trust
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    credential = make_credential(person)
    kept = make_credential(person)
    services.credential_revoke(
        ctx=AuditContext.system("tests"),
        membership=admin.memberships.get(),
        credential=credential,
        reason="Issued in error",
    )
    revoked, other = node_verify([credential.document, kept.document])
    assert revoked["statusVerified"] is True and revoked["status"] == [True]
    assert other["status"] == [False]


def test_after_a_key_rotation_old_credentials_stay_valid(worker, trust) -> None:
    person, _ = worker
    organisation, _team = trust
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    old = make_credential(person)
    services.issuer_key_rotate(
        ctx=AuditContext.system("tests"), membership=admin.memberships.get(), organisation=organisation
    )
    new = make_credential(person)
    assert old.key_id != new.key_id and old.document["issuer"]["id"] != new.document["issuer"]["id"]
    # The old key still signs its list: revoking an old credential after the rotation is seen too.
    services.credential_revoke(
        ctx=AuditContext.system("tests"),
        membership=admin.memberships.get(),
        credential=new,
        reason="Duplicate",
    )
    first, second = node_verify([old.document, new.document])
    assert first["verified"] is True and first["status"] == [False]
    assert second["status"] == [True]


def test_a_competence_record_from_a_imports_into_b_and_a_tampered_one_is_refused(trust) -> None:
    organisation_a, team_a = trust
    framework = make_framework("Clinical skills", is_reference=True)
    competence = make_competence(framework, "Measure blood glucose", reassess_months=12)
    person_a = make_person(organisation_a, team=team_a, given_name="Sam", family_name="Patel")
    user = make_user(Role.SUPPORT_WORKER, organisation=organisation_a, person=person_a)
    assessor_a = make_user(Role.ASSESSOR, organisation=organisation_a, teams=[team_a])
    make_assessment(person_a, competence, assessor=assessor_a)
    record = services.competence_record_create(
        ctx=AuditContext.system("tests"), membership=user.memberships.get(), person=person_a
    )
    documents = [c.document for c in record.credentials.all()]
    assert [r["verified"] for r in node_verify(documents)] == [True]

    organisation_b = make_organisation(alliance=organisation_a.alliance)
    team_b = make_team(organisation_b)
    person_b = make_person(organisation_b, team=team_b, given_name="Sam", family_name="Patel")
    user.person = person_b
    user.save()
    worker_b = make_user(Role.SUPPORT_WORKER, organisation=organisation_b)
    worker_b.memberships.update(user=user)
    make_user(Role.ASSESSOR, organisation=organisation_b, teams=[team_b])
    membership_b = user.memberships.get(organisation=organisation_b)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": documents,
    }

    tampered = copy.deepcopy(presentation)
    tampered["verifiableCredential"][0]["credentialSubject"]["result"][0]["value"] = "Expert"
    with pytest.raises(services.RecordRefused, match="not genuine"):
        services.record_import(
            ctx=AuditContext.system("tests"), membership=membership_b, person=person_b, document=tampered
        )
    assert node_verify(tampered["verifiableCredential"])[0]["verified"] is False

    imported = services.record_import(
        ctx=AuditContext.system("tests"), membership=membership_b, person=person_b, document=presentation
    )
    (item,) = imported.items.all()
    assert item.state == "waiting" and item.competence is not None and item.signoff_request is not None
    assert item.assessor_name == assessor_a.full_name and item.registration.startswith("NMC")
