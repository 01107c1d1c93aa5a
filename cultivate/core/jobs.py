"""Background jobs that cannot be lost: every record of work done by the task worker (a staff import, an insights
import, a board report) is a `BackgroundJob`, which records a heartbeat while it runs. A job whose worker died
(killed, out of memory, the machine restarted) stops beating; once it has been silent for
`TASK_STALE_MINUTES` it is recovered: queued again where running it twice is harmless and it has not been
restarted too often, otherwise marked failed with a message that says what happened, its uploaded files removed
(they hold personal data). Its django-tasks result row, left "running", is marked failed too.

Recovery is written once, here, over every concrete subclass; each model only says which status values it uses,
what a failure looks like on it and which files are its own. It runs when a worker starts and every minute or so
inside it (`cultivate worker`), whenever a job's status page is viewed (so the page never says "running" for a
job nobody runs), and from cron (`cultivate recover_jobs`). The same passes close a job that waits for a person
(a staff import's preview) and was left waiting longer than `JOB_WAITING_HOURS`, and remove its uploads."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import TimeStampedModel

logger = logging.getLogger(__name__)

# The django-tasks result row of a job whose worker stopped is marked failed with this as its exception.
WORKER_LOST = "cultivate.core.jobs.WorkerLost"


class JobStatus(models.TextChoices):
    """The status values every job shares; a job kind may add its own (a staff import waits to be confirmed, is
    rejected or cancelled) and give them its own labels."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class BackgroundJob(TimeStampedModel):
    """A record of work the task worker does, with the fields every job shares and that mean the same on each:

    - `status`: where the job is in its life (`JobStatus`, and any values its kind adds);
    - `stage`: what it is doing now, in words for its page ("Checking people.csv");
    - `steps_total` and `steps_done`: how much work there is and how much is finished (`steps_done` counts
      steps completed, so the step under way is `steps_done + 1`; a kind names its unit, a step or a row);
    - progress: `progress_percent`, worked out from the steps, never stored;
    - `problem_count` and `problems`: every problem found, and the first ones (file, row, column, value,
      problem) for the page and the download;
    - `error`: why a failed job failed and what to do next, for the person who started it;
    - `started_at` and `finished_at`.

    A subclass names its status values and its task, and says how it fails (`job_failed_fields`) and which files
    are its own (`job_files`)."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the job is doing now.")
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0, help_text="Steps completed.")
    problem_count = models.PositiveIntegerField(default=0, help_text="Every problem found.")
    problems = models.JSONField(
        default=list, blank=True, help_text="The first problems found: file, row, column, value, problem."
    )
    error = models.TextField(blank=True, help_text="Why the job failed, and what to do next.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker running the job last showed it was alive."
    )
    restarts = models.PositiveSmallIntegerField(
        default=0, help_text="Times the job was queued again after the worker running it stopped."
    )

    # The task that runs a job, called with the record's primary key.
    job_task: ClassVar[str] = ""
    job_queued: ClassVar[str] = JobStatus.QUEUED
    job_running: ClassVar[str] = JobStatus.RUNNING
    job_failed: ClassVar[str] = JobStatus.FAILED
    # The statuses in which the job is over (its page stops following it).
    job_finished: ClassVar[frozenset[str]] = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})
    # What a step is, for the page: "step" ("Step 2 of 5: ...") or a unit counted ("row": "Checked 20 of 50 rows").
    job_step_unit: ClassVar[str] = "step"
    # How many times a job whose worker stopped is queued again rather than failed (0: never; only for jobs
    # that write nothing but their own result, so a second run is harmless).
    job_restarts_allowed: ClassVar[int] = 0
    # A status in which the job waits for a person (a preview to confirm) while its uploads stay on disk; a job
    # left waiting longer than JOB_WAITING_HOURS is closed (`job_expired_fields`) and its files removed.
    job_waiting: ClassVar[str | None] = None

    class Meta:
        abstract = True

    def job_failed_fields(self, now: dt.datetime) -> dict[str, Any]:
        """The fields that mark this job failed because its worker stopped, with a message for its page."""
        raise NotImplementedError

    def job_expired_fields(self, now: dt.datetime) -> dict[str, Any]:
        """The fields that close a job left waiting too long, with a message for its page."""
        raise NotImplementedError

    def job_requeued_fields(self) -> dict[str, Any]:
        """The fields that put this job back in the queue, as if it had not started."""
        return {"status": self.job_queued}

    def job_files(self) -> list[Path]:
        """Files and folders a stopped run leaves that nothing needs any more (uploads hold personal data), to
        remove when the job is failed or queued again."""
        return []

    def job_problem_rows(self) -> Iterator[tuple[str, int | None, str, str, str]]:
        """Every problem kept for the download, as (file, row, column, value, problem): by default those stored
        on the record; a kind that keeps more in a file reads them from there."""
        for problem in self.problems or []:
            yield (
                str(problem.get("file", "")),
                problem.get("row"),
                str(problem.get("column", "")),
                str(problem.get("value", "")),
                str(problem.get("problem", "")),
            )

    @property
    def stage_label(self) -> str:
        return self.stage

    @property
    def is_finished(self) -> bool:
        return self.status in self.job_finished

    @property
    def is_busy(self) -> bool:
        """Queued or running: the page follows its progress."""
        return self.status in {self.job_queued, self.job_running}

    @property
    def progress_percent(self) -> int:
        """How much of the work is finished, from the steps: whole percent, 100 once the job is over."""
        if self.is_finished:
            return 100
        total = self.steps_total
        return int(min(self.steps_done, total) * 100 / total) if total else 0


def job_problem(file: str, row: int | None, column: str, value: str, problem: str) -> dict[str, Any]:
    """One problem as every job stores it (`BackgroundJob.problems`)."""
    return {"file": file, "row": row, "column": column, "value": value, "problem": problem}


def job_enqueue(record: BackgroundJob) -> None:
    """Queue the job's task for the worker (the test settings run tasks at once). Through the task's dotted
    path, so a service that queues its job need not import the module that holds the task (which imports it)."""
    import_string(type(record).job_task).enqueue(record.pk)


class JobProgress:
    """Records a running job's stage and steps on its row, at most once a `every` seconds (each update is a
    write, and moves `updated_at`, which shows the job alive) but always the last step. Called with the stage,
    the steps completed and the steps in all; a stage of None leaves the stage as it is."""

    def __init__(self, record: BackgroundJob, *, every: float = 1.0) -> None:
        self.model, self.pk, self.every = type(record), record.pk, every
        self.last = 0.0

    def __call__(self, stage: str | None, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < self.every and (total is None or done < total):
            return
        self.last = now
        changes: dict[str, Any] = {"steps_done": done, "updated_at": timezone.now()}
        if stage is not None:
            changes["stage"] = stage[:100]
        if total is not None:
            changes["steps_total"] = max(total, done)
        self.model._default_manager.filter(pk=self.pk).update(**changes)


J = TypeVar("J", bound=BackgroundJob)


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=float(settings.TASK_STALE_MINUTES))


def heartbeat_seconds() -> float:
    """How often a running job beats: often enough that a few missed beats (a busy database) are not taken
    for a dead worker, rarely enough to cost nothing."""
    return max(1.0, min(60.0, stale_after().total_seconds() / 5))


def waiting_expires_after() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.JOB_WAITING_HOURS))


def job_models() -> list[type[BackgroundJob]]:
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def _stale(model: type[BackgroundJob], cutoff: dt.datetime) -> Q:
    # Progress writes move updated_at and the heartbeat thread moves heartbeat_at: either shows it is alive.
    return (
        Q(status=model.job_running)
        & Q(updated_at__lt=cutoff)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    )


def _expired(model: type[BackgroundJob], cutoff: dt.datetime) -> Q:
    return Q(status=model.job_waiting, updated_at__lt=cutoff)


def job_is_stale(record: BackgroundJob, *, now: dt.datetime | None = None) -> bool:
    cutoff = (now or timezone.now()) - stale_after()
    if record.status != record.job_running or record.updated_at >= cutoff:
        return False
    return record.heartbeat_at is None or record.heartbeat_at < cutoff


@dataclass
class Recovery:
    """What one pass of recovery did: labels of the jobs failed and queued again, and task rows closed."""

    failed: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    task_results: int = 0

    def __bool__(self) -> bool:
        return bool(self.failed or self.requeued or self.expired or self.task_results)

    def __str__(self) -> str:
        return (
            f"{len(self.failed)} stopped jobs marked failed, {len(self.requeued)} queued again, "
            f"{len(self.expired)} left waiting closed, {self.task_results} task results closed."
        )


def jobs_recover(
    *, now: dt.datetime | None = None, kinds: Iterable[type[BackgroundJob]] | None = None
) -> Recovery:
    """Recover every job whose worker has been silent for longer than TASK_STALE_MINUTES. Safe to run from
    several processes at once: each job is claimed by one conditional update."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    recovery = Recovery()
    for model in kinds or job_models():
        for record in model._default_manager.filter(_stale(model, cutoff)):
            _recover(record, now=now, still=_stale(model, cutoff), recovery=recovery)
        recovery.task_results += _close_orphan_results(model, cutoff=cutoff, now=now)
        if model.job_waiting is not None:
            waited = _expired(model, now - waiting_expires_after())
            for record in model._default_manager.filter(waited):
                _expire(record, now=now, still=waited, recovery=recovery)
    if recovery:
        logger.warning("Job recovery: %s", recovery)
    return recovery


