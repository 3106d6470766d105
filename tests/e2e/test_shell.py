"""The page shell in a real browser: signing in, landing at home, switching language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-township.png"


def test_a_clerk_signs_in_and_lands_on_their_township(page: Page, live_server, clerk_a, world, year):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")

    page.locator("#id_username").fill(clerk_a.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}{world.township_a.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(world.township_a.name)
    children = page.locator("[data-testid=children]")
    for village in world.villages["a"]:
        expect(children).to_contain_text(village.name)
    for village in world.villages["b"] + world.villages["c"]:
        expect(children).not_to_contain_text(village.name)

    if os.environ.get("WUQIANG_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 720})
        page.screenshot(path=SCREENSHOT, full_page=True)


def test_a_wrong_password_keeps_the_clerk_on_the_login_page(page: Page, live_server, clerk_a):
    page.goto(live_server.url + "/accounts/login/")

    page.locator("#id_username").fill(clerk_a.username)
    page.locator("#id_password").fill("not-the-password")
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".alert-danger")).to_be_visible()


def test_the_language_buttons_switch_between_english_and_chinese(
    page: Page, live_server, sign_in, clerk_a, world, year
):
    sign_in(clerk_a)
    page.goto(live_server.url + world.township_a.get_absolute_url())
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    page.locator("[data-testid=lang-en]").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{world.township_a.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Villages")).to_be_visible()
    expect(page.locator(".navbar-nav")).to_contain_text("Work board")
    expect(page.locator("[data-testid=lang-en]")).to_have_attribute("aria-pressed", "true")

    page.locator("[data-testid=lang-zh-hans]").click()

    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".navbar-nav")).to_contain_text("填报工作台")
    expect(page.locator(".navbar-brand")).to_contain_text("五强组织")
    expect(page.get_by_role("heading", name="Villages")).to_have_count(0)
    expect(page.locator("[data-testid=lang-zh-hans]")).to_have_attribute("aria-pressed", "true")
