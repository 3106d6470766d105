"""A scored place for the report tests, the personas who export from it, and readers of the
workbooks they get.

The place (tests/scoring/conftest.py): county X 520302 with township A (villages A1–A3)
and township B (B1), county Y 520303 with township C (C1). For 2021: A1 and C1 are perfect
(五强示范), A2 earns 30 万元 (E1 loses points), B1 is listed as weak and lax (veto, 未达标),
A3 entered nothing; every township's 五小 sheet is approved. Then the roll-up runs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from tests.scoring.conftest import YEAR, people, place, scored  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Labels the tests compare with are English (the workbooks choose their own language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when a broker is configured (the PostgreSQL leg)."""
    from wuqiang.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def signed_in(client, user, language: str = "en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def export(client, user, scope: str = "", level: str = "", kind: str = "report", year: int = YEAR, **extra: Any):
    """Sign ``user`` in and post an export request as the dashboards' button does."""
    return signed_in(client, user).post("/reports/export/", {
        "scope": scope, "level": level, "year": year, "kind": kind, "next": "/", **extra})


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def read(data: bytes | str | Path) -> Workbook:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return load_workbook(source)


def table(workbook: Workbook, title: str) -> list[dict[str, Any]]:
    """A data sheet's rows as dicts keyed by the header row."""
    rows = list(workbook[title].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def summary(workbook: Workbook, title: str = "Summary") -> dict[str, Any]:
    """The summary sheet's label → value pairs (first two columns)."""
    found = {}
    for row in workbook[title].iter_rows(values_only=True):
        if row and isinstance(row[0], str) and len(row) > 1:
            found.setdefault(row[0], row[1])
    return found


@pytest.fixture
def workbook_path(tmp_path) -> Iterator[Path]:
    yield tmp_path / "report.xlsx"
