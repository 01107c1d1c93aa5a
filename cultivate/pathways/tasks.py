"""Background tasks of the pathways app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import services


@task()
def send_shortfall_notices(on: str | None = None) -> dict[str, int]:
    """Tell apprentices, their managers and educators of off-the-job hours newly behind (see
    services.shortfall_notices_send); `on` is an ISO date, today if not given."""
    day = dt.date.fromisoformat(on) if on else None
    return services.shortfall_notices_send(on=day).as_dict()
