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


def test_a_certificate_issued_after_the_lead_sets_the_competences_carries_their_alignments(trust) -> None:
    """The lead ticks the competences on the programme's page; closing a cohort afterwards issues
    certificates aligned to each competence's CASE identifier (and nothing for a domain)."""
    from django.test import Client
    from django.utils import timezone

    from cultivate.accounts.models import Role
    from cultivate.accounts.testing import PASSWORD, make_user
    from cultivate.portfolio.tests.portfolio_factories import make_domain
    from cultivate.programmes.models import Attendance
    from cultivate.programmes.testing import make_participant, make_programme, make_session, make_worker

    organisation, _team = trust
    educator = make_user(Role.EDUCATOR, organisation=organisation)
    programme = make_programme(organisation=organisation, lead=educator)
    programme.require_self_assessments = False
    programme.save()
    framework = make_framework("Support worker framework", is_reference=True)
    domain = make_domain(framework, "Communication")
    chosen = [
        make_competence(framework, "Listens and responds", parent=domain),
        make_competence(framework, "Explains care plans", parent=domain),
    ]
    make_competence(framework, "Not covered", parent=domain)
    lead = Client()
    assert lead.login(email=educator.email, password=PASSWORD)
    page = lead.get(f"/programmes/{programme.pk}/competences/?find=care plans")
    assert page.status_code == 200 and "Explains care plans" in page.content.decode()
    assert "Listens and responds" not in page.content.decode()
    saved = lead.post(f"/programmes/{programme.pk}/competences/", {"competences": [c.pk for c in chosen]})
    assert saved.status_code == 302
    assert "Listens and responds" in lead.get(f"/programmes/{programme.pk}/").content.decode()
    cohort = programme.cohorts.get()
    _user, person = make_worker(organisation)
    place = make_participant(cohort, person)
    session = make_session(programme, start=timezone.now() - dt.timedelta(days=1))
    Attendance.objects.create(session=session, participant=place, status="present", method="register")
    assert lead.post(f"/programmes/cohorts/{cohort.pk}/close/").status_code == 302
    (credential,) = IssuedCredential.objects.filter(person=person)
    alignment = credential.document["credentialSubject"]["achievement"]["alignment"]
    assert sorted(a["targetCode"] for a in alignment) == sorted(str(c.identifier) for c in chosen)
