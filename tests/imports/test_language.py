"""The import pages in Chinese show no Latin word outside codes and format names (as
tests/core/test_visible_language.py asks of the main pages), and the template is Chinese."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.core.test_visible_language import CODE, LATIN_ALLOWED, LATIN_WORD, shown_text
from tests.imports.conftest import as_bytes, download, profile_ws, set_cell, upload

ORG = "organizations"


@pytest.fixture
def chinese_client(client, clerk_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(clerk_a)
    return client


def test_the_import_pages_speak_chinese(chinese_client, world, year):
    with translation.override("zh-hans"):
        workbook = download(chinese_client, world.township_a, year.year, ORG)
        ws = profile_ws(workbook)
        headers = [c.value for c in ws[1]]
        assert headers[:2] == ["代码", "名称"]
        set_cell(ws, world.village_a.code, headers[3], 40)
        _r, ready = upload(chinese_client, world.township_a, year.year, ORG, as_bytes(workbook), name="村数据.xlsx")
        set_cell(ws, world.village_a.code, headers[3], 9999)
        _r, refused = upload(chinese_client, world.township_a, year.year, ORG, as_bytes(workbook),
                             name="村数据.xlsx")
    assert ready.state == "ready" and refused.state == "refused"
    urls = [
        reverse("imports:upload", args=[world.township_a.code, year.year, ORG]),
        reverse("imports:batch", args=[ready.pk]),
        reverse("imports:batch", args=[refused.pk]),
        reverse("imports:list"),
        f"{reverse('entries:work-board', args=[world.township_a.code])}?year={year.year}",
    ]
    found: dict[str, set[str]] = {}
    for url in urls:
        response = chinese_client.get(url)
        assert response.status_code == 200, url
        for text in shown_text(response.content.decode()):
            for word in LATIN_WORD.findall(text):
                if word not in LATIN_ALLOWED | {"xlsx", "MB"} and not CODE.match(word):  # a format and a unit
                    found.setdefault(url, set()).add(word)
    assert found == {}


def test_the_import_pages_in_english_show_no_chinese_outside_the_data(client, clerk_a, world, year):
    from tests.core.test_visible_language import HAN, _data_words

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(clerk_a)
    workbook = download(client, world.township_a, year.year, ORG)
    ws = profile_ws(workbook)
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["Code", "Name"]
    set_cell(ws, world.village_a.code, headers[3], 40)
    _r, ready = upload(client, world.township_a, year.year, ORG, as_bytes(workbook), name="data.xlsx")
    set_cell(ws, world.village_a.code, headers[3], 9999)
    _r, refused = upload(client, world.township_a, year.year, ORG, as_bytes(workbook), name="data.xlsx")
    urls = [
        reverse("imports:upload", args=[world.township_a.code, year.year, ORG]),
        reverse("imports:batch", args=[ready.pk]), reverse("imports:batch", args=[refused.pk]),
        reverse("imports:list"),
    ]
    data = _data_words()
    found: dict[str, set[str]] = {}
    for url in urls:
        for text in shown_text(client.get(url).content.decode()):
            for word in sorted(data, key=len, reverse=True):
                text = text.replace(word, " ")
            if text.strip() == "中文":  # the language switch names its language in that language
                continue
            if HAN.search(text):
                found.setdefault(url, set()).update(HAN.findall(text))
    assert found == {}
