"""The import pages: the error list and error workbook, the preview, progress of large uploads
through the Celery task, quality flags after applying, the work board's links and the list."""

from __future__ import annotations

import datetime
import html
import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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
    upload,
)
from tests.imports.test_refusals import ORG, saved_entry
from wuqiang.imports.models import BatchState
from wuqiang.imports.workbook import ERROR_FILL


def test_the_error_workbook_highlights_exactly_the_bad_cells(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    ws, meetings = profile_ws(workbook), record_ws(workbook, ORG, "meeting")
    first, second = (v.code for v in world.villages["a"])
    set_field(ws, first, ORG, "party_members", 6000)
    set_field(ws, second, ORG, "households", 100)
    set_field(ws, second, ORG, "linked_households", 150)
    set_field(ws, second, ORG, "grids", 3)
    add_record(meetings, first, **{label(ORG, "date", "meeting"): datetime.date(2021, 1, 9),
                                   label(ORG, "kind", "meeting"): "Party members' meeting"})
    bad_row = add_record(meetings, second, **{label(ORG, "date", "meeting"): datetime.date(2019, 1, 9),
                                              label(ORG, "kind", "meeting"): "tea party"})
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.REFUSED
    headers = {c.value: c.column_letter for c in ws[1]}
    meeting_headers = {c.value: c.column_letter for c in meetings[1]}
    expected = {
        (ws.title, f"{headers[label(ORG, 'party_members')]}{row_of(ws, first)}"),
        (ws.title, f"{headers[label(ORG, 'linked_households')]}{row_of(ws, second)}"),
        (meetings.title, f"{meeting_headers[label(ORG, 'date', 'meeting')]}{bad_row}"),
        (meetings.title, f"{meeting_headers[label(ORG, 'kind', 'meeting')]}{bad_row}"),
    }
    assert {(e["sheet"], f"{e['column']}{e['row']}") for e in batch.errors} == expected

    page = clerk_client.get(reverse("imports:batch", args=[batch.pk]))
    text = html.unescape(page.content.decode())
    for error in batch.errors:
        assert error["message"] in text and error["sheet"] in text
    assert "6000" in text and "Nothing was saved" in text

    response = clerk_client.get(reverse("imports:errors", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    marked = load_workbook(BytesIO(b"".join(response.streaming_content)))
    found = set()
    for sheet in marked.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.fill == ERROR_FILL or cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb:
                    found.add((sheet.title, cell.coordinate))
                    assert cell.comment is not None and cell.comment.text
    assert found == expected


def test_the_preview_shows_old_and_new_values_and_records_added(clerk_client, clerk_a, world, year):
    saved_entry(world.village_a, clerk_a, year)
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 321)
    add_record(record_ws(workbook, ORG, "meeting"), world.village_a.code,
               **{label(ORG, "date", "meeting"): datetime.date(2021, 2, 3),
                  label(ORG, "kind", "meeting"): "Party members' meeting"})
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    page = html.unescape(clerk_client.get(reverse("imports:batch", args=[batch.pk])).content.decode())
    assert "What will change" in page and "Added: meeting · 2021-02-03" in page
    assert "Meetings and theme days:" in page and "1 added, 0 changed, 0 removed" in page
    assert re.search(r"<td>Households</td>\s*<td>300</td>\s*<td>321</td>", page)


def test_quality_flags_raised_by_imported_values_show_afterwards(clerk_client, clerk_a, world, year):
    from tests import factories

    previous = factories.AssessmentYearFactory(year=2020)
    saved_entry(world.village_a, clerk_a, previous)
    saved_entry(world.village_a, clerk_a, year)
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 900)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "linked_households", 120)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.READY, batch.errors
    confirm(clerk_client, batch)
    page = html.unescape(clerk_client.get(reverse("imports:batch", args=[batch.pk])).content.decode())
    assert 'data-testid="import-flagged"' in page and world.village_a.name in page
    assert "900" in page and "far from" in page.lower()


@pytest.fixture
def eager_celery():
    """Tasks run in the test's process (as in the embedded default), even when a broker is set."""
    from wuqiang.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_a_large_upload_is_checked_and_applied_by_the_worker_with_progress(
        clerk_client, world, year, settings, django_capture_on_commit_callbacks, eager_celery):
    settings.IMPORT_INLINE_MAX_BYTES = 1
    settings.IMPORT_INLINE_MAX_ROWS = 0
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 200)
    with django_capture_on_commit_callbacks() as callbacks:
        _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.CHECKING
    status = clerk_client.get(reverse("imports:batch", args=[batch.pk]), {"format": "json"}).json()
    assert status["state"] == "checking" and status["done"] is False
    page = clerk_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "data-import-status" in page and "import-progress" in page
    for callback in callbacks:
        callback()  # the Celery task, eager as in the embedded default
    batch.refresh_from_db()
    assert batch.state == BatchState.READY
    with django_capture_on_commit_callbacks(execute=True):
        confirm(clerk_client, batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.APPLIED
    status = clerk_client.get(reverse("imports:batch", args=[batch.pk]), {"format": "json"}).json()
    assert status["done"] is True and status["progress"] == 100


def test_the_work_board_links_the_templates_and_uploads_for_the_clerk(clerk_client, client, reviewer_x, world,
                                                                     year):
    url = f"{reverse('entries:work-board', args=[world.township_a.code])}?year={year.year}"
    page = clerk_client.get(url).content.decode()
    for slug in ("organizations", "talent", "economy", "governance", "support", "support-township"):
        assert reverse("imports:template", args=[world.township_a.code, year.year, slug]) in page
        assert reverse("imports:upload", args=[world.township_a.code, year.year, slug]) in page
    client.force_login(reviewer_x)
    assert 'data-testid="import-links"' not in client.get(url).content.decode()


def test_the_list_shows_the_clerks_recent_uploads(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook), name="第一次.xlsx")
    upload(clerk_client, world.township_a, year.year, ORG, b"not a workbook", name="第二次.xlsx")
    page = clerk_client.get(reverse("imports:list")).content.decode()
    assert "第一次.xlsx" in page and "第二次.xlsx" in page and "Refused" in page


