"""Issue 18 in a real browser: the what-if preview flow on the scheme page and the big screen at
1920×1080 (screenshots kept under test-results/screenshots/ for review)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.scoring.conftest import YEAR, people, place  # noqa: F401 - fixtures
from tests.scoring.test_whatif import build

pytestmark = pytest.mark.e2e


@pytest.fixture
def eager():
    from wuqiang.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_municipal_staff_preview_a_scheme_change_in_the_browser(page: Page, live_server, sign_in, place,  # noqa: F811
                                                                people, eager, screenshot):  # noqa: F811
    from wuqiang.scoring.models import SchemePreview, VillageScorecard
    from wuqiang.scoring.services import scheme_for

    build(place)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)
    e1 = [i.code for i in scheme.indicators.all()].index("E1")
    grades = list(VillageScorecard.objects.order_by("village_id").values_list("village_id", "grade", "total"))
    sign_in(people["municipal"])
    page.goto(f"{live_server.url}/scoring/schemes/{place.municipality.code}/{YEAR}/")
    page.locator(f"[name=ind-{e1}-band_from_3]").fill("70")
    page.locator("[data-testid=preview-scheme]").click()

    expect(page.locator("[data-testid=whatif-changes]")).to_contain_text(place.c1.name, timeout=30_000)
    expect(page.locator("[data-testid=whatif-changes] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=whatif-counties]")).to_contain_text(place.county_y.name)
    screenshot("preview")
    assert SchemePreview.objects.get().result["changed"] == 1
    # Nothing was saved: the scheme and the scorecards are as they were.
    assert scheme.indicators.get(code="E1").params["bands"][3][0] == 50
    assert list(VillageScorecard.objects.order_by("village_id").values_list("village_id", "grade", "total")) == grades


def test_the_big_screen_renders_at_1920_by_1080(page: Page, live_server, sign_in, place, people,  # noqa: F811
                                                screenshot):
    build(place)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(people["municipal"])
    page.goto(f"{live_server.url}/screen/{place.municipality.code}/?year={YEAR}")
    expect(page.locator("[data-testid=screen-headline] .screen-figure")).to_have_count(9)  # 8 + overdue tickets
    for kind in ("grades", "pillars", "league", "trends"):
        expect(page.locator(f"[data-screen-chart={kind}] canvas")).to_have_count(1)
    # Everything fits the screen: no scrolling in a meeting room.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    screenshot("city")
    # The in-place refresh: new stored figures appear without the page reloading.
    from wuqiang.scoring.models import MunicipalScorecard

    page.goto(f"{live_server.url}/screen/{place.municipality.code}/?year={YEAR}&refresh=5")
    page.evaluate("window.__notReloaded = true")
    MunicipalScorecard.objects.filter(year_id=YEAR).update(villages=1234)
    expect(page.locator(".screen-figure[data-key=villages] .screen-value")).to_have_text("1,234", timeout=20_000)
    assert page.evaluate("window.__notReloaded === true")
    page.goto(f"{live_server.url}/screen/{place.county_x.code}/?year={YEAR}")
    expect(page.locator("h1")).to_contain_text(place.county_x.name)
    screenshot("county")
    assert not errors
