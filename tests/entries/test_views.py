"""The entry pages through the test client: who may open and post to which page, what a form
post does, how a stale save is shown, the history page, and what the lists cost in queries."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import BranchProfile, Meeting
from tests import factories
from tests.conftest import PERSONAS, World
from tests.entries.conftest import COMPLETE_PROFILE, fingerprint, form_data, load, org_sheet
from tests.factories import set_year_state
from wuqiang.entries.models import Change, ChangeAction, Entry, EntryState, Pillar
from wuqiang.regions.models import AssessmentYear

pytestmark = pytest.mark.django_db

YEAR = 2021
LOGIN = "/accounts/login/"

# The units each persona may see (the same scope as the browse pages); every other unit's
# pages answer 404, as if they did not exist.
VISIBLE = {
    "clerk_a": {"township_a", "village_a"},
    "clerk_a2": {"township_a", "village_a"},
    "clerk_b": {"township_b", "village_b"},
    "clerk_c": {"township_c", "village_c"},
    "reviewer_x": {"county_x", "township_a", "township_b", "village_a", "village_b"},
    "reviewer_y": {"county_y", "township_c", "village_c"},
    "municipal": {"county_x", "county_y", "township_a", "township_b", "township_c",
                  "village_a", "village_b", "village_c"},
    "admin_user": {"county_x", "county_y", "township_a", "township_b", "township_c",
                   "village_a", "village_b", "village_c"},
    "no_role_user": set(),
}
assert set(VISIBLE) == set(PERSONAS), "every persona needs a row in the scope matrix"

UNITS: dict[str, Callable[[World], object]] = {
    "county_x": lambda w: w.county_x,
    "county_y": lambda w: w.county_y,
    "township_a": lambda w: w.township_a,
    "township_b": lambda w: w.township_b,
    "township_c": lambda w: w.township_c,
    "village_a": lambda w: w.village_a,
    "village_b": lambda w: w.village_b,
    "village_c": lambda w: w.village_c,
}

# GET pages: name → (unit key, URL pattern for the unit's code).
GET_PAGES = {
    **{f"village-sheet-{k}": (f"village_{k}", "/villages/{code}/2021/organizations/") for k in "abc"},
    **{f"village-sheet-economy-{k}": (f"village_{k}", "/villages/{code}/2021/economy/") for k in "abc"},
    **{f"township-sheet-{k}": (f"township_{k}", "/townships/{code}/2021/support-township/") for k in "abc"},
    **{f"work-board-{k}": (f"township_{k}", "/townships/{code}/board/") for k in "abc"},
    **{f"review-queue-{k}": (f"county_{k}", "/counties/{code}/review/") for k in "xy"},
    **{f"history-{k}": (f"village_{k}", "/villages/{code}/history/") for k in "abc"},
}


def _url(world: World, page: str) -> str:
    unit_key, pattern = GET_PAGES[page]
    return pattern.format(code=UNITS[unit_key](world).code)


def _clerk_of(village_key: str) -> str:
    return f"clerk_{village_key[-1]}"


@pytest.fixture
def submitted(flow, world, persona) -> dict[str, Entry]:
    """A submitted organizations entry in villages A1, B1 and C1, each saved by its own clerk."""
    return {key: flow.submitted(UNITS[key](world), persona(_clerk_of(key))) for key in
            ("village_a", "village_b", "village_c")}


def _input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<(?:input|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Scope matrix ------------------------------------------------------------------------------

GET_MATRIX = [
    pytest.param(name, page, 200 if GET_PAGES[page][0] in VISIBLE[name] else 404, id=f"{name}-{page}")
    for name in PERSONAS
    for page in GET_PAGES
]


@pytest.mark.parametrize(("persona_name", "page", "expected"), GET_MATRIX)
def test_get_scope_matrix(persona, login_en, world, year, persona_name, page, expected):
    client = login_en(persona(persona_name))

    response = client.get(_url(world, page))

    assert response.status_code == expected
    if expected == 200:
        assert response.context["unit"] == UNITS[GET_PAGES[page][0]](world)


SHEET_POST_MATRIX = [
    pytest.param(name, key, 302 if key in VISIBLE[name] else 404, id=f"{name}-{key}")
    for name in PERSONAS
    for key in ("village_a", "village_b", "village_c")
]


@pytest.mark.parametrize(("persona_name", "village_key", "expected"), SHEET_POST_MATRIX)
def test_sheet_post_scope_matrix(persona, login_en, world, year, persona_name, village_key, expected):
    """Inside scope a post is answered with a redirect (saved, or refused with a message);
    outside it the sheet does not exist — and then nothing is created."""
    client = login_en(persona(persona_name))
    village = UNITS[village_key](world)
    data = form_data(org_sheet(), None, profile=COMPLETE_PROFILE)

    response = client.post(f"/villages/{village.code}/{YEAR}/organizations/", data)

    assert response.status_code == expected
    if expected == 404:
        assert not Entry.objects.filter(village=village).exists()
    # Only the village's own clerks create the entry.
    created = Entry.objects.filter(village=village).exists()
    assert created == (persona_name in {_clerk_of(village_key), "clerk_a2" if village_key == "village_a" else ""})


ACTION_MATRIX = [
    pytest.param(name, key, 302 if key in VISIBLE[name] else 404, id=f"{name}-{key}")
    for name in PERSONAS
    for key in ("village_a", "village_b", "village_c")
]


@pytest.mark.parametrize(("persona_name", "village_key", "expected"), ACTION_MATRIX)
def test_approve_action_scope_matrix(persona, login_en, submitted, persona_name, village_key, expected):
    entry = submitted[village_key]
    before = fingerprint(entry)

    response = login_en(persona(persona_name)).post(f"/entries/{entry.pk}/approve/")

    assert response.status_code == expected
    reviewer_of_entry = {"village_a": "reviewer_x", "village_b": "reviewer_x", "village_c": "reviewer_y"}[village_key]
    if persona_name == reviewer_of_entry:
        assert load(entry).state == EntryState.APPROVED
    else:
        assert fingerprint(entry) == before


@pytest.mark.parametrize("action", ["submit", "approve", "return", "reopen"])
@pytest.mark.parametrize("persona_name", ["clerk_b", "clerk_c", "reviewer_y", "no_role_user"])
def test_every_entry_action_on_an_unseen_entry_answers_404_and_changes_nothing(
        persona, login_en, submitted, persona_name, action):
    entry = submitted["village_a"]
    before = fingerprint(entry)

    response = login_en(persona(persona_name)).post(f"/entries/{entry.pk}/{action}/", {"comment": "x"})

    assert response.status_code == 404
    assert fingerprint(entry) == before


APPROVE_TOWNSHIP_MATRIX = [
    pytest.param(name, county, township, 302 if county in VISIBLE[name] else 404, id=f"{name}-{township}")
    for name in PERSONAS
    for county, township in (("county_x", "township_a"), ("county_y", "township_c"))
]


@pytest.mark.parametrize(("persona_name", "county_key", "township_key", "expected"), APPROVE_TOWNSHIP_MATRIX)
def test_approve_township_scope_matrix(persona, login_en, world, submitted, persona_name, county_key,
                                       township_key, expected):
    county, township = UNITS[county_key](world), UNITS[township_key](world)
    entry = submitted[f"village_{township_key[-1]}"]
    before = fingerprint(entry)

    response = login_en(persona(persona_name)).post(
        f"/counties/{county.code}/review/approve-township/",
        {"township": township.code, "year": YEAR, "entry": [entry.pk]})

    assert response.status_code == expected
    if persona_name == {"county_x": "reviewer_x", "county_y": "reviewer_y"}[county_key]:
        assert load(entry).state == EntryState.APPROVED
    else:
        assert fingerprint(entry) == before


def test_approve_township_refuses_a_township_of_another_county(login_en, world, submitted, reviewer_x):
    before = fingerprint(submitted["village_c"])

    response = login_en(reviewer_x).post(
        f"/counties/{world.county_x.code}/review/approve-township/",
        {"township": world.township_c.code, "year": YEAR, "entry": [submitted["village_c"].pk]})

    assert response.status_code == 404
    assert fingerprint(submitted["village_c"]) == before


ANONYMOUS = [
    *[pytest.param("get", page, id=f"get-{page}") for page in GET_PAGES],
    pytest.param("post", "village-sheet-a", id="post-village-sheet"),
    pytest.param("post", "township-sheet-a", id="post-township-sheet"),
    pytest.param("post", "approve-township", id="post-approve-township"),
    *[pytest.param("post", f"action-{a}", id=f"post-action-{a}") for a in ("submit", "approve", "return", "reopen")],
]


@pytest.mark.parametrize(("method", "page"), ANONYMOUS)
def test_anonymous_users_are_sent_to_sign_in(client, world, submitted, method, page):
    if page == "approve-township":
        url = f"/counties/{world.county_x.code}/review/approve-township/"
    elif page.startswith("action-"):
        url = f"/entries/{submitted['village_a'].pk}/{page.removeprefix('action-')}/"
    else:
        url = _url(world, page)
    before = fingerprint(submitted["village_a"])

    response = client.get(url) if method == "get" else client.post(url, {"comment": "x", "version": "9"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert fingerprint(submitted["village_a"]) == before


def test_entry_actions_answer_only_post(login_en, submitted, reviewer_x):
    response = login_en(reviewer_x).get(f"/entries/{submitted['village_a'].pk}/approve/")

    assert response.status_code == 405
    assert load(submitted["village_a"]).state == EntryState.SUBMITTED


def test_an_unknown_entry_action_answers_404(login_en, submitted, reviewer_x):
    response = login_en(reviewer_x).post(f"/entries/{submitted['village_a'].pk}/delete/")

    assert response.status_code == 404


@pytest.mark.parametrize("path", [
    "/villages/{village}/2021/support-township/",  # a township sheet on a village
    "/townships/{township}/2021/organizations/",  # a village sheet on a township
    "/villages/{village}/2021/no-such-pillar/",
    "/villages/{village}/1999/organizations/",  # no such assessment year
])
def test_a_sheet_that_does_not_exist_answers_404(login_en, world, year, clerk_a, path):
    url = path.format(village=world.village_a.code, township=world.township_a.code)

    assert login_en(clerk_a).get(url).status_code == 404


# --- Roles that see but may not act ------------------------------------------------------------

def test_a_municipal_approve_post_changes_nothing(login_en, submitted, municipal):
    entry = submitted["village_a"]
    before = fingerprint(entry)

    response = login_en(municipal).post(f"/entries/{entry.pk}/approve/", follow=True)

    assert response.redirect_chain[0][1] == 302
    assert fingerprint(entry) == before
    assert any("reviewer" in m for m in _messages(response))


def test_a_municipal_approve_township_post_changes_nothing(login_en, world, submitted, municipal):
    entries = [submitted["village_a"], submitted["village_b"]]
    before = [fingerprint(e) for e in entries]

    response = login_en(municipal).post(
        f"/counties/{world.county_x.code}/review/approve-township/",
        {"township": world.township_a.code, "year": YEAR, "entry": [e.pk for e in entries]})

    assert response.status_code == 302
    assert [fingerprint(e) for e in entries] == before


def test_a_reviewer_save_post_changes_nothing(login_en, flow, world, clerk_a, reviewer_x):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    data = form_data(org_sheet(), entry, profile={"party_members": 99})

    response = login_en(reviewer_x).post(f"/villages/{world.village_a.code}/{YEAR}/organizations/", data,
                                         follow=True)

    assert response.redirect_chain[0][1] == 302
    assert fingerprint(entry) == before
    assert any("clerk" in m for m in _messages(response))


def test_a_reviewer_save_post_on_a_new_sheet_creates_no_entry(login_en, world, year, reviewer_x):
    data = form_data(org_sheet(), None, profile=COMPLETE_PROFILE)

    response = login_en(reviewer_x).post(f"/villages/{world.village_a.code}/{YEAR}/organizations/", data)

    assert response.status_code == 302
    assert not Entry.objects.exists()
    assert not BranchProfile.objects.exists()


def test_a_never_saved_sheet_is_shown_as_not_started_as_on_the_work_board(login_en, world, year, clerk_a):
    client = login_en(clerk_a)
    board = client.get(f"/townships/{world.township_a.code}/board/")
    assert board.context["board"].rows[0].cells[0].state == "missing"

    page = client.get(_sheet_url(world)).content.decode()

    heading_badge = re.search(r'</h1>.*?data-state="([a-z]+)"', page, re.S)
    assert heading_badge.group(1) == "missing"


def test_a_reviewer_sees_the_sheet_read_only_with_review_buttons(login_en, submitted, world, reviewer_x):
    response = login_en(reviewer_x).get(f"/villages/{world.village_a.code}/{YEAR}/organizations/")

    page = response.content.decode()
    assert 'data-testid="approve"' in page
    assert 'data-testid="save"' not in page
    assert re.search(r'<input[^>]*name="profile-party_members"[^>]*disabled', page)


def test_a_clerk_sees_no_review_buttons_on_a_submitted_sheet(login_en, submitted, world, clerk_a):
    page = login_en(clerk_a).get(f"/villages/{world.village_a.code}/{YEAR}/organizations/").content.decode()

    assert 'data-testid="approve"' not in page
    assert 'data-testid="return"' not in page
    assert 'data-testid="save"' not in page


# --- Form posts ------------------------------------------------------------------------------

def _sheet_url(world: World) -> str:
    return f"/villages/{world.village_a.code}/{YEAR}/organizations/"


def test_an_invalid_value_rerenders_with_the_fields_error_and_saves_nothing(login_en, world, year, clerk_a):
    data = form_data(org_sheet(), None, profile={**COMPLETE_PROFILE, "grids": 8, "grids_with_party_group": 9})

    response = login_en(clerk_a).post(_sheet_url(world), data)

    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(r'data-field-error="profile-grids_with_party_group">([^<]*)<', page)
    assert error and "cannot exceed grids (8)" in error.group(1)
    assert re.search(r'<input[^>]*name="profile-grids_with_party_group"[^>]*is-invalid', page)
    assert _input_value(page, "profile-grids_with_party_group") == "9"
    assert not Entry.objects.exists()
    assert not BranchProfile.objects.exists()


def test_an_invalid_value_on_an_existing_entry_changes_nothing(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    data = form_data(org_sheet(), entry, profile={"party_members": -1, "households": 350})

    response = login_en(clerk_a).post(_sheet_url(world), data)

    assert response.status_code == 200
    assert "Cannot be negative." in response.content.decode()
    assert fingerprint(entry) == before


def test_a_valid_post_saves_and_redirects_to_the_sheet(login_en, world, year, clerk_a):
    data = form_data(org_sheet(), None, profile=COMPLETE_PROFILE)

    response = login_en(clerk_a).post(_sheet_url(world), data)

    assert response.status_code == 302
    assert response["Location"] == _sheet_url(world)
    entry = Entry.objects.get(village=world.village_a, pillar=Pillar.ORGANIZATIONS)
    assert entry.state == EntryState.DRAFT
    assert BranchProfile.objects.get(entry=entry).households == 300


def test_save_and_submit_submits_a_complete_entry(login_en, world, year, clerk_a):
    data = {**form_data(org_sheet(), None, profile=COMPLETE_PROFILE), "then": "submit"}

    response = login_en(clerk_a).post(_sheet_url(world), data)

    assert response.status_code == 302
    entry = Entry.objects.get(village=world.village_a, pillar=Pillar.ORGANIZATIONS)
    assert entry.state == EntryState.SUBMITTED
    assert entry.submitted_by == clerk_a


def test_save_and_submit_of_an_incomplete_entry_saves_but_does_not_submit(login_en, world, year, clerk_a):
    data = {**form_data(org_sheet(), None, profile={**COMPLETE_PROFILE, "org_type": None}), "then": "submit"}

    response = login_en(clerk_a).post(_sheet_url(world), data, follow=True)

    entry = Entry.objects.get(village=world.village_a, pillar=Pillar.ORGANIZATIONS)
    assert entry.state == EntryState.DRAFT
    assert BranchProfile.objects.get(entry=entry).party_members == 40
    assert any("not submitted" in m for m in _messages(response))


def test_a_stale_post_answers_409_and_keeps_the_users_input(english_client, flow, world, clerk_a, clerk_a2):
    client = english_client
    entry = flow.draft(world.village_a, clerk_a)
    opened_at = entry.version  # both clerks open the page at this version
    data_a = form_data(org_sheet(), entry, profile={"party_members": 77, "grids": 10}, version=opened_at)
    client.force_login(clerk_a2)
    assert client.post(_sheet_url(world), form_data(org_sheet(), entry, profile={"party_members": 55},
                                                    version=opened_at)).status_code == 302

    client.force_login(clerk_a)
    response = client.post(_sheet_url(world), data_a)

    assert response.status_code == 409
    page = response.content.decode()
    stale = re.search(r'data-testid="stale">([^<]*)<', page)
    assert stale and clerk_a2.get_full_name() in html.unescape(stale.group(1))
    assert "after you opened it" in html.unescape(stale.group(1))
    assert _input_value(page, "profile-party_members") == "77"
    assert _input_value(page, "profile-grids") == "10"
    assert _input_value(page, "version") == str(load(entry).version)
    assert BranchProfile.objects.get(entry=entry).party_members == 55
    assert BranchProfile.objects.get(entry=entry).grids == 8


def test_a_second_first_save_of_a_new_sheet_answers_409(english_client, world, year, clerk_a, clerk_a2):
    client = english_client
    # Both clerks open the empty sheet (version 0); the first save creates the entry.
    client.force_login(clerk_a)
    assert client.post(_sheet_url(world), form_data(org_sheet(), None, profile=COMPLETE_PROFILE)).status_code == 302

    client.force_login(clerk_a2)
    response = client.post(_sheet_url(world), form_data(org_sheet(), None,
                                                        profile={**COMPLETE_PROFILE, "party_members": 66}))

    assert response.status_code == 409
    assert BranchProfile.objects.get(entry__village=world.village_a).party_members == 40
    assert _input_value(response.content.decode(), "profile-party_members") == "66"


def test_a_post_without_a_version_saves_nothing(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    data = form_data(org_sheet(), entry, profile={"party_members": 70})
    del data["version"]

    response = login_en(clerk_a).post(_sheet_url(world), data)

    assert response.status_code == 302
    assert fingerprint(entry) == before


# --- Record lists ------------------------------------------------------------------------------

def test_adding_and_deleting_a_meeting_row_through_the_formset(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    client = login_en(clerk_a)
    meeting = {"date": "2021-04-12", "kind": "theme_day", "topic": "主题党日活动", "attendance": "28"}

    added = client.post(_sheet_url(world), form_data(org_sheet(), entry, add={"meeting": [meeting]}))

    assert added.status_code == 302
    row = Meeting.objects.get(entry=entry)
    stored = (row.date, row.kind, row.topic, row.attendance)
    assert stored == (datetime.date(2021, 4, 12), "theme_day", "主题党日活动", 28)

    deleted = client.post(_sheet_url(world), form_data(org_sheet(), load(entry), delete=(row.pk,)))

    assert deleted.status_code == 302
    assert not Meeting.objects.filter(entry=entry).exists()
    history = client.get(f"/villages/{world.village_a.code}/history/")
    actions = [(line.change.action, line.change.object_type) for line in history.context["lines"]]
    assert (ChangeAction.CREATED, "organizations.meeting") in actions
    assert (ChangeAction.DELETED, "organizations.meeting") in actions
    assert history.content.decode().count("主题党日活动") >= 2


def test_a_meeting_dated_outside_the_year_is_refused(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    meeting = {"date": "2020-12-30", "kind": "committee", "topic": "", "attendance": "10"}

    response = login_en(clerk_a).post(_sheet_url(world), form_data(org_sheet(), entry, add={"meeting": [meeting]}))

    assert response.status_code == 200
    assert "The date must fall within 2021." in response.content.decode()
    assert fingerprint(entry) == before


# --- Review through the pages -------------------------------------------------------------------

def test_the_returned_comment_shows_on_the_clerks_sheet(english_client, submitted, world, reviewer_x, clerk_a):
    client = english_client
    client.force_login(reviewer_x)
    response = client.post(f"/entries/{submitted['village_a'].pk}/return/", {"comment": "请补充网格划分说明"})
    assert response.status_code == 302
    assert load(submitted["village_a"]).state == EntryState.RETURNED

    client.force_login(clerk_a)
    page = client.get(_sheet_url(world)).content.decode()

    comment = re.search(r'data-testid="review-comment">(.*?)</div>', page, re.S)
    assert comment and "请补充网格划分说明" in comment.group(1)
    assert 'data-testid="save-submit"' in page


def test_returning_through_the_page_without_a_comment_changes_nothing(login_en, submitted, reviewer_x):
    entry = submitted["village_a"]
    before = fingerprint(entry)

    response = login_en(reviewer_x).post(f"/entries/{entry.pk}/return/", {"comment": "  "}, follow=True)

    assert fingerprint(entry) == before
    assert any("needs fixing" in m for m in _messages(response))


def test_the_reviewer_approves_a_whole_township_from_the_queue(login_en, flow, world, clerk_a, reviewer_x):
    entries = [flow.submitted(v, clerk_a) for v in world.villages["a"]]

    response = login_en(reviewer_x).post(
        f"/counties/{world.county_x.code}/review/approve-township/",
        {"township": world.township_a.code, "year": YEAR, "entry": [e.pk for e in entries]})

    assert response.status_code == 302
    assert response["Location"] == f"/counties/{world.county_x.code}/review/?year={YEAR}"
    assert [load(e).state for e in entries] == [EntryState.APPROVED] * 2


def _flag(entry):
    Entry.objects.filter(pk=entry.pk).update(quality_flags=[{"field": "households", "kind": "previous_year",
                                                             "previous": "200", "current": "300"}],
                                             flag_explanation="新并入一个村民组。")


def test_approving_a_township_shows_what_is_included_and_holds_back_the_flagged(
        login_en, flow, world, year, clerk_a, reviewer_x):
    plain, flagged = (flow.submitted(v, clerk_a) for v in world.villages["a"])
    economy = Entry.objects.create(year=year, pillar=Pillar.ECONOMY, village=world.village_a,
                                   township=world.township_a, county=world.county_x, state=EntryState.SUBMITTED,
                                   is_complete=True)
    _flag(flagged)
    client = login_en(reviewer_x)
    url = f"/counties/{world.county_x.code}/review/approve-township/"

    page = client.get(url, {"township": world.township_a.code, "year": YEAR})
    included = [e.pk for e in page.context["approval"].included]
    held_back = [e.pk for e in page.context["approval"].held_back]
    client.post(url, {"township": world.township_a.code, "year": YEAR, "entry": included})

    assert (sorted(included), held_back) == (sorted([plain.pk, economy.pk]), [flagged.pk])
    assert [load(e).state for e in (plain, economy, flagged)] == [
        EntryState.APPROVED, EntryState.APPROVED, EntryState.SUBMITTED]


def test_approving_a_township_never_approves_an_entry_flagged_after_the_page_was_shown(
        login_en, flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    _flag(entry)  # e.g. the clerk's explanation came with a flag the reviewer has not seen

    login_en(reviewer_x).post(f"/counties/{world.county_x.code}/review/approve-township/",
                              {"township": world.township_a.code, "year": YEAR, "entry": [entry.pk]})

    assert load(entry).state == EntryState.SUBMITTED


def test_the_queue_filters_flagged_entries_and_counts_them_per_township(login_en, flow, world, clerk_a, reviewer_x):
    plain, flagged = (flow.submitted(v, clerk_a) for v in world.villages["a"])
    _flag(flagged)
    client = login_en(reviewer_x)

    response = client.get(f"/counties/{world.county_x.code}/review/", {"year": YEAR, "flagged": "yes"})

    assert [e.pk for e in response.context["page_obj"]] == [flagged.pk]
    assert response.context["waiting"] == [{"township__code": world.township_a.code,
                                            "township__name": world.township_a.name, "submitted": 2, "flagged": 1}]
    unflagged = client.get(f"/counties/{world.county_x.code}/review/", {"year": YEAR, "flagged": "no"})
    assert [e.pk for e in unflagged.context["page_obj"]] == [plain.pk]


def test_the_review_queue_lists_the_countys_submitted_entries_only(login_en, submitted, world, reviewer_x):
    response = login_en(reviewer_x).get(f"/counties/{world.county_x.code}/review/")

    listed = {e.pk for e in response.context["page_obj"]}
    assert listed == {submitted["village_a"].pk, submitted["village_b"].pk}


def test_the_work_board_shows_each_villages_state_and_the_return_comment(
        login_en, flow, world, clerk_a, reviewer_x):
    a1, a2 = world.villages["a"]
    flow.returned(a1, clerk_a, reviewer_x, comment="会议记录缺少主题")

    response = login_en(clerk_a).get(f"/townships/{world.township_a.code}/board/")

    rows = {row.village: [cell.state for cell in row.cells] for row in response.context["board"].rows}
    assert set(rows) == {a1, a2}
    assert rows[a1][0] == EntryState.RETURNED
    assert rows[a2] == ["missing"] * 5
    assert "会议记录缺少主题" in response.content.decode()


def test_the_clerk_submits_through_the_action_with_the_version_they_saw(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)

    response = login_en(clerk_a).post(f"/entries/{entry.pk}/submit/", {"version": entry.version})

    assert response.status_code == 302
    assert load(entry).state == EntryState.SUBMITTED


def test_submitting_through_the_action_with_an_old_version_changes_nothing(login_en, flow, world, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)
    seen = entry.version
    login_en(clerk_a2).post(_sheet_url(world), form_data(org_sheet(), entry, profile={"party_members": 51}))
    before = fingerprint(entry)

    response = login_en(clerk_a).post(f"/entries/{entry.pk}/submit/", {"version": seen}, follow=True)

    assert fingerprint(entry) == before
    assert any("after you opened it" in m for m in _messages(response))


def test_an_action_ignores_a_next_url_on_another_host(login_en, submitted, world, reviewer_x):
    entry = submitted["village_a"]

    response = login_en(reviewer_x).post(f"/entries/{entry.pk}/approve/", {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == _sheet_url(world)


def test_in_a_closed_year_the_clerk_sees_the_sheet_read_only_and_cannot_post(login_en, flow, world, year, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    set_year_state(year, "closed")
    before = fingerprint(entry)
    client = login_en(clerk_a)

    page = client.get(_sheet_url(world)).content.decode()
    response = client.post(_sheet_url(world), form_data(org_sheet(), entry, profile={"party_members": 70}))

    assert 'data-testid="save"' not in page
    assert re.search(r'<input[^>]*name="profile-party_members"[^>]*disabled', page)
    assert response.status_code == 302
    assert fingerprint(entry) == before


def test_the_township_sheet_is_saved_submitted_and_listed_for_review(english_client, world, year, clerk_a,
                                                                     reviewer_x):
    client = english_client
    url = f"/townships/{world.township_a.code}/{YEAR}/support-township/"
    data = {
        **{f"profile-{name}": "true" for name in ("canteen", "toilet", "bathhouse", "library", "activity_room",
                                                  "turnover_housing")},
        "profile-civil_posts": "30", "profile-civil_posts_filled": "28", "version": "0", "then": "submit",
    }

    client.force_login(clerk_a)
    assert client.post(url, data).status_code == 302

    entry = Entry.objects.get(township=world.township_a, village__isnull=True, pillar=Pillar.SUPPORT)
    assert entry.state == EntryState.SUBMITTED
    client.force_login(reviewer_x)
    queue = client.get(f"/counties/{world.county_x.code}/review/")
    assert [e.pk for e in queue.context["page_obj"]] == [entry.pk]
    assert f'href="{url}"' in queue.content.decode()


def test_the_reviewer_sees_what_changed_since_the_last_approval(english_client, flow, world, clerk_a,
                                                                reviewer_x):
    client = english_client
    entry = flow.approved(world.village_a, clerk_a, reviewer_x)
    client.force_login(reviewer_x)
    client.post(f"/entries/{entry.pk}/reopen/", {"comment": "户数有误"})
    client.force_login(clerk_a)
    client.post(_sheet_url(world), {**form_data(org_sheet(), load(entry), profile={"households": 320}),
                                    "then": "submit"})
    assert load(entry).state == EntryState.SUBMITTED

    client.force_login(reviewer_x)
    page = client.get(_sheet_url(world)).content.decode()

    card = re.search(r'data-testid="changes-since-review">(.*?)</div></div>', page, re.S)
    assert card and "Changed since the last approval" in card.group(1)
    assert re.search(r"households: <del>300</del> → <ins>320</ins>", card.group(1))


def test_the_reviewer_sees_what_changed_since_the_return(english_client, flow, world, clerk_a, reviewer_x):
    client = english_client
    entry = flow.returned(world.village_a, clerk_a, reviewer_x)
    client.force_login(clerk_a)
    client.post(_sheet_url(world), {**form_data(org_sheet(), load(entry), profile={"grids": 9}), "then": "submit"})

    client.force_login(reviewer_x)
    page = client.get(_sheet_url(world)).content.decode()

    card = re.search(r'data-testid="changes-since-review">(.*?)</div></div>', page, re.S)
    assert card and "Changed since it was returned" in card.group(1)
    assert re.search(r"grids \(villager groups\): <del>8</del> → <ins>9</ins>", card.group(1))


# --- History page ------------------------------------------------------------------------------

def test_the_history_page_shows_a_change_with_old_and_new_values(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    client = login_en(clerk_a)
    client.post(_sheet_url(world), form_data(org_sheet(), entry, profile={"grids": 9}))

    page = client.get(f"/villages/{world.village_a.code}/history/").content.decode()

    assert re.search(r"grids \(villager groups\): <del>8</del> → <ins>9</ins>", page)


def _economy_change(world: World, year: AssessmentYear, actor) -> Change:
    entry = Entry.objects.create(year=year, pillar=Pillar.ECONOMY, village=world.village_a,
                                 township=world.township_a, county=world.county_x)
    return Change.objects.create(entry=entry, actor=actor, action=ChangeAction.UPDATED,
                                 object_type="economy.economyprofile", object_repr="economy",
                                 changes={"operating_income": ["12.00", "15.50"]},
                                 at=datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC))


def test_the_history_page_filters_by_pillar(login_en, flow, world, year, clerk_a, clerk_a2):
    flow.draft(world.village_a, clerk_a)
    economy = _economy_change(world, year, clerk_a2)

    response = login_en(clerk_a).get(f"/villages/{world.village_a.code}/history/", {"pillar": "economy"})

    assert [line.change for line in response.context["lines"]] == [economy]
    everything = login_en(clerk_a).get(f"/villages/{world.village_a.code}/history/")
    assert {line.change.entry.pillar for line in everything.context["lines"]} == {"organizations", "economy"}


def test_the_history_page_filters_by_person(login_en, flow, world, year, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)
    save_by_a2 = form_data(org_sheet(), entry, profile={"party_members": 41})
    client = login_en(clerk_a2)
    client.post(_sheet_url(world), save_by_a2)

    response = client.get(f"/villages/{world.village_a.code}/history/", {"actor": clerk_a2.pk})

    changes = [line.change for line in response.context["lines"]]
    assert changes and {c.actor for c in changes} == {clerk_a2}
    assert changes[0].changes == {"party_members": [40, 41]}
    unfiltered = client.get(f"/villages/{world.village_a.code}/history/")
    assert {line.change.actor for line in unfiltered.context["lines"]} == {clerk_a, clerk_a2}


def test_the_history_page_shows_only_the_villages_changes(login_en, flow, world, clerk_a):
    a1, a2 = world.villages["a"]
    flow.draft(a1, clerk_a)
    flow.draft(a2, clerk_a, party_members=33)

    response = login_en(clerk_a).get(f"/villages/{a1.code}/history/")

    assert {line.change.entry.village for line in response.context["lines"]} == {a1}


# --- Query counts -----------------------------------------------------------------------------

def _township_with(world: World, year: AssessmentYear, villages: int):
    """A county of its own with one township of ``villages`` villages, every pillar entered."""
    county = factories.CountyFactory(municipality=world.municipality)
    township = factories.TownshipFactory(county=county)
    clerk = factories.ClerkFactory(township=township)
    reviewer = factories.ReviewerFactory(county=county)
    states = [EntryState.SUBMITTED, EntryState.SUBMITTED, EntryState.RETURNED, EntryState.APPROVED,
              EntryState.DRAFT]
    entries = []
    for i in range(villages):
        village = factories.VillageFactory(township=township)
        for j, pillar in enumerate(Pillar.values):
            state = states[(i + j) % len(states)]
            entries.append(Entry(
                year=year, pillar=pillar, village=village, township=township, county=county, state=state,
                is_complete=True, updated_by=clerk, submitted_by=clerk if state != EntryState.DRAFT else None,
                review_comment="请核对" if state == EntryState.RETURNED else "",
            ))
    entries.append(Entry(year=year, pillar=Pillar.SUPPORT, village=None, township=township, county=county,
                         state=EntryState.SUBMITTED, submitted_by=clerk))
    Entry.objects.bulk_create(entries)
    return township, clerk, reviewer


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_work_board_costs_the_same_for_3_or_15_villages(client, world, year):
    small, small_clerk, _ = _township_with(world, year, 3)
    large, large_clerk, _ = _township_with(world, year, 15)

    client.force_login(small_clerk)
    small_count = _count(client, f"/townships/{small.code}/board/")
    client.force_login(large_clerk)
    large_count = _count(client, f"/townships/{large.code}/board/")

    assert small_count == large_count


def test_the_review_queue_costs_the_same_for_3_or_15_villages(client, world, year):
    small, _, small_reviewer = _township_with(world, year, 3)
    large, _, large_reviewer = _township_with(world, year, 15)

    client.force_login(small_reviewer)
    small_count = _count(client, f"/counties/{small.county.code}/review/?state=")
    client.force_login(large_reviewer)
    large_count = _count(client, f"/counties/{large.county.code}/review/?state=")

    assert small_count == large_count


def test_the_work_board_stays_within_its_query_budget(client, world, year, django_assert_max_num_queries):
    township, clerk, _ = _township_with(world, year, 15)
    client.force_login(clerk)

    # session, user, township, years, villages, entries, meetings (pace), open inspection tickets
    with django_assert_max_num_queries(8):
        assert client.get(f"/townships/{township.code}/board/").status_code == 200


def test_the_review_queue_stays_within_its_query_budget(client, world, year, django_assert_max_num_queries):
    township, _, reviewer = _township_with(world, year, 15)
    client.force_login(reviewer)

    # session, user, county, years, count, page, pending per township, township choices
    with django_assert_max_num_queries(8):
        assert client.get(f"/counties/{township.county.code}/review/").status_code == 200


def test_the_pillar_tabs_show_each_sheet_state_read_with_the_sheet(login_en, world, year, clerk_a):
    """The sheet page loads the village's entries of the year once: its own and, for the tabs,
    the other sheets' states."""
    for pillar, state in [(Pillar.ORGANIZATIONS, EntryState.DRAFT), (Pillar.TALENT, EntryState.SUBMITTED),
                          (Pillar.ECONOMY, EntryState.RETURNED)]:
        Entry.objects.create(year=year, pillar=pillar, village=world.village_a, township=world.township_a,
                             county=world.county_x, state=state)
    Entry.objects.create(year=year, pillar=Pillar.GOVERNANCE, village=world.village_b,
                         township_id=world.village_b.township_id, county_id=world.village_b.county_id,
                         state=EntryState.APPROVED)

    page = login_en(clerk_a).get(_sheet_url(world)).content.decode()

    tabs = re.findall(rf'href="/villages/{world.village_a.code}/{YEAR}/([a-z]+)/">[^<]*<span[^>]*data-state="([a-z]+)"',
                      page)
    assert dict(tabs) == {"organizations": "draft", "talent": "submitted", "economy": "returned",
                          "governance": "missing", "support": "missing"}
    assert re.search(r'</h1>.*?data-state="([a-z]+)"', page, re.S).group(1) == "draft"


def test_a_sheet_opened_for_the_first_time_shows_its_new_draft_in_its_tab(login_en, world, year, clerk_a):
    page = login_en(clerk_a).get(_sheet_url(world)).content.decode()

    tabs = re.findall(rf'href="/villages/{world.village_a.code}/{YEAR}/([a-z]+)/">[^<]*<span[^>]*data-state="([a-z]+)"',
                      page)
    assert dict(tabs)["organizations"] == "draft"
