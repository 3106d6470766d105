"""Must show: bad uploads, each refused whole with the right message and nothing changed (row
counts, versions and history asserted unchanged)."""

from __future__ import annotations

import datetime
import html
import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from tests import factories
from tests.imports.conftest import (
    add_record,
    as_bytes,
    confirm,
    download,
    label,
    profile_ws,
    record_ws,
    row_of,
    set_field,
    state_of_world,
    upload,
)
from wuqiang.entries import services as entry_services
from wuqiang.entries.models import Entry
from wuqiang.entries.registry import get_sheet
from wuqiang.entries.validation import SheetInput
from wuqiang.imports.models import BatchState, ImportBatch

ORG = "organizations"
COMPLETE = {
    "org_type": "branch", "party_members": 40, "households": 300, "grids": 8, "grids_with_party_group": 6,
    "linked_households": 120, "secretary_is_director": True, "standardisation_passed": True,
    "points_system": False, "competition_participated": True, "competition_score": "85.5",
}


def saved_entry(village, clerk, year, **profile: Any) -> Entry:
    entry = entry_services.new_entry(unit=village, year=year, sheet=get_sheet(ORG))
    return entry_services.entry_save(entry=entry, actor=clerk, expected_version=0,
                                     data=SheetInput(profile={**COMPLETE, **profile}))


@pytest.fixture
def drafts(world, clerk_a, year) -> list[Entry]:
    """Both villages of township A with a saved, complete draft (so "nothing changed" means something)."""
    return [saved_entry(v, clerk_a, year) for v in world.villages["a"]]


def valid_file(client, world, year, **extra) -> Any:
    """A template of township A with a valid change to the second village (the "valid rows")."""
    workbook = download(client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.villages["a"][1].code, ORG, "households", 310)
    return workbook


def assert_refused(response, batch, before, *, message: str) -> ImportBatch:
    assert state_of_world() == before
    if batch is None or batch.state == BatchState.REFUSED and not batch.file:
        assert response.status_code == 400
        assert message in html.unescape(response.content.decode())
    else:
        assert batch.state == BatchState.REFUSED
        texts = [batch.message] + [e["message"] for e in batch.errors]
        assert any(message in text for text in texts), texts
    return batch


def test_it_refuses_a_file_that_is_not_xlsx(clerk_client, world, year, drafts):
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, b"code,households\n1,2\n",
                             name="data.xlsx")
    assert_refused(response, batch, before, message="This file's content is not of an accepted type")
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, b"code,households\n1,2\n",
                             name="data.csv")
    assert_refused(response, batch, before, message="Upload the template as an Excel workbook (.xlsx)")


def test_it_refuses_an_old_xls_and_an_xlsm_by_name(clerk_client, world, year, drafts):
    before = state_of_world()
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000  # the header of an Excel 97–2003 .xls
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, ole, name="old.xlsx")
    assert_refused(response, batch, before, message="This file's content is not of an accepted type")
    content = as_bytes(valid_file(clerk_client, world, year))
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, content, name="macro.xlsm")
    assert_refused(response, batch, before, message="Upload the template as an Excel workbook (.xlsx)")


def test_it_refuses_a_macro_workbook_renamed_xlsx(clerk_client, world, year, drafts):
    content = as_bytes(valid_file(clerk_client, world, year))
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                                 b"</Types>")
            target.writestr(item, data)
        target.writestr("xl/vbaProject.bin", b"\x00" * 512)
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, output.getvalue(), name="macro.xlsx")
    assert_refused(response, batch, before, message="Workbooks with macros (.xlsm) are not accepted")


def test_it_refuses_a_zip_bomb(clerk_client, world, year, drafts):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("xl/worksheets/sheet1.xml", b"0" * (40 * 1024 * 1024))
    assert len(output.getvalue()) < 200_000
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, output.getvalue(), name="bomb.xlsx")
    assert_refused(response, batch, before, message="The workbook is too large once unpacked.")


def test_it_refuses_a_file_over_the_size_limit(clerk_client, world, year, drafts, settings):
    content = as_bytes(valid_file(clerk_client, world, year))
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, content)
    assert_refused(response, batch, before, message="the limit is")


def test_it_refuses_a_template_of_another_pillar(clerk_client, world, year, drafts):
    workbook = download(clerk_client, world.township_a, year.year, "support")
    set_field(profile_ws(workbook), world.village_a.code, "support", "months_paid_on_time", 12)
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message="This is the template of Strong support for 2021, not of "
                                                    "Strong organisational function for 2021")


