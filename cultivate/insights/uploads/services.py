"""Getting data into the insights store from the web: an uploaded extract (a zip of CSV or Parquet files, or an
XLSX workbook) or a snapshot of the service's own records, each recorded as an InsightsImport and run as a
background task that reports its stage. Every run is audited; a failed one keeps nothing."""

from __future__ import annotations

import logging
import secrets
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from cultivate.accounts.models import User
from cultivate.core.audit import AuditContext, audit
from cultivate.core.audit_actions import CoreAction
from cultivate.core.bounds import TooLarge, declared_size, unzip_bounded
from cultivate.core.jobs import JobProgress, job_enqueue, job_problem
from cultivate.insights.audit_actions import InsightsAction
from cultivate.organisations.models import Organisation

from .. import snapshot
from .. import store as insights_store
from ..extract import IMPORTED, ExtractError, import_extract
from ..extract.importer import PROBLEMS_KEPT
from ..extract.sources import fingerprint, locate
from ..job_titles import job_title_reviews_queue, title_counts_from_store
from ..models import (
    IMPORT_PROBLEMS_FILE,
    InsightsImport,
    InsightsImportKind,
    InsightsImportStatus,
    staging_tag,
)

logger = logging.getLogger(__name__)

UPLOADS_DIR = "insights-imports"
PROBLEMS_FILE = IMPORT_PROBLEMS_FILE
MAX_UPLOAD_MB = 500
EXTRACT_SUFFIXES = (".csv", ".parquet")


class UploadError(Exception):
    """The upload is not an extract we can read; the message says why, for the person who uploaded it."""


