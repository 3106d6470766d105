"""Sessions: signed out after SESSION_IDLE_MINUTES without activity (with a warning page script
and a status probe that does not count as activity) or SESSION_MAX_HOURS after sign-in; the
cookie ends with the browser; nothing a signed-in user sees may be stored (no-store)."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from tests.security.conftest import sign_in
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.security.gate import ACTIVITY_KEY, STARTED_KEY

pytestmark = pytest.mark.django_db


def _shift(client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def test_thirty_idle_minutes_end_the_session(clerk_a, login_as):
    client = login_as(clerk_a)
    township = f"/townships/{clerk_a.township.code}/"
    _shift(client, ACTIVITY_KEY, 31 * 60)

    response = client.get(township)

    assert response.status_code == 302 and response.url == f"/accounts/login/?next={township}"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response.url).content.decode()
    assert "30" in login_page  # "…after 30 minutes without activity", in the page's language
    event = AuditEvent.objects.get(kind=EventKind.LOGOUT)
    assert (event.actor_id, event.detail) == (clerk_a.pk, {"reason": "idle timeout"})


def test_activity_within_the_idle_limit_keeps_the_session(clerk_a, login_as):
    client = login_as(clerk_a)
    _shift(client, ACTIVITY_KEY, 29 * 60)

    response = client.get(f"/townships/{clerk_a.township.code}/")

    assert response.status_code == 200
    assert time.time() - client.session[ACTIVITY_KEY] < 5  # the request counted as activity


def test_the_idle_limit_is_configurable(clerk_a, login_as, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = login_as(clerk_a)
    _shift(client, ACTIVITY_KEY, 6 * 60)

    assert client.get(f"/townships/{clerk_a.township.code}/").status_code == 302


def test_a_session_ends_eight_hours_after_sign_in_however_active(clerk_a, login_as):
    client = login_as(clerk_a)
    _shift(client, STARTED_KEY, 8 * 3600 + 1)

    response = client.get(f"/townships/{clerk_a.township.code}/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(kind=EventKind.LOGOUT).detail == {"reason": "session lifetime"}


def test_the_warning_scripts_probe_reports_the_time_left_without_counting_as_activity(clerk_a, login_as):
    client = login_as(clerk_a)
    _shift(client, ACTIVITY_KEY, 20 * 60)
    before = client.session[ACTIVITY_KEY]

    status = client.get("/accounts/session/").json()

    assert status["authenticated"] is True
    assert 9 * 60 < status["remaining"] <= 10 * 60
    assert client.session[ACTIVITY_KEY] == before


def test_stay_signed_in_resets_the_idle_clock(clerk_a, login_as):
    client = login_as(clerk_a)
    _shift(client, ACTIVITY_KEY, 28 * 60)

    status = client.post("/accounts/session/").json()

    assert 29 * 60 < status["remaining"] <= 30 * 60


def test_the_probe_tells_an_expired_page_to_sign_in_again(clerk_a, login_as):
    client = login_as(clerk_a)
    _shift(client, ACTIVITY_KEY, 31 * 60)

    assert client.get("/accounts/session/").json() == {"authenticated": False}


def test_pages_carry_the_warning_settings_and_load_the_script_from_a_file(clerk_a, login_as):
    page = login_as(clerk_a).get(f"/townships/{clerk_a.township.code}/").content.decode()

    assert 'data-session-idle="1800"' in page and 'data-session-warning="120"' in page
    assert re.search(r'<script src="/static/js/session\.js">', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # CSP script-src 'self': no inline script


def test_the_session_cookie_ends_with_the_browser(client, clerk_a):
    response = sign_in(client, clerk_a.username)

    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]


# --- no-store ---------------------------------------------------------------------------------


def _data_pages(persona, world, year):
    clerk, reviewer, municipal = persona("clerk_a"), persona("reviewer_x"), persona("municipal")
    village = world.village_a
    return [
        (clerk, f"/townships/{world.township_a.code}/"),
        (clerk, f"/villages/{village.code}/"),
        (clerk, reverse("entries:work-board", args=[world.township_a.code])),
        (clerk, reverse("entries:village-sheet", args=[village.code, year.year, "organizations"])),
        (clerk, reverse("entries:village-history", args=[village.code])),
        (clerk, reverse("scoring:village", args=[village.code])),
        (reviewer, reverse("entries:review-queue", args=[world.county_x.code])),
        (reviewer, reverse("scoring:county", args=[world.county_x.code])),
        (municipal, reverse("scoring:municipality", args=[world.municipality.code])),
    ]


def test_every_data_page_forbids_storing_it(client, persona, world, year):
    for user, url in _data_pages(persona, world, year):
        client.force_login(user)
        response = client.get(url)

        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_error_and_json_responses_to_signed_in_users_are_not_stored_either(clerk_a, login_as):
    client = login_as(clerk_a)

    assert "no-store" in client.get("/villages/000000000000/")["Cache-Control"]
    assert "no-store" in client.get("/accounts/session/")["Cache-Control"]
