"""`cultivate credentials export --out DIR`: every issued credential, one signed JSON file each, as holders
download them. `cultivate credentials care-certificates [--organisation ODS]`: the Care Certificate for everyone
who now holds every standard and has none yet (run nightly; each worker can also ask for theirs at once)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{export,care-certificates}")
        export = sub.add_parser("export", help="Write every issued credential to DIR, one JSON file each.")
        export.add_argument(
            "--out", required=True, type=Path, help="The folder to write into (made if missing)."
        )
        care = sub.add_parser(
            "care-certificates",
            help="Issue the Care Certificate to everyone who holds every standard and has none yet.",
        )
        care.add_argument("--organisation", default="", help="Only this organisation (ODS code).")

    def handle(self, *args: Any, **options: Any) -> None:
        from cultivate.core.audit import AuditContext

        if options["subcommand"] == "care-certificates":
            from cultivate.credentials.services import care_certificates_issue_due
            from cultivate.organisations.models import Organisation

            organisation = None
            if options["organisation"]:
                organisation = Organisation.objects.filter(ods_code=options["organisation"].upper()).first()
                if organisation is None:
                    raise CommandError(f"No organisation has the ODS code {options['organisation']}")
            issued = care_certificates_issue_due(
                ctx=AuditContext.system("credentials care-certificates"), organisation=organisation
            )
            self.stdout.write(f"{issued} Care Certificates issued")
            return
        from cultivate.credentials.export import export_all

        count = export_all(options["out"], ctx=AuditContext.system("credentials export"))
        self.stdout.write(f"{count} credentials written to {options['out']}")
