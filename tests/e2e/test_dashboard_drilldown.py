"""Municipal staff drill down from the city's scorecard to one village's, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from wuqiang.scoring.rollup import rollup_year

pytestmark = pytest.mark.e2e


def test_municipal_staff_drill_down_from_the_city_to_a_village(
    page: Page, live_server, sign_in, municipal, world, year
):
    rollup_year(year.year)
    village = world.village_a
    sign_in(municipal)

    page.goto(f"{live_server.url}/dashboard/municipalities/{world.municipality.code}/?year={year.year}")
    expect(page.locator("h1")).to_contain_text(world.municipality.name)
    page.locator("[data-testid=league]").get_by_role("link", name=world.county_x.name).click()

    expect(page.locator("h1")).to_contain_text(world.county_x.name)
    page.locator("[data-testid=league]").get_by_role("link", name=world.township_a.name).click()

    expect(page.locator("h1")).to_contain_text(world.township_a.name)
    page.locator("[data-testid=league]").get_by_role("link", name=village.name).click()

    expect(page).to_have_url(f"{live_server.url}/dashboard/villages/{village.code}/?year={year.year}")
    expect(page.locator("h1")).to_contain_text(village.name)
    # Every indicator of the scheme is listed with its points, here 0 of its maximum: nothing
    # has been approved in this world yet.
    expect(page.locator("[data-testid=indicators-organizations]")).to_contain_text("O1")
    expect(page.locator("[data-testid=indicators-support]")).to_contain_text("S6")