def test_it_refuses_a_template_of_another_year(clerk_client, world, year, drafts):
    factories.AssessmentYearFactory(year=2022)
    workbook = download(clerk_client, world.township_a, 2022, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 310)
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message="for 2022, not of Strong organisational function for 2021")


def test_it_refuses_a_village_of_another_township(clerk_client, world, year, drafts):
    workbook = valid_file(clerk_client, world, year)
    ws = profile_ws(workbook)
    ws.cell(row_of(ws, world.village_a.code), 1, world.village_b.code)
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    batch = assert_refused(response, batch, before,
                           message=f"{world.village_b.code} is not a village of your township.")
    assert [(e["sheet"], e["row"], e["column"]) for e in batch.errors] == [(ws.title, 2, "A")]


def test_it_refuses_a_duplicate_village(clerk_client, world, year, drafts):
    workbook = valid_file(clerk_client, world, year)
    ws = profile_ws(workbook)
    for col in range(1, ws.max_column + 1):
        ws.cell(4, col, ws.cell(2, col).value)
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    batch = assert_refused(response, batch, before, message="appears twice (also in row 2)")
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, "A")]


# (list prefix or "" for the profile, field, value, the message) — each rule broken once.
RULES = [
    ("", "party_members", 6000, "Cannot be more than 5000."),
    ("", "households", -1, "Cannot be negative."),
    ("", "grids_with_party_group", 9, "Grids with a party group cannot exceed grids (8)."),
    ("", "linked_households", 301, "Linked households cannot exceed households (300)."),
    ("", "org_type", "Party committee of the moon", "Select a valid choice."),
    ("", "secretary_is_director", "maybe", "Choose yes, no or leave it unanswered."),
    ("", "party_members", "forty", "Enter a whole number."),
    ("", "competition_score", 101, "Cannot be more than 100."),
    ("meeting", "date", datetime.date(2020, 5, 1), "The date must fall within 2021."),
    ("meeting", "date", "the fifth of May", "Enter a valid date."),
    ("meeting", "kind", None, "This field is required."),
    ("meeting", "attendance", 41, "Attendance cannot exceed the branch's 40 party members."),
    ("weakcase", "rectified_on", datetime.date(2021, 6, 1), "Leave the date empty unless the case is rectified."),
]


@pytest.mark.parametrize(("prefix", "name", "value", "message"), RULES,
                         ids=[f"{p or 'profile'}-{n}-{i}" for i, (p, n, _v, _m) in enumerate(RULES)])
def test_it_refuses_each_broken_rule_in_one_row_among_valid_rows(prefix, name, value, message, clerk_client, world,
                                                                 year, drafts):
    workbook = valid_file(clerk_client, world, year)
    code = world.village_a.code
    if prefix == "":
        ws = profile_ws(workbook)
        set_field(ws, code, ORG, name, value)
        row = row_of(ws, code)
    else:
        ws = record_ws(workbook, ORG, prefix)
        valid = {"meeting": {"date": datetime.date(2021, 4, 1), "kind": "Party members' meeting", "attendance": 20},
                 "weakcase": {"reasons": "班子不团结", "status": "Listed"}}[prefix]
        add_record(ws, code, **{label(ORG, n, prefix): v for n, v in valid.items()})
        row = add_record(ws, code, **{label(ORG, n, prefix): v for n, v in {**valid, name: value}.items()})
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    batch = assert_refused(response, batch, before, message=message)
    bad = [e for e in batch.errors if message in e["message"]]
    assert bad and all(e["sheet"] == ws.title and e["row"] == row for e in bad)
    headers = {c.column_letter: c.value for c in ws[1]}
    assert any(headers[e["column"]] == label(ORG, name, prefix) for e in bad)
    # Applying a refused upload is not possible.
    response = confirm(clerk_client, batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.REFUSED and state_of_world() == before


@pytest.mark.parametrize("state", ["submitted", "approved", "closed_year"])
def test_it_refuses_a_change_to_a_locked_entry(state, clerk_client, clerk_a, reviewer_x, world, year, drafts):
    entry = drafts[0]
    workbook = valid_file(clerk_client, world, year)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 333)
    if state == "closed_year":
        factories.set_year_state(year, "closed")
        expected = "The 2021 assessment is closed"
    else:
        entry = entry_services.entry_submit(entry=entry, actor=clerk_a)
        if state == "approved":
            entry_services.entry_approve(entry=entry, actor=reviewer_x)
        expected = "it can be changed only after a reviewer returns or reopens it"
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message=expected)


