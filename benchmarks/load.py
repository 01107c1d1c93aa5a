"""Load: signed-in users with no think time against a mix of pages, then again while a large staff import runs.

For each database (a fresh SQLite file; also a fresh PostgreSQL database when DATABASE_URL names a PostgreSQL
server, or with --postgres URL) the parent migrates it, loads the demo alliance, generates a staff extract in the
import's own format (benchmarks.staff.generate), starts gunicorn on loopback with 2 sync workers as
`cultivate serve` does (settings `local` with DEBUG off, no task worker), signs in N users through the sign-in
form (several roles, round robin over the demo accounts) and gives each the pages its navigation links to: home,
notifications, staff list, a person, my portfolio, team competence, an insights dashboard and so on.

Phase 1: the users request their pages back to back for --seconds. Phase 2: the same, while
`cultivate import-staff` writes the extract into another organisation of the same database, until the import ends.
A request is an error when it fails, times out or answers anything but 200 (a redirect to sign-in means the user
was signed out). With --runs above 1 every figure is the median of the runs.

    bench load_database: sqlite
    bench load_users / load_seconds / load_requests_per_s / load_p50_ms / load_p95_ms / load_errors
    bench load_import_rows / load_import_s / load_requests_during_import / load_p95_during_import_ms
    bench load_max_during_import_ms / load_errors_during_import

    python -m benchmarks --only load
    python -m benchmarks.load --users 20 --seconds 10 --import-rows 20000 --database sqlite [--import-nice 10]

Defaults come from CULTIVATE_LOAD_USERS, _SECONDS, _IMPORT_ROWS, _RUNS and _DATABASE (sqlite, postgres or both;
"both" when DATABASE_URL is a PostgreSQL URL). The figures depend on whatever else the machine is doing."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GROUP = "load"
ROOT = Path(__file__).resolve().parents[1]
SEED = 20261206
IMPORT_ODS = "RXB"  # the organisation benchmarks.staff.generate writes into
REQUEST_TIMEOUT_S = 60
IMPORT_LIMIT_S = 900
PATHS_PER_USER = 12
# Links a user's pages are drawn from: the navigation of their home page, then one detail page of each kind.
SKIPPED = re.compile(
    r"^/(static|api|django-admin|accounts)/|/(new|import|export[^/]*|download|edit)/|\.[a-z]+$"
)
DETAILS = [
    re.compile(r"^/people/\d+/$"),
    re.compile(r"^/teams/\d+/competence/$"),
    re.compile(r"^/insights/(alliance|organisations/[^/]+|teams/\d+)/dashboards/[^/]+/$"),
    re.compile(r"^/frameworks/[0-9a-f-]{36}/$"),
]
HREF = re.compile(r'href="(/[^"#]*)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# The client: one cookie jar per user, a new connection per request (gunicorn's sync workers close them).


@dataclass
class User:
    email: str
    role: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        payload = None
        if body is not None:
            payload = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in header.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, response.headers.get("Location", ""), text
        finally:
            connection.close()

    def sign_in(self, password: str) -> None:
        status, _, page = self.request("GET", "/accounts/sign-in/")
        token = CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"the sign-in page answered {status} without a CSRF token")
        status, location, _ = self.request(
            "POST",
            "/accounts/sign-in/",
            {"csrfmiddlewaretoken": token[1], "email": self.email, "password": password, "next": ""},
        )
        if status != 302 or "sign-in" in location:
            raise RuntimeError(f"signing in as {self.email} answered {status} {location}")

    def discover(self) -> list[str]:
        """The pages this user's navigation leads to, and one detail page of each kind linked from them."""
        status, _, home = self.request("GET", "/")
        if status != 200:
            raise RuntimeError(f"home page answered {status} for {self.email}")
        paths = ["/", "/notifications/"]
        for href in HREF.findall(home):
            if href not in paths and not SKIPPED.search(href) and "?" not in href:
                paths.append(href)
        for path in list(paths[1:]):
            status, _, page = self.request("GET", path)
            if status != 200:
                paths.remove(path)
                continue
            for pattern in DETAILS:
                found = next((h for h in HREF.findall(page) if pattern.match(h)), None)
                new = found and found not in paths and not any(pattern.match(p) for p in paths)
                if found and new and self.request("GET", found)[0] == 200:
                    paths.append(found)
        return paths[:PATHS_PER_USER]


@dataclass
class Sample:
    path: str
    ms: float
    error: str  # "" when the page answered 200


