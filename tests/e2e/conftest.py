"""Browser tests: Playwright driving Debian's Chromium, with an axe-core check on every
page visited and a failure on any Content-Security-Policy violation.

Without Chromium the tests are skipped with a visible reason on a developer's
machine; in CI (TANDEM_REQUIRE_BROWSER=1) a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from django_otp.oath import hotp

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist" / "tandem.css"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# the test itself (creating users) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PAGES_CHECKED: set[str] = set()


def _browser_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if not DIST.exists():
        return "front-end assets are not built (run: cd frontend && npm ci && npm run build)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    if reason is None:
        return
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            if os.environ.get("TANDEM_REQUIRE_BROWSER"):
                raise pytest.UsageError(f"Browser tests are required here but {reason}.")
            item.add_marker(pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {reason}"))


def pytest_sessionfinish(session):
    # Under pytest-xdist each worker checks its share of pages; the root conftest adds
    # them up on the controller and prints the summary.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["axe_pages_checked"] = sorted(PAGES_CHECKED)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Visit:
    """Wraps a Playwright page: every navigation is checked with axe, and any CSP
    violation or page error fails the test."""

    def __init__(self, page, base_url: str, axe):
        self.page = page
        self.base_url = base_url
        self.axe = axe
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _on_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP violation: {text}")

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self):
        """Run axe on the page as it is now and assert nothing is wrong with it."""
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        path = self.page.url.removeprefix(self.base_url).split("?")[0]
        assert results.violations_count == 0, (
            f"axe found violations on {path}:\n{results.generate_report()}"
        )
        assert not self.problems, "\n".join(self.problems)
        PAGES_CHECKED.add(_generic(path))

    def sign_in(self, email: str, password: str, secret_key: bytes):
        self.goto("/accounts/login/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Continue").click()
        self.check()
        self.page.get_by_label("Code").fill(f"{unused_code(email, secret_key):06d}")
        self.page.get_by_role("button", name="Sign in").click()
        self.check()


def unused_code(email: str, secret_key: bytes) -> int:
    """A code the user's authenticator would show that the server will accept. django-otp
    refuses a time step already used, so a second sign-in by the same person within one
    30-second step takes the next step's code, which the device's tolerance admits; the
    clock is waited for only if even that is too far ahead."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)

    def server_counter() -> int:  # the step the server checks around, drift included
        return (int(time.time()) - device.t0) // device.step + device.drift

    wanted = max(server_counter(), device.last_t + 1)
    late_by = wanted - device.tolerance - server_counter()
    if late_by > 0:
        time.sleep(late_by * device.step)
    return hotp(secret_key, wanted, digits=device.digits)


def _generic(path: str) -> str:
    return "/".join("<id>" if part.isdigit() else part for part in path.split("/")) or "/"


@pytest.fixture
def visit(browser, live_server, axe, transactional_db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Visit(page, live_server.url, axe)
    context.close()