def jobs_recover_workers(worker_ids: Iterable[str], *, now: dt.datetime | None = None) -> Recovery:
    """Recover at once the running jobs of workers known to be dead (`cultivate serve` killed them, or saw
    them die), without waiting for their heartbeats to go stale."""
    now = now or timezone.now()
    dead = set(worker_ids)
    recovery = Recovery()
    for model in job_models():
        pks = [
            pk for _rid, pk, _started, workers in _running_results(model) if workers and workers[-1] in dead
        ]
        running = Q(status=model.job_running)
        for record in model._default_manager.filter(running, pk__in=pks):
            _recover(record, now=now, still=running, recovery=recovery)
    if recovery:
        logger.warning("Job recovery after workers stopped: %s", recovery)
    return recovery


def job_recover_if_stale(record: J, *, now: dt.datetime | None = None) -> J:
    """For a job's page: the record as it stands, recovered first if its worker has gone."""
    now = now or timezone.now()
    model = type(record)
    if job_is_stale(record, now=now):
        _recover(record, now=now, still=_stale(model, now - stale_after()), recovery=Recovery())
        record.refresh_from_db()
    elif record.status == model.job_waiting and record.updated_at < now - waiting_expires_after():
        _expire(record, now=now, still=_expired(model, now - waiting_expires_after()), recovery=Recovery())
        record.refresh_from_db()
    return record


