"""`cultivate worker`: django-tasks' database worker, which also recovers jobs whose worker stopped (when it
starts, then every minute or so while it runs), so that several workers keep each other's jobs honest."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from cultivate.core.jobs import RecoveryThread, jobs_recover, stale_after


class Command(DatabaseWorkerCommand):
    help = "Run a background task worker; it recovers jobs whose worker stopped, at start and while it runs."

    def handle(self, *args: Any, **options: Any) -> None:
        recovery = jobs_recover()
        if recovery and options.get("verbosity", 1):
            self.stdout.write(f"Recovered: {recovery}")
        watcher = RecoveryThread(every=min(60.0, max(1.0, stale_after().total_seconds() / 4)))
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            watcher.stopping.set()
