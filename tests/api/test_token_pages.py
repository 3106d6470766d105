"""The portal pages for API tokens: a user makes one (shown once), lists and revokes their own;
nobody else's is reachable; the page speaks the reader's language."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from tests.api.conftest import API
from tests.core.test_visible_language import CODE, HAN, LATIN_ALLOWED, LATIN_WORD, shown_text
from wuqiang.api.models import ApiToken
from wuqiang.api.services import token_create
from wuqiang.audit.models import AuditEvent, EventKind

pytestmark = pytest.mark.django_db


def test_the_user_menu_links_to_the_token_page(login_as, clerk_a):
    page = login_as(clerk_a).get("/help/").content.decode()
    assert 'data-testid="menu-api-tokens"' in page and 'href="/accounts/tokens/"' in page


def test_a_new_token_is_shown_once_works_and_is_not_on_the_page_again(login_as, clerk_a, world):
    client = login_as(clerk_a)
    expires = timezone.localdate() + datetime.timedelta(days=30)

    made = client.post("/accounts/tokens/", {"name": "县统计系统", "expires_on": expires.isoformat()})

    assert made.status_code == 200
    raw = re.search(r'data-testid="token-secret">([^<]+)<', made.content.decode()).group(1)
    token = ApiToken.objects.get(user=clerk_a)
    assert token.name == "县统计系统" and token.expires_at.date() == expires
    assert made["Cache-Control"].count("no-store") == 1
    from rest_framework.test import APIClient

    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{API}/villages/").status_code == 200
    again = client.get("/accounts/tokens/").content.decode()
    assert "县统计系统" in again and raw not in again
    assert AuditEvent.objects.filter(kind=EventKind.TOKEN_CREATED, actor=clerk_a).count() == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x", "expires_on": "2001-01-01"}, "expires_on"),
    ({"name": "x", "expires_on": "not a date"}, "expires_on"),
    ({"name": "a\x00b"}, "name"),
])
def test_bad_input_makes_no_token_and_says_why(login_as, clerk_a, data, field):
    client = login_as(clerk_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/accounts/tokens/", data)
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_token_and_it_stops_working(login_as, clerk_a, world):
    token, raw = token_create(user=clerk_a, name="t")
    from rest_framework.test import APIClient

    response = login_as(clerk_a).post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{API}/villages/").status_code == 401
    assert AuditEvent.objects.filter(kind=EventKind.TOKEN_REVOKED).count() == 1


def test_another_users_token_is_neither_listed_nor_revocable(login_as, clerk_a, clerk_b):
    token, _raw = token_create(user=clerk_b, name="乙的系统")
    client = login_as(clerk_a)
    assert "乙的系统" not in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_token_page_needs_a_sign_in(client):
    assert client.get("/accounts/tokens/").status_code == 302


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_token_page_speaks_the_readers_language(login_as, clerk_a, language):
    token_create(user=clerk_a, name="system")
    client = login_as(clerk_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    made = client.post("/accounts/tokens/", {"name": "system"}).content.decode()
    raw = re.search(r'data-testid="token-secret">([^<]+)<', made).group(1)
    texts = [t for t in shown_text(made) if raw not in t]
    if language == "zh-hans":
        latin = {w for t in texts for w in LATIN_WORD.findall(t)} - LATIN_ALLOWED - {"system"}
        assert {w for w in latin if not CODE.match(w)} == set()
    else:
        assert {h for t in texts for h in HAN.findall(t)} - set(clerk_a.display_name) <= {"五强组织", "中文"} | set(
            HAN.findall(clerk_a.display_name))
