"""Entry values and the workflow through the API: the services' validation (the forms'
messages, in the request's language), the same workflow rules as the web (one table run through
both doors), and optimistic concurrency (ETag / If-Match)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from organizations.models import BranchProfile, Meeting
from tests.api.conftest import API, entry_url, token_client
from tests.entries.conftest import COMPLETE_PROFILE, fingerprint, load, org_sheet
from wuqiang.entries.models import Change, ChangeSource, Entry, EntryState
from wuqiang.entries.registry import get_sheet

pytestmark = pytest.mark.django_db


def _if_match(entry: Entry) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{entry.version}"'}


# --- Reading ------------------------------------------------------------------------------------------


def test_an_entrys_values_come_from_the_registry_with_its_version_as_etag(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    Meeting.objects.create(entry=entry, date="2021-03-01", kind="committee", topic="换届", attendance=7)

    response = token_client(clerk_a).get(entry_url(entry, "data/"))

    assert response.status_code == 200
    assert response["ETag"] == f'"{entry.version}"'
    body = response.json()
    assert body["entry"]["state"] == "draft" and body["entry"]["version"] == entry.version
    assert set(body["profile"]) == set(org_sheet().profile_fields)
    assert body["profile"]["grids"] == COMPLETE_PROFILE["grids"]
    assert set(body["records"]) == {r.prefix for r in org_sheet().records}
    assert body["records"]["meeting"][0] | {"id": 0} == {"id": 0, "date": "2021-03-01", "kind": "committee",
                                                         "topic": "换届", "attendance": 7}


def test_a_unit_without_its_entry_yet_reads_as_an_empty_draft_at_version_0(world, year, clerk_a):
    response = token_client(clerk_a).get(f"{API}/entries/{world.village_a.code}/2021/economy/data/")

    assert response.status_code == 200 and response["ETag"] == '"0"'
    assert response.json()["profile"] is None and response.json()["entry"]["state"] == "draft"


def test_a_sheet_of_the_wrong_level_or_an_unknown_year_is_404(world, year, clerk_a):
    client = token_client(clerk_a)
    assert client.get(f"{API}/entries/{world.village_a.code}/2021/support-township/").status_code == 404
    assert client.get(f"{API}/entries/{world.township_a.code}/2021/organizations/").status_code == 404
    assert client.get(f"{API}/entries/{world.village_a.code}/2020/organizations/").status_code == 404


# --- Writing ------------------------------------------------------------------------------------------


def test_a_clerk_creates_an_entry_with_if_match_0_and_the_history_names_the_api(world, year, clerk_a):
    client = token_client(clerk_a)
    url = f"{API}/entries/{world.village_a.code}/2021/organizations/data/"

    response = client.put(url, {"profile": COMPLETE_PROFILE, "records": {"meeting": [
        {"date": "2021-04-02", "kind": "committee", "attendance": 6}]}}, format="json", HTTP_IF_MATCH='"0"')

    assert response.status_code == 200, response.content
    entry = Entry.objects.get(village=world.village_a, pillar="organizations")
    assert response["ETag"] == f'"{entry.version}"' == '"1"'
    assert entry.is_complete and Meeting.objects.filter(entry=entry).count() == 1
    assert set(Change.objects.filter(entry=entry).values_list("source", flat=True)) == {ChangeSource.API}


def test_patch_changes_only_what_it_names_and_put_replaces_the_sheet(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    client = token_client(clerk_a)
    meeting = Meeting.objects.create(entry=entry, date="2021-03-01", kind="committee", attendance=7)

    patched = client.patch(entry_url(entry, "data/"), {"profile": {"grids": 9}}, format="json", **_if_match(entry))
    assert patched.status_code == 200, patched.content
    profile = BranchProfile.objects.get(entry=entry)
    assert profile.grids == 9 and profile.party_members == COMPLETE_PROFILE["party_members"]
    assert Meeting.objects.filter(pk=meeting.pk).exists()

    entry = load(entry)
    put = client.put(entry_url(entry, "data/"), {"profile": {**COMPLETE_PROFILE, "grids": 10}}, format="json",
                     **_if_match(entry))
    assert put.status_code == 200, put.content
    assert BranchProfile.objects.get(entry=entry).grids == 10
    assert not Meeting.objects.filter(entry=entry).exists()  # PUT: the lists are what was sent


BAD_PROFILE_VALUES = [
    ("grids", -1),
    ("grids", "many"),
    ("party_members", 10**12),
    ("org_type", "club"),
    ("secretary_is_director", "maybe"),
    ("competition_score", "1e400"),
    ("grids_with_party_group", 99),  # more than the grids: the model's clean
]


def _form_messages(field: str, value, entry: Entry) -> list[str]:
    """What the sheet's own form says about the value (merged into the stored profile)."""
    sheet = org_sheet()
    stored = BranchProfile.objects.get(entry=entry)
    from wuqiang.entries.validation import python_values

    form = sheet.profile_form(data={**python_values(stored), field: value}, instance=stored, entry=entry)
    assert not form.is_valid()
    return form.errors[field] if field in form.errors else form.errors["__all__"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("field", "value"), BAD_PROFILE_VALUES)
