"""`cultivate restore FILE`: restore a backup made by `cultivate backup` into an empty database."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cultivate.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `cultivate backup` into the database DATABASE_URL names, which must be new "
        "and empty unless --replace is given. Run `cultivate migrate` afterwards when restoring into a newer "
        "release."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument(
            "--replace", action="store_true", help="overwrite everything in a database that is not empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            restore(path, alias=options["database"], replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(f"Restored the database from {path}.")