def test_a_locked_entry_left_as_downloaded_does_not_stop_the_others(clerk_client, clerk_a, reviewer_x, world, year,
                                                                     drafts):
    entry_services.entry_submit(entry=drafts[0], actor=clerk_a)
    workbook = valid_file(clerk_client, world, year)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.READY, batch.errors
    assert [u["code"] for u in batch.preview if u["changes"]] == [world.villages["a"][1].code]


def test_it_refuses_an_entry_edited_on_the_web_after_the_download(clerk_client, clerk_a2, world, year, drafts):
    workbook = valid_file(clerk_client, world, year)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 333)
    entry_services.entry_save(entry=drafts[0], actor=clerk_a2, expected_version=drafts[0].version,
                              data=SheetInput(profile={"grids": 9}))
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message="after this template was downloaded")


def test_it_applies_nothing_when_a_sheet_changes_between_preview_and_confirm(clerk_client, clerk_a2, world, year,
                                                                             drafts):
    workbook = valid_file(clerk_client, world, year)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 333)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.READY
    second = Entry.objects.get(village=world.villages["a"][1])
    entry_services.entry_save(entry=second, actor=clerk_a2, expected_version=second.version,
                              data=SheetInput(profile={"grids": 9}))
    before = state_of_world()
    confirm(clerk_client, batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert "changed by someone else after the check" in batch.message
    assert state_of_world() == before


def test_it_refuses_too_many_rows(clerk_client, world, year, drafts, settings):
    settings.IMPORT_MAX_ROWS = 5
    workbook = valid_file(clerk_client, world, year)
    meetings = record_ws(workbook, ORG, "meeting")
    for day in range(1, 5):
        add_record(meetings, world.village_a.code, **{label(ORG, "date", "meeting"): datetime.date(2021, 5, day),
                                                      label(ORG, "kind", "meeting"): "Party members' meeting"})
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message="The file holds more than 5 rows")


def test_it_refuses_a_workbook_that_is_not_a_template(clerk_client, world, year, drafts):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "村代码"
    before = state_of_world()
    response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert_refused(response, batch, before, message="This workbook is not an import template of the portal")


@pytest.mark.parametrize("who", ["clerk_b", "reviewer_x", "municipal"])
def test_only_the_townships_clerk_downloads_and_uploads(who, persona, client, world, year):
    client.force_login(persona(who))
    args = [world.township_a.code, year.year, ORG]
    expected = 404 if who == "clerk_b" else 403
    assert client.get(reverse("imports:template", args=args)).status_code == expected
    assert client.post(reverse("imports:upload", args=args), {}).status_code == expected


def test_an_upload_is_seen_only_by_its_clerk(clerk_client, client, clerk_a2, world, year, drafts):
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG,
                              as_bytes(valid_file(clerk_client, world, year)))
    client.force_login(clerk_a2)
    for name in ("imports:batch", "imports:apply", "imports:errors"):
        method = client.post if name == "imports:apply" else client.get
        assert method(reverse(name, args=[batch.pk])).status_code == 404
    assert batch.filename.encode() not in client.get(reverse("imports:list")).content


def test_a_batch_is_applied_once_however_often_it_is_confirmed_or_redelivered(clerk_client, world, year, drafts):
    from organizations.models import Meeting
    from wuqiang.imports import services, tasks

    workbook = valid_file(clerk_client, world, year)
    add_record(record_ws(workbook, ORG, "meeting"), world.village_a.code,
               **{label(ORG, "date", "meeting"): datetime.date(2021, 6, 1),
                  label(ORG, "kind", "meeting"): "Party members' meeting"})
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    confirm(clerk_client, batch)
    after_first = state_of_world()
    response = confirm(clerk_client, batch)
    assert response.status_code == 302
    tasks.apply_batch_task(batch.pk)  # a redelivered task finds the batch applied
    with pytest.raises(services.AlreadyHandled):
        services.batch_confirm(batch=ImportBatch.objects.get(pk=batch.pk), actor=batch.uploaded_by)
    assert state_of_world() == after_first and Meeting.objects.count() == 1
