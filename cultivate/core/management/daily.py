"""The shape of a command that does one day's sending (reminders, summaries): `--date` for the day it runs
as of, `--queue` to hand the work to the background worker instead. Subclasses name the task and say what
one run did."""

from __future__ import annotations

import datetime as dt
from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must be a date like 2026-06-15, not {value!r}") from error


class DailyCommand(BaseCommand, metaclass=ABCMeta):
    date_help: ClassVar[str] = "The day to run as of (default: today)."
    queued: ClassVar[str] = "Queued task {id}."

    @abstractmethod
    def task(self) -> Any:
        """The background task that does the same work (its `enqueue` takes the day as an ISO date)."""

    @abstractmethod
    def run_day(self, day: dt.date | None) -> str:
        """Do the day's work here and say what was done."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=iso_date, help=self.date_help)
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the background task instead of running here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: dt.date | None = options["date"]
        if options["queue"]:
            result = self.task().enqueue(day.isoformat() if day else None)
            self.stdout.write(self.queued.format(id=result.id))
            return
        self.stdout.write(self.run_day(day))
