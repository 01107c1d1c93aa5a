"""`cultivate pathways reference`: load (or refresh) the reference standards and pathways.
`cultivate pathways shortfalls [--date YYYY-MM-DD] [--queue]`: tell apprentices, their line managers and
educators when off-the-job hours have fallen behind (once each time; run it daily, after the reminders).
`cultivate pathways import-skills <ODS> <file.csv>`: import functional skills initial assessment results
(columns staff_id, subject, level, assessed_on, optional reassess_on); one bad row refuses the whole file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cultivate.core.audit import AuditContext
from cultivate.organisations.models import Organisation
from cultivate.pathways import services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date like 2026-06-15, not {value!r}") from error


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
        shortfalls = commands.add_parser(
            "shortfalls", help="Tell apprentices, managers and educators of off-the-job hours fallen behind."
        )
        shortfalls.add_argument("--date", type=_date, help="The day to check as of (default: today).")
        shortfalls.add_argument(
            "--queue", action="store_true", help="Enqueue the background task instead of running here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reference":
            loaded = services.reference_load()
            self.stdout.write(
                f"Loaded {loaded['standards']} standards and {loaded['pathways']} pathways "
                f"({loaded['steps']} steps)."
            )
            return
        if options["action"] == "shortfalls":
            self._shortfalls(options["date"], queue=options["queue"])
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

    def _shortfalls(self, day: dt.date | None, *, queue: bool) -> None:
        if queue:
            from cultivate.pathways.tasks import send_shortfall_notices

            result = send_shortfall_notices.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"Queued shortfall notices task {result.id}.")
            return
        report = services.shortfall_notices_send(on=day).as_dict()
        self.stdout.write(
            "Off-the-job hours: {behind} apprenticeships behind, {fell_behind} newly (telling "
            "{notifications} people), {caught_up} caught up.".format(**report)
        )
