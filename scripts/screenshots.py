"""Take the README's screenshots from a throwaway copy of the demo alliance.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--seed 2026] [--port 8765]

Creates a temporary SQLite database (`cultivate migrate`, `cultivate demo --seed N`), serves it with
`cultivate serve --no-worker`, reads the demo sign-ins from `cultivate demo --print-logins`, and signs in as demo
users in Debian's Chromium through the real sign-in form. Nothing outside the temporary directory is touched
except the PNG files written to --out."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CULTIVATE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# Long pages (the staff list has 50 rows) are cut here so the README stays readable.
MAX_HEIGHT = 1300
# A line of `cultivate demo --print-logins`: role label, email, password, separated by runs of spaces.
LOGIN_LINE = re.compile(r"^\s+(?P<role>\S.*?)\s{2,}(?P<email>\S+@\S+)\s{2,}(?P<password>\S+)\s*$")


@dataclass(frozen=True)
class Login:
    email: str
    password: str


@dataclass(frozen=True)
class Shot:
    filename: str
    role: str  # a role label as printed by --print-logins
    open: Callable[[Page], None]
    description: str


def _open_path(path: str) -> Callable[[Page], None]:
    def go(page: Page) -> None:
        page.goto(path)

    return go


def _open_staff_list(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Staff", exact=True).first.click()
    page.wait_for_url(re.compile(r"/organisations/[A-Z0-9]+/staff/"))


def _open_nav(*names: str, wait_for: str = "") -> Callable[[Page], None]:
    """Follow links by name from the home page (the header's, then a section's), as a user would."""

    def go(page: Page) -> None:
        page.goto("/")
        for name in names:
            page.get_by_role("link", name=name, exact=True).first.click()
            page.wait_for_load_state("networkidle")
        if wait_for:
            page.locator(wait_for).first.wait_for()

    return go


SHOTS = [
    Shot("home.png", "Organisation admin", _open_path("/"), "home page of an organisation admin"),
    Shot("staff-list.png", "Organisation admin", _open_staff_list, "staff list"),
    Shot("person-record.png", "Support worker", _open_path("/me/"), "a support worker's own record"),
    Shot("my-team.png", "Line manager", _open_path("/team/"), "a line manager's team"),
    Shot("my-portfolio.png", "Support worker", _open_nav("My portfolio"), "a support worker's portfolio"),
    Shot("team-competence.png", "Line manager", _open_nav("Team competence"), "a team's competence"),
    Shot(
        "insights-overview.png",
        "Workforce analyst",
        _open_nav("Workforce insights", wait_for=".app-chart__canvas svg"),
        "workforce insights overview",
    ),
    Shot(
        "insights-retention.png",
        "Workforce analyst",
        _open_nav("Workforce insights", "Retention", wait_for=".app-chart__canvas svg"),
        "retention dashboard",
    ),
]


def _environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Always a fresh SQLite database in the temporary directory, whatever the caller's shell points at.
    env.pop("DATABASE_URL", None)
    env["CULTIVATE_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = "cultivate.config.settings.local"
    env["DJANGO_DEBUG"] = "false"
    return env


def _cultivate(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "cultivate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"`cultivate {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def demo_logins(output: str) -> dict[str, Login]:
    logins: dict[str, Login] = {}
    for line in output.splitlines():
        match = LOGIN_LINE.match(line)
        if match and match["role"] != "Role":
            logins[match["role"]] = Login(match["email"], match["password"])
    return logins


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[str]:
    base_url = f"http://127.0.0.1:{port}"
    # Its own process group, so stopping it also stops the gunicorn processes `cultivate serve` starts.
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "cultivate", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                errors = server.stderr.read().decode() if server.stderr else ""
                raise SystemExit(f"`cultivate serve` stopped before answering:\n{errors}")
            try:
                with urllib.request.urlopen(f"{base_url}/api/health", timeout=2):  # noqa: S310 - local http
                    break
            except (urllib.error.URLError, OSError):  # refused, reset or timed out while it starts
                if time.monotonic() > deadline:
                    raise SystemExit(f"Nothing answered at {base_url} within 30 seconds.") from None
                time.sleep(0.3)
        yield base_url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def sign_in(page: Page, login: Login) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(login.email)
    page.get_by_label("Password", exact=True).fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def capture(base_url: str, logins: dict[str, Login], out: Path) -> list[Path]:
    if not CHROMIUM.exists():
        raise SystemExit(
            f"No Chromium at {CHROMIUM}: `apt-get install -y chromium`, or set CULTIVATE_CHROMIUM."
        )
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for shot in SHOTS:
                login = logins.get(shot.role)
                if login is None:
                    raise SystemExit(f"`cultivate demo --print-logins` listed no {shot.role!r} sign-in.")
                context = browser.new_context(
                    base_url=base_url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
                )
                page = context.new_page()
                sign_in(page, login)
                shot.open(page)
                page.wait_for_load_state("networkidle")
                height = min(MAX_HEIGHT, int(page.evaluate("document.documentElement.scrollHeight")))
                path = out / shot.filename
                page.screenshot(
                    path=str(path),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
                )
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {shot.description}, "
                    f"signed in as {login.email}"
                )
                written.append(path)
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write the PNGs"
    )
    parser.add_argument("--seed", type=int, default=2026, help="demo seed (default 2026)")
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cultivate-screenshots-") as tmp:
        env = _environment(Path(tmp))
        _cultivate(env, "migrate", "--verbosity", "0")
        _cultivate(env, "demo", "--seed", str(args.seed), "--verbosity", "0")
        logins = demo_logins(_cultivate(env, "demo", "--print-logins"))
        with serving(env, args.port) as base_url:
            capture(base_url, logins, args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
