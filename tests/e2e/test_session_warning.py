"""The idle-session warning in a real browser (static/js/session.js): it appears before the session
ends, "Stay signed in" resets the server's idle clock, and an ended session sends the page to
the login form."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from wuqiang.security.gate import ACTIVITY_KEY

pytestmark = pytest.mark.e2e


def _session(page: Page) -> SessionStore:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return SessionStore(session_key=key)


@pytest.fixture
def short_sessions(settings):
    # One idle minute with a two-minute warning: the warning is due at once.
    settings.SESSION_IDLE_MINUTES = 1
    settings.SESSION_WARNING_MINUTES = 2


@pytest.mark.usefixtures("short_sessions")
def test_the_warning_appears_and_stay_signed_in_resets_the_idle_clock(page: Page, live_server, sign_in, clerk_a):
    sign_in(clerk_a)
    page.goto(live_server.url + clerk_a.township.get_absolute_url())

    warning = page.locator("[data-testid=session-warning]")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning.locator("[data-session-countdown]")).to_have_text(re.compile(r"^[01]:\d\d$"))

    store = _session(page)
    store[ACTIVITY_KEY] = time.time() - 50  # the server's clock says 50 idle seconds so far
    store.save()
    # Wait for the answer, not for the row: on SQLite the live server shares this test's
    # connection, so the row is visible here before the request commits, and ending the test
    # then would empty the database under the request's open transaction (which rolls it back).
    with page.expect_response(lambda r: r.url.endswith("/accounts/session/") and r.request.method == "POST"):
        page.locator("[data-session-stay]").click()

    assert time.time() - _session(page)[ACTIVITY_KEY] < 5, "Stay signed in did not reset the idle clock"


@pytest.mark.usefixtures("short_sessions")
def test_an_ended_session_takes_the_page_to_the_login_form(page: Page, live_server, sign_in, clerk_a):
    sign_in(clerk_a)
    township = clerk_a.township.get_absolute_url()
    page.goto(live_server.url + township)
    expect(page.locator("[data-testid=session-warning]")).to_be_visible(timeout=10_000)

    store = _session(page)
    store[ACTIVITY_KEY] = time.time() - 120  # idle past the limit
    store.save()
    page.locator("[data-session-stay]").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={township.replace('/', '%2F')}",
                             timeout=10_000)
