"""The report workbook, built from the stored scorecards and approved entries, re-opened with openpyxl."""

from __future__ import annotations

import datetime
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from organizations.models import MajorMatter
from tests.reports.conftest import read, summary, table
from tests.scoring.conftest import YEAR, make_village_data
from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.reports import selectors
from wuqiang.reports.workbook import build_demonstration_list, build_report
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    NominationStatus,
    TownshipScorecard,
    VillageScorecard,
)

pytestmark = pytest.mark.django_db

RAW_SHEETS = ["Strong organisational function", "Meetings and theme days", "Major matters",
              "Weak-and-lax cases", "Strong talent team", "Village committee members",
              "Sent-down personnel", "Talent pool", "Strong collective economy",
              "Strong governance", "Strong support", "Township facilities"]


def report(path, user, code, language="en"):
    unit = selectors.visible_unit_or_404(user, code)
    with translation.override(language):
        build_report(actor=user, unit=unit, year=YEAR, output=str(path))
    return read(path)


def test_a_county_report_has_summary_league_villages_failing_and_raw_data_sheets(scored, people, workbook_path):
    workbook = report(workbook_path, people["reviewer_x"], "520302")

    assert workbook.sheetnames == ["Summary", "League table of townships", "Villages",
                                   "Failing villages and veto items", "Inspection tickets", "Path to the next grade",
                                   *RAW_SHEETS]


def test_the_city_report_has_league_tables_of_counties_then_townships(scored, people, workbook_path):
    workbook = report(workbook_path, people["municipal"], "520300")

    assert workbook.sheetnames[:3] == ["Summary", "League table of counties", "League table of townships"]
    counties = table(workbook, "League table of counties")
    stored = {c.county.code: c for c in CountyScorecard.objects.filter(year_id=YEAR).select_related("county")}
    assert [row["Division code"] for row in counties] == ["520303", "520302"]  # by rank
    for row in counties:
        card = stored[row["Division code"]]
        assert (row["Rank"], row["Mean total"], row["Villages"]) == (card.rank, float(card.mean_total), card.villages)
        assert row["Not up to standard"] == card.n_fail
    townships = table(workbook, "League table of townships")
    # By county, then rank in the county: township B (one vetoed village) outranks A (whose A3 scored 0).
    assert [(r["County"], r["Division code"], r["Rank in county"]) for r in townships] == [
        ("红花岗区", "520302100", 1), ("红花岗区", "520302001", 2), ("汇川区", "520303100", 1)]


def test_each_village_row_carries_the_stored_scores_indicator_by_indicator(scored, people, workbook_path):
    workbook = report(workbook_path, people["municipal"], "520300")

    rows = {row["Village code"]: row for row in table(workbook, "Villages")}
    assert list(rows) == sorted(rows)  # by division code
    for card in VillageScorecard.objects.filter(year_id=YEAR).select_related("village"):
        row = rows[card.village.code]
        assert row["Total"] == float(card.total)
        assert row["Grade"] == card.get_grade_display()
        assert row["Strong collective economy"] == float(card.economy)
    perfect, poorer, empty = rows["520302001201"], rows["520302001202"], rows["520302001203"]
    assert (perfect["O1 一肩挑"], perfect["O1 points (of 3.00)"]) == ("Yes", 3)
    assert (perfect["Grade"], perfect["Completeness (approved pillars)"]) == ("Five-strong exemplary", 1)
    # A2 earned 30 万元: the value in 万元 and the band's 7 points of 12.
    e1 = next(h for h in poorer if h.startswith("E1 ") and "points" not in h)
    assert (poorer[e1], poorer["E1 points (of 12.00)"]) == (30, 7)
    # A3 approved nothing: no value and no points, completeness 0.
    assert empty["O1 一肩挑"] is None and empty["O1 points (of 3.00)"] is None
    assert (empty["Total"], empty["Completeness (approved pillars)"]) == (0, 0)
    assert rows["520302100201"]["Veto items"] == "Listed as weak and lax, not rectified"


def test_the_report_reads_stored_scorecards_and_never_recomputes_them(scored, people, workbook_path):
    VillageScorecard.objects.filter(year_id=YEAR, village=scored.a1).update(total=Decimal("12.34"))

    rows = {row["Village code"]: row for row in table(report(workbook_path, people["municipal"], "520300"), "Villages")}

    assert rows["520302001201"]["Total"] == 12.34


