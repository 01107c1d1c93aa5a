"""Database backups and restores (`cultivate backup` and `cultivate restore`).

PostgreSQL: pg_dump's custom format, restored by pg_restore in one transaction. SQLite: SQLite's online backup
API, which copies a consistent snapshot while the service keeps running. Uploaded files and the insights store
are plain folders: back them up with the server's file backups (docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections


class BackupError(Exception):
    """A backup or restore that could not be done, with a message for the person running it."""


def _engine(alias: str) -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools (Debian: postgresql-client), of the "
            "server's major version or newer."
        )
    return found


def _pg_connection(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, and an environment carrying the password (never an argument,
    which other users of the machine could read)."""
    settings: dict[str, Any] = connections[alias].settings_dict
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return [*args, "--dbname", str(settings["NAME"])], env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")


def backup(path: Path, alias: str = "default") -> None:
    """Write a backup of the database to path (a new file)."""
    if path.exists():
        raise BackupError(f"{path} already exists: name a new file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if _engine(alias) == "postgresql":
        args, env = _pg_connection(alias)
        try:
            _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(path), *args], env)
        except BackupError:
            path.unlink(missing_ok=True)
            raise
        return
    connection = connections[alias]
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        # The live connection is the source, so an in-memory database (the tests) backs up the same way.
        connection.connection.backup(target)
    finally:
        target.close()


def restore(path: Path, alias: str = "default", replace: bool = False) -> None:
    """Restore a backup made by backup() into the database. It must be empty unless replace is set."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    connection = connections[alias]
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupError(
            f"The database already has {len(tables)} tables. Restore into a new, empty database, "
            "or give --replace to overwrite everything in this one."
        )
    if _engine(alias) == "postgresql":
        args, env = _pg_connection(alias)
        connection.close()
        options = ["--clean", "--if-exists"] if replace else []
        # One transaction: a restore that fails part-way leaves the database as it was.
        _run(
            [
                _pg_tool("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                *options,
                *args,
                str(path),
            ],
            env,
        )
        return
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{path} is not a sound SQLite database.")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup: {error}") from error
    finally:
        source.close()


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows in every table: compare a restored database with its source."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            counts[table] = int(cursor.fetchone()[0])
    return counts
