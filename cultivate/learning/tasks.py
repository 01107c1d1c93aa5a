"""Background tasks of the learning app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

from django_tasks import task

from cultivate.core.jobs import job_heartbeat

from .models import TrainingImport
from .services import training_import_execute


@task()
def run_training_import(record_id: int) -> str:
    """Run a queued import of completions; returns its final status."""
    with job_heartbeat(TrainingImport, record_id):
        return training_import_execute(record_id=record_id).status