def test_bad_values_are_refused_with_the_forms_messages_in_the_requests_language(flow, world, clerk_a, field,
                                                                                  value, language):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)

    response = token_client(clerk_a, language=language).patch(
        entry_url(entry, "data/"), {"profile": {field: value}}, format="json", **_if_match(entry))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    with translation.override(language):
        expected = _form_messages(field, value, entry)
    messages = body["errors"].get(f"profile.{field}") or body["errors"].get("non_field_errors")
    assert messages == expected
    assert response["Content-Language"] == language
    assert fingerprint(entry) == before


def test_a_bad_record_row_is_refused_with_its_list_row_and_field(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)

    response = token_client(clerk_a).patch(entry_url(entry, "data/"), {"records": {"meeting": [
        {"date": "2021-04-02", "kind": "committee", "attendance": 6},
        {"date": "2019-01-01", "kind": "tea_party", "attendance": 6},
    ]}}, format="json", **_if_match(entry))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"records.meeting.1.date", "records.meeting.1.kind"}
    assert fingerprint(entry) == before


@pytest.mark.parametrize("body", [
    ["not", "an", "object"],
    {"profile": ["grids", 9]},
    {"profile": {"grids": {"nested": 1}}},
    {"records": {"meeting": "rows"}},
    {"records": {"meeting": [1, 2]}},
    {"records": {"no_such_list": []}},
    {"profile": {"no_such_field": 1}},
    {"flag_explanation": 5},
    {"surprise": 1},
])
def test_a_body_of_the_wrong_shape_is_a_400_with_a_message_and_changes_nothing(flow, world, clerk_a, body):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)

    response = token_client(clerk_a).patch(entry_url(entry, "data/"), body, format="json", **_if_match(entry))

    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert fingerprint(entry) == before


