"""Workforce insights: the queue of local job titles the matcher could not place in the role catalogue.

The analytics themselves live in the Parquet store (`store.py`), not in these tables."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from cultivate.core.jobs import BackgroundJob
from cultivate.core.models import TimeStampedModel
from cultivate.core.scopes import ScopedQuerySet
from cultivate.organisations.models import Organisation, SupportRole


class JobTitleReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    ACCEPTED = "accepted", "Mapped to a role"
    REJECTED = "rejected", "Not a support role"


class JobTitleReview(TimeStampedModel):
    """A job title (or the family of titles that normalise to the same text) that did not map to a support
    role with confidence. Accepting it records a `JobTitle` alias; rejecting it says the title is not one of the
    catalogue's roles, so it is not queued again."""

    title = models.CharField(max_length=200, help_text="The title as first seen in an extract.")
    normalised = models.CharField(max_length=200, db_index=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="job_title_reviews"
    )
    suggested_role = models.ForeignKey(
        SupportRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_score = models.FloatField(null=True, blank=True)
    occurrences = models.PositiveIntegerField(
        default=0, help_text="People with the title in the last extract."
    )
    status = models.CharField(
        max_length=10, choices=JobTitleReviewStatus.choices, default=JobTitleReviewStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    role = models.ForeignKey(
        SupportRole, null=True, blank=True, on_delete=models.PROTECT, related_name="job_title_reviews"
    )

    class Meta:
        ordering = ["status", "-occurrences", "normalised"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "normalised"], name="job_title_review_unique_per_org"
            ),
            models.UniqueConstraint(
                fields=["normalised"],
                condition=Q(organisation__isnull=True),
                name="job_title_review_unique_shared",
            ),
            # Accepted means a role was chosen; open and rejected reviews have none.
            models.CheckConstraint(
                condition=Q(status=JobTitleReviewStatus.ACCEPTED, role__isnull=False)
                | Q(~Q(status=JobTitleReviewStatus.ACCEPTED), role__isnull=True),
                name="job_title_review_role_iff_accepted",
            ),
            models.CheckConstraint(
                condition=Q(status=JobTitleReviewStatus.OPEN, decided_at__isnull=True)
                | Q(~Q(status=JobTitleReviewStatus.OPEN), decided_at__isnull=False),
                name="job_title_review_decided_at_iff_decided",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == JobTitleReviewStatus.OPEN


class InsightsImportKind(models.TextChoices):
    EXTRACT = "extract", "Extract upload"
    SNAPSHOT = "snapshot", "Snapshot of the service's records"


class InsightsImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Not imported"


IMPORT_STOPPED = (
    "The import stopped unexpectedly before it finished: the background worker running it was stopped. Nothing "
    "was saved, and the uploaded file has been deleted. Please upload the file again."
)
SNAPSHOT_STOPPED = (
    "The snapshot stopped unexpectedly before it finished: the background worker running it was stopped. "
    "Nothing was changed. Please take the snapshot again."
)
# Beside an import's upload: every problem found, up to IMPORT_MAX_PROBLEMS (the record keeps the first ones).
IMPORT_PROBLEMS_FILE = "problems.csv"
# Under MEDIA_ROOT: one folder per report, named `<pk>-<random>`.
BOARD_REPORTS_DIR = "board-reports"
REPORT_STOPPED = (
    "The report stopped unexpectedly, twice, before it was made: the background worker making it was stopped. "
    "Ask for the report again; if it happens again, tell your system administrator the report number, {pk}."
)


def staging_tag(record: InsightsImport) -> str:
    """Names the import's staging folders in the store, so that those a dead worker left can be found."""
    return f"import-{record.pk}"


class InsightsImport(BackgroundJob):
    """One upload of a workforce extract into the insights store, or one snapshot of the service's own records:
    where the upload is kept, how far the task has got, and its outcome (rows per table, or every problem)."""

    job_task: ClassVar[str] = "cultivate.insights.tasks.run_insights_import"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="insights_imports")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=InsightsImportKind.choices)
    # Relative to MEDIA_ROOT, which is outside the web root; empty for a snapshot.
    upload = models.CharField(max_length=300, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    dataset = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=InsightsImportStatus.choices, default=InsightsImportStatus.QUEUED
    )
    rows = models.JSONField(default=dict, blank=True, help_text="Rows written per table.")
    # What else the page shows: the extract's date, warnings, a summary of the problems by rule.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(steps_done__lte=models.F("steps_total")),
                name="insights_import_steps_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Insights import {self.pk} ({self.get_status_display()})"

    def job_failed_fields(self, now: dt.datetime) -> dict[str, Any]:
        # A dataset is published by one rename at the very end, so a worker that died before it saved nothing.
        stopped = SNAPSHOT_STOPPED if self.kind == InsightsImportKind.SNAPSHOT else IMPORT_STOPPED
        return {
            "status": InsightsImportStatus.FAILED,
            "stage": "Stopped",
            "finished_at": now,
            "report": {},
            "problems": [],
            "problem_count": 0,
            "error": stopped,
        }

    def job_files(self) -> list[Path]:
        # The upload's folder (upload, unpacked files, problems so far) and the half-written dataset.
        staged = list(Path(settings.INSIGHTS_STORE).glob(f".staging-{staging_tag(self)}-*"))
        return [*([(Path(settings.MEDIA_ROOT) / self.upload).parent] if self.upload else []), *staged]

    def job_problem_rows(self) -> Iterator[tuple[str, int | None, str, str, str]]:
        # The file the import wrote holds more problems than the record keeps (IMPORT_MAX_PROBLEMS).
        path = self.problems_path()
        if path is None:
            yield from super().job_problem_rows()
            return
        with path.open(encoding="utf-8", newline="") as handle:
            for file, line, column, value, rule in itertools.islice(csv.reader(handle), 1, None):
                yield file, int(line) if line else None, column, value, rule

    def problems_path(self) -> Path | None:
        """The CSV of problems the import wrote beside the upload, if it is still there."""
        if not self.upload:
            return None
        path = (Path(settings.MEDIA_ROOT) / self.upload).parent / IMPORT_PROBLEMS_FILE
        return path if path.is_file() else None


