"""`cultivate frameworks import-case FILE` and `cultivate frameworks export-case ID --out FILE`."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import-case,export-case}")
        from cultivate.frameworks.case import cli

        cli.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        from cultivate.frameworks.case import cli

        code = cli.run(options, self.stdout, self.stderr)
        if code:
            raise CommandError(f"frameworks {options['subcommand']} failed.", returncode=code)
