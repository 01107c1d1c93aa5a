"""The one way a background job's page shows it (ADR 0023): its status tag, how far it has
got, when its worker last showed it was alive, what to do when it failed, and the problems it found. The pages
of the staff import, the insights import and the board report give what this returns to the macros in
`components/jobs.jinja`.

Steps are numbered by one rule (`current_step`): `steps_done` counts the steps completed, so the step under way
is the next one, "Step 1 of 5" while the first runs; a job that counts rows rather than steps says how many it
has done ("Checked 20 of 50 rows")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from .jobs import BackgroundJob, JobStatus

STATUS_CLASSES: dict[str, str] = {
    JobStatus.QUEUED: "nhsuk-tag--grey",
    JobStatus.RUNNING: "nhsuk-tag--blue",
    JobStatus.SUCCEEDED: "nhsuk-tag--green",
    JobStatus.FAILED: "nhsuk-tag--red",
}
QUEUED_TEXT = "Waiting for the worker to start."
# How often a page following a job fetches itself again, in seconds (cultivate.js; at least 2).
REFRESH_SECONDS = 2


def job_status_tag(record: BackgroundJob, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The NHS tag of the job's status: its label, and a colour for each shared status (and `extra`'s)."""
    classes = {**STATUS_CLASSES, **(extra or {})}
    label = getattr(record, "get_status_display", lambda: record.status)()
    return {"text": str(label), "classes": classes.get(record.status, "nhsuk-tag--grey")}


def current_step(done: int, total: int) -> int:
    """The number of the step under way: the one after those completed, never past the last (0: no steps)."""
    return min(done + 1, total) if total > 0 else 0


def since(moment: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in words: "just now", "40 seconds ago", "3 minutes ago", "2 hours ago"."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 5:
        return "just now"
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # pragma: no cover - seconds >= 5 always matches a unit


def progress_text(record: BackgroundJob) -> str:
    """What the job is doing, in one sentence, for a job that is running."""
    total = record.steps_total
    done = min(record.steps_done, total)
    if record.job_step_unit != "step":
        unit = record.job_step_unit
        return f"Checked {done:,} of {total:,} {unit}s ({record.progress_percent}%)."
    if not total:
        return "Starting."
    stage = record.stage_label or "Starting"
    return f"Step {current_step(done, total)} of {total}: {stage} ({record.progress_percent}% done)."


def job_progress(
    record: BackgroundJob,
    *,
    label: str = "Progress",
    queued_text: str = QUEUED_TEXT,
    text: str | None = None,
    indeterminate: str = "",
    refresh_seconds: int = REFRESH_SECONDS,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the progress card shows while the job is queued or running. `text` replaces the sentence (a stage
    the steps do not describe); `indeterminate`, when given, is shown in place of a bar that cannot say how
    far a stage has got (one transaction)."""
    now = now or timezone.now()
    total, done = record.steps_total, min(record.steps_done, record.steps_total)
    if record.status == record.job_queued:
        sentence = queued_text
    else:
        sentence = text if text is not None else progress_text(record)
    alive = max(filter(None, (record.heartbeat_at, record.updated_at)), default=None)
    heartbeat = ""
    if record.status == record.job_running and alive is not None:
        heartbeat = f"The worker last reported progress {since(alive, now)}."
    return {
        "heading": record.stage_label or "Waiting to start",
        "label": label,
        "value": done,
        "max": max(total, 1),
        "percent": record.progress_percent,
        "text": sentence,
        "indeterminate": indeterminate,
        "heartbeat": heartbeat,
        "refresh_seconds": refresh_seconds,
    }


def job_failure(record: BackgroundJob, fallback: str) -> str:
    """Why a failed job failed and what to do next: the message the job recorded, or `fallback` (something went
    wrong on our side, which the page never explains: no SQL, paths or traces)."""
    return record.error or fallback


def job_problems(
    record: BackgroundJob, *, in_download: int | None = None, complete: bool = True
) -> dict[str, Any]:
    """The problems card: the first problems found, how many there are, and how many the download holds
    (all of those kept, unless the kind keeps more in a file: `in_download`). `complete` is false when checking
    stopped before the end, so the download cannot be "all" of them."""
    shown = list(record.problems or [])
    count = record.problem_count
    in_file = len(shown) if in_download is None else in_download
    return {
        "rows": shown,
        "count": count,
        "shown": len(shown),
        "truncated": count > len(shown),
        "in_download": in_file,
        "download_all": complete and in_file >= count,
        "csv_href": "?download=problems",
        "xlsx_href": "?download=problems&format=xlsx",
    }
