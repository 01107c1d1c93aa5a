"""The `cultivate` command: the management commands people need, under short names.

cultivate serve [--host 127.0.0.1] [--port 8000] [--workers 2] [--task-workers N] [--no-worker]
cultivate worker
cultivate recover-jobs
cultivate migrate
cultivate demo --seed N
cultivate demo-extract --people N --out DIR  (demo app only: a synthetic national extract)
cultivate import-staff DIR [--dry-run | --yes]
cultivate createadmin
cultivate frameworks import-case FILE | export-case ID --out FILE
cultivate insights import PATH --store DIR | measures ...
cultivate credentials export --out DIR
cultivate portfolio_reminders
cultivate pathways reference | import-skills ODS FILE | shortfalls [--date D]
cultivate notifications_digest
cultivate <any other Django management command>
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

ALIASES = {
    "demo": "demo",
    "demo-extract": "demo_extract",
    "import-staff": "import_staff",
    "createadmin": "createadmin",
    "migrate": "migrate",
    "worker": "worker",
    "recover-jobs": "recover_jobs",
}


def _default_task_workers() -> str:
    # SQLite takes one writer at a time, so a second worker would mostly wait; PostgreSQL runs two side by side.
    url = os.environ.get("DATABASE_URL", "")
    return "1" if not url or url.startswith("sqlite") else "2"


def _die_with_parent() -> None:
    """In a child before it runs: on Linux, be sent SIGTERM if `cultivate serve` itself is killed outright."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _spawn(command: list[str], *, nice: int = 0) -> subprocess.Popen[bytes]:
    # Each child leads its own process group, so that stopping it reaches its own children (gunicorn's workers)
    # and a Ctrl-C in the terminal reaches only `serve`, which stops them in order.
    def before_exec() -> None:
        _die_with_parent()
        if nice:
            os.nice(nice)

    return subprocess.Popen(command, process_group=0, preexec_fn=before_exec)  # noqa: S603


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the whole group has gone
        os.killpg(process.pid, signum)


def _stop(children: list[subprocess.Popen[bytes]], timeout: float) -> set[int]:
    """SIGTERM to every child's process group, up to `timeout` seconds to finish, then SIGKILL to whatever is
    left of each group (grandchildren included). Returns the pids of the children that had to be killed."""
    for child in children:
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    killed = set()
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            killed.add(child.pid)
    for child in children:
        _signal_group(child, signal.SIGKILL)
        child.wait()
    return killed


class _TaskWorker:
    """A task worker `serve` started, under an id of its own, so that the jobs of one that died can be
    recovered at once (`recover-jobs --worker ID`) rather than when their heartbeat goes stale."""

    def __init__(self, number: int) -> None:
        self.id = f"serve-{os.getpid()}-{number}"
        # Pages come first: on a small server an import at a lower CPU priority keeps pages quick while it runs
        # (the load benchmark: p95 during a 130k-row import 0.78 s niced, 1.03 s not).
        self.process = _spawn(
            [sys.executable, "-m", "cultivate", "worker", "--no-reload", "--worker-id", self.id],
            nice=int(os.environ.get("CULTIVATE_TASK_WORKER_NICE", "10")),
        )
        self.started = time.monotonic()


def _recover_command(worker_ids: list[str]) -> list[str]:
    return [sys.executable, "-m", "cultivate", "recover-jobs", *(f"--worker={i}" for i in worker_ids)]


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="cultivate serve", description="Serve Cultivate and run its background task workers."
    )
    parser.add_argument("--host", default=os.environ.get("CULTIVATE_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("CULTIVATE_PORT", "8000"))
    parser.add_argument("--workers", default=os.environ.get("CULTIVATE_WEB_WORKERS", "2"), help="web workers")
    parser.add_argument(
        "--task-workers",
        type=int,
        default=int(os.environ.get("CULTIVATE_TASK_WORKERS", _default_task_workers())),
        help="background task workers (default 1 on SQLite, 2 on PostgreSQL)",
    )
    parser.add_argument("--no-worker", action="store_true", help="do not start any background task worker")
    args = parser.parse_args(argv)
    shutdown = float(os.environ.get("CULTIVATE_SHUTDOWN_SECONDS", "10"))
    stop_signal: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stop_signal.append(signum)

    # Set before any child starts, so a signal that arrives at once still stops them all.
    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    web = _spawn(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cultivate.config.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
            "--graceful-timeout",
            str(int(shutdown)),
        ]
    )
    # Imports and reports run off the request in these worker processes.
    count = 0 if args.no_worker else max(args.task_workers, 0)
    workers = [_TaskWorker(number) for number in range(count)]
    helpers: list[subprocess.Popen[bytes]] = []
    code = 0
    try:
        while not stop_signal:
            if web.poll() is not None:
                code = web.returncode
                break
            for index, worker in enumerate(workers):
                # A worker that died is started again (not more than once every few seconds), so queued jobs
                # never wait for a worker that is gone, and the job it was running is recovered at once.
                if worker.process.poll() is not None and time.monotonic() - worker.started > 5:
                    print(
                        f"cultivate serve: task worker {worker.id} stopped; starting another", file=sys.stderr
                    )
                    helpers.append(_spawn(_recover_command([worker.id])))
                    workers[index] = _TaskWorker(count)
                    count += 1
            time.sleep(0.2)
    finally:
        killed = _stop([web, *(w.process for w in workers), *helpers], shutdown)
        # A worker killed mid-task leaves its job running: recover it now, not when the heartbeat goes stale.
        cut_short = [w.id for w in workers if w.process.pid in killed]
        if cut_short:
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(_recover_command(cut_short), check=False, timeout=120)  # noqa: S603
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cultivate.config.settings.local")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    if argv[0] == "serve":
        return _serve(argv[1:])
    from django.core.management import execute_from_command_line

    command = ALIASES.get(argv[0], argv[0])
    try:
        execute_from_command_line(["cultivate", command, *argv[1:]])
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
