"""`cultivate notifications_digest [--date YYYY-MM-DD] [--queue]`: email each person who chose a daily summary
one email listing their notifications not yet read; at most one a day per person. Run it daily (cron, or a
scheduler that enqueues the `send_notification_digests` task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cultivate.core import notify
from cultivate.core.tasks import send_notification_digests


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date like 2026-06-15, not {value!r}") from error


class Command(BaseCommand):
    help = "Email the daily notification summaries (one per person per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, help="The day the summaries are for (default: today).")
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the background task instead of running here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: dt.date | None = options["date"]
        if options["queue"]:
            result = send_notification_digests.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"Queued digest task {result.id}.")
            return
        report = notify.digests_send(on=day).as_dict()
        self.stdout.write(
            "Daily summaries: {emails} emails listing {notifications} notifications; {failed} failed.".format(
                **report
            )
        )
