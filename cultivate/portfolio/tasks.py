"""Background tasks of the portfolio app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import services


@task()
def send_portfolio_reminders(on: str | None = None) -> dict[str, int]:
    """Send the day's expiry, reassessment and due-date reminders (see services.reminders_send); `on` is an
    ISO date, today if not given. Returns the counts, kept as the task's result."""
    day = dt.date.fromisoformat(on) if on else None
    return services.reminders_send(on=day).as_dict()
