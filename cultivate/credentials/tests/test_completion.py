from __future__ import annotations

import datetime as dt

import pytest

from cultivate.core.audit import AuditContext
from cultivate.credentials.models import CredentialKind, IssuedCredential
from cultivate.portfolio.tests.portfolio_factories import make_competence, make_framework
from cultivate.programmes.completion import ProgrammeCompletion, announce_completions

pytestmark = pytest.mark.django_db


def _completion(person, organisation, identifiers=()) -> ProgrammeCompletion:
    return ProgrammeCompletion(
        participant_id=41,
        person_id=person.pk,
        programme_id=7,
        cohort_id=3,
        issuer_organisation_id=None,
        issuer_alliance_id=organisation.alliance_id,
        title="Developing Healthcare Talent",
        description="Fourteen weeks across the alliance's trusts.",
        criteria="Attended at least 80% of sessions and completed both self-assessments.",
        completed_on=dt.date(2026, 11, 20),
        hours=42.0,
        competence_identifiers=tuple(identifiers),
    )


def test_closing_a_cohort_issues_each_completer_a_certificate_from_the_programmes_owner(
    worker, trust
) -> None:
    person, _ = worker
    organisation, _team = trust
    competence = make_competence(make_framework("Care", is_reference=True), "Communication")
    announce_completions(
        AuditContext.system("tests"), [_completion(person, organisation, [str(competence.identifier)])]
    )
    announce_completions(
        AuditContext.system("tests"), [_completion(person, organisation)]
    )  # again: no second
    (credential,) = IssuedCredential.objects.all()
    assert credential.kind == CredentialKind.PROGRAMME and credential.shared
    assert credential.key.alliance_id == organisation.alliance_id
    document = credential.document
    assert document["issuer"]["name"] == organisation.alliance.name
    assert document["validFrom"] == "2026-11-20T00:00:00Z"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"].startswith("Attended at least 80%")
    assert [a["targetCode"] for a in achievement["alignment"]] == [str(competence.identifier)]
