"""`cultivate portfolio_reminders [--date YYYY-MM-DD] [--queue]`: remind workers and their line managers of
sign-offs expiring within 30 days or lately expired, of required competences needing reassessment, and of
required competences past due. Each reminder goes once; run it daily (cron, or a scheduler that enqueues the
`send_portfolio_reminders` task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cultivate.portfolio import services
from cultivate.portfolio.tasks import send_portfolio_reminders


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date like 2026-06-15, not {value!r}") from error


class Command(BaseCommand):
    help = "Send expiry, reassessment and due-date reminders for portfolios (each once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, help="The day to remind as of (default: today).")
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the background task instead of running here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: dt.date | None = options["date"]
        if options["queue"]:
            result = send_portfolio_reminders.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"Queued reminders task {result.id}.")
            return
        report = services.reminders_send(on=day).as_dict()
        self.stdout.write(
            "Reminders sent: {expiring} expiring, {expired} expired, {reassess} to reassess, {due} past due; "
            "one summary each to {notifications} workers and managers, about {people} people.".format(
                **report
            )
        )