def _expire(record: BackgroundJob, *, now: dt.datetime, still: Q, recovery: Recovery) -> None:
    model = type(record)
    if model._default_manager.filter(still, pk=record.pk).update(
        **record.job_expired_fields(now), updated_at=now
    ):
        _remove(record.job_files())
        label = f"{model._meta.label} {record.pk}"
        logger.warning("%s: left waiting too long; closed and its files removed", label)
        recovery.expired.append(label)


def _recover(record: BackgroundJob, *, now: dt.datetime, still: Q, recovery: Recovery) -> None:
    model = type(record)
    label = f"{model._meta.label} {record.pk}"
    requeue = record.restarts < model.job_restarts_allowed
    if requeue:
        changes = {**record.job_requeued_fields(), "restarts": F("restarts") + 1}
    else:
        changes = record.job_failed_fields(now)
    # Claimed only if `still` holds (stale, or at least running): the job may have finished or beaten since it
    # was read, or another process may be recovering it.
    claimed = model._default_manager.filter(still, pk=record.pk).update(
        **changes, heartbeat_at=None, updated_at=now
    )
    if not claimed:
        return
    recovery.task_results += _close_results(model, [record.pk], now=now)
    _remove(record.job_files())
    if requeue:
        logger.warning("%s: its worker stopped; queued again", label)
        import_string(model.job_task).enqueue(record.pk)
        recovery.requeued.append(label)
    else:
        logger.warning("%s: its worker stopped; marked failed and its files removed", label)
        recovery.failed.append(label)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _results_model() -> type[models.Model] | None:
    try:
        return apps.get_model("django_tasks_database", "DBTaskResult")
    except LookupError:  # the database backend is not installed (another task backend)
        return None


