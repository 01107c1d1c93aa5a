"""`cultivate backup FILE`: a backup of the database (pg_dump custom format, or SQLite's online backup)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cultivate.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database to a new file: PostgreSQL's custom format (pg_dump) or a copy of the "
        "SQLite database taken while the service runs. Restore it with `cultivate restore`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file to create (it must not exist)")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            backup(path, alias=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(f"Backed up the database to {path} ({path.stat().st_size:,} bytes).")
