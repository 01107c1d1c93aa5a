from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from cultivate.core.models import AuditEvent
from cultivate.credentials.testing import make_credential

pytestmark = pytest.mark.django_db


def test_export_writes_each_credential_as_the_holder_downloads_it(worker, tmp_path, client) -> None:
    person, user = worker
    first, second = make_credential(person), make_credential(person)
    call_command("credentials", "export", "--out", str(tmp_path / "archive"))
    files = sorted((tmp_path / "archive").glob("*.json"))
    assert [f.stem for f in files] == sorted([str(first.identifier), str(second.identifier)])
    client.force_login(user)
    downloaded = client.get(f"/credentials/{first.identifier}/credential.json")
    assert json.loads((tmp_path / "archive" / f"{first.identifier}.json").read_text()) == json.loads(
        downloaded.content
    )
    assert AuditEvent.objects.filter(action="credentials_exported").exists()
