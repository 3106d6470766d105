"""One village sheet through the whole review loop in a real browser: the clerk enters and
submits, the county reviewer returns it with a comment, the clerk fixes and resubmits, the
reviewer approves (SPEC §6)."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from organizations.models import BranchProfile
from tests.factories import PASSWORD
from wuqiang.entries.models import Change, ChangeAction, Entry, EntryState

pytestmark = pytest.mark.e2e

PROFILE_INPUTS = {
    "party_members": "42",
    "households": "300",
    "grids": "8",
    "linked_households": "120",
    "competition_score": "86.5",
}
PROFILE_YES_NO = {
    "secretary_is_director": "true",
    "standardisation_passed": "true",
    "points_system": "false",
    "competition_participated": "true",
}
COMMENT = "户数与网格划分不符，请核对户数。"


def _in_english(page: Page, live_server) -> None:
    # Stable selectors and texts whatever the browser's language.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


def _sign_in_through_the_form(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    expect(page).not_to_have_url(f"{live_server.url}/accounts/login/")


def _state_badge(page: Page):
    # The badge next to the sheet's heading (the pillar tabs carry badges of their own).
    return page.locator("h1 ~ [data-state]")


def test_a_sheet_goes_from_entry_through_return_to_approval(
        page: Page, browser: Browser, browser_context_args, live_server, world, year, clerk_a, reviewer_x):
    village = world.village_a
    sheet_url = f"{live_server.url}/villages/{village.code}/{year.year}/organizations/"

    # The clerk signs in, opens the village's organisations sheet and fills it in.
    _in_english(page, live_server)
    _sign_in_through_the_form(page, live_server, clerk_a)
    page.goto(sheet_url)
    page.locator("select[name=profile-org_type]").select_option("branch")
    for name, value in PROFILE_INPUTS.items():
        page.locator(f"input[name=profile-{name}]").fill(value)
    for name, value in PROFILE_YES_NO.items():
        page.locator(f"select[name=profile-{name}]").select_option(value)
    # One impossible value: more grids with a party group than grids.
    page.locator("input[name=profile-grids_with_party_group]").fill("9")

    page.locator("[data-testid=save]").click()

    error = page.locator("[data-field-error='profile-grids_with_party_group']")
    expect(error).to_contain_text("cannot exceed grids (8)")
    grids_with_group = page.locator("input[name=profile-grids_with_party_group]")
    expect(grids_with_group).to_have_class("form-control form-control-sm is-invalid")
    expect(page.locator("input[name=profile-party_members]")).to_have_value("42")
    assert not Entry.objects.filter(village=village).exists()

    page.locator("input[name=profile-grids_with_party_group]").fill("6")
    page.locator("[data-testid=save-submit]").click()

    expect(_state_badge(page)).to_have_attribute("data-state", "submitted")
    expect(_state_badge(page)).to_have_text("Submitted")
    expect(page.locator("[data-testid=save]")).to_have_count(0)

    # The county reviewer, in a browser of their own, returns it with a comment.
    reviewer_context = browser.new_context(**browser_context_args)
    try:
        reviewer = reviewer_context.new_page()
        _in_english(reviewer, live_server)
        _sign_in_through_the_form(reviewer, live_server, reviewer_x)
        reviewer.goto(sheet_url)
        expect(_state_badge(reviewer)).to_have_attribute("data-state", "submitted")
        reviewer.locator("#return-comment").fill(COMMENT)
        reviewer.locator("[data-testid=return]").click()
        expect(_state_badge(reviewer)).to_have_attribute("data-state", "returned")

        # The clerk sees the comment, fixes the households and submits again.
        page.reload()
        expect(page.locator("[data-testid=review-comment]")).to_contain_text(COMMENT)
        expect(_state_badge(page)).to_have_text("Returned")
        page.locator("input[name=profile-households]").fill("320")
        page.locator("[data-testid=save-submit]").click()
        expect(_state_badge(page)).to_have_attribute("data-state", "submitted")
        expect(page.locator("[data-testid=review-comment]")).to_have_count(0)

        # The reviewer reloads and approves.
        reviewer.reload()
        expect(reviewer.locator("[data-testid=approve]")).to_be_visible()
        reviewer.locator("[data-testid=approve]").click()
        expect(_state_badge(reviewer)).to_have_attribute("data-state", "approved")
        expect(_state_badge(reviewer)).to_have_text("Approved")
        expect(reviewer.locator("[data-testid=approve]")).to_have_count(0)
    finally:
        reviewer_context.close()

    entry = Entry.objects.get(village=village, pillar="organizations", year=year)
    assert entry.state == EntryState.APPROVED
    profile = BranchProfile.objects.get(entry=entry)
    assert (profile.households, profile.grids_with_party_group, profile.party_members) == (320, 6, 42)
    steps = list(Change.objects.filter(entry=entry, object_type="").order_by("pk").values_list("action", flat=True))
    assert steps == [ChangeAction.SUBMITTED, ChangeAction.RETURNED, ChangeAction.SUBMITTED, ChangeAction.APPROVED]
