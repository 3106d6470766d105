"""Municipal staff export the city's Excel report from its dashboard, in a real browser: the
export runs (eagerly here, as in the embedded default), the progress page offers the file,
the browser downloads it and the test opens it."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from wuqiang.scoring.rollup import rollup_year

pytestmark = pytest.mark.e2e


@pytest.fixture
def eager_celery():
    from wuqiang.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_municipal_staff_export_the_city_report_and_open_it(
        page: Page, live_server, sign_in, municipal, world, year, eager_celery, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    rollup_year(year.year)
    sign_in(municipal)

    page.goto(f"{live_server.url}/dashboard/municipalities/{world.municipality.code}/?year={year.year}")
    page.get_by_test_id("export-report").click()

    expect(page).to_have_url(re.compile(r"/reports/exports/\d+/$"))
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("export-progress")).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    assert path.suffix == ".xlsx" and world.municipality.name in download.suggested_filename
    workbook = load_workbook(path, read_only=True)
    # The browser asked in Chinese (zh-CN): the workbook is in Chinese.
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in workbook.sheetnames)
    villages = list(workbook.worksheets[3].iter_rows(values_only=True))
    assert len(villages) == 1 + 6  # the header and the world's six villages
