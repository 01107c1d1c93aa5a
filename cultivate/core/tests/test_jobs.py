"""Recovery of background jobs whose worker stopped: a job left running with no sign of life for
TASK_STALE_MINUTES is marked failed with a plain message and its uploads removed (its django-tasks row closed
too), its page says so, and a job that is still beating is left alone."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from cultivate.accounts.models import Role
from cultivate.accounts.testing import make_organisation, make_user
from cultivate.core.jobs import WORKER_LOST, JobProgress, job_heartbeat, jobs_recover, jobs_recover_workers
from cultivate.insights.models import (
    IMPORT_STOPPED,
    InsightsImport,
    InsightsImportKind,
    InsightsImportStatus,
)
from cultivate.organisations.models import (
    STAFF_IMPORT_STOPPED,
    Organisation,
    StaffImport,
    StaffImportStage,
    StaffImportStatus,
)

LONG_AGO = dt.timedelta(minutes=30)


@pytest.fixture
def organisation(db: None, settings: Settings, tmp_path: Path) -> Organisation:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INSIGHTS_STORE = tmp_path / "store"
    settings.TASK_STALE_MINUTES = 10
    return make_organisation("RX1")


def media() -> Path:
    return Path(django_settings.MEDIA_ROOT)


def running_staff_import(
    organisation: Organisation, *, silent_for: dt.timedelta, name: str = "20250101-000000-abcd"
) -> StaffImport:
    """A staff import its worker was running, with its uploads on disk, last heard of `silent_for` ago."""
    folder = f"imports/RX1/{name}"
    (media() / folder).mkdir(parents=True)
    (media() / folder / "people.csv").write_text("person_id,surname\nP1,Smith\n")
    (media() / folder / "assignments.csv").write_text("assignment_id\nA1\n")
    record = StaffImport.objects.create(
        organisation=organisation,
        folder=folder,
        status=StaffImportStatus.RUNNING,
        stage=StaffImportStage.CHECKING,
        steps_total=200,
        steps_done=2,
    )
    then = timezone.now() - silent_for
    StaffImport.objects.filter(pk=record.pk).update(updated_at=then, heartbeat_at=then)
    return StaffImport.objects.get(pk=record.pk)


def running_task_row(task_path: str, pk: int, worker: str = "gone") -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [pk], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - LONG_AGO,
        worker_ids=["earlier", worker],
    )


def test_a_silent_staff_import_is_failed_with_a_message_and_its_uploads_removed(
    organisation: Organisation,
) -> None:
    record = running_staff_import(organisation, silent_for=LONG_AGO)
    folder = media() / record.folder
    task_row = running_task_row(StaffImport.job_task, record.pk)

    recovery = jobs_recover()

    record.refresh_from_db()
    assert record.status == StaffImportStatus.FAILED
    assert record.stage == StaffImportStage.DONE and record.finished_at is not None
    assert record.error == STAFF_IMPORT_STOPPED
    assert not folder.exists()
    task_row.refresh_from_db()
    assert task_row.status == "FAILED" and task_row.exception_class_path == WORKER_LOST
    assert recovery.failed == [f"organisations.StaffImport {record.pk}"] and recovery.task_results == 1
    # Recovery runs from several places at once: a second pass finds nothing to do.
    assert not jobs_recover()


def test_a_job_that_is_still_beating_is_left_alone(organisation: Organisation) -> None:
    quiet_but_alive = running_staff_import(organisation, silent_for=LONG_AGO)
    StaffImport.objects.filter(pk=quiet_but_alive.pk).update(heartbeat_at=timezone.now())
    progressing = running_staff_import(organisation, silent_for=LONG_AGO, name="other")
    StaffImport.objects.filter(pk=progressing.pk).update(heartbeat_at=None, updated_at=timezone.now())
    task_row = running_task_row(StaffImport.job_task, quiet_but_alive.pk)

    assert not jobs_recover()

    for record in (quiet_but_alive, progressing):
        record.refresh_from_db()
        assert record.status == StaffImportStatus.RUNNING
        assert (media() / record.folder / "people.csv").exists()
    task_row.refresh_from_db()
    assert task_row.status == "RUNNING"


def test_the_stale_time_is_a_setting(organisation: Organisation, settings: Settings) -> None:
    record = running_staff_import(organisation, silent_for=dt.timedelta(minutes=3))
    assert not jobs_recover()
    settings.TASK_STALE_MINUTES = 2
    assert jobs_recover().failed == [f"organisations.StaffImport {record.pk}"]


def test_the_status_page_of_a_silent_import_says_it_stopped(organisation: Organisation) -> None:
    record = running_staff_import(organisation, silent_for=LONG_AGO)
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    page = client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert "The import stopped unexpectedly" in page and "Please upload the files again." in page
    assert "the import carries on" not in page and "data-app-refresh" not in page
    assert StaffImport.objects.get(pk=record.pk).status == StaffImportStatus.FAILED
    assert not (media() / record.folder).exists()


def test_the_status_page_of_a_live_import_still_shows_its_progress(organisation: Organisation) -> None:
    record = running_staff_import(organisation, silent_for=dt.timedelta(minutes=1))
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    page = client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert "the import carries on" in page
    assert StaffImport.objects.get(pk=record.pk).status == StaffImportStatus.RUNNING


def checked_staff_import(organisation: Organisation, *, waiting_for: dt.timedelta) -> StaffImport:
    """A staff import checked and waiting for its preview to be confirmed, its uploads on disk."""
    record = running_staff_import(organisation, silent_for=dt.timedelta(0), name="20250101-000000-wait")
    StaffImport.objects.filter(pk=record.pk).update(
        status=StaffImportStatus.CHECKED, updated_at=timezone.now() - waiting_for
    )
    return StaffImport.objects.get(pk=record.pk)


def test_a_preview_nobody_confirms_is_cancelled_and_its_uploads_removed(
    organisation: Organisation, settings: Settings
) -> None:
    settings.JOB_WAITING_HOURS = 24
    old = checked_staff_import(organisation, waiting_for=dt.timedelta(hours=25))

    recovery = jobs_recover()

    old.refresh_from_db()
    assert old.status == StaffImportStatus.CANCELLED and old.report["expired"] is True
    assert recovery.expired == [f"organisations.StaffImport {old.pk}"] and not recovery.failed
    assert not (media() / old.folder).exists()


def test_a_preview_within_its_time_is_left_to_its_admin(
    organisation: Organisation, settings: Settings
) -> None:
    settings.JOB_WAITING_HOURS = 24
    recent = checked_staff_import(organisation, waiting_for=dt.timedelta(hours=23))

    assert not jobs_recover()

    recent.refresh_from_db()
    assert recent.status == StaffImportStatus.CHECKED
    assert (media() / recent.folder / "people.csv").exists()


def test_the_page_of_an_expired_preview_says_why_it_was_cancelled(
    organisation: Organisation, settings: Settings
) -> None:
    settings.JOB_WAITING_HOURS = 24
    record = checked_staff_import(organisation, waiting_for=dt.timedelta(hours=30))
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    page = client.get(f"/organisations/RX1/import/{record.pk}/").content.decode()

    assert "because nobody confirmed it within 24 hours" in page
    assert StaffImport.objects.get(pk=record.pk).status == StaffImportStatus.CANCELLED
    assert not (media() / record.folder).exists()


def test_a_silent_insights_import_is_failed_and_its_upload_and_staging_removed(
    organisation: Organisation, settings: Settings
) -> None:
    folder = media() / "insights-imports/RX1/x"
    (folder / "unpacked").mkdir(parents=True)
    (folder / "upload.zip").write_bytes(b"PK")
    (folder / "unpacked" / "people.csv").write_text("person_id\n")
    record = InsightsImport.objects.create(
        organisation=organisation,
        kind=InsightsImportKind.EXTRACT,
        upload="insights-imports/RX1/x/upload.zip",
        dataset="extract-RX1",
        status=InsightsImportStatus.RUNNING,
        stage="Checking people.csv",
        steps_done=3,
        steps_total=9,
    )
    staged = Path(settings.INSIGHTS_STORE) / f".staging-import-{record.pk}-0123"
    (staged / "datasets").mkdir(parents=True)
    other = Path(settings.INSIGHTS_STORE) / f".staging-import-{record.pk + 1}-4567"
    other.mkdir()
    InsightsImport.objects.filter(pk=record.pk).update(updated_at=timezone.now() - LONG_AGO)
    client = Client()
    client.force_login(make_user(Role.ORG_ADMIN, organisation=organisation))

    page = client.get(f"/insights/organisations/RX1/import/{record.pk}/").content.decode()

    record.refresh_from_db()
    assert record.status == InsightsImportStatus.FAILED and record.error == IMPORT_STOPPED
    assert "The import stopped unexpectedly" in page and "Please upload the file again." in page
    assert not folder.exists() and not staged.exists()
    assert other.exists()  # another import's work in progress


def test_the_command_for_cron_recovers_and_says_what_it_did(organisation: Organisation) -> None:
    running_staff_import(organisation, silent_for=LONG_AGO)
    out = io.StringIO()
    call_command("recover_jobs", stdout=out)
    assert out.getvalue().startswith(
        "1 stopped jobs marked failed, 0 queued again, 0 left waiting closed, 0 task results closed."
    )


@pytest.mark.django_db(transaction=True)
def test_a_running_task_beats_from_its_own_thread(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = StaffImport.objects.create(
        organisation=make_organisation("RX2"), folder="imports/x", status=StaffImportStatus.RUNNING
    )
    with job_heartbeat(StaffImport, record.pk, every=0.01):
        deadline = time.monotonic() + 10
        while StaffImport.objects.get(pk=record.pk).heartbeat_at is None and time.monotonic() < deadline:
            time.sleep(0.02)
    assert StaffImport.objects.get(pk=record.pk).heartbeat_at is not None


def test_the_jobs_of_a_worker_known_to_be_dead_are_recovered_at_once(organisation: Organisation) -> None:
    """`cultivate serve` names the workers it had to kill (or saw die): their jobs need not wait to go stale."""
    killed = running_staff_import(organisation, silent_for=dt.timedelta(seconds=5), name="killed")
    alive = running_staff_import(organisation, silent_for=dt.timedelta(seconds=5), name="alive")
    running_task_row(StaffImport.job_task, killed.pk, worker="serve-1-0")
    running_task_row(StaffImport.job_task, alive.pk, worker="serve-1-1")
    out = io.StringIO()

    call_command("recover_jobs", "--worker=serve-1-0", stdout=out)

    assert out.getvalue().startswith(
        "1 stopped jobs marked failed, 0 queued again, 0 left waiting closed, 1 task results closed."
    )
    assert StaffImport.objects.get(pk=killed.pk).status == StaffImportStatus.FAILED
    assert StaffImport.objects.get(pk=alive.pk).status == StaffImportStatus.RUNNING
    assert not (media() / killed.folder).exists() and (media() / alive.folder).exists()
    assert not jobs_recover_workers(["serve-1-0"])


def test_every_job_model_says_how_it_fails_and_expires() -> None:
    """The hooks BackgroundJob leaves open are a contract: each concrete job names a real task, says how it
    fails, and, if it can wait for a person, how it expires, so recovery never meets a missing hook."""
    from django.utils.module_loading import import_string

    from cultivate.core.jobs import BackgroundJob, job_models

    models = job_models()
    assert {m._meta.label for m in models} >= {
        "organisations.StaffImport",
        "insights.InsightsImport",
        "insights.BoardReport",
    }
    for model in models:
        assert import_string(model.job_task), model
        assert model.job_failed_fields is not BackgroundJob.job_failed_fields, model
        if model.job_waiting is not None:
            assert model.job_expired_fields is not BackgroundJob.job_expired_fields, model


def test_job_progress_writes_at_most_once_a_second_but_always_the_last_step(
    organisation: Organisation,
) -> None:
    record = StaffImport.objects.create(organisation=organisation, folder="imports/RX1/p", status="running")
    progress = JobProgress(record)

    progress("checking", 10, 100)
    progress("checking", 20, 100)  # within the second: not written
    record.refresh_from_db()
    assert (record.stage, record.steps_done, record.steps_total) == ("checking", 10, 100)
    progress(None, 100, 100)  # the last step is always written; no stage leaves it as it is
    record.refresh_from_db()
    assert (record.stage, record.steps_done, record.steps_total) == ("checking", 100, 100)
    progress(None, 120, 100)  # more done than announced: the total grows with it
    record.refresh_from_db()
    assert (record.steps_done, record.steps_total) == (120, 120)
