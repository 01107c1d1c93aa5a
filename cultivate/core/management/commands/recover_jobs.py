"""`cultivate recover_jobs`: recover background jobs whose worker stopped (for cron; workers also do it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cultivate.core.jobs import jobs_recover, jobs_recover_workers


class Command(BaseCommand):
    help = (
        "Mark failed (and remove the uploads of) background jobs whose worker has been silent for "
        "CULTIVATE_TASK_STALE_MINUTES, or queue them again where that is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--worker",
            action="append",
            default=[],
            metavar="ID",
            help="also recover now the running jobs of this worker, known to be dead (used by cultivate serve)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["worker"]:
            self.stdout.write(str(jobs_recover_workers(options["worker"])))
        self.stdout.write(str(jobs_recover()))
