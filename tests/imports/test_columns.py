"""Reading cells as the forms take them: what Excel and WPS leave in a cell, read back right."""

from __future__ import annotations

import datetime

import pytest

from wuqiang.entries.registry import get_sheet
from wuqiang.imports.columns import profile_columns, record_columns


@pytest.fixture
def columns():
    sheet = get_sheet("organizations")
    specs = {c.name: c for c in profile_columns(sheet)}
    specs.update({f"meeting.{c.name}": c for c in record_columns(sheet.record_sheet("meeting"))})
    specs.update({c.name: c for c in profile_columns(get_sheet("economy"))})
    return specs


@pytest.mark.parametrize(("name", "cell", "expected"), [
    ("party_members", 40, "40"),
    ("party_members", 40.0, "40"),
    ("party_members", " 40 ", "40"),
    ("party_members", None, None),
    ("party_members", "  ", None),
    ("competition_score", 0.1 + 0.2, "0.3"),
    ("competition_score", 85.5, "85.5"),
    ("org_type", "Party branch", "branch"),
    ("org_type", "党支部", "branch"),
    ("org_type", " PARTY BRANCH ", "branch"),
    ("org_type", "branch", "branch"),
    ("org_type", "moon", "moon"),  # unknown: handed to the form, which refuses it
    ("secretary_is_director", "是", "true"),
    ("secretary_is_director", "No", "false"),
    ("secretary_is_director", True, "true"),
    ("meeting.date", datetime.datetime(2021, 3, 5), "2021-03-05"),
    ("meeting.date", "2021/3/5", "2021-3-5"),
    ("meeting.date", 44260, "2021-03-05"),
    ("meeting.topic", 123, "123"),
    ("development_models", "Whole-village development，村村联动", ["whole_village", "village_linkage"]),
    ("development_models", None, []),
])
def test_cells_are_read_as_the_forms_take_them(columns, name, cell, expected):
    assert columns[name].input_value(cell) == expected


def test_a_stored_value_reads_back_unchanged(columns):
    from decimal import Decimal

    assert columns["competition_score"].stored_input(Decimal("85.50")) == columns["competition_score"].input_value(85.5)
    assert columns["meeting.date"].stored_input(datetime.date(2021, 3, 5)) == "2021-03-05"
    assert columns["secretary_is_director"].stored_input(False) == "false"
    assert columns["development_models"].stored_input(["lease_back"]) == ["lease_back"]