def extract_dataset_name(organisation: Organisation) -> str:
    """An organisation's uploads share one dataset: a new extract replaces the previous one."""
    return f"extract-{organisation.ods_code}"


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def insights_import_create(
    *, organisation: Organisation, actor: User, upload: UploadedFile
) -> InsightsImport:
    """Keep the upload under MEDIA_ROOT (never served) and record the import, queued."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = f"{UPLOADS_DIR}/{organisation.ods_code}/{stamp}-{secrets.token_hex(4)}"
    target = _media(folder)
    target.mkdir(parents=True, exist_ok=False)
    suffix = Path(upload.name or "").suffix.lower()
    stored = f"{folder}/upload{suffix}"
    with _media(stored).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    record = InsightsImport(
        organisation=organisation,
        started_by=actor,
        kind=InsightsImportKind.EXTRACT,
        upload=stored,
        original_name=(upload.name or "")[:200],
        dataset=extract_dataset_name(organisation),
    )
    record.full_clean()
    record.save()
    return record


def insights_snapshot_create(*, organisation: Organisation, actor: User | None) -> InsightsImport:
    record = InsightsImport(
        organisation=organisation,
        started_by=actor,
        kind=InsightsImportKind.SNAPSHOT,
        dataset=snapshot.dataset_name(organisation),
    )
    record.full_clean()
    record.save()
    return record


def insights_import_dispatch(*, record: InsightsImport) -> None:
    """Queue the import for the worker (the test settings run tasks at once)."""
    job_enqueue(record)


def insights_import_execute(*, record_id: int, store: Path | str | None = None) -> InsightsImport:
    """Run a queued import or snapshot once (a retried task finds it no longer queued and does nothing)."""
    claimed = InsightsImport.objects.filter(pk=record_id, status=InsightsImportStatus.QUEUED).update(
        status=InsightsImportStatus.RUNNING,
        stage="Starting",
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    record = InsightsImport.objects.select_related("organisation", "started_by").get(pk=record_id)
    if not claimed:
        return record
    store_path = Path(store or settings.INSIGHTS_STORE)
    progress = JobProgress(record)
    try:
        if record.kind == InsightsImportKind.SNAPSHOT:
            outcome = _run_snapshot(record, store_path, progress)
        else:
            outcome = _run_extract(record, store_path, progress)
    except Exception:
        logger.exception("Insights import %s failed", record.pk)
        outcome = {
            "status": InsightsImportStatus.FAILED,
            "error": "Something went wrong on our side; nothing was imported.",
        }
    finally:
        if record.upload:
            shutil.rmtree(_media(record.upload).parent / "unpacked", ignore_errors=True)
            # The upload holds personal data and has served its purpose: the store or the report replaces it.
            _media(record.upload).unlink(missing_ok=True)
    _finish(record, outcome)
    return record


def _finish(record: InsightsImport, outcome: dict[str, Any]) -> None:
    record.refresh_from_db()
    record.status = outcome["status"]
    record.rows = outcome.get("rows", {})
    record.problem_count = outcome.get("problem_count", 0)
    record.problems = outcome.get("problems", [])
    record.error = outcome.get("error", "")
    record.report = outcome.get("report", {})
    record.stage = "Finished"
    record.steps_total = max(record.steps_total, 1)
    record.steps_done = record.steps_total
    record.finished_at = timezone.now()
    record.save()
    detail = {
        "kind": record.kind,
        "dataset": record.dataset,
        "ods_code": record.organisation.ods_code,
        "rows": record.rows,
        "problems": record.problem_count,
    }
    # Run by the worker (or inline, for a small file) on behalf of whoever started it.
    ctx = AuditContext.system("insights import worker", actor=record.started_by)
    if record.status == InsightsImportStatus.SUCCEEDED:
        audit(
            InsightsAction.INSIGHTS_IMPORTED,
            ctx=ctx,
            obj=record,
            organisation=record.organisation,
            unchanged=bool(record.report.get("unchanged")),
            **detail,
        )
    else:
        audit(
            CoreAction.IMPORT_REJECTED,
            ctx=ctx,
            obj=record,
            organisation=record.organisation,
            reason=record.error,
            **detail,
        )


def _run_snapshot(record: InsightsImport, store: Path, progress: JobProgress) -> dict[str, Any]:
    result = snapshot.snapshot_organisation(organisation=record.organisation, store=store, progress=progress)
    queued = job_title_reviews_queue(title_counts=result.title_counts, organisation=record.organisation)
    return {
        "status": InsightsImportStatus.SUCCEEDED,
        "rows": result.rows,
        "report": {"extract_date": result.extract_date.isoformat(), "titles_queued": queued.created},
    }


def _failed(message: str, **extra: Any) -> dict[str, Any]:
    return {"status": InsightsImportStatus.FAILED, "error": message, "report": extra}


def _run_extract(record: InsightsImport, store: Path, progress: JobProgress) -> dict[str, Any]:
    upload = _media(record.upload)
    try:
        path = unpack(upload, upload.parent / "unpacked")
        extract = locate(path)
    except (UploadError, ExtractError) as error:
        return _failed(str(error))
    existing = insights_store.manifest(store)["datasets"].get(record.dataset)
    if existing and existing.get("sha256") == fingerprint(extract).sha256:
        return {
            "status": InsightsImportStatus.SUCCEEDED,
            "rows": dict(existing.get("rows", {})),
            "report": {"unchanged": True, "extract_date": existing.get("extract_date")},
        }
    # Imported first into a private store beside the real one (same disk, so publishing is one rename), so that
    # the organisation codes can be checked before anyone can read the rows.
    with insights_store.staging(store, tag=staging_tag(record)) as private:
        report = import_extract(
            path,
            private,
            dataset=record.dataset,
            progress=progress,
            problems_file=upload.parent / PROBLEMS_FILE,
            max_problems=settings.IMPORT_MAX_PROBLEMS,
            max_rows=settings.IMPORT_MAX_ROWS,
        )
        if report.status != IMPORTED:
            count = report.problem_count
            found = f"{count:,} {'problem was' if count == 1 else 'problems were'} found in the extract"
            return {
                "status": InsightsImportStatus.FAILED,
                "problem_count": count,
                "problems": [
                    job_problem(p.file, p.line, p.column, p.value, p.rule)
                    for p in report.problems[:PROBLEMS_KEPT]
                ],
                "error": (
                    f"Checking stopped after {found}; nothing was imported. Correct them and upload the "
                    "extract again to check the rest."
                    if report.checking_stopped
                    else f"{found}; nothing was imported."
                ),
                "report": {
                    "checking_stopped": report.checking_stopped,
                    "problems_in_file": min(count, settings.IMPORT_MAX_PROBLEMS),
                    "summary": [list(row) for row in report.summary],
                    "warnings": report.warnings,
                },
            }
        con = insights_store.connect(private)
        try:
            foreign = con.execute(
                "SELECT organisation_code, count(*) FROM assignments "
                "WHERE organisation_code IS DISTINCT FROM ? GROUP BY 1 ORDER BY 1",
                [record.organisation.ods_code],
            ).fetchall()
            # Applications may name their organisation (our extension of the format): one naming another
            # organisation would show in that organisation's dashboards, so it is refused like a spell.
            foreign_applications = con.execute(
                "SELECT organisation_code, count(*) FROM recruitment "
                "WHERE organisation_code IS NOT NULL AND organisation_code <> ? GROUP BY 1 ORDER BY 1",
                [record.organisation.ods_code],
            ).fetchall()
            title_counts = title_counts_from_store(con, organisation_code=record.organisation.ods_code)
        finally:
            con.close()
        if foreign_applications:
            codes = ", ".join(
                f"{code} ({count:,} {'row' if count == 1 else 'rows'})"
                for code, count in foreign_applications
            )
            return _failed(
                f"An extract imported for {record.organisation.ods_code} may only contain its own applications, "
                f"but recruitment has organisation_code {codes}. Nothing was imported.",
                foreign_codes=[code for code, _count in foreign_applications],
            )
        if foreign:
            codes = ", ".join(
                f"{code or '(empty)'} ({count:,} {'row' if count == 1 else 'rows'})"
                for code, count in foreign
            )
            return _failed(
                f"An extract imported for {record.organisation.ods_code} may only contain its own employment "
                f"spells, but assignments has organisation_code {codes}. Nothing was imported.",
                foreign_codes=[code for code, _count in foreign],
            )
        info = insights_store.manifest(private)["datasets"][record.dataset]
        info["organisation_code"] = record.organisation.ods_code
        insights_store.publish_dataset(store, record.dataset, private / "datasets" / record.dataset, info)
    queued = job_title_reviews_queue(title_counts=title_counts, organisation=record.organisation)
    return {
        "status": InsightsImportStatus.SUCCEEDED,
        "rows": report.rows,
        "report": {
            "extract_date": report.extract_date.isoformat() if report.extract_date else None,
            "unknown_columns": report.unknown_columns,
            "warnings": report.warnings,
            "titles_queued": queued.created,
        },
    }


def unpack(upload: Path, folder: Path) -> Path:
    """The extract in an upload: an XLSX workbook as it is; a zip's CSV and Parquet files, from whatever folder
    inside it, unpacked side by side into `folder`. Only those files are written, under their own base names,
    so nothing in a zip can be written outside `folder`."""
    suffix = upload.suffix.lower()
    limit_mb = settings.IMPORT_MAX_UNPACKED_MB
    too_large = (
        f"The file unpacks to more than {limit_mb:,} MB, more than one import may hold. Split the extract "
        "into smaller ones, or ask your system administrator about the limit."
    )
    if suffix not in (".zip", ".xlsx"):
        raise UploadError("The file must be a zip of CSV or Parquet files, or an XLSX workbook.")
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as error:
        what = "workbook" if suffix == ".xlsx" else "zip file"
        raise UploadError(f"The {what} cannot be opened: it is damaged or not a {what}.") from error
    if suffix == ".xlsx":
        # A workbook is a zip too: its sheets are read as they are, with the row count bounded as they are
        # read, so only what it declares is checked here.
        with archive:
            if declared_size(archive.infolist()) > limit_mb * 1024 * 1024:
                raise UploadError(too_large)
        return upload
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and Path(info.filename).suffix.lower() in EXTRACT_SUFFIXES
            and not Path(info.filename).name.startswith(".")
            and "__MACOSX" not in Path(info.filename).parts
        ]
        if not members:
            raise UploadError("The zip file has no CSV or Parquet files in it.")
        names: dict[str, str] = {}
        for info in members:
            name = Path(info.filename).name
            if name.lower() in names:
                raise UploadError(
                    f"The zip has two files called {name} ({names[name.lower()]} and {info.filename}); "
                    "keep one of them."
                )
            names[name.lower()] = info.filename
        folder.mkdir(parents=True, exist_ok=True)
        targets = [(info, folder / Path(info.filename).name) for info in members]
        try:
            unzip_bounded(archive, targets, limit=limit_mb * 1024 * 1024)
        except TooLarge as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadError(too_large) from error
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            logger.warning("Zip %s could not be unpacked: %r", upload.name, error)
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadError("The zip file cannot be unpacked: it is damaged.") from error
    return folder


def insights_import_problems_export(
    *, record: InsightsImport, actor: User
) -> Iterator[tuple[str, int | None, str, str, str]] | None:
    """Every problem kept (the file the import wrote, up to IMPORT_MAX_PROBLEMS), for the download, which is
    audited as an export (it echoes values from the upload); None when there are none."""
    if record.problems_path() is None and not record.problems:
        return None
    audit(
        CoreAction.EXPORT,
        actor=actor,
        obj=record,
        organisation=record.organisation,
        what="insights import problems",
    )
    return record.job_problem_rows()


def snapshot_all(
    *, store: Path | str, ctx: AuditContext, organisations: list[Organisation] | None = None
) -> list[snapshot.SnapshotResult]:
    """Snapshot every organisation (or the given ones) from the command line or the demo; returns the results."""
    results = []
    for organisation in organisations or list(Organisation.objects.order_by("ods_code")):
        result = snapshot.snapshot_organisation(organisation=organisation, store=store)
        job_title_reviews_queue(title_counts=result.title_counts, organisation=organisation)
        audit(
            InsightsAction.INSIGHTS_IMPORTED,
            ctx=ctx,
            obj=organisation,
            organisation=organisation,
            kind=InsightsImportKind.SNAPSHOT,
            dataset=result.dataset,
            rows=result.rows,
            source="command line",
        )
        results.append(result)
    return results
