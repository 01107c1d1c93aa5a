"""`cultivate insights import|measures|snapshot|report`: workforce analytics on a Parquet store, with or
without the web service. Each subcommand lives in `cultivate.insights.commands.<name>` as `add_arguments` and
`run(options, stdout, stderr) -> exit code`. The synthetic extract generator is a demo command
(`cultivate demo-extract`), so production, which has no demo app, has no generator."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError

SUBCOMMANDS = {
    "import": ("import_extract", "Import an ESR-style extract (folder, XLSX workbook or Parquet folder)."),
    "measures": ("measures", "Print the standard measures for a window as JSON or CSV."),
    "snapshot": ("snapshot", "Copy the service's own staff records into the store, pseudonymised."),
    "report": ("report", "Write the board report (HTML, or PDF) for a period and organisations."),
}


def _module(name: str) -> Any:
    return importlib.import_module(f"cultivate.insights.commands.{SUBCOMMANDS[name][0]}")


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{import,measures,snapshot,report}"
        )
        for name, (_module_name, help_text) in SUBCOMMANDS.items():
            module = _module(name)
            sub_parser = sub.add_parser(name, help=help_text, description=help_text)
            module.add_arguments(sub_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        code = _module(options["subcommand"]).run(options, self.stdout, self.stderr)
        if code:
            raise CommandError(f"insights {options['subcommand']} failed.", returncode=code)