def _drive(users: list[User], stop: threading.Event) -> list[Sample]:
    """Every user requests its pages back to back, from a random starting point, until stop is set."""
    samples: list[Sample] = []
    lock = threading.Lock()

    def work(user: User, offset: int) -> None:
        mine: list[Sample] = []
        n = offset
        while not stop.is_set():
            path = user.paths[n % len(user.paths)]
            n += 1
            started = time.perf_counter()
            try:
                status, location, _ = user.request("GET", path)
                error = "" if status == 200 else f"{status} {location}".strip()
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
            mine.append(Sample(path, (time.perf_counter() - started) * 1000, error))
        with lock:
            samples.extend(mine)

    rng = random.Random(SEED)
    threads = [threading.Thread(target=work, args=(u, rng.randrange(1000)), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def _p(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _summary(samples: list[Sample]) -> dict[str, Any]:
    times = [s.ms for s in samples]
    errors = Counter(s.error.split(" ")[0] for s in samples if s.error)
    return {
        "requests": len(samples),
        "p50_ms": _p(times, 50),
        "p95_ms": _p(times, 95),
        "max_ms": max(times, default=0.0),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def _slowest(samples: list[Sample], count: int = 5) -> list[str]:
    by_page: dict[str, list[float]] = {}
    for sample in samples:
        by_page.setdefault(re.sub(r"/\d+/", "/<id>/", sample.path), []).append(sample.ms)
    medians = sorted(((statistics.median(v), k) for k, v in by_page.items()), reverse=True)
    return [f"{ms:.0f} {page}" for ms, page in medians[:count]]


# The parent: databases, the server and the import.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(workdir: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "CULTIVATE_VAR_DIR": str(workdir / "var"),
        "CULTIVATE_MEDIA_ROOT": str(workdir / "uploads"),
        "CULTIVATE_INSIGHTS_STORE": str(workdir / "insights"),
        "CULTIVATE_LOG_LEVEL": "WARNING",
    }


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def _postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database beside the one server_url names (<name>_load), dropped afterwards."""
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    name = (parts.path.lstrip("/") or "cultivate") + "_load"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _server(env: dict[str, str], workdir: Path, port: int = 0) -> Iterator[int]:
    port = port or _free_port()
    log = (workdir / "gunicorn.log").open("w")
    # The command line `cultivate serve` uses (2 sync workers), without the access log; its own process group.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cultivate.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("CULTIVATE_WEB_WORKERS", "2"),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 seconds") from None
                time.sleep(0.3)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _measure(database_url: str, workdir: Path, extract: Path, options: argparse.Namespace) -> dict[str, Any]:
    env = _environment(workdir, database_url)
    _run(env, "-m", "cultivate", "migrate", "-v", "0")
    _run(env, "-m", "cultivate", "demo", "-v", "0")
    accounts = json.loads(_run(env, "-m", "benchmarks.load", "--child", "prepare").splitlines()[-1])
    results: dict[str, Any] = {}
    with _server(env, workdir) as port:
        users = [
            User(email=account["email"], role=account["role"], port=port)
            for account in (accounts["logins"] * options.users)[: options.users]
        ]
        known: dict[str, list[str]] = {}
        for user in users:
            user.sign_in(accounts["password"])
            if user.email not in known:
                known[user.email] = user.discover()  # each page once: the warm-up
            user.paths = known[user.email]
        results["roles"] = len({u.role for u in users})
        results["pages"] = len({p for u in users for p in u.paths})
        stop = threading.Event()
        timer = threading.Timer(options.seconds, stop.set)
        started = time.perf_counter()
        timer.start()
        steady = _drive(users, stop)
        results["steady"] = _summary(steady) | {"seconds": time.perf_counter() - started}
        results["slowest"] = _slowest(steady)

        stop = threading.Event()
        # --import-nice runs the import at a lower CPU priority, as a worker service could be (systemd Nice=).
        nice = ["nice", "-n", str(options.import_nice)] if options.import_nice else []
        importer = subprocess.Popen(
            [
                *nice,
                sys.executable,
                "-m",
                "cultivate",
                "import-staff",
                str(extract),
                "--organisation",
                IMPORT_ODS,
                "--yes",  # no preview prompt: the benchmark times the write
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started = time.perf_counter()

        def wait_for_import() -> None:
            try:
                importer.wait(timeout=IMPORT_LIMIT_S)
            except subprocess.TimeoutExpired:
                importer.kill()
            stop.set()

        threading.Thread(target=wait_for_import, daemon=True).start()
        during = _drive(users, stop)
        out, err = importer.communicate()
        if importer.returncode != 0:
            raise RuntimeError(
                f"the staff import failed ({importer.returncode}):\n{out[-2000:]}\n{err[-2000:]}"
            )
        results["import"] = _summary(during) | {
            "seconds": time.perf_counter() - started,
            "outcome": out.strip(),
        }
    return results


def _print(kind: str, runs: list[dict[str, Any]], options: argparse.Namespace) -> None:
    def median(pick: Any) -> float:
        return statistics.median(pick(run) for run in runs)

    steady = [r["steady"] for r in runs]
    during = [r["import"] for r in runs]
    rate = statistics.median(s["requests"] / s["seconds"] for s in steady)
    kinds = Counter[str]()
    for summary in steady + during:
        kinds.update(summary["error_kinds"])
    lines = [
        ("load_database", kind, ""),
        ("load_runs", len(runs), ""),
        ("load_users", options.users, f"users in {runs[0]['roles']} roles, {runs[0]['pages']} pages"),
        ("load_seconds", round(median(lambda r: r["steady"]["seconds"])), "s"),
        ("load_requests", round(median(lambda r: r["steady"]["requests"])), "requests"),
        ("load_requests_per_s", f"{rate:.1f}", "requests/s"),
        ("load_p50_ms", round(median(lambda r: r["steady"]["p50_ms"])), "ms"),
        ("load_p95_ms", round(median(lambda r: r["steady"]["p95_ms"])), "ms"),
        ("load_errors", round(median(lambda r: r["steady"]["errors"])), "errors"),
        ("load_import_rows", options.import_rows, "rows"),
        ("load_import_s", f"{median(lambda r: r['import']['seconds']):.1f}", "s"),
        ("load_requests_during_import", round(median(lambda r: r["import"]["requests"])), "requests"),
        ("load_p50_during_import_ms", round(median(lambda r: r["import"]["p50_ms"])), "ms"),
        ("load_p95_during_import_ms", round(median(lambda r: r["import"]["p95_ms"])), "ms"),
        ("load_max_during_import_ms", round(median(lambda r: r["import"]["max_ms"])), "ms"),
        ("load_errors_during_import", round(median(lambda r: r["import"]["errors"])), "errors"),
    ]
    for name, value, unit in lines:
        print(f"bench {name}: {value} {unit}".rstrip(), flush=True)
    if kinds:
        print(f"bench load_error_kinds: {', '.join(f'{k} x{n}' for k, n in kinds.most_common())}", flush=True)
    print(f"# import: {during[-1]['outcome'].splitlines()[0]}", flush=True)
    for line in runs[-1]["slowest"]:
        print(f"# slowest pages without the import (median ms, path): {line}", flush=True)


def _options(argv: list[str]) -> argparse.Namespace:
    server = os.environ.get("DATABASE_URL", "")
    is_postgres = server.startswith(("postgres://", "postgresql://"))
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("CULTIVATE_LOAD_USERS", "50")))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("CULTIVATE_LOAD_SECONDS", "30"))
    )
    parser.add_argument(
        "--import-rows", type=int, default=int(os.environ.get("CULTIVATE_LOAD_IMPORT_ROWS", "130000"))
    )
    parser.add_argument("--import-nice", type=int, default=0, choices=range(20), metavar="0-19")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CULTIVATE_LOAD_RUNS", "1")))
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default=os.environ.get("CULTIVATE_LOAD_DATABASE", "both" if is_postgres else "sqlite"),
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=server if is_postgres else "postgres://postgres@127.0.0.1:5432/cultivate",
        help="the PostgreSQL server (a database <name>_load is created on it and dropped afterwards)",
    )
    options = parser.parse_args(argv)
    if not 1 <= options.users <= 500 or not 1 <= options.seconds <= 600 or not 1 <= options.runs <= 9:
        parser.error("--users 1-500, --seconds 1-600 and --runs 1-9 keep the benchmark bounded")
    if not 10 <= options.import_rows <= 1_000_000:
        parser.error("--import-rows must be between 10 and 1,000,000")
    return options


def main(argv: list[str]) -> None:
    options = _options(argv)
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    from benchmarks.staff import generate

    with tempfile.TemporaryDirectory(prefix="cultivate-bench-load-") as temp:
        extract = Path(temp) / "extract"
        generate(extract, people=max(1, options.import_rows * 3 // 10), spells=options.import_rows, seed=SEED)
        for kind in kinds:
            runs = []
            for n in range(options.runs):
                workdir = Path(temp) / f"{kind}-{n}"
                workdir.mkdir()
                if kind == "sqlite":
                    runs.append(_measure(f"sqlite:///{workdir / 'load.sqlite3'}", workdir, extract, options))
                else:
                    with _postgres_database(options.postgres) as url:
                        runs.append(_measure(url, workdir, extract, options))
            _print(kind, runs, options)


def run() -> None:
    main([])


# Below runs in a child process with Django set up on the benchmark's database.


def _prepare_child() -> dict[str, Any]:
    import django

    django.setup()
    from cultivate.accounts.models import Membership
    from cultivate.demo.alliance import EMAIL_DOMAIN
    from cultivate.demo.generator import DEMO_PASSWORD
    from cultivate.organisations.models import Organisation

    Organisation.objects.get_or_create(
        ods_code=IMPORT_ODS, defaults={"name": "Load Benchmark Trust", "kind": "mental_health"}
    )
    by_role: dict[str, list[str]] = {}
    memberships = Membership.objects.filter(user__email__iendswith=f"@{EMAIL_DOMAIN}", user__is_active=True)
    for role, email in memberships.order_by("role", "user__email").values_list("role", "user__email"):
        if email not in by_role.setdefault(role, []):
            by_role[role].append(email)
    # Round robin over the roles, so that any number of users spreads over all of them.
    logins = []
    for n in range(max(len(emails) for emails in by_role.values())):
        for role in sorted(by_role):
            if n < len(by_role[role]):
                logins.append({"email": by_role[role][n], "role": role})
    return {"password": DEMO_PASSWORD, "logins": logins}


if __name__ == "__main__":
    if sys.argv[1:] == ["--child", "prepare"]:
        print(json.dumps(_prepare_child()))
    else:
        main(sys.argv[1:])
