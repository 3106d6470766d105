"""The roll-up: hand-computed scorecards at every level, grades, ranks, change against last
year, one-county reruns, idempotence and atomicity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from tests.factories import set_year_state
from tests.scoring.conftest import YEAR, get_year, make_village_data, rows
from wuqiang.entries.models import Entry, EntryState
from wuqiang.regions.models import YearState
from wuqiang.scoring import rollup
from wuqiang.scoring.models import (
    CountyScorecard,
    Grade,
    MunicipalScorecard,
    TownshipScorecard,
    VillageIndicators,
    VillageIndicatorScore,
    VillageScorecard,
    VillageVeto,
)
from wuqiang.scoring.rollup import RollupRefused, rollup_year
from wuqiang.scoring.services import scheme_for

pytestmark = pytest.mark.django_db

D = Decimal


def test_village_points_match_the_hand_computation(township_world):
    rollup_year(YEAR)
    cards = {c.village_id: c for c in VillageScorecard.objects.filter(year_id=YEAR)}
    w = township_world

    a2 = cards[w.a2.pk]
    assert [a2.organizations, a2.talent, a2.economy, a2.governance, a2.support, a2.total] == [
        D(19), D(19), D(13), D(19), D(20), D(90)]
    assert a2.grade == Grade.PASS  # 90 points, but economy 13 < 16
    assert (cards[w.a1.pk].total, cards[w.a1.pk].grade) == (D(100), Grade.EXEMPLARY)
    assert (cards[w.a3.pk].total, cards[w.a3.pk].grade, cards[w.a3.pk].approved_pillars) == (D(0), Grade.FAIL, 0)
    assert (cards[w.b1.pk].total, cards[w.b1.pk].grade, cards[w.b1.pk].veto_codes) == (
        D(100), Grade.FAIL, ["weak_unrectified"])
    assert (cards[w.c1.pk].total, cards[w.c1.pk].economy, cards[w.c1.pk].grade) == (D(98), D(18), Grade.EXEMPLARY)
    assert [cards[v.pk].rank for v in (w.a1, w.a2, w.a3, w.b1, w.c1)] == [1, 2, 3, 1, 1]


def test_township_means_ranks_and_grade_counts_match_the_hand_computation(township_world):
    rollup_year(YEAR)
    a = TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_a)
    b = TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_b)

    assert a.villages == 3
    # (100 + 90 + 0) / 3; pillars (20 + 19 + 0) / 3 = 13, economy (20 + 13) / 3 = 11, support 40 / 3.
    assert [a.mean_total, a.mean_organizations, a.mean_talent, a.mean_economy, a.mean_governance,
            a.mean_support] == [D("63.33"), D("13.00"), D("13.00"), D("11.00"), D("13.00"), D("13.33")]
    assert [a.n_exemplary, a.n_pass, a.n_basic, a.n_fail] == [1, 1, 0, 1]
    assert a.mean_completeness == D("66.67")  # (5 + 5 + 0) / 3 pillars of 5
    assert (a.veto_villages, b.veto_villages) == (0, 1)
    assert (b.rank, a.rank) == (1, 2)  # B's mean 100 beats A's 63.33 inside county X
    assert TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_c).rank == 1


def test_county_and_municipal_scorecards_match_the_hand_computation(township_world):
    rollup_year(YEAR)
    x = CountyScorecard.objects.get(year_id=YEAR, county=township_world.county_x)
    y = CountyScorecard.objects.get(year_id=YEAR, county=township_world.county_y)
    city = MunicipalScorecard.objects.get(year_id=YEAR)

    assert (x.villages, x.mean_total, x.rank) == (4, D("72.50"), 2)  # (100 + 90 + 0 + 100) / 4
    assert (y.villages, y.mean_total, y.rank) == (1, D("98.00"), 1)
    # A city has no siblings scored by its scheme: it is not ranked.
    assert (city.villages, city.mean_total, city.rank) == (5, D("77.60"), None)
    assert [city.n_exemplary, city.n_pass, city.n_basic, city.n_fail] == [2, 1, 0, 2]
    assert city.veto_villages == 1
    # Figures: four villages reported, each a 一肩挑 with 1 first secretary + team members.
    assert (city.combined, city.combined_share) == (4, D("80.00"))
    assert city.operating_income == D("330.00")  # 120 + 30 + 120 + 60
    assert city.mean_pay_combined == D("5000.00")


def test_change_against_last_year_is_filled_whichever_year_is_computed_first(township_world):
    # Last year only economy entries exist (the income the growth indicator compares with).
    rollup_year(YEAR)
    assert TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_a).total_change is None

    rollup_year(YEAR - 1)

    a_last = TownshipScorecard.objects.get(year_id=YEAR - 1, township=township_world.township_a)
    assert a_last.mean_total == D("6.33")  # E1 only: (12 + 7 + 0) / 3
    a = TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_a)
    assert a.total_change == D("57.00")
    assert VillageScorecard.objects.get(year_id=YEAR, village=township_world.a1).total_change == D(88)

    rollup_year(YEAR)  # and computed the other way round

    assert TownshipScorecard.objects.get(year_id=YEAR, township=township_world.township_a).total_change == D("57.00")


@pytest.mark.parametrize(("total", "economy", "expected"), [
    (D("90.00"), D(16), Grade.EXEMPLARY),
    (D("89.99"), D(16), Grade.PASS),
    (D("95.00"), D("15.90"), Grade.PASS),
    (D("75.00"), D(10), Grade.PASS),
    (D("74.99"), D(10), Grade.BASIC),
    (D("60.00"), D(10), Grade.BASIC),
    (D("59.99"), D(10), Grade.FAIL),
])
def test_grade_boundaries(place, total, economy, expected):
    from django.utils import timezone

    get_year(YEAR)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)
    others = (total - economy) / 4
    card = VillageScorecard.objects.create(
        year_id=YEAR, village=place.a1, township=place.township_a, county=place.county_x,
        municipality=place.municipality, organizations=others, talent=others, governance=others, support=others,
        economy=economy, total=total, computed_at=timezone.now(),
    )

    rollup._Runner(YEAR, place.municipality, None, None, scheme).grade_villages(scheme)

    card.refresh_from_db()
    assert card.grade == expected


def test_rerunning_gives_identical_rows(township_world):
    rollup_year(YEAR)
    before = {m: rows(m) for m in (VillageIndicatorScore, VillageVeto, VillageScorecard, TownshipScorecard,
                                   CountyScorecard, MunicipalScorecard)}

    rollup_year(YEAR)

    after = {m: rows(m) for m in before}
    assert after == before
    assert len(after[VillageIndicatorScore]) == 4 * 34


def test_a_village_with_no_approved_pillar_any_more_loses_its_scores_and_keeps_a_scorecard(township_world):
    a1, a2 = township_world.a1, township_world.a2
    rollup_year(YEAR)
    Entry.objects.filter(village=a1, year_id=YEAR).update(state=EntryState.RETURNED)

    rollup_year(YEAR)

    assert not VillageIndicators.objects.filter(year_id=YEAR, village=a1).exists()
    assert not VillageIndicatorScore.objects.filter(year_id=YEAR, village=a1).exists()
    card = VillageScorecard.objects.get(year_id=YEAR, village=a1)
    assert (card.total, card.approved_pillars, card.grade) == (D("0.00"), 0, Grade.FAIL)
    assert VillageIndicatorScore.objects.filter(year_id=YEAR, village=a2).count() == 34


def test_villages_moved_to_another_county_leave_the_old_ones_results_and_join_the_new(township_world):
    place = township_world
    rollup_year(YEAR)

    def move(village) -> None:
        village.township, village.county = place.township_c, place.county_y
        village.save()
        Entry.objects.filter(village=village).update(township=place.township_c, county=place.county_y)

    move(place.a1)
    rollup_year(YEAR, county_code=place.county_x.code)  # A1's rows of county X go
    assert not VillageScorecard.objects.filter(year_id=YEAR, village=place.a1).exists()
    move(place.a2)  # its rows still say county X when county Y's run writes its new ones
    rollup_year(YEAR, county_code=place.county_y.code)

    cards = VillageScorecard.objects.filter(year_id=YEAR, village__in=[place.a1, place.a2])
    # Ranked in township C: A1 (100) first, C1 (98) second, A2 (90) third.
    assert sorted(cards.values_list("county_id", "township_id", "rank")) == [
        (place.county_y.pk, place.township_c.pk, 1), (place.county_y.pk, place.township_c.pk, 3)]
    township = TownshipScorecard.objects.get(year_id=YEAR, township=place.township_c)
    assert township.villages == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is a PostgreSQL setting")
def test_the_roll_up_runs_with_its_own_work_mem(township_world, settings):
    settings.ROLLUP_WORK_MEM = "48MB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        (outside,) = cursor.fetchone()

    rollup_year(YEAR)

    # SET LOCAL lasts until the test's enclosing transaction ends, so the value is still there.
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone() == ("48MB",)
    assert outside != "48MB"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_the_roll_up_refreshes_the_statistics_of_what_it_rewrote_but_not_of_the_arrays(township_world):
    def analysed(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [table])
            return {name for (name,) in cursor.fetchall()}

    rollup_year(YEAR)

    # The statements after the insert (townships, paths, upper levels) plan with these; a
    # planner that took the year's rows for a dozen read 490,000 of them one by one (45 s).
    assert {"year_id", "county_id", "municipality_id", "grade"} <= analysed("scoring_villagescorecard")
    assert "income_above_50" not in analysed("scoring_villagescorecard")
    assert analysed("scoring_villageindicators") == {"year_id", "village_id", "layout_id"}


def test_a_failure_midway_leaves_the_previous_results(township_world, monkeypatch):
    rollup_year(YEAR)
    before = rows(VillageScorecard), rows(TownshipScorecard), rows(VillageIndicatorScore)
    make_village_data(township_world.a3)  # would change A3 and township A

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollup._Runner, "insert_villages", explode)
    with pytest.raises(RuntimeError):
        rollup_year(YEAR)

    assert (rows(VillageScorecard), rows(TownshipScorecard), rows(VillageIndicatorScore)) == before


def test_a_county_rerun_leaves_other_counties_and_updates_everything_above(township_world):
    rollup_year(YEAR)
    x_villages = rows(VillageScorecard)
    make_village_data(township_world.c1.township.villages.create(code="520303100202", name="新村"))

    rollup_year(YEAR, county_code="520303")

    y = CountyScorecard.objects.get(year_id=YEAR, county=township_world.county_y)
    assert (y.villages, y.mean_total) == (2, D("99.00"))  # 98 and the new village's 100
    assert [r for r in rows(VillageScorecard) if r["county"] == township_world.county_x.pk] == [
        r for r in x_villages if r["county"] == township_world.county_x.pk]
    assert MunicipalScorecard.objects.get(year_id=YEAR).villages == 6


def test_a_published_year_is_frozen_once_scored(township_world):
    rollup_year(YEAR)
    set_year_state(YEAR, YearState.PUBLISHED)

    # The refusal is shown on the run's page, in the portal's language.
    with translation.override("en"), pytest.raises(RollupRefused, match="is published; its scores are frozen"):
        rollup_year(YEAR)
    with translation.override("zh-hans"), pytest.raises(RollupRefused, match="考核结果已发布，得分已锁定"):
        rollup_year(YEAR)
    rollup_year(YEAR, force=True)


def test_the_command_prints_timing(township_world, capsys):
    call_command("rollup", year=YEAR)

    out = capsys.readouterr().out
    assert "Rolled up 2021 (all counties): 5 villages" in out
    assert MunicipalScorecard.objects.filter(year_id=YEAR).count() == 1


def test_the_statement_count_does_not_grow_with_villages(township_world, django_assert_max_num_queries):
    # 70 before issue 18; the path-to-next-grade step adds seven queries and the stored sheet
    # counts (entries/tallies.py) four, whatever the villages and counties.
    with django_assert_max_num_queries(81):
        rollup_year(YEAR)
