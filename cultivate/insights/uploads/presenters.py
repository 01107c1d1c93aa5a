"""Display data for the import, snapshot and job-title pages: status tags, progress, counts and problems."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from cultivate.core.formatting import uk_date
from cultivate.core.jobs_presenter import job_failure, job_problems, job_progress, job_status_tag

from ..job_titles import RoleTitles
from ..models import InsightsImport, InsightsImportKind, InsightsImportStatus, JobTitleReview

FAILED = (
    "Something went wrong on our side. Try again; if it happens again, tell your system administrator the "
    "import number, {pk}."
)
TABLE_NAMES = {
    "people": "People",
    "assignments": "Employment spells (assignments)",
    "absences": "Sickness absence episodes",
    "training": "Training completed",
    "recruitment": "Applications",
    "casework": "Formal cases",
}


# Counts of people below this are shown as "fewer than 5": a rare title held by one person could identify them.
SMALL_COUNT = 5


def people_count(count: int) -> str:
    return f"fewer than {SMALL_COUNT}" if 0 < count < SMALL_COUNT else f"{count:,}"


def status_tag(record: InsightsImport) -> dict[str, str]:
    return job_status_tag(record)


def status_href(record: InsightsImport) -> str:
    return reverse("insights:import_status", args=[record.organisation.ods_code, record.pk])


def import_rows(records: Iterable[InsightsImport]) -> list[dict[str, Any]]:
    return [
        {
            "href": status_href(record),
            "started": uk_date(record.created_at),
            "what": record.original_name
            if record.kind == InsightsImportKind.EXTRACT
            else "Snapshot of staff records",
            "by": str(record.started_by) if record.started_by else "",
            "status": status_tag(record),
        }
        for record in records
    ]


def status_detail(record: InsightsImport) -> dict[str, Any]:
    report = record.report or {}
    what = (
        record.original_name if record.kind == InsightsImportKind.EXTRACT else "Snapshot of the staff records"
    )
    summary: list[tuple[str, str | None]] = [
        ("Status", None),
        ("What", what),
        ("Dataset", record.dataset),
        ("Started", uk_date(record.created_at)),
        ("Started by", str(record.started_by) if record.started_by else "Unknown"),
    ]
    if record.finished_at:
        summary.append(("Finished", uk_date(record.finished_at)))
    if report.get("extract_date"):
        summary.append(("Extract date", report["extract_date"]))
    succeeded = record.status == InsightsImportStatus.SUCCEEDED
    return {
        "status": status_tag(record),
        "summary": summary,
        "running": not record.is_finished,
        "progress": job_progress(record),
        "succeeded": succeeded,
        "unchanged": bool(report.get("unchanged")),
        "failed": record.status == InsightsImportStatus.FAILED,
        "error": record.error,
        "failure": job_failure(record, FAILED.format(pk=record.pk)),
        "foreign_codes": report.get("foreign_codes") or [],
        "counts": [
            {"table": TABLE_NAMES.get(table, table), "rows": f"{rows:,}"}
            for table, rows in (record.rows or {}).items()
        ]
        if succeeded
        else [],
        # The download holds the problems found up to the import's bound (older imports: all of them).
        "problems": job_problems(
            record,
            in_download=report.get("problems_in_file", record.problem_count),
            complete=not report.get("checking_stopped"),
        ),
        "checking_stopped": bool(report.get("checking_stopped")),
        "warnings": report.get("warnings") or [],
        "unknown_columns": [
            f"{table}: {', '.join(columns)}"
            for table, columns in (report.get("unknown_columns") or {}).items()
        ],
        "titles_queued": report.get("titles_queued", 0),
        "is_snapshot": record.kind == InsightsImportKind.SNAPSHOT,
    }


def review_rows(reviews: Iterable[JobTitleReview]) -> list[dict[str, Any]]:
    return [
        {
            "pk": review.pk,
            "title": review.title,
            "occurrences": people_count(review.occurrences),
            "suggested": review.suggested_role.name if review.suggested_role else "",
            "suggested_role_id": review.suggested_role_id,
            "score": f"{review.suggested_score:.0f}" if review.suggested_score is not None else "",
        }
        for review in reviews
    ]


def decided_rows(reviews: Iterable[JobTitleReview]) -> list[dict[str, Any]]:
    return [
        {
            "title": review.title,
            "decision": review.role.name if review.role else "Not a support role",
            "by": str(review.decided_by) if review.decided_by else "",
            "when": uk_date(review.decided_at) if review.decided_at else "",
        }
        for review in reviews
    ]


def titles_by_role_rows(rows: Iterable[RoleTitles]) -> list[dict[str, Any]]:
    return [
        {
            "role": row.role.name if row.role else "Not matched to a role",
            "titles": f"{row.distinct_titles:,}",
            "normalised": f"{row.distinct_normalised:,}",
            "people": people_count(row.occurrences),
        }
        for row in rows
    ]