def _running_results(model: type[BackgroundJob]) -> list[tuple[Any, int, dt.datetime | None, list[str]]]:
    """(result id, job pk, started at, worker ids) of the task rows still marked running for this kind of job."""
    results = _results_model()
    if results is None or not model.job_task:
        return []
    rows = results._default_manager.filter(status="RUNNING", task_path=model.job_task).values_list(
        "id", "args_kwargs", "started_at", "worker_ids"
    )
    found = []
    for pk, args_kwargs, started_at, workers in rows:
        args = (args_kwargs or {}).get("args") or []
        if args and isinstance(args[0], int):
            found.append((pk, args[0], started_at, list(workers or [])))
    return found


def _fail_results(ids: list[Any], *, now: dt.datetime) -> int:
    results = _results_model()
    if results is None or not ids:
        return 0
    return results._default_manager.filter(pk__in=ids, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback="The worker running this task stopped before it finished; the job was recovered.",
    )


def _close_results(model: type[BackgroundJob], pks: list[int], *, now: dt.datetime) -> int:
    wanted = set(pks)
    return _fail_results([rid for rid, pk, _, _ in _running_results(model) if pk in wanted], now=now)


def _close_orphan_results(model: type[BackgroundJob], *, cutoff: dt.datetime, now: dt.datetime) -> int:
    """Task rows left running although their job is no longer running (the worker died between finishing the
    job and recording the task's result)."""
    candidates = [
        (rid, pk) for rid, pk, started, _ in _running_results(model) if started and started < cutoff
    ]
    if not candidates:
        return 0
    running = set(
        model._default_manager.filter(
            Q(status=model.job_running), pk__in=[pk for _, pk in candidates]
        ).values_list("pk", flat=True)
    )
    return _fail_results([rid for rid, pk in candidates if pk not in running], now=now)


@contextmanager
def job_heartbeat(model: type[BackgroundJob], pk: int, *, every: float | None = None) -> Iterator[None]:
    """While the block runs, a thread records every few seconds that the job's worker is alive, so a long quiet
    step (one big transaction, a PDF being laid out) is not taken for a dead worker. Its own database
    connection writes the beat, outside any transaction the job holds."""
    every = heartbeat_seconds() if every is None else every
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    model._default_manager.filter(Q(status=model.job_running), pk=pk).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a busy database: the next beat will do
                    logger.warning("Heartbeat of %s %s not recorded", model._meta.label, pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class RecoveryThread(threading.Thread):
    """Runs `jobs_recover` every `every` seconds inside a worker process, so a job whose worker died is
    recovered by the workers still alive, even while they are busy with long tasks of their own."""

    def __init__(self, every: float) -> None:
        super().__init__(name="job-recovery", daemon=True)
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    jobs_recover()
                except DatabaseError:
                    logger.warning("Job recovery failed; trying again later", exc_info=True)
                finally:
                    connections.close_all()
        finally:
            connections.close_all()
