"""Board reports made off the request: the page records what was asked for (`board_report_create`) and queues
it; the worker builds the figures, draws the charts and lays out the PDF (`board_report_execute`), showing each
stage on the record, and keeps the file under MEDIA_ROOT (never served directly) for `KEEP_DAYS`. Every download
is audited; reports older than that are deleted, file and record, whenever a report is made."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cultivate.accounts.models import Membership, User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.jobs import JobProgress, job_enqueue
from cultivate.organisations.models import Alliance, Organisation

from .. import access
from ..measures import Window
from ..models import BOARD_REPORTS_DIR, BoardReport, BoardReportFormat, BoardReportStatus
from ..report import ReportError, build_report, render_html, render_pdf

logger = logging.getLogger(__name__)

REPORTS_DIR = BOARD_REPORTS_DIR
KEEP_DAYS = 30
# build_report announces these four steps; the charts, and the PDF when asked for, follow.
FIGURE_STEPS = ("key figures", "trends", "retention and progression", "fairness")
FIGURES = "Working out the figures"
CHARTS = "Drawing the charts"
PDF = "Laying out the PDF"
NO_RECORDS = (
    "The imported workforce extracts no longer hold records for the organisations of this report (the data may "
    "have been replaced since it was asked for). Ask for the report again."
)
OUR_SIDE = (
    "Something went wrong on our side and the report was not made. Try again; if it happens again, tell your "
    "system administrator the report number, {pk}."
)


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def download_name(report: BoardReport) -> str:
    label = report.organisation.ods_code if report.organisation is not None else "alliance"
    return (
        f"workforce-report-{label.lower()}-{report.period_start.isoformat()}-"
        f"{report.period_end.isoformat()}.{report.file_format}"
    )


def board_report_create(
    *,
    membership: Membership,
    actor: User,
    organisation: Organisation | None,
    alliance: Alliance | None,
    organisation_codes: list[str],
    title: str,
    period: Window,
    file_format: str,
    individual_level: bool,
    cost_per_leaver: Decimal | None = None,
    commentary: str = "",
) -> BoardReport:
    """Record the report, queued. The acting role must be one that may see the finished report, which also
    means every figure is shown only for an organisation's own admins (counts below 5 name people)."""
    report = BoardReport(
        requested_by=actor,
        role=membership.role,
        organisation=organisation,
        alliance=None if organisation is not None else alliance,
        organisation_codes=list(organisation_codes),
        title=title[:200],
        period_start=period.start,
        period_end=period.end,
        file_format=BoardReportFormat(file_format),
        individual_level=individual_level,
        cost_per_leaver=cost_per_leaver,
        commentary=commentary.strip(),
    )
    if not access.may(membership, "view_board_report", report):
        raise PermissionDenied("This role may not take this board report.")
    report.full_clean()
    report.save()
    return report


def board_report_dispatch(*, report: BoardReport) -> None:
    """Queue the report for the worker (the test settings run tasks at once)."""
    job_enqueue(report)


