"""Running a staff import: from the command line on two files, or for an upload recorded as a StaffImport
(in the request for small files, as a background task for large ones). Every run is audited."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import audit
from cultivate.core.models import AuditAction

from ..models import Organisation, StaffImport, StaffImportStage, StaffImportStatus
from . import validate, write
from .columns import ASSIGNMENTS_FILE, PEOPLE_FILE
from .problems import Problem, problems_csv
from .reader import count_rows
from .validate import Progress

logger = logging.getLogger(__name__)

IMPORTS_DIR = "imports"
PROBLEMS_FILE = "problems.csv"
# The status page lists at most this many problems; the CSV download has them all.
PROBLEMS_SHOWN = 1000


@dataclass
class ImportOutcome:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    new_teams: list[str] = field(default_factory=list)
    people_rows: int = 0
    assignment_rows: int = 0

    def summary(self) -> str:
        if not self.ok:
            return f"{len(self.problems):,} problems found; nothing was imported."
        c = self.counts
        return (
            f"People: {c['people_created']:,} created, {c['people_updated']:,} updated, "
            f"{c['people_unchanged']:,} unchanged. Spells: {c['spells_created']:,} created, "
            f"{c['spells_updated']:,} updated, {c['spells_unchanged']:,} unchanged. "
            f"Teams created: {c['teams_created']:,}."
        )


def staff_import_run(
    *,
    organisation: Organisation,
    people_path: Path,
    assignments_path: Path,
    actor: User | None = None,
    record: StaffImport | None = None,
    source: str = "command line",
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check both files; when nothing is wrong, write every change in one transaction. Audited as started, then
    succeeded (with counts) or rejected (with the number of problems)."""
    subject = record if record is not None else organisation
    detail: dict[str, Any] = {"ods_code": organisation.ods_code, "source": source}
    audit(AuditAction.IMPORT_STARTED, actor=actor, obj=subject, organisation=organisation, **detail)
    plan = validate.check(
        organisation=organisation,
        people_path=people_path,
        assignments_path=assignments_path,
        progress=progress,
    )
    outcome = ImportOutcome(
        ok=plan.ok,
        problems=plan.problems,
        warnings=plan.warnings,
        people_rows=plan.people_rows,
        assignment_rows=plan.assignment_rows,
    )
    detail.update(people_rows=plan.people_rows, assignment_rows=plan.assignment_rows)
    if not plan.ok:
        audit(
            AuditAction.IMPORT_REJECTED,
            actor=actor,
            obj=subject,
            organisation=organisation,
            problems=len(plan.problems),
            **detail,
        )
        return outcome
    with transaction.atomic():
        counts = write.apply(plan, now=timezone.now(), progress=progress)
        outcome.counts = counts.as_dict()
        outcome.new_teams = counts.new_teams
        # People and spells are audited in aggregate here, not as one event per row.
        detail.update(outcome.counts)
        detail.update(
            {
                AuditAction.PERSON_CREATED.value: counts.people_created,
                AuditAction.PERSON_CHANGED.value: counts.people_updated,
                AuditAction.SPELL_CREATED.value: counts.spells_created,
                AuditAction.SPELL_CHANGED.value: counts.spells_updated,
            }
        )
        audit(AuditAction.IMPORT_SUCCEEDED, actor=actor, obj=subject, organisation=organisation, **detail)
    return outcome


def _folder_path(record: StaffImport) -> Path:
    return Path(settings.MEDIA_ROOT) / record.folder


def problems_file(record: StaffImport) -> Path | None:
    path = _folder_path(record) / PROBLEMS_FILE
    return path if path.is_file() else None


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
        rows_total=rows,
        report={"files": {PEOPLE_FILE: people.name or "", ASSIGNMENTS_FILE: assignments.name or ""}},
    )
    record.full_clean()
    record.save()
    return record


def staff_import_dispatch(*, record: StaffImport) -> bool:
    """Run a small import now; queue a large one for the worker. True when it was queued."""
    if record.rows_total <= settings.STAFF_IMPORT_BACKGROUND_ROWS:
        staff_import_execute(record_id=record.pk)
        return False
    from ..tasks import run_staff_import  # tasks import this module

    run_staff_import.enqueue(record.pk)
    return True


class _RecordProgress:
    """Shows progress on the record while the files are checked. Saving happens inside one transaction, which
    other connections cannot see into, so that stage is shown as a whole."""

    def __init__(self, record: StaffImport) -> None:
        self.record = record
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != StaffImportStage.CHECKING:
            return
        now = time.monotonic()
        if now - self.last < 1.0 and done < total:
            return
        self.last = now
        StaffImport.objects.filter(pk=self.record.pk).update(
            rows_done=done, rows_total=max(total, done), updated_at=timezone.now()
        )


def staff_import_execute(*, record_id: int) -> StaffImport:
    """Run a queued import once (a retried task finds it no longer queued and does nothing)."""
    claimed = StaffImport.objects.filter(pk=record_id, status=StaffImportStatus.QUEUED).update(
        status=StaffImportStatus.RUNNING, stage=StaffImportStage.CHECKING, updated_at=timezone.now()
    )
    record = StaffImport.objects.select_related("organisation", "started_by").get(pk=record_id)
    if not claimed:
        return record
    folder = _folder_path(record)
    progress = _RecordProgress(record)
    try:
        outcome = staff_import_run(
            organisation=record.organisation,
            people_path=folder / PEOPLE_FILE,
            assignments_path=folder / ASSIGNMENTS_FILE,
            actor=record.started_by,
            record=record,
            source="upload",
            progress=progress,
        )
    except Exception:
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


def _remove_uploads(folder: Path) -> None:
    # The uploads hold personal data and have served their purpose: the records or the report replace them.
    for name in (PEOPLE_FILE, ASSIGNMENTS_FILE):
        (folder / name).unlink(missing_ok=True)


def _finish(record: StaffImport, outcome: ImportOutcome) -> None:
    folder = _folder_path(record)
    report: dict[str, Any] = {
        **record.report,
        "counts": outcome.counts,
        "new_teams": outcome.new_teams,
        "warnings": outcome.warnings,
        "rows": {"people": outcome.people_rows, "assignments": outcome.assignment_rows},
        "problems": [p.as_dict() for p in outcome.problems[:PROBLEMS_SHOWN]],
    }
    if outcome.problems:
        (folder / PROBLEMS_FILE).write_text(problems_csv(outcome.problems), encoding="utf-8")
    _remove_uploads(folder)
    record.report = report
    record.problem_count = len(outcome.problems)
    record.status = StaffImportStatus.SUCCEEDED if outcome.ok else StaffImportStatus.REJECTED
    record.stage = StaffImportStage.DONE
    record.rows_done = record.rows_total = outcome.people_rows + outcome.assignment_rows
    record.finished_at = timezone.now()
    record.save(
        update_fields=[
            "report",
            "problem_count",
            "status",
            "stage",
            "rows_done",
            "rows_total",
            "finished_at",
            "updated_at",
        ]
    )


def staff_import_problems_export(*, record: StaffImport, request: HttpRequest) -> Path | None:
    """The CSV of every problem of a rejected import, its download audited (it quotes personal data)."""
    path = problems_file(record)
    if path is not None:
        audit(
            AuditAction.EXPORT,
            request=request,
            obj=record,
            organisation=record.organisation,
            what="staff import problems",
            problems=record.problem_count,
        )
    return path
