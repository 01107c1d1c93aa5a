"""The real processes, on a SQLite file: a task worker killed with SIGKILL in the middle of a staff import leaves
it running, and the next worker to start recovers it (failed, uploads removed, task row closed); `cultivate serve`
stopped with SIGTERM or Ctrl-C (SIGINT) takes gunicorn, its workers and the task workers down with it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
WAIT = 60.0  # seconds any one step may take on a busy machine before the test gives up


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once and copied by each test."""
    folder = tmp_path_factory.mktemp("migrated")
    run(["migrate", "-v", "0"], env_for(folder, folder / "db.sqlite3"))
    return folder / "db.sqlite3"


@pytest.fixture
def site(migrated: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated, database)
    yield env_for(tmp_path, database)


def env_for(folder: Path, database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CULTIVATE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cultivate.config.settings.local",
        DATABASE_URL=f"sqlite:///{database}",
        CULTIVATE_VAR_DIR=str(folder),
        CULTIVATE_MEDIA_ROOT=str(folder / "media"),
        CULTIVATE_LOG_LEVEL="WARNING",
    )
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cultivate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def query(env: dict[str, str], sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=30) as con:
        return con.execute(sql, params).fetchall()


def wait_for(condition: str, check: object) -> None:
    deadline = time.monotonic() + WAIT
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {condition}"
        time.sleep(0.1)


QUEUE_AN_IMPORT = """
import os
from pathlib import Path
from django.conf import settings
from cultivate.organisations.testing import make_organisation
from cultivate.organisations.models import StaffImport
from cultivate.organisations.tasks import run_staff_import
folder = Path(settings.MEDIA_ROOT) / "imports/RX1/killed"
folder.mkdir(parents=True)
# Pipes nobody writes to: the import blocks reading them, so the worker is certainly mid-task when killed.
os.mkfifo(folder / "people.csv")
os.mkfifo(folder / "assignments.csv")
record = StaffImport.objects.create(
    organisation=make_organisation("RX1"), folder="imports/RX1/killed", steps_total=100
)
run_staff_import.enqueue(record.pk)
print(record.pk)
"""


def queue_a_stuck_import(site: dict[str, str]) -> tuple[int, Path]:
    """A staff import queued for the worker, whose files never end: its pk and its folder."""
    pk = int(run(["shell", "-c", QUEUE_AN_IMPORT], site).split()[-1])
    return pk, Path(site["CULTIVATE_MEDIA_ROOT"]) / "imports/RX1/killed"


def import_status(site: dict[str, str], pk: int) -> str:
    return str(query(site, "SELECT status FROM organisations_staffimport WHERE id = ?", pk)[0][0])


def assert_recovered(site: dict[str, str], pk: int, folder: Path) -> None:
    status, error = query(site, "SELECT status, error FROM organisations_staffimport WHERE id = ?", pk)[0]
    assert status == "failed"
    assert str(error).startswith("The import stopped unexpectedly")
    assert not folder.exists()
    assert query(site, "SELECT status FROM django_tasks_database_dbtaskresult") == [("FAILED",)]


def test_a_worker_killed_mid_task_is_recovered_by_the_next_worker(site: dict[str, str]) -> None:
    pk, folder = queue_a_stuck_import(site)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cultivate",
            "worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for("the worker to start the import", lambda: import_status(site, pk) == "running")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    # As the worker left it: running, its uploads on disk, its task row running.
    assert query(site, "SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]
    assert folder.exists()
    # The next worker to start once it is stale recovers it, then runs what is queued and stops.
    time.sleep(0.1)
    run(
        ["worker", "--no-reload", "--batch", "--no-startup-delay"],
        {**site, "CULTIVATE_TASK_STALE_MINUTES": "0.001"},
    )

    assert_recovered(site, pk, folder)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent's bookkeeping is left


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize(
    ("stop", "web_workers", "task_workers"),
    [(signal.SIGTERM, 2, 2), (signal.SIGINT, 1, 1)],
    ids=["SIGTERM", "Ctrl-C"],
)
def test_stopping_serve_stops_every_process_it_started_and_fails_the_import_it_cut_short(
    site: dict[str, str], stop: signal.Signals, web_workers: int, task_workers: int
) -> None:
    pk, folder = queue_a_stuck_import(site)
    port = free_port()
    command = [
        "serve",
        "--port",
        str(port),
        "--workers",
        str(web_workers),
        "--task-workers",
        str(task_workers),
    ]
    serve = subprocess.Popen(
        [sys.executable, "-m", "cultivate", *command],
        cwd=ROOT,
        env={**site, "CULTIVATE_SHUTDOWN_SECONDS": "5"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for("the server to answer", lambda: answers(port))
        # gunicorn, its web workers and the task workers, one of them running the import.
        expected = 1 + web_workers + task_workers
        wait_for("every process to start", lambda: len(descendants(serve.pid)) >= expected)
        wait_for("a worker to start the import", lambda: import_status(site, pk) == "running")
        children = descendants(serve.pid)

        serve.send_signal(stop)
        assert serve.wait(timeout=WAIT) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
    wait_for("every child to stop", lambda: not any(alive(pid) for pid in children))
    assert not answers(port)
    # The worker running the import did not stop in time and was killed: its import was failed at once.
    assert_recovered(site, pk, folder)
