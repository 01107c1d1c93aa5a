"""Background tasks of the organisations app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

from django_tasks import task

from cultivate.core.jobs import job_heartbeat

from .models import StaffImport
from .staff_import.services import staff_import_execute


@task()
def run_staff_import(record_id: int) -> str:
    """Run a queued staff import too large to run in the request; returns its final status. The heartbeat
    shows the worker is alive through the long transaction that saves the changes."""
    with job_heartbeat(StaffImport, record_id):
        return staff_import_execute(record_id=record_id).status