class BoardReportFormat(models.TextChoices):
    HTML = "html", "Web page (HTML)"
    PDF = "pdf", "PDF"


class BoardReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being prepared"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Not made"


class BoardReport(BackgroundJob):
    """One board report asked for on the web and made by the worker: whose it is and what it covers (one
    organisation, or all of an alliance's members), how far the task has got, and where the file is kept."""

    objects = ScopedQuerySet["BoardReport"].as_manager()

    job_task: ClassVar[str] = "cultivate.insights.tasks.run_board_report"
    # Making a report writes nothing but the report, so one whose worker died is simply made again, once.
    job_restarts_allowed: ClassVar[int] = 1

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The role the request acted in; access to the finished report is decided on the scope below, not on it.
    role = models.CharField(max_length=20)
    # The scope: one organisation, or (organisation empty) all member organisations of an alliance.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="board_reports"
    )
    alliance = models.ForeignKey(
        "organisations.Alliance",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="board_reports",
    )
    organisation_codes = models.JSONField(default=list, help_text="ODS codes of the organisations covered.")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    file_format = models.CharField(max_length=4, choices=BoardReportFormat.choices)
    individual_level = models.BooleanField(
        default=False, help_text="Every figure shown, counts below 5 included (an organisation's own admins)."
    )
    cost_per_leaver = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The cost of replacing one leaver, in pounds, for the cost of turnover (none: not shown).",
    )
    commentary = models.TextField(
        blank=True,
        max_length=5000,
        help_text="The author's commentary for the board, printed at the start of the report as written.",
    )
    status = models.CharField(
        max_length=10, choices=BoardReportStatus.choices, default=BoardReportStatus.QUEUED
    )
    # Relative to MEDIA_ROOT, which is outside the web root; empty until the report is made.
    file = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, alliance__isnull=True)
                | Q(organisation__isnull=True, alliance__isnull=False),
                name="board_report_one_scope",
            ),
            # No one sees individuals across trusts: every figure is shown for one organisation only.
            models.CheckConstraint(
                condition=Q(individual_level=False) | Q(organisation__isnull=False),
                name="board_report_individual_level_one_organisation",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lt=models.F("period_end")), name="board_report_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(steps_done__lte=models.F("steps_total")), name="board_report_steps_done_le_total"
            ),
            models.CheckConstraint(
                condition=~Q(status=BoardReportStatus.SUCCEEDED) | (Q(size__isnull=False) & ~Q(file="")),
                name="board_report_file_when_ready",
            ),
        ]

    def __str__(self) -> str:
        return f"Board report {self.pk} ({self.get_status_display()})"

    def job_failed_fields(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "status": BoardReportStatus.FAILED,
            "stage": "Stopped",
            "finished_at": now,
            "steps_done": F("steps_total"),
            "error": REPORT_STOPPED.format(pk=self.pk),
        }

    def job_requeued_fields(self) -> dict[str, Any]:
        return {"status": BoardReportStatus.QUEUED, "stage": "", "steps_done": 0}

    def job_files(self) -> list[Path]:
        # The folder of a half-made report is named after the report.
        return list((Path(settings.MEDIA_ROOT) / BOARD_REPORTS_DIR).glob(f"{self.pk}-*"))
