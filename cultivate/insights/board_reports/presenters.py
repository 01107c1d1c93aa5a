"""Display data for the board report pages: status tags, what a report covers, progress and the file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from cultivate.core.formatting import uk_date
from cultivate.core.jobs_presenter import job_failure, job_progress, job_status_tag

from ..models import BoardReport, BoardReportStatus
from . import services

FAILED = "Something went wrong on our side. Try again."


def status_tag(report: BoardReport) -> dict[str, str]:
    return job_status_tag(report)


def period_text(report: BoardReport) -> str:
    return f"{uk_date(report.period_start)} to {uk_date(report.period_end)}"


def scope_text(report: BoardReport) -> str:
    if report.organisation is not None:
        return f"{report.organisation.name} ({report.organisation.ods_code})"
    codes = ", ".join(report.organisation_codes)
    name = report.alliance.name if report.alliance is not None else "the alliance"
    return f"All member organisations of {name} ({codes})"


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def status_href(report: BoardReport) -> str:
    return reverse("insights:board_report_status", args=[report.pk])


def report_rows(reports: Iterable[BoardReport]) -> list[dict[str, Any]]:
    return [
        {
            "href": status_href(report),
            "asked": uk_date(report.created_at),
            "what": scope_text(report),
            "period": period_text(report),
            "format": report.get_file_format_display(),
            "status": status_tag(report),
        }
        for report in reports
    ]


def status_detail(report: BoardReport) -> dict[str, Any]:
    summary: list[tuple[str, str | None]] = [
        ("Status", None),
        ("Organisations", scope_text(report)),
        ("Period", period_text(report)),
        ("Format", report.get_file_format_display()),
        (
            "Small numbers",
            "Every figure shown, counts below 5 included"
            if report.individual_level
            else "Counts below 5 hidden",
        ),
        ("Asked for", uk_date(report.created_at)),
        ("Asked for by", str(report.requested_by) if report.requested_by else "Unknown"),
    ]
    if report.finished_at:
        summary.append(("Finished", uk_date(report.finished_at)))
    succeeded = report.status == BoardReportStatus.SUCCEEDED
    return {
        "status": status_tag(report),
        "summary": summary,
        "running": not report.is_finished,
        "progress": job_progress(report),
        "succeeded": succeeded,
        "failed": report.status == BoardReportStatus.FAILED,
        "error": job_failure(report, FAILED),
        "download_href": reverse("insights:board_report_download", args=[report.pk]) if succeeded else "",
        "file_name": services.download_name(report),
        "size": size_text(report.size),
        "format": "PDF" if report.file_format == "pdf" else "HTML",
        "expires": uk_date(services.expires_on(report)),
    }