def board_report_execute(*, record_id: int, store: Path | str | None = None) -> BoardReport:
    """Make a queued report once (a retried task finds it no longer queued and does nothing)."""
    report = BoardReport.objects.select_related("organisation", "requested_by").get(pk=record_id)
    total = len(FIGURE_STEPS) + 1 + (1 if report.file_format == BoardReportFormat.PDF else 0)
    claimed = BoardReport.objects.filter(pk=record_id, status=BoardReportStatus.QUEUED).update(
        status=BoardReportStatus.RUNNING,
        stage=FIGURES,
        steps_done=0,
        steps_total=total,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    report.refresh_from_db()
    if not claimed:
        return report
    board_reports_delete_expired(keep=report.pk)
    store_path = Path(store or settings.INSIGHTS_STORE)
    folder = f"{REPORTS_DIR}/{report.pk}-{secrets.token_hex(4)}"
    error = ""
    try:
        stored = _make(report, store_path, folder)
    except ReportError as problem:
        # The message may name the store's folder or other organisations: it goes to the log, not the page.
        logger.warning("Board report %s not made: %s", report.pk, problem)
        error = NO_RECORDS
    except Exception:
        logger.exception("Board report %s failed", report.pk)
        error = OUR_SIDE.format(pk=report.pk)
    report.refresh_from_db()
    report.finished_at = timezone.now()
    report.steps_done = report.steps_total
    if error:
        shutil.rmtree(_media(folder), ignore_errors=True)
        report.status, report.error, report.stage = BoardReportStatus.FAILED, error, "Stopped"
    else:
        report.status, report.stage = BoardReportStatus.SUCCEEDED, "Finished"
        report.file, report.size = stored, _media(stored).stat().st_size
    report.full_clean()
    report.save()
    return report


def _make(report: BoardReport, store: Path, folder: str) -> str:
    """Build, draw and (for a PDF) lay out the report; write it beside and rename, so no half file is kept.
    Each stage is recorded as it starts, with the steps completed before it (a few stages: none is skipped)."""
    stage = JobProgress(report, every=0)

    def progress(step: str) -> None:
        # "costs", announced only when a cost is given, counts with the last figures step.
        done = FIGURE_STEPS.index(step) if step in FIGURE_STEPS else len(FIGURE_STEPS) - 1
        stage(f"{FIGURES}: {step}", done)

    built = build_report(
        store,
        Window(report.period_start, report.period_end),
        report.organisation_codes,
        individual_level=report.individual_level,
        title=report.title,
        cost_per_leaver=report.cost_per_leaver,
        progress=progress,
    )
    built.commentary = report.commentary
    built.organisation_names = dict(
        Organisation.objects.filter(ods_code__in=report.organisation_codes).values_list("ods_code", "name")
    )
    stage(CHARTS, len(FIGURE_STEPS))
    html = render_html(built)
    if report.file_format == BoardReportFormat.PDF:
        stage(PDF, len(FIGURE_STEPS) + 1)
        body = render_pdf(html)
    else:
        body = html.encode("utf-8")
    target = _media(folder)
    target.mkdir(parents=True, exist_ok=False)
    stored = f"{folder}/{download_name(report)}"
    part = target / ".part"
    part.write_bytes(body)
    part.replace(_media(stored))
    return stored


def board_reports_delete_expired(*, now: dt.datetime | None = None, keep: int | None = None) -> int:
    """Delete the reports asked for more than KEEP_DAYS ago (but `keep`, the one being made), file and record;
    returns how many. Downloads stay in the audit log."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    expired = [
        report
        for report in BoardReport.objects.filter(created_at__lt=cutoff).only("pk", "file")
        if report.pk != keep
    ]
    for report in expired:
        if report.file:
            shutil.rmtree(_media(report.file).parent, ignore_errors=True)
    BoardReport.objects.filter(pk__in=[r.pk for r in expired]).delete()
    return len(expired)


def expires_on(report: BoardReport) -> dt.date:
    return timezone.localdate(report.created_at + dt.timedelta(days=KEEP_DAYS))


def board_report_export(*, report: BoardReport, ctx: AuditContext) -> Path | None:
    """The report's file for a reader already allowed to see it, audited as an export; None when there is no
    file (not ready, failed, or deleted)."""
    if report.status != BoardReportStatus.SUCCEEDED or not report.file:
        return None
    path = _media(report.file)
    if not path.is_file():
        return None
    audit(
        CoreAction.EXPORT,
        ctx=ctx,
        obj=report,
        organisation=report.organisation,
        what="workforce board report",
        organisations=list(report.organisation_codes),
        period=[report.period_start.isoformat(), report.period_end.isoformat()],
        format=report.file_format,
        individual_level=report.individual_level,
        requested_by=report.requested_by.email if report.requested_by else "",
    )
    return path
