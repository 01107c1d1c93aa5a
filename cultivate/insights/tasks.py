"""Background tasks of the insights app, run by the django-tasks worker (`cultivate worker`)."""

from __future__ import annotations

from django_tasks import task

from cultivate.core.jobs import job_heartbeat

from .board_reports.services import board_report_execute
from .models import BoardReport, InsightsImport
from .uploads.services import insights_import_execute


@task()
def run_insights_import(record_id: int) -> str:
    """Run a queued extract import or snapshot; returns its final status."""
    with job_heartbeat(InsightsImport, record_id):
        return insights_import_execute(record_id=record_id).status


@task()
def run_board_report(record_id: int) -> str:
    """Make a queued board report (figures, charts, PDF); returns its final status."""
    with job_heartbeat(BoardReport, record_id):
        return board_report_execute(record_id=record_id).status
