"""Background tasks of core, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import notify


@task()
def send_notification_digests(on: str | None = None) -> dict[str, int]:
    """Send the daily notification digests (see `notify.digests_send`); `on` is an ISO date, today if not
    given. Returns the counts, kept as the task's result."""
    day = dt.date.fromisoformat(on) if on else None
    return notify.digests_send(on=day).as_dict()
