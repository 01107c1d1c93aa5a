"""Background tasks of the programmes app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

from django_tasks import task

from cultivate.core.audit import AuditContext

from . import services


@task()
def send_session_reminders() -> int:
    """Remind participants of sessions starting within a day (each reminder once). Returns how many went."""
    return services.session_reminders_send(ctx=AuditContext.system("session reminders"))
