from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_user
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.credentials import services, verification
from cultivate.credentials.models import CredentialKind
from cultivate.credentials.testing import award, make_credential
from cultivate.frameworks.models import Competence
from cultivate.frameworks.reference import CARE_CERTIFICATE
from cultivate.portfolio.tests.portfolio_factories import make_assessment

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("tests")


def test_issuing_again_for_the_same_source_gives_the_same_credential(worker) -> None:
    person, _ = worker
    first = make_credential(person)
    again = services.credential_issue(
        ctx=CTX,
        kind=CredentialKind.PROGRAMME,
        person=person,
        award=award("Someone Else"),
        source_key=first.source_key,
    )
    assert again.pk == first.pk
    assert AuditEvent.objects.filter(action="credential_issued").count() == 1


def test_keys_are_stored_encrypted_and_status_bits_are_distinct(worker) -> None:
    person, _ = worker
    first, second = make_credential(person), make_credential(person)
    key = first.key
    assert first.status_index != second.status_index
    raw = services._private(key).private_bytes_raw()
    assert raw not in bytes(key.private_key_encrypted)


def test_revoking_needs_a_reason_and_the_issuers_admin(worker, trust) -> None:
    person, user = worker
    credential = make_credential(person)
    admin = make_user(Role.ORG_ADMIN, organisation=trust[0]).memberships.get()
    with pytest.raises(PermissionDenied):
        services.credential_revoke(
            ctx=CTX, membership=user.memberships.get(), credential=credential, reason="x"
        )
    with pytest.raises(ValidationError):
        services.credential_revoke(ctx=CTX, membership=admin, credential=credential, reason=" ")
    services.credential_revoke(ctx=CTX, membership=admin, credential=credential, reason="Issued in error")
    result = verification.verify(credential.document, now=credential.issued_at.replace(year=2100))
    assert result.outcome == verification.Outcome.REVOKED
    assert AuditEvent.objects.filter(action="credential_revoked").exists()


def test_a_record_needs_current_sign_offs_and_revokes_stale_credentials(worker) -> None:
    from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework

    person, user = worker
    membership = user.memberships.get()
    with pytest.raises(ValidationError, match="no current sign-offs"):
        services.competence_record_create(ctx=CTX, membership=membership, person=person)
    framework = make_framework(is_reference=True)
    sign_off = make_assessment(person, make_competence(framework))
    first = services.competence_record_create(ctx=CTX, membership=membership, person=person)
    (credential,) = first.credentials.all()
    make_assessment(
        person, sign_off.competence, kind="withdrawal", supersedes=sign_off, reason="Wrong person"
    )
    make_assessment(person, make_competence(framework))
    services.competence_record_create(ctx=CTX, membership=membership, person=person)
    credential.refresh_from_db()
    assert credential.revoked_at is not None and "withdrawn" in credential.revoked_reason


def test_the_care_certificate_needs_every_standard(worker) -> None:
    from cultivate.frameworks.reference import install

    install()
    person, user = worker
    membership = user.memberships.get()
    standards = list(
        Competence.objects.filter(
            framework__identifier=CARE_CERTIFICATE, version__status="published", node_type="competence"
        )
    )
    assert standards
    with pytest.raises(ValidationError, match="not signed off yet"):
        services.care_certificate_issue(ctx=CTX, membership=membership, person=person)
    for standard in standards:
        make_assessment(person, standard)
    credential = services.care_certificate_issue(ctx=CTX, membership=membership, person=person)
    aligned = credential.document["credentialSubject"]["achievement"]["alignment"]
    assert len(aligned) == len(standards)
    assert {a["targetCode"] for a in aligned} == {str(s.identifier) for s in standards}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": ["VerifiablePresentation"], "verifiableCredential": []}, "holds no credentials"),
        (["not", "a", "credential"], "not genuine"),
        (
            {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
            "not genuine",
        ),
    ],
)
def test_an_unreadable_or_forged_record_is_refused_and_nothing_kept(worker, document, message) -> None:
    from cultivate.credentials.models import ImportedRecord

    person, user = worker
    with pytest.raises(services.RecordRefused, match=message):
        services.record_import(ctx=CTX, membership=user.memberships.get(), person=person, document=document)
    assert not ImportedRecord.objects.exists()
    assert AuditEvent.objects.filter(action="competence_record_refused").exists()


def test_a_certificate_is_not_a_sign_off_to_recognise(worker) -> None:
    person, user = worker
    certificate = make_credential(person)
    with pytest.raises(services.RecordRefused, match="not a signed-off competence"):
        services.record_import(
            ctx=CTX, membership=user.memberships.get(), person=person, document=certificate.document
        )
