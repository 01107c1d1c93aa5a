"""`cultivate recover_jobs`: recover background jobs whose worker stopped (for cron; workers also do it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cultivate.core.jobs import jobs_recover


class Command(BaseCommand):
    help = (
        "Mark failed (and remove the uploads of) background jobs whose worker has been silent for "
        "CULTIVATE_TASK_STALE_MINUTES, or queue them again where that is safe."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(jobs_recover()))
