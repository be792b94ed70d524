"""Playwright driving Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the tests use the system Chromium.
Without it the tests skip, and CI (FORBID_SKIPS=1) turns that skip into a failure.

Every page may talk to the live server only: the product promises no CDN and no third-party
calls, so a request to any other host is aborted and fails the test that made it.
"""

import contextlib
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import pagecheck

ARTIFACTS = Path(__file__).parent / "artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return path if Path(path).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if not executable:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # Preconnects and DNS prefetches never show up as requests, so the guard below
                # cannot see them; no name but localhost resolves at all.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
            ],
        )
        yield browser
        browser.close()


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Content the browser makes itself, without a request to anyone.
SELF_CONTAINED_SCHEMES = {"data", "blob", "about"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in SELF_CONTAINED_SCHEMES or parts.hostname in LOCAL_HOSTS


class ExternalRequestGuard:
    """Aborts and records whatever a browser context tries to fetch from another host."""

    def __init__(self):
        self.blocked: list[str] = []

    def watch(self, context) -> None:
        context.route(lambda url: not is_local(url), self._abort)
        # Routing never sees WebSockets; they get their own handler.
        context.route_web_socket(lambda url: not is_local(url), self._close)

    def _abort(self, route) -> None:
        request = route.request
        self.blocked.append(f"{request.method} {request.url} ({request.resource_type})")
        route.abort("blockedbyclient")

    def _close(self, websocket) -> None:
        self.blocked.append(f"WebSocket {websocket.url}")
        websocket.close()


@pytest.fixture(autouse=True)
def external_requests(request, monkeypatch):
    """Guards every context a browser test opens, however it opens one, and fails the test at
    teardown with the list of what it tried to fetch from outside. Every page opened in such a
    context is checked after each navigation (`pagecheck`: a CSP header and no violation of it,
    no sideways scroll at desktop and phone sizes, axe-core, screenshots), and once more for CSP
    violations at teardown."""
    if "browser" not in request.fixturenames:
        yield None
        return
    browser = request.getfixturevalue("browser")
    guard = ExternalRequestGuard()
    new_context = browser.new_context
    watched_pages = []

    def guarded_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        guard.watch(context)
        new_page_in_context = context.new_page

        def checked_new_page():
            page = new_page_in_context()
            pagecheck.watch(page)
            watched_pages.append(page)
            return page

        context.new_page = checked_new_page
        return context

    # Playwright's own new_page would open a context this wrapper never sees.
    page_contexts = []

    def guarded_new_page(*args, **kwargs):
        context = guarded_new_context(*args, **kwargs)
        page_contexts.append(context)
        return context.new_page()

    monkeypatch.setattr(browser, "new_context", guarded_new_context)
    monkeypatch.setattr(browser, "new_page", guarded_new_page)
    yield guard
    for page in watched_pages:
        settle(page)
    for context in page_contexts:
        context.close()
    # What broke the policy after a page's last navigation (an htmx swap, a click) fails too.
    late = [v for page in watched_pages for v in pagecheck.csp_violations_after_last_check(page)]
    if late:
        pytest.fail(
            "Content-Security-Policy violations after the last check:\n  " + "\n  ".join(late),
            pytrace=False,
        )
    if guard.blocked:
        pytest.fail(
            "The page made requests outside 127.0.0.1 (aborted):\n  " + "\n  ".join(guard.blocked),
            pytrace=False,
        )


def settle(page) -> None:
    """Wait until the page has no request in flight. A test may end while images it loaded
    last (a list's thumbnails) are still being served, and the live server's view then holds
    the database while the test's teardown truncates it (a deadlock on PostgreSQL)."""
    from playwright.sync_api import Error as PlaywrightError

    if page.is_closed():
        return
    # A page that never goes quiet (polling) is closed as it is.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=pagecheck.SIZES["desktop"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    settle(page)
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as a CI artefact under tests/browser/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
