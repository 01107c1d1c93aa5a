"""The `cultivate` command: the management commands people need, under short names.

cultivate serve [--host 127.0.0.1] [--port 8000] [--no-worker]
cultivate migrate
cultivate demo --seed N
cultivate import-staff DIR [--dry-run | --yes]
cultivate createadmin
cultivate frameworks import-case FILE | export-case ID --out FILE
cultivate insights import PATH --store DIR | generate ... | measures ...
cultivate portfolio_reminders
cultivate <any other Django management command>
"""

from __future__ import annotations

import os
import subprocess
import sys

ALIASES = {
    "demo": "demo",
    "import-staff": "import_staff",
    "createadmin": "createadmin",
    "migrate": "migrate",
    "worker": "db_worker",
}


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="cultivate serve", description="Serve Cultivate and run its worker."
    )
    parser.add_argument("--host", default=os.environ.get("CULTIVATE_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("CULTIVATE_PORT", "8000"))
    parser.add_argument("--workers", default=os.environ.get("CULTIVATE_WEB_WORKERS", "2"))
    parser.add_argument("--no-worker", action="store_true", help="do not start the background task worker")
    args = parser.parse_args(argv)
    worker = None
    if not args.no_worker:
        # Imports and reports run off the request in this worker process.
        worker = subprocess.Popen([sys.executable, "-m", "cultivate", "worker"])
    try:
        return subprocess.call(  # noqa: S603 - fixed arguments
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
            ]
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


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
