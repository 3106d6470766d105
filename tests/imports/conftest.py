"""Fixtures for the Excel import tests: the personas' world, a clerk's client in English, and
helpers that download a template, fill it with openpyxl and upload it as the page does."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from wuqiang.entries.models import Change, Entry
from wuqiang.entries.registry import get_sheet
from wuqiang.entries.snapshots import take_snapshot
from wuqiang.imports.models import ImportBatch


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clerk_client(client, clerk_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(clerk_a)
    return client


def template_url(township, year: int, slug: str) -> str:
    return reverse("imports:template", args=[township.code, year, slug])


def upload_url(township, year: int, slug: str) -> str:
    return reverse("imports:upload", args=[township.code, year, slug])


def download(client, township, year: int, slug: str):
    response = client.get(template_url(township, year, slug))
    assert response.status_code == 200, response.status_code
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def as_bytes(workbook) -> bytes:
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, township, year: int, slug: str, content: bytes, name: str = "filled.xlsx"):
    """POST the file as the upload form does; returns (response, the batch made or None)."""
    before = set(ImportBatch.objects.values_list("pk", flat=True))
    response = client.post(upload_url(township, year, slug),
                           {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")})
    made = ImportBatch.objects.exclude(pk__in=before).order_by("-pk").first()
    return response, made


def confirm(client, batch):
    return client.post(reverse("imports:apply", args=[batch.pk]))


def columns(ws) -> dict[str, int]:
    """Header label → column number (1-based) of a template sheet."""
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def row_of(ws, code: str) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(f"{code} not on {ws.title}")


def set_cell(ws, code: str, header: str, value: Any) -> None:
    ws.cell(row_of(ws, code), columns(ws)[header], value)


def label(slug: str, name: str, prefix: str = "") -> str:
    """The English header of a field's column (the tests run in English)."""
    from wuqiang.imports.columns import profile_columns, record_columns

    sheet = get_sheet(slug)
    specs = record_columns(sheet.record_sheet(prefix)) if prefix else profile_columns(sheet)
    return next(c.label for c in specs if c.name == name)


def set_field(ws, code: str, slug: str, name: str, value: Any) -> None:
    set_cell(ws, code, label(slug, name), value)


def profile_ws(workbook):
    return workbook.worksheets[1]


def record_ws(workbook, slug: str, prefix: str):
    sheet = get_sheet(slug)
    index = [r.prefix for r in sheet.records].index(prefix)
    return workbook.worksheets[2 + index]


def next_free_row(ws) -> int:
    row = 2
    while ws.cell(row, 1).value not in (None, ""):
        row += 1
    return row


def add_record(ws, code: str, **by_header: Any) -> int:
    row = next_free_row(ws)
    ws.cell(row, 1, code)
    cols = columns(ws)
    for header, value in by_header.items():
        ws.cell(row, cols[header], value)
    return row


def state_of_world() -> dict[str, Any]:
    """Everything an upload could change: every entry's row and values, and history size."""
    entries = {}
    for entry in Entry.objects.select_related("year").order_by("pk"):
        sheet = get_sheet(entry.pillar) if entry.village_id else get_sheet(f"{entry.pillar}-township")
        entries[entry.pk] = (entry.version, entry.state, take_snapshot(entry, sheet))
    return {"entries": entries, "count": Entry.objects.count(), "changes": Change.objects.count()}
