"""`cultivate pathways reference`: load (or refresh) the reference standards and pathways.
`cultivate pathways import-skills <ODS> <file.csv>`: import functional skills initial assessment results
(columns staff_id, subject, level, assessed_on, optional reassess_on); one bad row refuses the whole file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Organisation
from cultivate.pathways import services


class Command(BaseCommand):
    help = "Career pathways: load the reference data, or import functional skills results."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("reference", help="Load the reference standards and pathways.")
        skills = commands.add_parser(
            "import-skills", help="Import functional skills initial assessment results."
        )
        skills.add_argument("ods_code")
        skills.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reference":
            loaded = services.reference_load()
            self.stdout.write(
                f"Loaded {loaded['standards']} standards and {loaded['pathways']} pathways "
                f"({loaded['steps']} steps)."
            )
            return
        organisation = Organisation.objects.filter(ods_code=options["ods_code"].upper()).first()
        if organisation is None:
            raise CommandError(f"No organisation with ODS code {options['ods_code']}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        try:
            count = services.skills_results_import(
                ctx=AuditContext.system("functional skills import"), organisation=organisation, rows=rows
            )
        except ValidationError as error:
            raise CommandError("Nothing imported:\n" + "\n".join(error.messages)) from error
        self.stdout.write(f"Imported {count} functional skills results for {organisation.name}.")
