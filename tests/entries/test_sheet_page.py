"""The sheet page helps the clerk before saving: meetings counted per kind against the
requirement, and a warning as soon as a watched value leaves last year's band (issue 15 item 6)."""

from __future__ import annotations

import html
import re

import pytest

from organizations.models import BranchProfile, Meeting
from tests import factories
from tests.entries.conftest import COMPLETE_PROFILE
from wuqiang.entries.models import Entry, EntryState, Pillar

pytestmark = pytest.mark.django_db


def _url(world) -> str:
    return f"/villages/{world.village_a.code}/2021/organizations/"


def test_meetings_are_counted_per_kind_against_the_requirement(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    for month in (1, 2, 2):
        Meeting.objects.create(entry=entry, date=f"2021-{month:02d}-10", kind="theme_day", attendance=10)
    Meeting.objects.create(entry=entry, date="2021-03-01", kind="party_congress", attendance=30)

    page = login_en(clerk_a).get(_url(world)).content.decode()

    progress = re.search(r'data-testid="progress-meeting">(.*?)</div>', page, re.S).group(1)
    badges = [html.unescape(re.sub(r"\s+", " ", b).strip())
              for b in re.findall(r"<span[^>]*>(.*?)</span>", progress, re.S)]
    assert badges == ["Party members' meeting 1/4", "Branch committee meeting 0/12", "Party group meeting 0/12",
                      "Party lecture 0/4", "Theme party day (months) 2/12"]


def test_a_watched_value_carries_its_band_for_the_live_warning(login_en, flow, world, year, clerk_a):
    last_year = factories.AssessmentYearFactory(year=2020)
    previous = Entry.objects.create(year=last_year, pillar=Pillar.ORGANIZATIONS, village=world.village_a,
                                    township=world.township_a, county=world.county_x, state=EntryState.APPROVED)
    BranchProfile.objects.create(entry=previous, **{**COMPLETE_PROFILE, "households": 300})
    flow.draft(world.village_a, clerk_a)

    page = login_en(clerk_a).get(_url(world)).content.decode()

    field = re.search(r'<input[^>]*name="profile-households"[^>]*>', page).group(0)
    assert 'data-watch="households"' in field
    assert 'data-watch-low="240.0"' in field and 'data-watch-high="360.0"' in field
    assert "Far from last year&#x27;s 300" in field


def test_a_read_only_sheet_carries_no_live_warning(login_en, flow, world, clerk_a, reviewer_x):
    flow.submitted(world.village_a, clerk_a)

    page = login_en(reviewer_x).get(_url(world)).content.decode()

    assert "data-watch=" not in page