def test_the_template_locks_codes_and_offers_drop_downs_and_notes(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    ws = profile_ws(workbook)
    assert ws.protection.sheet
    assert ws["A2"].protection.locked and ws["B2"].protection.locked
    assert not ws["C2"].protection.locked
    headers = {c.value: c for c in ws[1]}
    assert "From 0 to 5000" in headers[label(ORG, "party_members")].comment.text
    assert "Unit: people" in headers[label(ORG, "party_members")].comment.text
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "whole", "decimal"} <= kinds
    meetings = record_ws(workbook, ORG, "meeting")
    dates = [dv for dv in meetings.data_validations.dataValidation if dv.type == "date"]
    assert dates and dates[0].formula1 == "DATE(2021,1,1)" and dates[0].formula2 == "DATE(2021,12,31)"
    assert workbook["_wuqiang"].sheet_state == "veryHidden"
    assert [s.title for s in workbook.worksheets][0] == "Instructions"


def test_user_text_comes_back_as_text_never_a_formula(clerk_client, clerk_a, world, year):
    from wuqiang.entries import services as entry_services
    from wuqiang.entries.registry import get_sheet
    from wuqiang.entries.validation import RecordRows, SheetInput

    entry = entry_services.new_entry(unit=world.village_a, year=year, sheet=get_sheet(ORG))
    entry_services.entry_save(entry=entry, actor=clerk_a, expected_version=0, data=SheetInput(records={
        "meeting": RecordRows(rows=[{"date": "2021-03-01", "kind": "party_congress",
                                     "topic": "=HYPERLINK(\"http://x\",\"y\")"}])}))
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    meetings = record_ws(workbook, ORG, "meeting")
    cell = meetings.cell(2, 1 + [c.value for c in meetings[1]].index(label(ORG, "topic", "meeting")))
    assert cell.data_type == "s" and cell.value.startswith("=") and cell.quotePrefix
    # Uploaded back untouched, it is no change.
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.READY and not any(u["changes"] for u in batch.preview)


@pytest.mark.parametrize("language, title", [("zh-hans", "填写说明"), ("en", "Instructions")])
def test_the_instructions_are_in_the_clerks_language(language, title, client, clerk_a, world, year, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(clerk_a)
    workbook = download(client, world.township_a, year.year, ORG)
    assert workbook.sheetnames[0] == title


def test_old_uploaded_files_are_purged_but_the_list_keeps_them(clerk_client, world, year):
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from wuqiang.imports import tasks
    from wuqiang.imports.models import ImportBatch

    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 200)
    _r, old = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook), name="旧.xlsx")
    _r, new = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook), name="新.xlsx")
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    old_name = old.file.name
    assert tasks.purge_import_files() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert not default_storage.exists(old_name) and old.file.name == "" and old.payload == {}
    assert old.state == BatchState.FAILED
    assert default_storage.exists(new.file.name) and new.state == BatchState.READY
    assert "旧.xlsx" in clerk_client.get(reverse("imports:list")).content.decode()


def test_the_error_workbook_corrected_and_uploaded_again_is_accepted(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "party_members", 6000)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    assert batch.state == BatchState.REFUSED
    response = clerk_client.get(reverse("imports:errors", args=[batch.pk]))
    marked = load_workbook(BytesIO(b"".join(response.streaming_content)))
    set_field(profile_ws(marked), world.village_a.code, ORG, "party_members", 60)
    _response, again = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(marked))
    assert again.state == BatchState.READY, again.errors
    confirm(clerk_client, again)
    again.refresh_from_db()
    assert again.state == BatchState.APPLIED


def test_record_rows_can_be_deleted_in_excel(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, ORG)
    meetings = record_ws(workbook, ORG, "meeting")
    assert meetings.protection.sheet and meetings.protection.deleteRows is False
    assert meetings.protection.insertRows is False
    assert all(not meetings.cell(2, col).protection.locked for col in range(1, meetings.max_column + 1))
    assert all(meetings.cell(1, col).protection.locked for col in range(1, meetings.max_column + 1))
