"""The production settings boot behind an HTTPS proxy, serve every page the journeys reach without a server error,
and pass Django's deployment checks.

The other tests run with the test settings (plain static storage, no HTTPS), which is how `static("a/folder")`
could return 500 on every production page unnoticed. Here the real commands run in subprocesses, each with the
settings a deployment uses, on a SQLite database in a temporary folder: migrate, the demo (loaded with local
settings, since production never installs the demo app), `collectstatic` into a temporary STATIC_ROOT, and gunicorn.
These tests never use the test database, so the PostgreSQL run of the suite (--database-tests-only) leaves them out;
the SQLite run covers them, and nothing they check depends on the database engine.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders

from cultivate.config.jinja2_env import nhsuk_asset_path
from cultivate.demo.alliance import demo_email
from cultivate.demo.generator import DEMO_PASSWORD, LOGIN_ROLES

ROOT = Path(__file__).resolve().parents[1]
HOST = "cultivate.example.test"
ORIGIN = f"https://{HOST}"
# Pages each account visits at most, breadth first from its home page: bounded, yet enough to reach every kind
# of page (lists, details, forms, dashboards) a role's journeys open.
PAGES_PER_ACCOUNT = 40
# Links the crawl does not follow: signing out would end the session mid-crawl, and downloads are not pages (their
# own tests cover them).
SKIP = re.compile(r"/sign-out/|/logout/|\.(csv|xlsx|json)$")
# The installation's own Django admin account (cultivate createadmin --superuser), which also crawls Django admin.
SUPERUSER, SUPERUSER_PASSWORD = "it.team@example.nhs.uk", "an-it-team-passphrase-2026"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
STATIC_CALL = re.compile(r"""static\(\s*["']([^"']+)["']\s*\)""")
# What a stylesheet loads (url(...) other than data: URIs) and what a script module imports by relative path.
REFERENCES = {
    ".css": re.compile(r"""url\(["']?((?!data:|#)[^"')]+)["']?\)"""),
    ".js": re.compile(r"""\b(?:import|from)\s*["'](\.{1,2}/[^"']+)["']"""),
}
STATIC_URL = re.compile(r"""/static/[^"'\s<>()]+""")


def _env(tmp: Path, settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CULTIVATE_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": f"cultivate.config.settings.{settings}",
            "DJANGO_SECRET_KEY": "production-test-" + "k3y-0f-f1fty-ch4r4ct3rs-wh1ch-1s-n0t-4-s3cr3t",
            "CREDENTIALS_KEY": "production-test-credentials-key",
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": ORIGIN,
            "DATABASE_URL": f"sqlite:///{tmp / 'cultivate.sqlite3'}",
            "CULTIVATE_VAR_DIR": str(tmp),
            "CULTIVATE_SITE_URL": ORIGIN,
            "CULTIVATE_LOG_LEVEL": "WARNING",
        }
    )
    return env


