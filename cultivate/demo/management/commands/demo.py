"""`cultivate demo`: create the invented demo alliance, with five years of workforce history and a login per role."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from cultivate.demo.alliance import ALLIANCE_NAME
from cultivate.demo.generator import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoExistsError,
    demo_create,
    demo_delete,
    demo_exists,
    demo_logins,
)
from cultivate.organisations.models import Alliance


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise ArgumentTypeError(f"--scale must be a number, not {value!r}.") from None
    if not 0.05 <= scale <= 20:
        raise ArgumentTypeError(f"--scale must be between 0.05 and 20, not {value}.")
    return scale


class Command(BaseCommand):
    help = (
        "Create the demo alliance: three invented trusts, their teams, about 1,200 support workers with five years "
        "of employment history, and a demo login for every role. The same seed always gives the same data. "
        f"Every demo account's password is {DEMO_PASSWORD}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any alliance already exists"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data first, then create it again"
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="print the demo sign-ins (only prints them when the demo already exists)",
        )
        parser.add_argument(
            "--scale", type=_scale, default=1.0, help="size relative to the standard demo (default 1.0)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        if options["reset"]:
            with transaction.atomic():
                try:
                    removed = demo_delete()
                except (ProtectedError, RestrictedError) as error:
                    raise CommandError(f"The demo data could not be deleted: {error.args[0]}") from error
                if removed and verbosity:
                    self.stdout.write(f"Removed the demo data ({removed} organisations and their staff).")
                self._create(options)
        elif options["if_empty"] and Alliance.objects.exists():
            if verbosity:
                self.stdout.write("An alliance already exists, so no demo data was created (--if-empty).")
        elif demo_exists():
            if not options["print_logins"]:
                raise CommandError(
                    f"{ALLIANCE_NAME} is already in the database. Use --reset to delete and create it again, "
                    "or --if-empty to leave existing data alone."
                )
        else:
            self._create(options)
        if options["print_logins"]:
            self._print_logins()

    def _create(self, options: dict[str, Any]) -> None:
        try:
            summary = demo_create(
                seed=options["seed"], scale=options["scale"], progress=options["verbosity"] > 0
            )
        except DemoExistsError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            for line in summary.lines():
                self.stdout.write(line)
        self._snapshot(options["verbosity"])

    def _snapshot(self, verbosity: int) -> None:
        """Copy each demo organisation's records into the insights store, so the dashboards have data at once."""
        import time

        from django.conf import settings

        from cultivate.core.audit import AuditContext
        from cultivate.demo.alliance import TRUSTS
        from cultivate.insights.uploads.services import snapshot_all
        from cultivate.organisations.models import Organisation

        started = time.perf_counter()
        codes = [plan.ods_code for plan in TRUSTS]
        trusts = Organisation.objects.filter(ods_code__in=codes).order_by("ods_code")
        results = snapshot_all(
            store=settings.INSIGHTS_STORE, organisations=list(trusts), ctx=AuditContext.system("demo")
        )
        if verbosity:
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"Snapshot of {len(results)} organisations written to the insights store ({seconds:.1f} s)."
            )

    def _print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("There are no demo accounts: run `cultivate demo` to create them.")
            return
        rows = [("Role", "Email", "Password")] + [
            (login.role, login.email, DEMO_PASSWORD) for login in logins
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("Demo sign-ins (every demo account shares the one password):")
        for number, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
