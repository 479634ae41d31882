"""Browser tests: Debian's Chromium driven by Playwright against the app on a live server.

Chromium comes from the system (`apt-get install chromium`, or scripts/install-chromium.sh);
Playwright never downloads a browser here. Without Chromium the tests are skipped, except
under CI=true where they fail. Screenshots go to $OPC_TEST_OUTPUT/screenshots/.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import ROOT, _backend

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
ENABLE_HINT = (
    "install Debian's Chromium to run them: apt-get install chromium "
    "(or scripts/install-chromium.sh)"
)


def _unavailable(reason: str) -> None:
    """Fail under CI (the browser tests must run there), skip with a hint elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser tests are required under CI", pytrace=False)
    pytest.skip(f"{reason}: browser tests skipped; {ENABLE_HINT}")


def _chromium_path() -> str | None:
    """Debian's Chromium; OPC_CHROMIUM names another binary (or a missing one, to try the
    skip)."""
    override = os.environ.get("OPC_CHROMIUM")
    candidates = [override] if override else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = _chromium_path()
    if path is None:
        _unavailable(
            f"Chromium not found at {os.environ.get('OPC_CHROMIUM') or '/usr/bin/chromium'}"
        )
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (scripts/setup.sh test)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 with a free port, in a background thread."""
    server = make_server(HOST, 0, app, threaded=True)
    # One log line per request and asset drowns a failure's report: keep warnings only.
    quiet = logging.getLogger("werkzeug")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        quiet.setLevel(level)


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions, CSP violations, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def expect_error_status(self, status: int, path: str) -> int:
        """Forget the console's "Failed to load resource" for a response the test provoked
        (a refused form answers 422); returns how many there were."""

        def provoked(message: str) -> bool:
            url = message.rsplit("(", 1)[-1].rstrip(")")
            return f"status of {status} " in message and urlsplit(url).path == path

        expected = [m for m in self.console_errors if provoked(m)]
        self.console_errors = [m for m in self.console_errors if m not in expected]
        return len(expected)

    def csp_violations(self, page: Any) -> list[str]:
        from_console = [m for m in self.console_errors if "Content Security Policy" in m]
        reported = page.evaluate("window.__cspViolations || []")
        return from_console + [f"{v['directive']} blocked {v['blocked']}" for v in reported]

    def foreign_requests(self) -> list[str]:
        """Requests whose host is not the live server's (data: and blob: stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != HOST
        ]

    def assert_clean(self, page: Any) -> None:
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught exceptions: {self.page_errors}"
        assert not self.csp_violations(page), f"CSP violations: {self.csp_violations(page)}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.foreign_requests(), f"requests off 127.0.0.1: {self.foreign_requests()}"


# Runs before any page script; records what the CSP blocked (the console may word it
# differently between Chromium versions, the event does not).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI});
});
"""


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (English, 1280 px wide) whose page records what it did.

    `page.log` is the PageLog; `page.log.assert_clean(page)` checks it.
    """
    context = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.log = watch(page)
    try:
        yield page
    finally:
        context.close()


def watch(page: Any) -> PageLog:
    """A PageLog that records what `page` does from now on."""
    log = PageLog()
    page.on(
        "console",
        lambda m: (
            log.console_errors.append(f"{m.text} ({m.location.get('url', '')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("request", lambda r: log.requests.append(r.url))

    def request_failed(request: Any) -> None:
        # A request the browser cancels itself (ERR_ABORTED: the page was left while its
        # icon still loaded) is no failure of the app; refusals, resets and blocks count.
        if request.failure != "net::ERR_ABORTED":
            log.failed.append(f"{request.url}: {request.failure}")

    page.on("requestfailed", request_failed)
    return log


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    out = Path(os.environ.get("OPC_TEST_OUTPUT") or ROOT / "test-output")
    path = out / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def backend() -> str:
    return _backend()
