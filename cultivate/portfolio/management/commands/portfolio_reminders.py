"""`cultivate portfolio_reminders [--date YYYY-MM-DD] [--queue]`: remind workers and their line managers of
sign-offs expiring within 30 days or lately expired, of required competences needing reassessment, and of
required competences past due. Each reminder goes once; run it daily (cron, or a scheduler that enqueues the
`send_portfolio_reminders` task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cultivate.core.management.daily import DailyCommand
from cultivate.portfolio import services
from cultivate.portfolio.tasks import send_portfolio_reminders


class Command(DailyCommand):
    help = "Send expiry, reassessment and due-date reminders for portfolios (each once)."
    date_help = "The day to remind as of (default: today)."
    queued = "Queued reminders task {id}."

    def task(self) -> Any:
        return send_portfolio_reminders

    def run_day(self, day: dt.date | None) -> str:
        report = services.reminders_send(on=day).as_dict()
        return (
            "Reminders sent: {expiring} expiring, {expired} expired, {reassess} to reassess, {due} past due; "
            "one summary each to {notifications} workers and managers, about {people} people.".format(
                **report
            )
        )
