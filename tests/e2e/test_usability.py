"""The usability pass in a real browser (issue 15): each check as a user meets it, with a
screenshot of the page under test-results/screenshots/ for review, at 1280×800."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests import factories
from tests.entries.conftest import COMPLETE_PROFILE, Flow
from wuqiang.entries.models import Entry, EntryState
from wuqiang.scoring.models import DemonstrationNomination

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def english(page: Page, live_server):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    return page


@pytest.fixture
def flow(world, year) -> Flow:
    return Flow(world, year)


def test_the_year_picker_agrees_with_the_sheet_and_switches_it(english, live_server, sign_in, world, year,
                                                                clerk_a, screenshot):
    factories.AssessmentYearFactory(year=2022)
    page = english
    sign_in(clerk_a)
    page.goto(f"{live_server.url}/villages/{world.village_a.code}/2022/organizations/")
    expect(page.locator("#year-select")).to_have_value("2022")
    expect(page.locator("[data-testid=deadline]")).to_contain_text("2023-03-31")
    screenshot("2022-sheet")

    page.locator("#year-select").select_option("2021")

    expect(page).to_have_url(f"{live_server.url}/villages/{world.village_a.code}/2021/organizations/")
    expect(page.locator("#year-select")).to_have_value("2021")


def test_the_reviewer_approves_a_township_in_one_action_and_sees_what_is_held_back(
        english, live_server, sign_in, flow, world, clerk_a, reviewer_x, screenshot, wrapped_buttons):
    plain, flagged = (flow.submitted(v, clerk_a) for v in world.villages["a"])
    Entry.objects.filter(pk=flagged.pk).update(
        quality_flags=[{"field": "households", "kind": "previous_year", "previous": "200", "current": "300"}],
        flag_explanation="新并入一个村民组。")
    page = english
    sign_in(reviewer_x)
    page.goto(f"{live_server.url}/counties/{world.county_x.code}/review/?year=2021")
    assert wrapped_buttons() == []
    screenshot("queue")

    page.locator(f"[data-testid=approve-township-{world.township_a.code}]").click()
    expect(page.locator("[data-testid=included] tr")).to_have_count(1)
    expect(page.locator("[data-testid=held-back] tr")).to_have_count(1)
    screenshot("confirmation")
    page.locator("[data-testid=confirm-approve]").click()

    expect(page.locator(".alert-success")).to_contain_text("Approved 1 entries")
    assert Entry.objects.get(pk=plain.pk).state == EntryState.APPROVED
    assert Entry.objects.get(pk=flagged.pk).state == EntryState.SUBMITTED


def test_the_reviewer_sees_what_changed_since_the_return(english, live_server, sign_in, flow, world, clerk_a,
                                                         reviewer_x, screenshot):
    from tests.entries.conftest import load, save
    from wuqiang.entries import services

    entry = flow.returned(world.village_a, clerk_a, reviewer_x)
    save(load(entry), clerk_a, profile={"households": 320})
    services.entry_submit(entry=load(entry), actor=clerk_a)
    page = english
    sign_in(reviewer_x)

    page.goto(f"{live_server.url}/villages/{world.village_a.code}/2021/organizations/")

    panel = page.locator("[data-testid=changes-since-review]")
    expect(panel).to_contain_text("Changed since it was returned")
    expect(panel).to_contain_text("300")
    expect(panel).to_contain_text("320")
    screenshot("sheet")


def test_a_village_is_found_from_the_navbar(english, live_server, sign_in, world, municipal, screenshot):
    page = english
    sign_in(municipal)
    page.goto(f"{live_server.url}/")

    page.locator("[data-testid=village-search]").fill("桃花1")
    page.locator("[data-testid=village-search]").press("Enter")

    results = page.locator("[data-testid=search-results] tbody tr")
    expect(results).to_have_count(1)
    screenshot("results")
    results.locator("a").click()
    expect(page.locator("h1")).to_contain_text("桃花1村")


def test_a_value_far_from_last_year_is_flagged_as_it_is_typed(english, live_server, sign_in, flow, world, year,
                                                              clerk_a, screenshot, wrapped_buttons):
    from organizations.models import BranchProfile

    last = Entry.objects.create(year=factories.AssessmentYearFactory(year=2020), pillar="organizations",
                                village=world.village_a, township=world.township_a, county=world.county_x,
                                state=EntryState.APPROVED)
    BranchProfile.objects.create(entry=last, **{**COMPLETE_PROFILE, "households": 300})
    flow.draft(world.village_a, clerk_a)
    page = english
    sign_in(clerk_a)
    page.goto(f"{live_server.url}/villages/{world.village_a.code}/2021/organizations/")
    warning = page.locator("[data-live-flag=households]")
    expect(warning).to_be_hidden()
    assert wrapped_buttons() == []

    page.locator("input[name=profile-households]").fill("500")

    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Far from last year's 300")
    screenshot("live-flag")
    page.locator("input[name=profile-households]").fill("310")
    expect(warning).to_be_hidden()


def test_scheme_bands_are_rows_and_a_sample_value_previews_the_points(english, live_server, sign_in, world,
                                                                       year, municipal, screenshot):
    page = english
    sign_in(municipal)
    page.goto(f"{live_server.url}/scoring/schemes/{world.municipality.code}/2021/")
    bands = page.locator("[data-testid=bands-E1] tbody tr")
    expect(bands).to_have_count(8)
    row = page.locator("tr[data-indicator=E1]")

    row.locator("[data-sample]").fill("35")
    expect(row.locator("[data-sample-points]")).to_have_text("→ 7.00")
    row.locator("input[name$='-band_points_2']").fill("8")  # 20–50 万元: 8 points, not yet saved
    expect(row.locator("[data-sample-points]")).to_have_text("→ 8.00")
    screenshot("scheme")


def test_the_demonstration_page_shows_scores_and_its_buttons_do_not_wrap(english, live_server, sign_in, world, year,
                                                                          municipal, screenshot, wrapped_buttons):
    DemonstrationNomination.objects.create(year=year, village=world.village_a)
    page = english
    sign_in(municipal)

    page.goto(f"{live_server.url}/scoring/demonstration/{world.municipality.code}/2021/")

    expect(page.locator("[data-testid=nominations] tbody tr")).to_have_count(1)
    assert wrapped_buttons() == []
    screenshot("demonstration")


def test_the_failing_list_pages_through_every_village_by_kind(english, live_server, sign_in, world, year, municipal,
                                                               screenshot):
    from decimal import Decimal

    from django.utils import timezone

    from wuqiang.scoring.models import Grade, VillageScorecard

    township = world.township_a
    for n in range(55):
        village = factories.VillageFactory(township=township, code=f"{township.code}{300 + n:03d}", name=f"低分{n}村")
        VillageScorecard.objects.create(
            year=year, village=village, township=township, county=world.county_x, municipality=world.municipality,
            total=Decimal(45), grade=Grade.FAIL, approved_pillars=5 if n else 3, computed_at=timezone.now())
    page = english
    sign_in(municipal)
    page.goto(f"{live_server.url}/dashboard/municipalities/{world.municipality.code}/failing/?year=2021")
    rows = page.locator("[data-testid=failing] tbody tr")
    expect(rows).to_have_count(50)
    screenshot("failing-all")

    page.get_by_role("link", name="Below the basic line").click()
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Next").click()
    expect(rows).to_have_count(4)  # 54 below the line: 50 + 4; the incomplete one is not among them
    expect(page).to_have_url(re.compile(r"kind=below.*page=2|page=2.*kind=below"))
    screenshot("failing-below-page-2")
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("低分")
