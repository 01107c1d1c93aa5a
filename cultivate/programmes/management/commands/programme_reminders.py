"""`cultivate programme_reminders [--hours N] [--queue]`: remind each participant of their programme sessions
starting within the next N hours (24 by default). Each reminder goes once, so run it as often as you like
(hourly by cron, or a scheduler that enqueues the `send_session_reminders` task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cultivate.core.audit import AuditContext
from cultivate.programmes import services
from cultivate.programmes.tasks import send_session_reminders


class Command(BaseCommand):
    help = "Remind participants of programme sessions starting soon (each reminder once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24, help="How far ahead to remind (default 24).")
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the background task instead of running here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours: int = options["hours"]
        if not 1 <= hours <= 168:
            raise CommandError("--hours must be from 1 to 168.")
        if options["queue"]:
            result = send_session_reminders.enqueue()
            self.stdout.write(f"Queued session reminders task {result.id}.")
            return
        sent = services.session_reminders_send(
            ctx=AuditContext.system("session reminders"), ahead=dt.timedelta(hours=hours)
        )
        self.stdout.write(f"Session reminders sent: {sent}.")