def _cultivate(tmp: Path, settings: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cultivate", *args],
        cwd=ROOT,
        env=_env(tmp, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> None:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, f"{process.args} failed:\n{output}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "input" and values.get("name") == "csrfmiddlewaretoken":
            self.csrf = values.get("value") or ""


@dataclass
class Browser:
    """Requests as a browser behind the trust's HTTPS proxy would make them: Host and X-Forwarded-Proto set by the
    proxy, and cookies kept by hand (they are Secure, so a cookie jar would not send them over the plain socket)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, https: bool = True
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": HOST}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN})
            headers["Referer"] = ORIGIN + path
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                assert "; Secure" in value, f"{path} set a cookie without Secure: {value}"
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """GET, following redirects within the site; returns the final status, headers and body."""
        for _ in range(5):
            status, headers, content = self.request("GET", path)
            if status not in (301, 302, 303, 307, 308):
                return status, headers, content
            location = urlsplit(headers["location"])
            assert location.scheme in ("", "https"), f"{path} redirected to {headers['location']}"
            path = location.path + (f"?{location.query}" if location.query else "")
        raise AssertionError(f"{path}: too many redirects")

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        status, _, content = self.get("/accounts/sign-in/")
        assert status == 200
        form = _Links()
        form.feed(content.decode())
        status, _, _ = self.request(
            "POST",
            "/accounts/sign-in/",
            {"csrfmiddlewaretoken": form.csrf, "email": email, "password": password},
        )
        assert status == 302, f"sign-in as {email} answered {status}"


@dataclass
class Site:
    port: int
    log: Path


@pytest.fixture(scope="module")
def production_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("production")
    # collectstatic (compressing every file) runs alongside the migrations and the demo.
    collect = _cultivate(tmp, "production", "collectstatic", "--noinput", "--verbosity", "0")
    _finish(_cultivate(tmp, "production", "migrate", "--verbosity", "0"))
    # A twentieth of the standard demo: every kind of page has data (and small teams), in seconds.
    _finish(_cultivate(tmp, "local", "demo", "--scale", "0.05", "--verbosity", "0"))
    admin = ("createadmin", "--superuser", "--no-input", "--email", SUPERUSER, "--name", "Trust IT")
    _finish(_cultivate(tmp, "production", *admin, "--password", SUPERUSER_PASSWORD))
    _finish(collect)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "cultivate.config.wsgi:application"),
            *(
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--timeout",
                "120",
                "--forwarded-allow-ips",
                "127.0.0.1",
            ),
        ],
        cwd=ROOT,
        env=_env(tmp, "production"),
        stderr=(tmp / "gunicorn.log").open("w"),
    )
    log = tmp / "gunicorn.log"
    port = 0
    for _ in range(600):
        if match := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text()):
            port = int(match.group(1))
            break
        assert server.poll() is None, log.read_text()
        time.sleep(0.1)
    assert port, "gunicorn did not start:\n" + log.read_text()
    try:
        yield Site(port=port, log=log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _crawl(browser: Browser, assets: set[str], start: tuple[str, ...] = ("/",)) -> dict[str, int]:
    """Every page reachable from the home page, breadth first and bounded; returns each page's status and adds
    the static URLs the pages name to assets."""
    seen: dict[str, int] = {}
    shapes: set[str] = set()
    queue = deque(start)
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        path = queue.popleft()
        # One page of each shape (/people/12/ and /people/13/ render the same template), so the bound reaches
        # more kinds of page.
        parts = urlsplit(path)
        shape = re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted(parse_qs(parts.query)))
        if shape in shapes:
            continue
        shapes.add(shape)
        status, headers, content = browser.get(path)
        seen[path] = status
        if not headers.get("content-type", "").startswith("text/html"):
            continue
        text = content.decode()
        assets.update(STATIC_URL.findall(text))
        links = _Links()
        links.feed(text)
        for href in links.links:
            url, _ = urldefrag(href)
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            if parts.path.startswith("/static/"):
                assets.add(parts.path)
                continue
            queue.append(url)
    return seen


def test_production_settings_serve_every_page_behind_an_https_proxy(production_site: Site) -> None:
    anonymous = Browser(production_site.port)
    # Plain HTTP is sent to HTTPS; through the proxy, pages carry HSTS and the sign-in page renders.
    status, headers, _ = anonymous.request("GET", "/accounts/sign-in/", https=False)
    assert status == 301 and headers["location"] == f"{ORIGIN}/accounts/sign-in/"
    status, headers, _ = anonymous.get("/accounts/sign-in/")
    assert status == 200
    assert "max-age=31536000" in headers["strict-transport-security"]

    def crawl(account: str) -> tuple[str, dict[str, int], set[str]]:
        browser = Browser(production_site.port)
        assets: set[str] = set()
        if account == SUPERUSER:
            browser.sign_in(SUPERUSER, SUPERUSER_PASSWORD)
            return account, _crawl(browser, assets, ("/", "/django-admin/")), assets
        browser.sign_in(demo_email(account))
        return account, _crawl(browser, assets), assets

    assets: set[str] = set()
    errors: list[str] = []
    pages = 0
    # Two roles at a time, one per gunicorn worker.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for account, seen, found in pool.map(crawl, [SUPERUSER, *(account for _, account in LOGIN_ROLES)]):
            assets |= found
            pages += len(seen)
            assert len(seen) > 3, f"{account} reached only {sorted(seen)}"
            errors += [f"{account} {path}: {status}" for path, status in seen.items() if status >= 500]
    assert not errors, "server errors:\n" + "\n".join(errors) + "\n" + production_site.log.read_text()[-5000:]

    # Every asset a page names is a hashed (cache-busting) name that the server serves, and so is every file a
    # stylesheet or script module names in turn (images in url(), relative imports).
    assert assets
    references = 0
    for asset in sorted(assets):
        assert HASHED.search(asset), f"{asset} is not a hashed static file name"
        status, headers, content = anonymous.request("GET", asset)
        assert status == 200, f"{asset}: {status}"
        assert "immutable" in headers.get("cache-control", ""), asset
        pattern = REFERENCES.get(Path(asset).suffix)
        for reference in pattern.findall(content.decode(errors="replace")) if pattern else []:
            target = urljoin(asset, reference)
            references += 1
            assert anonymous.request("GET", target)[0] == 200, f"{asset} names {target}, which is not served"
    # The images the NHS.UK stylesheet names; scripts are bundled (no relative imports) since the asset pipeline.
    assert references >= 3
    print(f"production_pages_crawled {pages}, static_assets {len(assets)}, references {references}")


def test_deploy_checks_pass_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cultivate", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(tmp_path, "production"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = _env(tmp_path, "production")
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "cultivate", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_every_static_path_in_the_templates_names_a_collected_file() -> None:
    """The manifest storage resolves files only: static("a/folder") or a file outside the collected set is a
    500 in production, on pages the crawl may not reach (the error page, say)."""
    named = set()
    for template in (ROOT / "cultivate").rglob("*.jinja"):
        named |= {(template.name, path) for path in STATIC_CALL.findall(template.read_text())}
    assert len(named) > 10
    for template, path in sorted(named):
        found = finders.find(path)
        assert isinstance(found, str) and Path(found).is_file(), f"{template}: static({path!r}) is not a file"
    # And nothing else calls static() on a folder: the NHS.UK assetPath is taken from a file's URL.
    assert nhsuk_asset_path() == "/static/nhsuk/assets"


def test_production_refuses_to_start_without_a_credentials_key(tmp_path: Path) -> None:
    env = _env(tmp_path, "production")
    del env["CREDENTIALS_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "cultivate", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "CREDENTIALS_KEY must be set in production" in result.stderr
