"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; the ORM calls the fixtures make
# there are still synchronous, so Django's async-safety guard must stand down (browser tests only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
    )
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # pytest-playwright looks for its own browser download; point it at Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _close_db_connections_before_playwright_stops(playwright) -> Iterator[None]:
    # While Playwright's sync API runs, an event loop counts as running in the main thread, so
    # Django keeps the connections it opens meanwhile in separate, context-local storage.
    # Close them while that storage is still current: pytest-django's teardown cannot see them,
    # and on PostgreSQL one left open stops it dropping the test database.
    yield
    connections.close_all()


class _RequestsInFlight:
    """Counts the live server's requests between Django's request_started and request_finished."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **kwargs) -> None:
        with self.lock:
            self.count += 1

    def finished(self, **kwargs) -> None:
        with self.lock:
            self.count -= 1


@pytest.fixture(autouse=True)
def _no_request_in_flight_at_teardown() -> Iterator[None]:
    # A test may end while the browser's last request is still being served (a fetch fired by
    # a click, a redirect the test did not wait for). On SQLite the live server shares the
    # test's connection, so emptying the tables then runs inside that request's transaction,
    # and its rollback brings the rows back for the next test. Wait for the server to finish
    # first (this fixture is torn down before pytest-django's database fixture).
    in_flight = _RequestsInFlight()
    request_started.connect(in_flight.started)
    request_finished.connect(in_flight.finished)
    try:
        yield
        deadline = time.monotonic() + 10
        while in_flight.count > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        request_started.disconnect(in_flight.started)
        request_finished.disconnect(in_flight.finished)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # A browser set up for Chinese, as the portal's users' are (Accept-Language: zh-CN).
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def sign_in(page, live_server) -> Callable:
    """Give the page's browser context a session for ``user`` without typing a password."""

    def _sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return _sign_in


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture
def screenshot(page, request) -> Callable:
    """Save a full-page screenshot for review under test-results/screenshots/ (ignored by git)."""

    def _take(label: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


# Buttons whose label no longer fits on one line (measured in the browser, at the page's width).
WRAPPED_BUTTONS = """() => [...document.querySelectorAll('button, a.btn, input[type=submit]')]
  .filter(el => el.offsetParent !== null && el.innerText.trim().length > 1)
  .map(el => {
    const cs = getComputedStyle(el);
    const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
    const inner = el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    return {text: el.innerText.trim(), lines: Math.round(inner / line)};
  })
  .filter(b => b.lines > 1)"""


@pytest.fixture
def wrapped_buttons(page) -> Callable[[], list[dict]]:
    """The visible buttons of the page whose label wraps onto a second line."""
    return lambda: page.evaluate(WRAPPED_BUTTONS)
