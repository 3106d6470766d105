"""Must show: a round trip for each pillar sheet (the five village sheets and the township
sheet) — download, fill, upload, confirm; the values are on the sheet, the history names the
upload, and the next download shows them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tests.imports.conftest import (
    add_record,
    as_bytes,
    columns,
    confirm,
    download,
    label,
    profile_ws,
    record_ws,
    row_of,
    set_field,
    upload,
)
from wuqiang.entries.models import Change, ChangeSource, Entry
from wuqiang.entries.registry import get_sheet
from wuqiang.imports.models import BatchState

# slug → (profile {field: (cell value, stored value)}, records {prefix: ({field: cell}, {field: stored})})
CASES: dict[str, tuple[dict[str, tuple[Any, Any]], dict[str, tuple[dict, dict]]]] = {
    "organizations": (
        {"org_type": ("Party branch", "branch"), "party_members": (40, 40), "households": (300, 300),
         "secretary_is_director": ("Yes", True), "competition_participated": ("Yes", True),
         "competition_score": (85.5, Decimal("85.50"))},
        {"meeting": ({"date": datetime.date(2021, 3, 5), "kind": "Party members' meeting",
                      "topic": "+1 学习", "attendance": 30},
                     {"date": datetime.date(2021, 3, 5), "kind": "party_congress", "topic": "+1 学习",
                      "attendance": 30})},
    ),
    "talent": (
        {"secretary_training_hours": (48, Decimal("48"))},
        {"cadre": ({"name": "张三", "gender": "Male", "birth_year": 1970, "education": "Junior secondary",
                    "post": "Party secretary", "monthly_pay": 3000, "from_reserve_pool": "No"},
                   {"name": "张三", "gender": "male", "birth_year": 1970, "education": "junior",
                    "post": "secretary", "monthly_pay": 3000, "from_reserve_pool": False})},
    ),
    "economy": (
        {"operating_income": (12.5, Decimal("12.50")), "total_income": (30, Decimal("30.00")),
         "development_models": ("Whole-village development、Village-to-village linkage",
                                ["whole_village", "village_linkage"]),
         "supervisory_board": ("Yes", True), "disclosure_quarters": (4, 4)},
        {},
    ),
    "governance": (
        {"households_visited": (100, 100), "disputes": (5, 5), "disputes_resolved": (4, 4),
         "other_tools": ("@SUM(1)", "@SUM(1)"), "tool_points": ("No", False)},
        {},
    ),
    "support": (
        {"secretary_annual_pay": (36000, 36000), "months_paid_on_time": (12, 12), "venue_area": (300, 300),
         "venue_standardised": ("Yes", True)},
        {},
    ),
    "support-township": (
        {"canteen": ("Yes", True), "civil_posts": (10, 10), "civil_posts_filled": (8, 8)},
        {},
    ),
}


@pytest.mark.parametrize("slug", list(CASES))
def test_it_round_trips_each_pillar_sheet(slug, clerk_client, clerk_a, world, year):
    sheet = get_sheet(slug)
    township = world.township_a
    code = township.code if slug.endswith("-township") else world.village_a.code
    profile, records = CASES[slug]

    workbook = download(clerk_client, township, year.year, slug)
    ws = profile_ws(workbook)
    for name, (cell, _stored) in profile.items():
        set_field(ws, code, slug, name, cell)
    for prefix, (cells, _stored) in records.items():
        add_record(record_ws(workbook, slug, prefix), code,
                   **{label(slug, name, prefix): value for name, value in cells.items()})
    response, batch = upload(clerk_client, township, year.year, slug, as_bytes(workbook), name="村数据.xlsx")
    assert response.status_code == 302
    assert batch.state == BatchState.READY, batch.errors
    assert [u["code"] for u in batch.preview if u["changes"]] == [code]

    page = clerk_client.get(reverse("imports:batch", args=[batch.pk]))
    assert page.status_code == 200 and b"import-confirm" in page.content
    confirm(clerk_client, batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.APPLIED, batch.message

    lookup = {"township": township, "village__isnull": True} if slug.endswith("-township") else {
        "village": world.village_a}
    entry = Entry.objects.get(year=year, pillar=sheet.pillar, **lookup)
    stored = sheet.profile_model.objects.get(entry=entry)
    for name, (_cell, value) in profile.items():
        assert getattr(stored, name) == value, name
    for prefix, (_cells, values) in records.items():
        row = sheet.record_sheet(prefix).model.objects.get(entry=entry)
        for name, value in values.items():
            assert getattr(row, name) == value, name
    from wuqiang.audit.models import AuditEvent

    assert AuditEvent.objects.filter(kind="import", actor=clerk_a).count() == 1
    history = Change.objects.filter(entry=entry)
    assert history.exists()
    assert all(c.source == ChangeSource.IMPORT and "村数据.xlsx" in c.comment for c in history)
    if not slug.endswith("-township"):
        page = clerk_client.get(reverse("entries:village-history", args=[code])).content.decode()
        assert f"村数据.xlsx (no. {batch.pk})" in page

    # The sheet page shows the values, and a new template carries them.
    url = reverse("entries:township-sheet" if slug.endswith("-township") else "entries:village-sheet",
                  args=[code, year.year, slug])
    assert clerk_client.get(url).status_code == 200
    again = download(clerk_client, township, year.year, slug)
    ws = profile_ws(again)
    for name, (cell, _stored) in profile.items():
        value = ws.cell(row_of(ws, code), columns(ws)[label(slug, name)]).value
        assert value == cell, name
    for prefix, (cells, _stored) in records.items():
        rws = record_ws(again, slug, prefix)
        row = row_of(rws, code)
        for name, value in cells.items():
            got = rws.cell(row, columns(rws)[label(slug, name, prefix)]).value
            assert (got.date() if isinstance(got, datetime.datetime) else got) == value, name


def test_an_untouched_template_changes_nothing(clerk_client, world, year):
    workbook = download(clerk_client, world.township_a, year.year, "organizations")
    _response, batch = upload(clerk_client, world.township_a, year.year, "organizations", as_bytes(workbook))
    assert batch.state == BatchState.READY
    assert not any(u["changes"] for u in batch.preview)
    assert Entry.objects.count() == 0


def test_a_second_upload_edits_and_removes_records_in_place(clerk_client, world, year):
    from organizations.models import Meeting

    slug, code = "organizations", world.village_a.code
    workbook = download(clerk_client, world.township_a, year.year, slug)
    meetings = record_ws(workbook, slug, "meeting")
    for day in (5, 6):
        add_record(meetings, code, **{label(slug, "date", "meeting"): datetime.date(2021, 3, day),
                                      label(slug, "kind", "meeting"): "Party members' meeting"})
    _r, batch = upload(clerk_client, world.township_a, year.year, slug, as_bytes(workbook))
    confirm(clerk_client, batch)
    first, second = Meeting.objects.order_by("date")

    workbook = download(clerk_client, world.township_a, year.year, slug)
    meetings = record_ws(workbook, slug, "meeting")
    cols = columns(meetings)
    meetings.cell(2, cols[label(slug, "topic", "meeting")], "改过")
    meetings.delete_rows(3)
    _r, batch = upload(clerk_client, world.township_a, year.year, slug, as_bytes(workbook))
    assert batch.state == BatchState.READY, batch.errors
    actions = [c["action"] for u in batch.preview for c in u["changes"]]
    assert sorted(actions) == ["deleted", "updated"]
    confirm(clerk_client, batch)
    assert list(Meeting.objects.values_list("pk", "topic")) == [(first.pk, "改过")]
    assert not Meeting.objects.filter(pk=second.pk).exists()
