"""`cultivate credentials export --out DIR`: every issued credential, one signed JSON file each, as holders
download them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{export}")
        export = sub.add_parser("export", help="Write every issued credential to DIR, one JSON file each.")
        export.add_argument(
            "--out", required=True, type=Path, help="The folder to write into (made if missing)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cultivate.core.audit import AuditContext
        from cultivate.credentials.export import export_all

        count = export_all(options["out"], ctx=AuditContext.system("credentials export"))
        self.stdout.write(f"{count} credentials written to {options['out']}")
