"""The portal's own 400, 403, 404 and 500 pages: in the portal's layout, in Chinese, and without
a traceback, a setting or the list of URL patterns that Django's debug pages show."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

DEBUG_ONLY = ("Traceback", "URLconf", "urlpatterns", "SECRET_KEY", "DATABASES", "a detail only the server",
              "Request Method", "Django Version", "technical")


def _assert_portal_error_page(response, status: int) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert 'data-testid="error-page"' in page
    assert "五强组织" in page and "portal-navbar" in page  # the portal's base layout
    assert '<html lang="zh-hans">' in page
    for leak in DEBUG_ONLY:
        assert leak not in page, leak
    return page


def test_a_missing_page_is_the_portals_404(clerk_a, login_as):
    page = _assert_portal_error_page(login_as(clerk_a).get("/no-such-page/"), 404)

    assert "页面不存在" in page
    assert 'data-testid="user-menu"' in page  # the signed-in layout, with the user's menu


def test_a_village_outside_the_users_scope_is_the_same_404(clerk_a, world, login_as):
    _assert_portal_error_page(login_as(clerk_a).get(f"/villages/{world.village_c.code}/"), 404)


def test_a_refused_page_is_the_portals_403(clerk_a, login_as):
    page = _assert_portal_error_page(login_as(clerk_a).get("/audit/"), 403)

    assert "无权" in page


def test_a_failing_view_is_the_portals_500_without_details(clerk_a, settings):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    client.force_login(clerk_a)

    page = _assert_portal_error_page(client.get("/fail/"), 500)

    assert "出错" in page


def test_a_bad_host_is_the_portals_400(client):
    _assert_portal_error_page(client.get("/accounts/login/", HTTP_HOST="evil.example.com"), 400)


def test_a_form_without_its_csrf_token_is_the_portals_403_with_advice(db):
    client = Client(enforce_csrf_checks=True)

    page = _assert_portal_error_page(client.post("/accounts/login/", {"username": "x", "password": "y"}), 403)

    assert "重新加载" in page


def test_debug_is_off_in_the_settings_the_tests_run():
    assert settings.DEBUG is False
