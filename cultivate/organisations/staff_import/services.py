"""Running a staff import: from the command line on two files, or for an upload recorded as a StaffImport
(in the request for small files, as a background task for large ones). Every run is audited."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.jobs import JobProgress, job_enqueue
from cultivate.organisations.audit_actions import OrganisationsAction

from ..models import Organisation, StaffImport, StaffImportStage, StaffImportStatus
from . import validate, write
from .columns import ASSIGNMENTS_FILE, PEOPLE_FILE
from .problems import Problem, shorten
from .reader import count_rows
from .validate import Progress

logger = logging.getLogger(__name__)

IMPORTS_DIR = "imports"
# The name the worker audits under, on behalf of the admin who uploaded or confirmed the import.
WORKER = "staff import worker"


@dataclass
class ImportOutcome:
    ok: bool
    problems: list[Problem] = field(default_factory=list)  # the first IMPORT_MAX_PROBLEMS
    problem_count: int = 0  # every problem found
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what was written, or would be for a preview
    new_teams: list[str] = field(default_factory=list)
    people_rows: int = 0
    assignment_rows: int = 0
    written: bool = False
    write_ms: float = 0.0  # how long the write transaction was open
    write_cpu_ms: float = 0.0  # the processor time this process spent in it (the rest is waiting)

    def summary(self) -> str:
        if not self.ok:
            shown = len(self.problems)
            listed = f" (the first {shown:,} are listed)" if shown < self.problem_count else ""
            return f"{self.problem_count:,} problems found{listed}; nothing was imported."
        c = self.counts
        verbs = ("created", "updated") if self.written else ("to create", "to update")
        return (
            f"People: {c['people_created']:,} {verbs[0]}, {c['people_updated']:,} {verbs[1]}, "
            f"{c['people_unchanged']:,} unchanged. Spells: {c['spells_created']:,} {verbs[0]}, "
            f"{c['spells_updated']:,} {verbs[1]}, {c['spells_unchanged']:,} unchanged. "
            f"Teams {verbs[0]}: {c['teams_created']:,}. "
            f"Spells given an end date (leavers and moves): {c['spells_ended']:,}."
        )


@dataclass
class Checked:
    """Files checked, and the changes they would make when nothing is wrong."""

    organisation: Organisation
    plan: validate.Plan
    changes: write.Changes | None
    outcome: ImportOutcome
    detail: dict[str, Any]


def staff_import_check(
    *,
    organisation: Organisation,
    people_path: Path,
    assignments_path: Path,
    ctx: AuditContext,
    record: StaffImport | None = None,
    source: str = "command line",
    progress: Progress | None = None,
    audit_start: bool = True,
) -> Checked:
    """Check both files and work out what importing them would change, writing nothing. Audited as started,
    and as rejected (with the number of problems) when anything is wrong."""
    subject = record if record is not None else organisation
    detail: dict[str, Any] = {"ods_code": organisation.ods_code, "source": source}
    if audit_start:
        audit(CoreAction.IMPORT_STARTED, ctx=ctx, obj=subject, organisation=organisation, **detail)
    plan = validate.check(
        organisation=organisation,
        people_path=people_path,
        assignments_path=assignments_path,
        progress=progress,
    )
    outcome = ImportOutcome(
        ok=plan.ok,
        problems=list(plan.problems),
        problem_count=plan.problem_count,
        warnings=plan.warnings,
        people_rows=plan.people_rows,
        assignment_rows=plan.assignment_rows,
    )
    detail.update(people_rows=plan.people_rows, assignment_rows=plan.assignment_rows)
    if not plan.ok:
        audit(
            CoreAction.IMPORT_REJECTED,
            ctx=ctx,
            obj=subject,
            organisation=organisation,
            problems=plan.problem_count,
            **detail,
        )
        return Checked(organisation, plan, None, outcome, detail)
    changes = write.diff(plan)
    outcome.counts = changes.counts.as_dict()
    outcome.new_teams = changes.counts.new_teams
    return Checked(organisation, plan, changes, outcome, detail)


def staff_import_write(
    checked: Checked,
    *,
    ctx: AuditContext,
    record: StaffImport | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Write the changes of a clean check in one transaction, opened only once everything is worked out (ADR
    0014), and audit the import as succeeded with its counts."""
    assert checked.changes is not None, "files with problems are never written"
    organisation, outcome, detail = checked.organisation, checked.outcome, dict(checked.detail)
    subject = record if record is not None else organisation
    counts = checked.changes.counts
    # People and spells are audited in aggregate, not as one event per row.
    detail.update(counts.as_dict())
    detail.update(
        {
            OrganisationsAction.PERSON_CREATED.value: counts.people_created,
            OrganisationsAction.PERSON_CHANGED.value: counts.people_updated,
            OrganisationsAction.SPELL_CREATED.value: counts.spells_created,
            OrganisationsAction.SPELL_CHANGED.value: counts.spells_updated,
        }
    )
    writer = write.Writer(checked.plan, checked.changes, now=timezone.now(), progress=progress)
    with write.roomy_cache():
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            writer.write()
            audit(CoreAction.IMPORT_SUCCEEDED, ctx=ctx, obj=subject, organisation=organisation, **detail)
        outcome.write_ms = (time.perf_counter() - started) * 1000
        outcome.write_cpu_ms = (time.process_time() - cpu) * 1000
    outcome.written = True
    return outcome