def test_malformed_json_is_a_json_400(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    response = token_client(clerk_a).generic("PATCH", entry_url(entry, "data/"), "{nope",
                                             content_type="application/json", **_if_match(entry))
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


# --- Concurrency --------------------------------------------------------------------------------------


def test_a_write_without_if_match_is_428_and_changes_nothing(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    client = token_client(clerk_a)

    assert client.patch(entry_url(entry, "data/"), {"profile": {"grids": 9}}, format="json").status_code == 428
    assert client.post(entry_url(entry, "submit/"), {}, format="json").status_code == 428
    assert fingerprint(entry) == before


def test_a_stale_if_match_is_412_and_changes_nothing(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    client = token_client(clerk_a)
    stale = {"HTTP_IF_MATCH": f'"{entry.version - 1}"'}
    before = fingerprint(entry)

    response = client.patch(entry_url(entry, "data/"), {"profile": {"grids": 9}}, format="json", **stale)
    assert response.status_code == 412 and response.json()["code"] == "stale"
    assert client.post(entry_url(entry, "submit/"), {}, format="json", **stale).status_code == 412
    assert client.patch(entry_url(entry, "data/"), {"profile": {"grids": 9}}, format="json",
                        HTTP_IF_MATCH="not-a-version").status_code == 412
    assert fingerprint(entry) == before


def test_two_writers_with_the_same_etag_one_wins_and_nothing_is_lost(flow, world, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)
    first, second = token_client(clerk_a), token_client(clerk_a2)
    etag = first.get(entry_url(entry, "data/"))["ETag"]
    assert second.get(entry_url(entry, "data/"))["ETag"] == etag

    won = first.patch(entry_url(entry, "data/"), {"profile": {"grids": 9}}, format="json", HTTP_IF_MATCH=etag)
    lost = second.patch(entry_url(entry, "data/"), {"profile": {"grids": 12}}, format="json", HTTP_IF_MATCH=etag)

    assert won.status_code == 200 and lost.status_code == 412
    assert BranchProfile.objects.get(entry=entry).grids == 9
    assert won["ETag"] == f'"{load(entry).version}"' != etag
    # The loser reads again and applies their change on top of the winner's.
    fresh = second.get(entry_url(entry, "data/"))
    assert fresh.json()["profile"]["grids"] == 9
    assert second.patch(entry_url(entry, "data/"), {"profile": {"grids_with_party_group": 5}}, format="json",
                        HTTP_IF_MATCH=fresh["ETag"]).status_code == 200


def test_two_clerks_creating_the_same_entry_one_wins(world, year, clerk_a, clerk_a2):
    url = f"{API}/entries/{world.village_a.code}/2021/organizations/data/"
    won = token_client(clerk_a).put(url, {"profile": COMPLETE_PROFILE}, format="json", HTTP_IF_MATCH='"0"')
    lost = token_client(clerk_a2).put(url, {"profile": {**COMPLETE_PROFILE, "grids": 12}}, format="json",
                                      HTTP_IF_MATCH='"0"')
    assert (won.status_code, lost.status_code) == (200, 412)
    assert BranchProfile.objects.get(entry__village=world.village_a).grids == COMPLETE_PROFILE["grids"]


def test_a_reviewer_acting_on_an_old_version_is_412(flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    response = token_client(reviewer_x).post(entry_url(entry, "approve/"), {}, format="json",
                                             HTTP_IF_MATCH=f'"{entry.version - 1}"')
    assert response.status_code == 412
    assert load(entry).state == EntryState.SUBMITTED


# --- The workflow: one table, through the web and through the API ----------------------------------------

# (state the entry is in, who acts, the step, the comment) → the state after (same as before: refused).
WORKFLOW_CASES = [
    ("draft", "clerk_a", "submit", "", "submitted"),
    ("draft", "clerk_a2", "submit", "", "submitted"),
    ("draft", "reviewer_x", "submit", "", "draft"),
    ("draft", "municipal", "submit", "", "draft"),
    ("draft", "reviewer_x", "approve", "", "draft"),
    ("submitted", "clerk_a", "submit", "", "submitted"),
    ("submitted", "clerk_a", "approve", "", "submitted"),
    ("submitted", "reviewer_x", "approve", "好", "approved"),
    ("submitted", "municipal", "approve", "", "submitted"),
    ("submitted", "reviewer_x", "return", "请核对网格数", "returned"),
    ("submitted", "reviewer_x", "return", "", "submitted"),  # a return needs a comment
    ("submitted", "reviewer_x", "reopen", "复核", "submitted"),
    ("approved", "reviewer_x", "reopen", "复核", "returned"),
    ("approved", "reviewer_x", "reopen", "", "approved"),  # a reopening needs its reason
    ("approved", "clerk_a", "reopen", "复核", "approved"),
    ("approved", "reviewer_x", "approve", "", "approved"),
    ("returned", "clerk_a", "submit", "", "submitted"),
    ("returned", "reviewer_x", "approve", "", "returned"),
]


def _through_web(client, entry: Entry, step: str, comment: str) -> None:
    client.post(f"/entries/{entry.pk}/{step}/", {"comment": comment, "version": entry.version})


def _through_api(client, entry: Entry, step: str, comment: str) -> int:
    return client.post(entry_url(entry, f"{step}/"), {"comment": comment}, format="json",
                       **_if_match(entry)).status_code


@pytest.mark.parametrize(("state", "who", "step", "comment", "after"), WORKFLOW_CASES)
def test_the_workflow_follows_the_same_rules_through_the_web_and_the_api(flow, world, persona, client, clerk_a,
                                                                         reviewer_x, state, who, step, comment,
                                                                         after):
    web_entry = flow.in_state(state, world.villages["a"][0], clerk_a, reviewer_x)
    api_entry = flow.in_state(state, world.villages["a"][1], clerk_a, reviewer_x)
    actor = persona(who)
    client.force_login(actor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    _through_web(client, web_entry, step, comment)
    status = _through_api(token_client(actor), api_entry, step, comment)

    assert load(web_entry).state == load(api_entry).state == after
    if after == state:
        assert status in (400, 403)
    else:
        assert status == 200
        last = Change.objects.filter(entry=api_entry).order_by("-pk").first()
        assert last.source == ChangeSource.API and last.actor == actor


def test_a_refused_step_says_why_in_the_requests_language(flow, world, clerk_a, reviewer_x):
    entry = flow.draft(world.village_a, clerk_a)
    english = token_client(reviewer_x).post(entry_url(entry, "submit/"), {}, format="json", **_if_match(entry))
    chinese = token_client(reviewer_x, language="zh-hans").post(entry_url(entry, "submit/"), {}, format="json",
                                                                **_if_match(entry))
    assert english.status_code == chinese.status_code == 403
    assert english.json()["detail"] == "Only the township's clerk enters this data."
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        assert chinese.json()["detail"] == gettext("Only the township's clerk enters this data.")
    assert english.json()["detail"] != chinese.json()["detail"]


def test_a_return_without_a_comment_is_a_400_on_the_comment(flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    response = token_client(reviewer_x).post(entry_url(entry, "return/"), {"comment": ""}, format="json",
                                             **_if_match(entry))
    assert response.status_code == 400
    assert response.json()["errors"] == {"comment": ["Say what needs fixing when returning an entry."]}


def test_history_lists_the_entrys_changes_newest_first(flow, world, clerk_a, reviewer_x):
    entry = flow.approved(world.village_a, clerk_a, reviewer_x)
    response = token_client(clerk_a).get(entry_url(entry, "history/"))
    assert response.status_code == 200
    actions = [c["action"] for c in response.json()["results"]]
    assert actions[0] == "approved" and "submitted" in actions


def test_township_sheets_are_entries_too(world, year, clerk_a):
    sheet = get_sheet("support-township")
    assert sheet is not None
    response = token_client(clerk_a).get(f"{API}/entries/{world.township_a.code}/2021/{sheet.slug}/data/")
    assert response.status_code == 200 and response.json()["entry"]["level"] == "township"
