"""Must show (issue 11): in a real browser a clerk downloads the organisations template from the
work board, the test fills it with openpyxl as a clerk would in Excel, the clerk uploads it,
confirms the preview and sees the values on the village's sheet."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from organizations.models import BranchProfile, Meeting
from wuqiang.entries.models import Change, ChangeSource

pytestmark = pytest.mark.e2e


def test_a_clerk_downloads_fills_uploads_and_confirms_a_template(
        page: Page, live_server, sign_in, clerk_a, world, year, tmp_path, settings, screenshot):
    settings.MEDIA_ROOT = tmp_path / "media"
    village = world.village_a
    sign_in(clerk_a)

    page.goto(f"{live_server.url}/townships/{world.township_a.code}/board/?year={year.year}")
    screenshot("board")
    with page.expect_download() as download_info:
        page.get_by_test_id("import-template-organizations").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".xlsx"

    # Filled in "Excel": the branch profile of the first village and one meeting.
    workbook = load_workbook(path)
    profile = workbook.worksheets[1]
    headers = {c.value: c.column for c in profile[1]}
    row = next(r[0].row for r in profile.iter_rows(min_row=2) if r[0].value == village.code)
    profile.cell(row, headers["党员数"], 42)
    profile.cell(row, headers["户数"], 310)
    profile.cell(row, headers["组织类型"], "党支部")
    meetings = workbook.worksheets[2]
    meeting_headers = {c.value: c.column for c in meetings[1]}
    meetings.cell(2, 1, village.code)
    meetings.cell(2, meeting_headers["日期"], datetime.date(year.year, 4, 2))
    meetings.cell(2, meeting_headers["类别"], "党员大会")
    meetings.cell(2, meeting_headers["参加人数"], 30)
    workbook.save(path)

    # First with a mistake: refused whole, the bad cell listed, nothing saved.
    bad = tmp_path / "bad.xlsx"
    profile.cell(row, headers["党员数"], 6000)
    workbook.save(bad)
    page.get_by_test_id("import-upload-organizations").click()
    upload_url = page.url
    page.locator("#import-file").set_input_files(str(bad))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-state")).to_have_text("未通过")
    expect(page.get_by_test_id("import-errors")).to_contain_text("不能大于 5000")
    screenshot("errors")
    assert not BranchProfile.objects.exists()

    page.goto(upload_url)
    page.locator("#import-file").set_input_files(str(path))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-state")).to_have_text("待确认")
    preview = page.locator(f"[data-testid=import-preview-unit][data-code='{village.code}']")
    expect(preview).to_contain_text("42")
    expect(preview.get_by_test_id("import-summary")).to_contain_text("新增 1 条")
    preview.locator("summary").click()
    expect(preview).to_contain_text("党员大会")
    screenshot("preview")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-state")).to_have_text("已保存")

    preview.get_by_role("link", name=village.name).click()
    expect(page.locator("input[name=profile-party_members]")).to_have_value("42")
    expect(page.locator("input[name=profile-households]")).to_have_value("310")
    screenshot("sheet")
    assert BranchProfile.objects.get(entry__village=village).party_members == 42
    assert Meeting.objects.filter(entry__village=village, attendance=30).count() == 1
    assert set(Change.objects.filter(entry__village=village).values_list("source", flat=True)) == {
        ChangeSource.IMPORT}
