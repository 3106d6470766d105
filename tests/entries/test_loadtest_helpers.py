"""The load test's helpers, without servers: the sheet page's form is read as a browser posts it,
a changed topic saves through the sheet view, and the lost-update check finds a lost update."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.entries.conftest import save
from tests.entries.test_record_rows import meetings

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "loadtest"
SHEET_URL = "/villages/{code}/2021/organizations/"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"loadtest_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def locustfile():
    return load("helpers")


def test_the_form_is_read_as_a_browser_posts_it(locustfile):
    html = """<form id="other"><input name="x" value="1"></form>
    <form method="post" id="sheet-form"><input type="hidden" name="version" value="7">
      <select name="kind"><option value="">--</option><option value="group" selected>组</option></select>
      <select name="blank"><option value="a">A</option><option value="b">B</option></select>
      <input type="checkbox" name="ticked" checked><input type="checkbox" name="unticked" value="on">
      <textarea name="note">
第一行 &amp; 二</textarea>
      <template><input name="meeting-__prefix__-topic" value=""></template>
      <button type="submit" name="then" value="save">Save</button></form>"""

    assert locustfile.form_fields(html) == {"version": "7", "kind": "group", "blank": "a", "ticked": "on",
                                            "note": "第一行 & 二"}


def test_a_changed_topic_posted_from_the_page_saves(locustfile, login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(2)})
    client = login_en(clerk_a)
    url = SHEET_URL.format(code=world.village_a.code)
    fields = locustfile.form_fields(client.get(url).content.decode())

    data, meeting_id = locustfile.with_new_topic(fields, "负载 1", year=2021)
    response = client.post(url, {**data, "then": "save"})

    assert response.status_code == 302
    from organizations.models import Meeting
    assert Meeting.objects.get(pk=meeting_id).topic == "负载 1"
    # The same page posted again is refused: its version is gone.
    stale, _ = locustfile.with_new_topic(fields, "负载 2", year=2021)
    assert client.post(url, {**stale, "then": "save"}).status_code == 409


def test_a_new_meeting_is_added_when_the_sheet_has_none(locustfile, login_en, flow, world, clerk_a):
    flow.draft(world.village_a, clerk_a, party_members=120)
    client = login_en(clerk_a)
    url = SHEET_URL.format(code=world.village_a.code)
    fields = locustfile.form_fields(client.get(url).content.decode())

    data, meeting_id = locustfile.with_new_topic(fields, "负载 新", year=2021)

    assert meeting_id is None
    assert client.post(url, {**data, "then": "save"}).status_code == 302
    from organizations.models import Meeting
    assert Meeting.objects.filter(topic="负载 新").count() == 1


def test_the_check_finds_a_lost_update_and_passes_an_honest_run(locustfile, login_en, flow, world, clerk_a,
                                                                   tmp_path):
    check = load("check")
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(1)})
    client = login_en(clerk_a)
    url = SHEET_URL.format(code=world.village_a.code)
    honest = []
    for topic in ("甲", "乙"):
        fields = locustfile.form_fields(client.get(url).content.decode())
        data, _ = locustfile.with_new_topic(fields, topic, year=2021)
        assert client.post(url, {**data, "then": "save"}).status_code == 302
        honest.append({"village": world.village_a.code, "year": 2021, "topic": topic,
                       "version": int(fields["version"])})

    assert check.lost_updates(honest) == []
    lost = [*honest, {"village": world.village_a.code, "year": 2021, "topic": "丙", "version": honest[-1]["version"]}]
    problems = check.lost_updates(lost)
    assert any("2 saves accepted from version" in p for p in problems)
    assert any("'丙'" in p and "not in the history" in p for p in problems)
    (tmp_path / "saves.jsonl").write_text("".join(json.dumps(s) + "\n" for s in honest))


def test_the_page_after_a_save_says_whether_it_was_saved(locustfile, login_en, flow, world, clerk_a, reviewer_x):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(1)})
    client = login_en(clerk_a)
    url = SHEET_URL.format(code=world.village_a.code)
    fields = locustfile.form_fields(client.get(url).content.decode())
    data, _ = locustfile.with_new_topic(fields, "甲", year=2021)

    saved = client.post(url, {**data, "then": "save"}, follow=True)
    assert locustfile.save_outcome(saved.content.decode()) == "saved"
    fields = locustfile.form_fields(client.get(url).content.decode())
    data, _ = locustfile.with_new_topic(fields, "乙", year=2021)
    submitted = client.post(url, {**data, "then": "submit"}, follow=True)
    assert locustfile.save_outcome(submitted.content.decode()) == "saved"
    # The page loaded before the submission, posted now: refused with a message, a 302 all the same.
    late = client.post(url, {**data, "then": "save"})
    assert late.status_code == 302
    assert locustfile.save_outcome(client.get(url).content.decode()) == "refused"
    assert locustfile.save_outcome(client.get(url).content.decode()) == "unknown"


def test_a_stored_value_sent_from_a_later_version_but_unanswered_is_no_lost_update(flow, world, clerk_a):
    check = load("check")
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(1)})
    code = world.village_a.code
    accepted = {"village": code, "year": 2021, "topic": "甲", "version": entry.version, "outcome": "saved"}
    from organizations.models import Meeting
    meeting = Meeting.objects.get(entry=entry)
    save(entry, clerk_a, edit={meeting.pk: {"topic": "甲"}})
    entry.refresh_from_db()
    save(entry, clerk_a, edit={meeting.pk: {"topic": "乙"}})  # sent, its answer never came back
    unanswered = {"village": code, "year": 2021, "topic": "乙", "version": entry.version, "outcome": "sent"}

    assert check.lost_updates([{**accepted, "outcome": "sent"}, accepted, unanswered]) == []
    earlier = {**unanswered, "version": accepted["version"] - 1}
    assert any("stored topic '乙'" in p for p in check.lost_updates([accepted, earlier]))