def staff_import_run(
    *,
    organisation: Organisation,
    people_path: Path,
    assignments_path: Path,
    ctx: AuditContext,
    record: StaffImport | None = None,
    source: str = "command line",
    progress: Progress | None = None,
    audit_start: bool = True,
) -> ImportOutcome:
    """Check both files and, when nothing is wrong, write every change (without a preview)."""
    checked = staff_import_check(
        organisation=organisation,
        people_path=people_path,
        assignments_path=assignments_path,
        ctx=ctx,
        record=record,
        source=source,
        progress=progress,
        audit_start=audit_start,
    )
    if not checked.outcome.ok:
        return checked.outcome
    return staff_import_write(checked, ctx=ctx, record=record, progress=progress)


def _folder_path(record: StaffImport) -> Path:
    return Path(settings.MEDIA_ROOT) / record.folder


def staff_import_create(
    *, organisation: Organisation, actor: User, people: UploadedFile, assignments: UploadedFile
) -> StaffImport:
    """Keep the two uploads under MEDIA_ROOT/imports (never served directly) and record the import, queued."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = f"{IMPORTS_DIR}/{organisation.ods_code}/{stamp}-{secrets.token_hex(4)}"
    target = Path(settings.MEDIA_ROOT) / folder
    target.mkdir(parents=True, exist_ok=False)
    for upload, name in ((people, PEOPLE_FILE), (assignments, ASSIGNMENTS_FILE)):
        with (target / name).open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    rows = count_rows(target / PEOPLE_FILE) + count_rows(target / ASSIGNMENTS_FILE)
    record = StaffImport(
        organisation=organisation,
        started_by=actor,
        folder=folder,
        steps_total=rows,
        # The names as sent are shown back: cut short, and escaped (jsonb on PostgreSQL refuses NUL).
        report={
            "files": {
                PEOPLE_FILE: shorten(people.name or ""),
                ASSIGNMENTS_FILE: shorten(assignments.name or ""),
            }
        },
    )
    record.full_clean()
    record.save()
    return record


def staff_import_dispatch(*, record: StaffImport) -> bool:
    """Run a small import now; queue a large one for the worker. True when it was queued."""
    if record.steps_total <= settings.STAFF_IMPORT_BACKGROUND_ROWS:
        staff_import_execute(record_id=record.pk)
        return False
    job_enqueue(record)
    return True


class _RecordProgress:
    """Shows progress on the record while the files are checked, a step a row. Saving happens inside one
    transaction, which other connections cannot see into, so that stage is shown as a whole."""

    def __init__(self, record: StaffImport) -> None:
        self.job = JobProgress(record)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == StaffImportStage.CHECKING:
            self.job(None, done, total)


def staff_import_execute(*, record_id: int) -> StaffImport:
    """Run a queued import once (a retried task finds it no longer queued and does nothing): before it is
    confirmed, check the files and keep the preview; once confirmed, check them again and write."""
    claimed = StaffImport.objects.filter(pk=record_id, status=StaffImportStatus.QUEUED).update(
        status=StaffImportStatus.RUNNING,
        stage=StaffImportStage.CHECKING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    record = StaffImport.objects.select_related("organisation", "started_by", "confirmed_by").get(
        pk=record_id
    )
    if not claimed:
        return record
    folder = _folder_path(record)
    files: dict[str, Any] = {
        "organisation": record.organisation,
        "people_path": folder / PEOPLE_FILE,
        "assignments_path": folder / ASSIGNMENTS_FILE,
        "record": record,
        "source": "upload",
        "progress": _RecordProgress(record),
    }
    try:
        if record.confirmed_at is None:
            ctx = AuditContext.system(WORKER, actor=record.started_by)
            outcome = staff_import_check(**files, ctx=ctx).outcome
        else:
            # Checked again: the records may have changed since the preview.
            ctx = AuditContext.system(WORKER, actor=record.confirmed_by)
            outcome = staff_import_run(**files, ctx=ctx, audit_start=False)
    except Exception:
        # Logged for the administrator; the page says only that it failed, never why (no SQL, paths or trace).
        logger.exception("Staff import %s failed", record.pk)
        _remove_uploads(folder)
        record.refresh_from_db()
        record.status = StaffImportStatus.FAILED
        record.stage = StaffImportStage.DONE
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "stage", "finished_at", "updated_at"])
        return record
    _finish(record, outcome)
    return record


def staff_import_confirm(*, record: StaffImport, actor: User) -> bool:
    """An admin confirms the preview of a checked import: it is queued again, to be written. False when it was
    not waiting for confirmation (confirmed twice, or cancelled)."""
    now = timezone.now()
    confirmed = StaffImport.objects.filter(pk=record.pk, status=StaffImportStatus.CHECKED).update(
        status=StaffImportStatus.QUEUED,
        stage=StaffImportStage.WAITING,
        steps_done=0,
        confirmed_at=now,
        confirmed_by=actor,
        updated_at=now,
    )
    if not confirmed:
        return False
    record.refresh_from_db()
    staff_import_dispatch(record=record)
    return True


def staff_import_cancel(*, record: StaffImport) -> bool:
    """Drop a checked import instead of writing it, and its uploads with it."""
    now = timezone.now()
    cancelled = StaffImport.objects.filter(pk=record.pk, status=StaffImportStatus.CHECKED).update(
        status=StaffImportStatus.CANCELLED, stage=StaffImportStage.DONE, finished_at=now, updated_at=now
    )
    if cancelled:
        _remove_uploads(_folder_path(record))
    return bool(cancelled)


def _remove_uploads(folder: Path) -> None:
    # The uploads hold personal data and have served their purpose: the records or the report replace them.
    for name in (PEOPLE_FILE, ASSIGNMENTS_FILE):
        (folder / name).unlink(missing_ok=True)


def _finish(record: StaffImport, outcome: ImportOutcome) -> None:
    folder = _folder_path(record)
    preview = outcome.ok and not outcome.written
    report: dict[str, Any] = {
        **record.report,
        "preview" if preview else "counts": outcome.counts,
        "new_teams": outcome.new_teams,
        "warnings": outcome.warnings,
        "rows": {"people": outcome.people_rows, "assignments": outcome.assignment_rows},
    }
    if preview:
        record.status = StaffImportStatus.CHECKED  # the uploads are kept until it is confirmed or cancelled
    else:
        _remove_uploads(folder)
        record.status = StaffImportStatus.SUCCEEDED if outcome.ok else StaffImportStatus.REJECTED
        record.finished_at = timezone.now()
    record.report = report
    record.problems = [p.as_dict() for p in outcome.problems]
    record.problem_count = outcome.problem_count
    record.stage = StaffImportStage.DONE
    record.steps_done = record.steps_total = outcome.people_rows + outcome.assignment_rows
    record.save(
        update_fields=[
            "report",
            "problems",
            "problem_count",
            "status",
            "stage",
            "steps_done",
            "steps_total",
            "finished_at",
            "updated_at",
        ]
    )


def staff_import_problems_export(
    *, record: StaffImport, ctx: AuditContext
) -> Iterator[tuple[str, int | None, str, str, str]] | None:
    """The problems of a rejected import (the first IMPORT_MAX_PROBLEMS, every bad row and column), for the
    download, which is audited (it quotes personal data); None when there are none."""
    if not record.problems:
        return None
    audit(
        CoreAction.EXPORT,
        ctx=ctx,
        obj=record,
        organisation=record.organisation,
        what="staff import problems",
        problems=record.problem_count,
    )
    return record.job_problem_rows()
