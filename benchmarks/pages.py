"""Pages on a poor connection: what each role's main pages cost a browser on a first and on a repeat view.

The parent migrates a fresh SQLite database, loads the demo alliance (--scale), collects the static files and
starts gunicorn with the production settings (hashed static names, WhiteNoise, compression), as a trust runs it
behind its HTTPS proxy: Chromium sends `X-Forwarded-Proto: https`, as the proxy would. Debian's Chromium (the
journeys' launch flags) signs in as each demo role through the sign-in form and opens the role's main pages: home,
notifications and every link of the header and home page (up to --pages per role, downloads and forms left out).

For each page, in a new browser context (an empty cache) holding the signed-in session: the first view, then the
same page opened again (the repeat view, the cache now warm). Network figures come from Chromium's DevTools
protocol: a request is one that reached the network (answers from the memory or disk cache are not counted), and
kilobytes are bytes on the wire (compressed bodies and headers). The load time (navigation start to the load
event) is measured with the connection throttled to a poor mobile one (150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up; Lighthouse's "slow 4G"), the median of --runs first views.

    bench pages_database: sqlite, demo scale 0.2 (people 123)
    bench page_requests_first_view[analyst /insights/organisations/RXA/dashboards/overview/] 7
    bench page_kb_first_view[...] 310.2
    bench page_requests_repeat_view[...] 1                (of which static files: page_static_requests_repeat_view)
    bench page_load_ms_first_view[...] 2100
    bench pages_worst_requests_first_view / pages_worst_kb_first_view / pages_static_requests_repeat_view_total

Goal (issue 14): at most 30 requests and 600 KB on a first view, no request for a static file on a repeat view.

    python -m benchmarks --only pages
    python -m benchmarks.pages --scale 0.2 --runs 3 --pages 8
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load import _free_port, _run, _server

GROUP = "pages"
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CULTIVATE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [  # as tests/system/conftest.py launches it
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POOR_CONNECTION = {  # bytes per second, as the DevTools protocol takes them
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
ROLES = ("support.worker", "line.manager", "assessor", "educator", "analyst", "org.admin", "alliance.admin")
# Links that are not a role's main pages: signing out, downloads, forms that start a change, the API and admin.
SKIPPED = re.compile(
    r"^/(static|api|django-admin)/|/sign-out/|/(new|import|export[^/]*|download|edit|role)/|\.[a-z]+$"
)
# The demo's sign-in details, read in a child process set up with the demo app installed.
ACCOUNTS = (
    "import django; django.setup(); from cultivate.demo.alliance import EMAIL_DOMAIN; "
    "from cultivate.demo.generator import DEMO_PASSWORD; print(EMAIL_DOMAIN, DEMO_PASSWORD)"
)


@dataclass
class View:
    requests: int = 0
    static_requests: int = 0
    bytes: float = 0.0
    load_ms: float = 0.0


@dataclass
class Network:
    """Counts what reaches the network through one page's DevTools session."""

    sent: dict[str, str] = field(default_factory=dict)  # request id -> URL
    cached: set[str] = field(default_factory=set)
    bytes: float = 0.0

    def attach(self, session: Any) -> None:
        session.on(
            "Network.requestWillBeSent", lambda e: self.sent.__setitem__(e["requestId"], e["request"]["url"])
        )
        session.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        session.on("Network.responseReceived", self._response)
        session.on("Network.loadingFinished", lambda e: self._add(e.get("encodedDataLength", 0)))

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def _add(self, length: float) -> None:
        self.bytes += length

    def reset(self) -> None:
        self.sent.clear()
        self.cached.clear()
        self.bytes = 0.0

    def view(self, load_ms: float) -> View:
        urls = [
            url for rid, url in self.sent.items() if rid not in self.cached and not url.startswith("data:")
        ]
        return View(
            requests=len(urls),
            static_requests=sum("/static/" in url for url in urls),
            bytes=self.bytes,
            load_ms=load_ms,
        )


LOAD_MS = """() => { const n = performance.getEntriesByType("navigation")[0];
  return n ? n.loadEventEnd - n.startTime : 0; }"""


def _main_pages(page: Any, limit: int) -> list[str]:
    paths = ["/", "/notifications/"]
    for href in page.eval_on_selector_all(
        "main a[href], header a[href]", "els => els.map(e => e.getAttribute('href'))"
    ):
        path = (href or "").split("#")[0]
        if path.startswith("/") and "?" not in path and not SKIPPED.search(path) and path not in paths:
            paths.append(path)
    return paths[:limit]


