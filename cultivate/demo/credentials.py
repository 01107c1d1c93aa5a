"""Demo credentials: the certificates the programme's past cohorts received when they were closed (the
programmes demo closes them through its services, and the credentials app's completion listener issues one per
participant who completed), checked here as a verifier would; and a competence record for the demo support
worker, shared by link, made from their sign-offs.

Issuer keys are generated (Ed25519), so signatures differ from one load to the next; what is issued, to whom, and
the record's contents follow from the seed through the programmes and competence demos."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext
from cultivate.credentials import selectors, services, verification
from cultivate.credentials.models import (
    CompetenceRecord,
    CredentialKind,
    ImportedRecord,
    IssuedCredential,
    IssuerKey,
)
from cultivate.organisations.models import Alliance, Organisation

from .alliance import TRUSTS, demo_email


@dataclass(frozen=True)
class CredentialsDemoSummary:
    certificates: int
    verified: int
    record_sign_offs: int

    def lines(self) -> list[str]:
        return [
            f"  Certificates: {self.certificates} issued to the programme's past cohorts, {self.verified} verified; "
            f"the demo support worker's competence record holds {self.record_sign_offs} sign-offs"
        ]


def credentials_demo_load(*, alliance: Alliance, seed: int, today: dt.date) -> CredentialsDemoSummary:
    organisations = Organisation.objects.filter(alliance=alliance)
    certificates = list(
        IssuedCredential.objects.filter(kind=CredentialKind.PROGRAMME, person__organisation__in=organisations)
    )
    now = timezone.now()
    verified = sum(1 for c in certificates if verification.verify(c.document, now=now).is_valid)
    ctx = AuditContext.system("demo")
    record_sign_offs = 0
    worker = User.objects.filter(email=demo_email("support.worker")).select_related("person").first()
    if worker is not None and worker.person is not None and selectors.current_sign_offs(worker.person):
        membership = worker.memberships.filter(organisation=worker.person.organisation).first()
        record = services.competence_record_create(ctx=ctx, membership=membership, person=worker.person)
        services.competence_record_share(ctx=ctx, membership=membership, record=record, shared=True)
        record_sign_offs = record.credentials.count()
    return CredentialsDemoSummary(
        certificates=len(certificates), verified=verified, record_sign_offs=record_sign_offs
    )


def credentials_demo_delete(*, alliance: Alliance | None = None) -> None:
    """Remove the demo's credentials, records and issuer keys (before its people, sign-offs and trusts go)."""
    organisations = Organisation.objects.filter(ods_code__in=[plan.ods_code for plan in TRUSTS])
    people = {"person__organisation__in": organisations}
    ImportedRecord.objects.filter(**people).delete()
    CompetenceRecord.objects.filter(**people).delete()
    IssuedCredential.objects.filter(**people).delete()
    keys = IssuerKey.objects.filter(organisation__in=organisations)
    if alliance is not None:
        keys = keys | IssuerKey.objects.filter(alliance=alliance)
    else:
        keys = keys | IssuerKey.objects.filter(alliance__organisations__in=organisations)
    IssuerKey.objects.filter(pk__in=list(keys.values_list("pk", flat=True))).delete()
