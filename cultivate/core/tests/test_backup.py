"""`cultivate backup` and `cultivate restore`: a round trip into a fresh database gives the same rows in every
table and a working sign-in. On PostgreSQL (pg_dump and pg_restore) when DATABASE_URL points at it, as in the
PostgreSQL run of the suite, and on SQLite (its online backup API) otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cultivate.core.backup import table_counts
from cultivate.demo.alliance import demo_email
from cultivate.demo.generator import DEMO_PASSWORD, demo_create

ROOT = Path(__file__).resolve().parents[3]
# Run against the restored database: its row counts (before anything writes), then a sign-in.
CHECK = f"""
import json
from django.test import Client
from django.test.utils import setup_test_environment
from cultivate.core.backup import table_counts
setup_test_environment()
counts = table_counts()
client = Client()
wrong = client.post("/accounts/sign-in/", {{"email": "{demo_email("analyst")}", "password": "not-it"}})
right = client.post("/accounts/sign-in/", {{"email": "{demo_email("analyst")}", "password": "{DEMO_PASSWORD}"}})
print(json.dumps({{"counts": counts, "wrong": wrong.status_code, "right": right.status_code,
                  "home": client.get("/").status_code}}))
"""


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the same engine as the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"cultivate_restore_{uuid.uuid4().hex[:12]}"
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        yield f"postgres://{credentials}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cultivate(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.test",
        "DATABASE_URL": database_url,
        "CULTIVATE_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "cultivate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)  # pg_dump reads committed data only
def test_backup_restores_into_a_fresh_database_with_every_row_and_a_working_sign_in(tmp_path: Path) -> None:
    demo_create(scale=0.05)
    before = table_counts()
    assert before["accounts_user"] > 50 and before["organisations_person"] > 100
    backup = tmp_path / "cultivate.backup"
    call_command("backup", str(backup), verbosity=0)

    with fresh_database(tmp_path) as url:
        restored = cultivate(url, tmp_path, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        checked = cultivate(url, tmp_path, "shell", "-c", CHECK)
        assert checked.returncode == 0, checked.stderr
        result = json.loads(checked.stdout.strip().splitlines()[-1])

    assert result["counts"] == before
    assert (result["wrong"], result["right"], result["home"]) == (200, 302, 200)


@pytest.mark.django_db
def test_backup_and_restore_never_overwrite_without_being_told(tmp_path: Path) -> None:
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(existing), verbosity=0)
    assert existing.read_text() == "keep me"
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "missing.backup"), verbosity=0)
    # A restore never silently overwrites a database in use (this one has the migrated tables).
    with pytest.raises(CommandError, match="already has"):
        call_command("restore", str(existing), verbosity=0)