def test_the_failing_sheet_gives_each_village_its_reasons_veto_items_first(scored, people, workbook_path):
    rows = table(report(workbook_path, people["municipal"], "520300"), "Failing villages and veto items")

    assert [r["Village code"] for r in rows] == ["520302100201", "520302001203"]
    assert rows[0]["Reasons"] == "Veto: Listed as weak and lax, not rectified"
    assert rows[1]["Reasons"] == "Total 0.00 below 60.00；5 of 5 pillars not approved"


def test_the_summary_shows_the_scopes_figures_and_scorecard_from_storage(scored, people, workbook_path):
    card = CountyScorecard.objects.get(year_id=YEAR, county=scored.county_x)

    figures = summary(report(workbook_path, people["reviewer_x"], "520302"))

    assert figures["Administrative villages"] == card.villages == 4
    assert figures["Townships"] == 2
    assert figures["Villages whose secretary is also the director (一肩挑)"] == card.combined
    assert figures["Share of villages with 一肩挑"] == pytest.approx(card.combined / card.villages)
    assert figures["Total operating income"] == float(card.operating_income)
    assert figures["Mean total"] == float(card.mean_total)
    assert figures["Not up to standard"] == card.n_fail == 2
    assert figures["Scope"] == "County · 红花岗区"
    assert isinstance(figures["Scorecards computed at"], datetime.datetime)


def test_the_summary_names_only_the_confirmed_demonstration_villages(scored, people, workbook_path):
    DemonstrationNomination.objects.create(year_id=YEAR, village=scored.a1, status=NominationStatus.CONFIRMED)
    DemonstrationNomination.objects.create(year_id=YEAR, village=scored.c1, status=NominationStatus.PROPOSED)

    sheet = report(workbook_path, people["municipal"], "520300")["Summary"]

    codes = [row[0] for row in sheet.iter_rows(values_only=True) if row and str(row[0]).startswith("5203")]
    assert codes == ["520302001201"]


def test_the_cover_warns_when_an_entry_was_approved_after_the_scorecards(scored, people, workbook_path):
    def warning(workbook):
        return [row[0] for row in workbook["Summary"].iter_rows(values_only=True)
                if row and str(row[0]).startswith("Entries were approved after")]

    assert warning(report(workbook_path, people["municipal"], "520300")) == []

    later = timezone.now() + datetime.timedelta(minutes=5)
    Entry.objects.filter(village=scored.c1, year_id=YEAR, pillar=Pillar.ECONOMY).update(reviewed_at=later)

    assert len(warning(report(workbook_path, people["municipal"], "520300"))) == 1
    # County X's scorecards do not depend on county Y's approvals.
    assert warning(report(workbook_path, people["reviewer_x"], "520302")) == []


def test_raw_data_holds_approved_entries_only(scored, people, workbook_path):
    Entry.objects.filter(village=scored.a2, year_id=YEAR, pillar=Pillar.ORGANIZATIONS).update(
        state=EntryState.SUBMITTED)

    workbook = report(workbook_path, people["municipal"], "520300")

    profiles = [row["Village code"] for row in table(workbook, "Strong organisational function")]
    assert profiles == ["520302001201", "520302100201", "520303100201"]
    meetings = {row["Village code"] for row in table(workbook, "Meetings and theme days")}
    assert meetings == {"520302001201", "520302100201", "520303100201"}
    # Choice labels and yes/no as words; dates as dates.
    first = table(workbook, "Meetings and theme days")[0]
    assert isinstance(first["date"], datetime.datetime)
    assert first["kind"] in {"Party members' meeting", "Branch committee meeting", "Party group meeting",
                             "Party lecture", "Theme party day"}
    assert table(workbook, "Strong organisational function")[0][
        "secretary is also the village committee director"] == "Yes"


def test_people_sheets_carry_only_the_minimal_personal_fields(scored, people, workbook_path):
    workbook = report(workbook_path, people["municipal"], "520300")

    headers = {title: set(next(workbook[title].iter_rows(values_only=True)))
               for title in ("Village committee members", "Sent-down personnel", "Talent pool")}
    person = {"Village code", "name", "gender", "birth year (year, e.g. 1985)", "education"}
    assert headers["Village committee members"] == person | {"post", "monthly pay (yuan per month)",
                                                       "came from the reserve pool"}
    assert headers["Sent-down personnel"] == person | {"kind", "sending unit", "posted from",
                                                              "posted until"}
    assert headers["Talent pool"] == person | {"kind", "source", "now on the village committees"}
    everything = " ".join(h for hs in headers.values() for h in hs).lower()
    assert not re.search(r"phone|id number|identity|身份证|电话", everything)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-1+1", "@SUM(A1)",
                                  "\t=1+1", "\r=1+1"])
