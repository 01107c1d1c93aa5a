"""`cultivate notifications_digest [--date YYYY-MM-DD] [--queue]`: email each person who chose a daily summary
one email listing their notifications not yet read; at most one a day per person. Run it daily (cron, or a
scheduler that enqueues the `send_notification_digests` task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cultivate.core import notify
from cultivate.core.management.daily import DailyCommand
from cultivate.core.tasks import send_notification_digests


class Command(DailyCommand):
    help = "Email the daily notification summaries (one per person per day)."
    date_help = "The day the summaries are for (default: today)."
    queued = "Queued digest task {id}."

    def task(self) -> Any:
        return send_notification_digests

    def run_day(self, day: dt.date | None) -> str:
        report = notify.digests_send(on=day).as_dict()
        return (
            "Daily summaries: {emails} emails listing {notifications} notifications; {failed} failed.".format(
                **report
            )
        )
