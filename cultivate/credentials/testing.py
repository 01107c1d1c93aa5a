"""Factories for tests: a programme-like certificate issued through the service, and a worker with sign-offs."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Alliance, Organisation, Person

from . import documents, services
from .models import CredentialKind, IssuedCredential

_seq = itertools.count(1)


def award(
    holder_name: str = "Sam Patel", *, valid_until: dt.date | None = None, **extra: object
) -> documents.Award:
    n = next(_seq)
    return documents.Award(
        name=f"Developing Healthcare Talent {n}",
        description="A 14-week development programme for clinical support workers.",
        criteria="Attended at least 80% of sessions and completed both self-assessments.",
        achievement_id=f"urn:cultivate:programme:test-{n}",
        achievement_type="Certificate",
        holder_name=holder_name,
        valid_from=documents.day_start(timezone.localdate() - dt.timedelta(days=1)),
        valid_until=documents.day_end(valid_until) if valid_until else None,
        **extra,  # type: ignore[arg-type]
    )


def make_credential(
    person: Person,
    *,
    organisation: Organisation | None = None,
    alliance: Alliance | None = None,
    shared: bool = True,
    valid_until: dt.date | None = None,
) -> IssuedCredential:
    issuer_org = organisation if organisation is not None or alliance is not None else person.organisation
    return services.credential_issue(
        ctx=AuditContext.system("tests"),
        kind=CredentialKind.PROGRAMME,
        person=person,
        award=award(person.display_name, valid_until=valid_until),
        source_key=f"test:{next(_seq)}",
        organisation=issuer_org,
        alliance=alliance,
        shared=shared,
    )