def test_a_record_whose_text_starts_like_a_formula_is_exported_as_text(scored, people, workbook_path, text):
    entry = Entry.objects.get(village=scored.a1, year_id=YEAR, pillar=Pillar.ORGANIZATIONS)
    MajorMatter.objects.create(entry=entry, title=text, date=datetime.date(YEAR, 5, 1))

    workbook = report(workbook_path, people["municipal"], "520300")

    sheet = workbook["Major matters"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == text]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix is True
    with zipfile.ZipFile(workbook_path) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets"))


def test_a_unit_name_that_looks_like_a_formula_stays_text(scored, people, workbook_path):
    scored.a1.name = "=1+1村"
    scored.a1.save()

    workbook = report(workbook_path, people["municipal"], "520300")

    cell = next(row[1] for row in workbook["Villages"].iter_rows(min_row=2) if row[0].value == "520302001201")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1村", "s", True)


def test_a_village_report_shows_its_own_scorecard(scored, people, workbook_path):
    workbook = report(workbook_path, people["clerk_a"], "520302001201")

    figures = summary(workbook)
    assert figures["Total"] == 100
    assert figures["Grade"] == "Five-strong exemplary"
    assert [r["Village code"] for r in table(workbook, "Villages")] == ["520302001201"]
    assert "League table of townships" not in workbook.sheetnames


def test_headers_and_sheet_names_are_chinese_by_default(scored, people, workbook_path):
    workbook = report(workbook_path, people["municipal"], "520300", language="zh-hans")

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(title) for title in workbook.sheetnames)
    assert all(cjk.search(str(h)) for h in next(workbook[workbook.sheetnames[3]].iter_rows(values_only=True)) if h)


def test_a_township_has_a_bounded_number_of_queries_whatever_its_size(scored, people, workbook_path,
                                                                     django_assert_max_num_queries):
    for number in range(210, 230):
        village = scored.township_a.villages.create(code=f"520302001{number}", name=f"新村{number}")
        make_village_data(village, previous_income=None)
    from wuqiang.scoring.rollup import rollup_year

    rollup_year(YEAR)
    unit = selectors.visible_unit_or_404(people["clerk_a"], "520302001")

    with django_assert_max_num_queries(40), translation.override("en"):
        build_report(actor=people["clerk_a"], unit=unit, year=YEAR, output=str(workbook_path))
    assert len(table(read(workbook_path), "Villages")) == 23


def test_the_demonstration_list_exports_the_nominations_in_scope(scored, people, workbook_path):
    DemonstrationNomination.objects.create(year_id=YEAR, village=scored.a1, status=NominationStatus.CONFIRMED,
                                           note="=bad")
    DemonstrationNomination.objects.create(year_id=YEAR, village=scored.c1, status=NominationStatus.PROPOSED)
    reviewer = people["reviewer_x"]

    with translation.override("en"):
        build_demonstration_list(actor=reviewer, unit=selectors.visible_unit_or_404(reviewer, "520302"),
                                 year=YEAR, output=str(workbook_path))

    rows = table(read(workbook_path), "Demonstration villages 2021")
    assert [(r["Village code"], r["Status"], r["Total"], r["Note"]) for r in rows] == [
        ("520302001201", "Confirmed", 100, "=bad")]


def test_township_scorecards_feed_the_township_league_of_a_county_report(scored, people, workbook_path):
    rows = table(report(workbook_path, people["reviewer_x"], "520302"), "League table of townships")

    stored = {t.township.code: t for t in TownshipScorecard.objects.filter(year_id=YEAR, county=scored.county_x)
              .select_related("township")}
    assert [r["Division code"] for r in rows] == sorted(stored, key=lambda code: stored[code].rank)
    for row in rows:
        card = stored[row["Division code"]]
        assert (row["Rank in county"], row["Mean total"]) == (card.rank, float(card.mean_total))
        assert row["Five-strong exemplary"] == card.n_exemplary


def test_the_path_sheet_lists_each_villages_next_grade_and_steps_from_storage(scored, people, workbook_path):
    """Issue 18: the stored path to the next grade, vetoes first, in the village's own terms."""
    rows = {r["Village code"]: r for r in table(report(workbook_path, people["reviewer_x"], "520302"),
                                                "Path to the next grade")}

    assert sorted(rows) == ["520302001202", "520302001203", "520302100201"]  # A1 is already exemplary
    assert rows["520302100201"]["What would earn the points"].startswith("clear: Listed as weak and lax")
    a2 = rows["520302001202"]
    assert a2["Next grade"] == "Five-strong exemplary" and a2["Points to the next grade"] == 0
    assert a2["What would earn the points"].startswith("E1 经营性收入 30.00 → 50.00 10,000 yuan +3.00")
