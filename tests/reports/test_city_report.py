"""The city's 2021 workbook on the seeded demo (SPEC §7), re-opened with openpyxl: every sheet,
every SPEC figure on the summary, 1,728 village rows equal to the stored scorecards, and league
tables equal to the stored county and township rows.

Seeding takes a while, so the city is built once for the module inside a transaction rolled
back afterwards (as in tests/core/test_demo_figures.py), and the workbook is written once.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from openpyxl import load_workbook

from tests.reports.conftest import table
from wuqiang.accounts.models import User
from wuqiang.entries.models import EntryState
from wuqiang.entries.registry import village_sheets
from wuqiang.reports import selectors
from wuqiang.reports.workbook import build_report
from wuqiang.scoring.models import CountyScorecard, MunicipalScorecard, TownshipScorecard, VillageScorecard

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = 2021


@pytest.fixture(scope="module")
def city_workbook(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple]:
    path = tmp_path_factory.mktemp("city") / "city-2021.xlsx"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        staff = User.objects.get(username="admin")  # the demo's municipal staff
        with translation.override("en"):
            build_report(actor=staff, unit=selectors.visible_unit_or_404(staff, "520300"), year=YEAR,
                         output=str(path))
        yield load_workbook(path, read_only=True), path
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def workbook(city_workbook):
    return city_workbook[0]


def test_every_sheet_is_there(workbook):
    assert workbook.sheetnames == [
        "Summary", "League table of counties", "League table of townships", "Villages",
        "Failing villages and veto items", "Inspection tickets", "Path to the next grade",
        "Strong organisational function", "Meetings and theme days", "Major matters", "Weak-and-lax cases",
        "Strong talent team", "Village committee members", "Sent-down personnel", "Talent pool",
        "Strong collective economy", "Strong governance", "Strong support", "Township facilities",
    ]


def test_the_summary_shows_every_spec_figure(workbook):
    figures = {}
    for row in workbook["Summary"].iter_rows(values_only=True):
        if row and isinstance(row[0], str) and len(row) > 1:
            figures.setdefault(row[0], row[1])

    assert figures["Administrative villages"] == 1728
    assert figures["Townships"] == 200
    assert figures["Villages whose secretary is also the director (一肩挑)"] == 1706
    assert round(figures["Share of villages with 一肩挑"] * 100, 2) == 98.73
    assert figures["Secretaries in the competition"] == 1728
    assert figures["First secretaries and work-team members in post"] == 2966
    assert figures["Leading-talent trainees"] == 563
    assert figures["Reserve trainees"] == 13_749
    assert figures["Trainees now on the village committees"] == 5_116
    assert figures["Rural revitalisation instructors in post"] == 269
    assert figures["Science and technology commissioners in post"] == 334
    assert figures["Collective-economy demonstration bases"] == 20
    assert figures["Villages with operating income above 500,000 yuan"] == 265
    assert figures["Villages with operating income below 100,000 yuan"] == 0
    assert figures["Total operating income"] == 68_000
    assert round(figures["Mean monthly pay of secretary-directors (一肩挑)"]) == 4804
    assert round(figures["Mean monthly pay of secretaries and directors (村正职)"]) == 4262
    assert round(figures["Mean monthly pay of deputies and members (村副职)"]) == 3695
    city = MunicipalScorecard.objects.get(year_id=YEAR, municipality__code="520300")
    assert figures["Mean total"] == float(city.mean_total)
    assert figures["Five-strong exemplary"] == city.n_exemplary


def test_the_village_sheet_has_1728_rows_with_the_stored_totals_and_grades(workbook):
    rows = table(workbook, "Villages")
    stored = {code: (total, grade) for code, total, grade in VillageScorecard.objects.filter(year_id=YEAR)
              .values_list("village__code", "total", "grade")}
    labels = {"exemplary": "Five-strong exemplary", "pass": "Up to standard",
              "basic": "Basically up to standard", "fail": "Not up to standard"}

    assert len(rows) == 1728
    assert {r["Village code"]: (Decimal(str(r["Total"])), r["Grade"]) for r in rows} == {
        code: (total, labels[grade]) for code, (total, grade) in stored.items()}


def test_the_league_tables_match_the_stored_county_and_township_rows(workbook):
    def as_rows(sheet: str, code: str, rank: str) -> dict:
        return {r[code]: (r[rank], Decimal(str(r["Mean total"])), r["Villages"], r["Not up to standard"])
                for r in table(workbook, sheet)}

    counties = {c.county.code: (c.rank, c.mean_total, c.villages, c.n_fail)
                for c in CountyScorecard.objects.filter(year_id=YEAR).select_related("county")}
    townships = {t.township.code: (t.rank, t.mean_total, t.villages, t.n_fail)
                 for t in TownshipScorecard.objects.filter(year_id=YEAR).select_related("township")}

    assert as_rows("League table of counties", "Division code", "Rank") == counties
    assert len(counties) == 14
    assert as_rows("League table of townships", "Division code", "Rank in county") == townships
    assert len(townships) == 200


def test_a_pillar_sheet_holds_one_row_per_approved_village(workbook):
    economy = next(s for s in village_sheets() if s.pillar == "economy")
    approved = economy.profile_model.objects.filter(entry__year_id=YEAR, entry__state=EntryState.APPROVED).count()

    assert len(table(workbook, "Strong collective economy")) == approved > 1500


def test_the_city_workbook_is_a_few_megabytes(city_workbook):
    assert Path(city_workbook[1]).stat().st_size < 20 * 2**20
