"""The demo's certificates and competence record: generated once for this module by the `demo` command inside a
transaction that is rolled back afterwards."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cultivate.credentials import verification
from cultivate.credentials.models import CompetenceRecord, CredentialKind, IssuedCredential
from cultivate.programmes.models import Participant


@pytest.mark.django_db
def test_every_completer_of_the_past_cohorts_has_a_certificate_that_verifies(demo: str) -> None:
    completed = Participant.objects.filter(completed=True).count()
    certificates = list(IssuedCredential.objects.filter(kind=CredentialKind.PROGRAMME))
    assert completed > 0 and len(certificates) == completed
    now = timezone.now()
    assert all(verification.verify(c.document, now=now).is_valid for c in certificates)
    response = Client().get(f"/credentials/verify/{certificates[0].identifier}/")
    assert response.status_code == 200 and 'data-outcome="valid"' in response.content.decode()
    assert "Certificates:" in demo


@pytest.mark.django_db
def test_the_demo_worker_has_a_shared_competence_record(demo: str) -> None:
    record = CompetenceRecord.objects.get(person__user__email="support.worker@demo.cultivate.nhs.uk")
    assert record.shared and record.credentials.exists()
    response = Client().get(f"/credentials/shared/{record.token}/")
    assert response.status_code == 200 and 'data-outcome="valid"' in response.content.decode()


@pytest.mark.django_db
def test_the_demo_can_be_deleted_and_made_again(demo: str) -> None:
    out = StringIO()
    call_command("demo", "--seed", "2026", "--reset", stdout=out, verbosity=1)
    assert IssuedCredential.objects.filter(kind=CredentialKind.PROGRAMME).exists()