def _measure_role(
    browser: Any, base: str, email: str, password: str, options: argparse.Namespace
) -> dict[str, Any]:
    headers = {"X-Forwarded-Proto": "https"}
    context = browser.new_context(
        base_url=base, extra_http_headers=headers, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("load")
    if "sign-in" in page.url:
        raise RuntimeError(f"signing in as {email} failed")
    paths = _main_pages(page, options.pages)
    state = context.storage_state()
    context.close()
    results: dict[str, Any] = {}
    for path in paths:
        firsts: list[View] = []
        repeats: list[View] = []
        for _ in range(options.runs):
            fresh = browser.new_context(
                base_url=base,
                extra_http_headers=headers,
                storage_state=state,
                viewport={"width": 390, "height": 844},
            )
            tab = fresh.new_page()
            session = fresh.new_cdp_session(tab)
            network = Network()
            network.attach(session)
            session.send("Network.enable")
            session.send("Network.emulateNetworkConditions", POOR_CONNECTION)
            response = tab.goto(path, wait_until="load")
            if response is None or response.status != 200 or "sign-in" in tab.url:
                fresh.close()
                break
            tab.wait_for_timeout(200)  # late requests (a chart's module, a favicon)
            firsts.append(network.view(tab.evaluate(LOAD_MS)))
            network.reset()
            tab.goto(path, wait_until="load")
            tab.wait_for_timeout(200)
            repeats.append(network.view(tab.evaluate(LOAD_MS)))
            fresh.close()
        if firsts:
            results[path] = (firsts, repeats)
    return results


def _print(role: str, results: dict[str, Any]) -> dict[str, float]:
    worst = {"requests": 0.0, "kb": 0.0, "static_repeat": 0.0}
    for path, (firsts, repeats) in results.items():
        name = f"[{role} {path}]"
        requests = statistics.median(v.requests for v in firsts)
        kb = statistics.median(v.bytes for v in firsts) / 1024
        repeat = statistics.median(v.requests for v in repeats)
        static_repeat = statistics.median(v.static_requests for v in repeats)
        print(f"bench page_requests_first_view{name} {requests:.0f}")
        print(f"bench page_kb_first_view{name} {kb:.1f}")
        print(f"bench page_requests_repeat_view{name} {repeat:.0f}")
        print(f"bench page_static_requests_repeat_view{name} {static_repeat:.0f}")
        print(f"bench page_load_ms_first_view{name} {statistics.median(v.load_ms for v in firsts):.0f}")
        print(
            f"bench page_load_ms_repeat_view{name} {statistics.median(v.load_ms for v in repeats):.0f}",
            flush=True,
        )
        worst["requests"] = max(worst["requests"], requests)
        worst["kb"] = max(worst["kb"], kb)
        worst["static_repeat"] += static_repeat
    return worst


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("CULTIVATE_PAGES_SCALE", "0.2")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CULTIVATE_PAGES_RUNS", "3")))
    parser.add_argument("--pages", type=int, default=int(os.environ.get("CULTIVATE_PAGES_PER_ROLE", "8")))
    parser.add_argument("--roles", default=",".join(ROLES), help="demo accounts, comma separated")
    parser.add_argument(
        "--settings",
        choices=("production", "local"),
        default="production",
        help="production (as deployed) or local (as `make run` serves, debug on: names not hashed)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    options = _options(argv)
    with tempfile.TemporaryDirectory(prefix="cultivate-bench-pages-") as temp:
        workdir = Path(temp)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CULTIVATE_"))},
            "DJANGO_SETTINGS_MODULE": f"cultivate.config.settings.{options.settings}",
            "DJANGO_SECRET_KEY": "benchmark-only-" + "n0t-4-s3cr3t-but-l0ng-en0ugh-f0r-djang0s-ch3cks",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: the proxy's header says HTTPS, and the health check has no proxy.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{workdir / 'pages.sqlite3'}",
            "CULTIVATE_VAR_DIR": str(workdir / "var"),
            "CULTIVATE_MEDIA_ROOT": str(workdir / "uploads"),
            "CULTIVATE_INSIGHTS_STORE": str(workdir / "insights"),
            "CULTIVATE_LOG_LEVEL": "WARNING",
        }
        _run(env, "-m", "cultivate", "migrate", "-v", "0")
        _run(env, "-m", "cultivate", "collectstatic", "--noinput", "-v", "0")
        # Production never installs the demo app: the demo loads with the local settings on the same database.
        _run(
            {**env, "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.local"},
            "-m",
            "cultivate",
            "demo",
            "--scale",
            str(options.scale),
            "-v",
            "0",
        )
        local = {**env, "DJANGO_SETTINGS_MODULE": "cultivate.config.settings.local"}
        email_domain, password = _run(local, "-c", ACCOUNTS).split()

        print(
            f"bench pages_database: sqlite, demo scale {options.scale}, runs {options.runs}, "
            f"settings {options.settings}",
            flush=True,
        )
        # The origin as the browser sees it: the CSRF check compares the Origin header with it.
        port = _free_port()
        with _server({**env, "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}"}, workdir, port):
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                totals = {"requests": 0.0, "kb": 0.0, "static_repeat": 0.0, "pages": 0.0}
                for role in options.roles.split(","):
                    results = _measure_role(browser, base, f"{role}@{email_domain}", password, options)
                    worst = _print(role, results)
                    totals["requests"] = max(totals["requests"], worst["requests"])
                    totals["kb"] = max(totals["kb"], worst["kb"])
                    totals["static_repeat"] += worst["static_repeat"]
                    totals["pages"] += len(results)
                browser.close()
        print(f"bench pages_measured {totals['pages']:.0f}")
        print(f"bench pages_worst_requests_first_view {totals['requests']:.0f}")
        print(f"bench pages_worst_kb_first_view {totals['kb']:.1f}")
        print(f"bench pages_static_requests_repeat_view_total {totals['static_repeat']:.0f}")


def run() -> None:
    main([])


if __name__ == "__main__":
    main(sys.argv[1:])
