"""Display data for the import pages: status tags, progress, the counts table and the problems table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse

from cultivate.core.formatting import uk_date
from cultivate.core.jobs_presenter import job_failure, job_problems, job_progress, job_status_tag

from ..models import StaffImport, StaffImportStage, StaffImportStatus

# The statuses only a staff import has; the shared ones are coloured by core.jobs_presenter.
STATUS_CLASSES: dict[str, str] = {
    StaffImportStatus.CHECKED: "nhsuk-tag--yellow",
    StaffImportStatus.CANCELLED: "nhsuk-tag--grey",
    StaffImportStatus.REJECTED: "nhsuk-tag--red",
}
FAILED = (
    "Something went wrong on our side while importing the files. Nothing has been changed. Try uploading them "
    "again; if it happens again, tell your system administrator the import number, {pk}."
)


def status_tag(record: StaffImport) -> dict[str, str]:
    return job_status_tag(record, STATUS_CLASSES)


def import_rows(records: Iterable[StaffImport]) -> list[dict[str, Any]]:
    return [
        {
            "href": reverse("organisations:import_status", args=[record.organisation.ods_code, record.pk]),
            "started": uk_date(record.created_at),
            "by": str(record.started_by) if record.started_by else "",
            "rows": f"{record.steps_total:,}",
            "status": status_tag(record),
        }
        for record in records
    ]


def _progress(record: StaffImport) -> dict[str, Any]:
    total = record.steps_total
    then = " again and import" if record.confirmed_at else ""
    saving = record.stage == StaffImportStage.SAVING
    return job_progress(
        record,
        label="Progress of the import",
        queued_text=f"Waiting for the worker to start: {total:,} rows to check{then}.",
        text=f"All {total:,} rows checked and correct. Saving the changes; this takes a minute for large files."
        if saving
        else None,
        indeterminate="Saving" if saving else "",
        # As the page always has (the other jobs' pages: every 2 seconds).
        refresh_seconds=3,
    )


def _counts(report: dict[str, Any]) -> list[dict[str, Any]]:
    counts = report.get("counts") or {}
    if not counts:
        return []
    return [
        {
            "what": what,
            "created": f"{counts[f'{key}_created']:,}",
            "updated": f"{counts[f'{key}_updated']:,}",
            "unchanged": f"{counts[f'{key}_unchanged']:,}",
        }
        for what, key in (("People", "people"), ("Employment spells", "spells"))
    ]


def _preview(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary list of what importing the checked files would change."""
    c = report.get("preview") or {}
    if not c:
        return []
    teams = report.get("new_teams") or []
    rows = [
        (
            "People",
            f"{c['people_created']:,} new, {c['people_updated']:,} changed, {c['people_unchanged']:,} unchanged",
        ),
        (
            "Employment spells",
            f"{c['spells_created']:,} new, {c['spells_updated']:,} changed, {c['spells_unchanged']:,} unchanged",
        ),
        ("Spells given an end date (leavers and moves)", f"{c['spells_ended']:,}"),
        ("New teams", f"{len(teams):,}" + (f": {', '.join(teams)}" if teams else "")),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def confirm_label(report: dict[str, Any]) -> str:
    c = report.get("preview") or {}
    people = sum(c.get(f"people_{what}", 0) for what in ("created", "updated", "unchanged"))
    if not people:  # assignments only, for people already held
        return "Import the changes"
    return f"Import {people:,} {'person' if people == 1 else 'people'}"


def status_detail(record: StaffImport) -> dict[str, Any]:
    report = record.report or {}
    files = report.get("files") or {}
    counts = report.get("counts") or {}
    summary = [
        ("Status", None),
        ("Started", uk_date(record.created_at)),
        ("Started by", str(record.started_by) if record.started_by else "Unknown"),
        ("Files", ", ".join(name for name in files.values() if name) or "people.csv, assignments.csv"),
    ]
    if record.finished_at:
        summary.append(("Finished", uk_date(record.finished_at)))
    return {
        "status": status_tag(record),
        "summary": summary,
        "running": record.is_busy,
        "checked": record.status == StaffImportStatus.CHECKED,
        "cancelled": record.status == StaffImportStatus.CANCELLED,
        "expired": bool((record.report or {}).get("expired")),
        "waiting_hours": f"{settings.JOB_WAITING_HOURS:g}",
        "preview": _preview(report),
        "confirm_label": confirm_label(report),
        "progress": _progress(record),
        "succeeded": record.status == StaffImportStatus.SUCCEEDED,
        "rejected": record.status == StaffImportStatus.REJECTED,
        "failed": record.status == StaffImportStatus.FAILED,
        "counts": _counts(report),
        "teams_created": counts.get("teams_created", 0),
        "new_teams": report.get("new_teams") or [],
        "warnings": report.get("warnings") or [],
        "problems": job_problems(record),
        "error": job_failure(record, FAILED.format(pk=record.pk)),
    }
