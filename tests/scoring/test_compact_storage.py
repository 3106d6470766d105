"""Indicator scores are stored one row per village (JSON in migration scoring/0010, arrays named
by a layout since 0012) and read one row per indicator through a database view; path steps are
not stored at all but read through a view joining the stored scores to the year's path rules
(0011). The migrations carry existing rows over exactly, both ways, and the views read back
what the roll-up wrote."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wuqiang.entries.models import Pillar
from wuqiang.scoring.models import (
    IndicatorLayout,
    PathRule,
    VillageIndicators,
    VillageIndicatorScore,
    VillagePathStep,
)
from wuqiang.scoring.rollup import rollup_year

BEFORE = [("scoring", "0009_failing_list_indexes")]
# Floats that 15 significant digits would not give back (SQLite's JSON prints REAL so).
AWKWARD = (412 / 980, 0.1 + 0.2, 2 / 3)
SCORE_COLUMNS = "year_id, village_id, code, pillar, value, denominator, points, basis, reference"
STEP_COLUMNS = "year_id, village_id, kind, code, pillar, value, denominator, target, points, gain, available, basis, " \
               "reference"


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(tuple(Decimal(str(v)).quantize(Decimal("0.01")) if isinstance(v, Decimal) else v for v in row)
                      for row in cursor.fetchall())


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_indicator_scores_over_exactly_both_ways(world, year):
    village, other = world.village_a, world.village_b
    latest = [("scoring", MigrationExecutor(connection).loader.graph.leaf_nodes("scoring")[0][1])]
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for n, (v, value) in enumerate([(village, AWKWARD[0]), (village, None), (other, AWKWARD[1])]):
                cursor.execute(
                    f"INSERT INTO scoring_villageindicatorscore ({SCORE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                    f"%s, %s)",
                    [year.year, v.pk, f"O{n + 1}", "organizations" if n < 2 else "support", value,
                     AWKWARD[2] if n == 0 else None, Decimal("2.50"), "s1_city" if n == 2 else "",
                     Decimal("1234.56") if n == 2 else None])
        scores = _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore")

        _migrate(latest)
        assert _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore") == scores
        assert VillageIndicators.objects.count() == 2  # one row per village
        assert VillageIndicatorScore.objects.get(village=village, code="O1").value == AWKWARD[0]
        assert VillageIndicatorScore.objects.get(village=village, code="O1").denominator == AWKWARD[2]

        _migrate(BEFORE)
        assert _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore") == scores
    finally:
        _migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_the_steps_view_gives_the_steps_the_table_held_both_ways(township_world):
    rollup_year(2021)
    steps = _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep")
    assert len(steps) > 10 and {s[2] for s in steps} == {"indicator", "veto", "pillar"}
    latest = [("scoring", MigrationExecutor(connection).loader.graph.leaf_nodes("scoring")[0][1])]
    try:
        _migrate([("scoring", "0010_compact_indicator_scores")])  # a table of steps again
        assert _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep") == steps
        _migrate(latest)  # the rules are written from the scheme; the view reads them
        assert PathRule.objects.exists()
        assert _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep") == steps
    finally:
        _migrate(latest)


def test_the_roll_up_writes_one_row_per_village_and_the_view_reads_every_indicator(township_world):
    from wuqiang.scoring.services import scheme_for

    rollup_year(2021)
    place = township_world
    stored = VillageIndicators.objects.get(year_id=2021, village=place.a1)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=2021)
    expected = {(i.pillar, i.code) for i in scheme.indicators.all()}
    assert set(zip(stored.layout.pillars, stored.layout.codes, strict=True)) == expected
    assert len(stored.value_array) == len(stored.points_array) == len(stored.layout.codes) == len(expected)
    assert set(VillageIndicatorScore.objects.filter(year_id=2021, village=place.a1)
               .values_list("pillar", "code")) == expected
    # Every village with an approved pillar has exactly one row; the view has one per indicator.
    assert VillageIndicators.objects.filter(year_id=2021).count() == 4
    assert VillageIndicatorScore.objects.filter(year_id=2021).count() == 4 * len(expected)


def test_a_village_without_approved_pillars_has_no_scores_and_its_steps_are_the_pillars(township_world):
    place = township_world  # A3 has no data; A1 is perfect
    rollup_year(2021)
    assert not VillageIndicators.objects.filter(year_id=2021, village=place.a3).exists()
    assert not VillageIndicatorScore.objects.filter(year_id=2021, village=place.a3).exists()
    steps = VillagePathStep.objects.filter(year_id=2021, village=place.a3)
    assert sorted(steps.values_list("kind", "code")) == sorted(("pillar", p) for p in Pillar.values)
    assert not VillagePathStep.objects.filter(year_id=2021, village=place.a1).exists()


def test_the_roll_up_writes_path_rules_per_municipality_not_steps_per_village(township_world):
    from wuqiang.scoring.services import scheme_for

    rollup_year(2021)
    scheme = scheme_for(municipality_id=township_world.municipality.pk, year=2021)
    rules = PathRule.objects.filter(year_id=2021, municipality=township_world.municipality)
    bands = sum(len(i.params.get("bands", [])) for i in scheme.indicators.all() if i.rule == "bands")
    others = scheme.indicators.exclude(rule="bands").count()
    assert rules.filter(kind="indicator").count() == bands + others
    assert rules.filter(kind="pillar").count() == 5
    rollup_year(2021)  # idempotent
    assert PathRule.objects.filter(year_id=2021).count() == bands + others + 5


def test_the_views_cannot_be_written(township_world):
    from django.db import DatabaseError, transaction

    rollup_year(2021)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM scoring_villageindicatorscore")


@pytest.mark.django_db(transaction=True)
def test_the_arrays_migration_carries_a_real_roll_ups_scores_over_exactly_both_ways(township_world):
    """0011 (JSON) → 0012 (arrays) → 0011, with the roll-up's own rows and awkward floats."""
    rollup_year(2021)
    latest = [("scoring", MigrationExecutor(connection).loader.graph.leaf_nodes("scoring")[0][1])]
    with connection.cursor() as cursor:  # awkward floats where the roll-up wrote plain ones
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE scoring_villageindicators SET value_array[1] = %s, denominator_array[2] = %s",
                           [AWKWARD[0], AWKWARD[2]])
        else:
            cursor.execute("UPDATE scoring_villageindicators SET value_array = json_set(value_array, '$[0]', %s), "
                           "denominator_array = json_set(denominator_array, '$[1]', %s)",
                           [format(AWKWARD[0], ".17g"), format(AWKWARD[2], ".17g")])
    scores = _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore")
    steps = _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep")
    assert AWKWARD[0] in {row[4] for row in scores} and AWKWARD[2] in {row[5] for row in scores}
    try:
        _migrate([("scoring", "0011_path_steps_view")])
        assert _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore") == scores
        assert _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep") == steps

        _migrate(latest)
        assert _rows(f"SELECT {SCORE_COLUMNS} FROM scoring_villageindicatorscore") == scores
        assert _rows(f"SELECT {STEP_COLUMNS} FROM scoring_villagepathstep") == steps
        assert IndicatorLayout.objects.count() == 1  # every village was scored with one scheme
    finally:
        _migrate(latest)


def test_a_scheme_edited_later_gets_a_layout_of_its_own_and_older_rows_read_as_written(township_world):
    from wuqiang.scoring.services import scheme_for

    place = township_world
    rollup_year(2021)
    before = {code: points for code, points in VillageIndicatorScore.objects.filter(
        year_id=2021, village=place.c1).values_list("code", "points")}
    scheme = scheme_for(municipality_id=place.municipality.pk, year=2021)
    scheme.indicators.filter(code="O1").delete()  # a scheme without O1: its positions move

    rollup_year(2021, county_code="520302")  # county Y keeps the rows written with O1

    assert IndicatorLayout.objects.count() == 2
    assert {code: points for code, points in VillageIndicatorScore.objects.filter(
        year_id=2021, village=place.c1).values_list("code", "points")} == before
    assert not VillageIndicatorScore.objects.filter(year_id=2021, village=place.a1, code="O1").exists()
    assert VillageIndicatorScore.objects.filter(year_id=2021, village=place.a1).count() == len(before) - 1

    rollup_year(2021, county_code="520302")  # the same scheme again: its layout is reused
    assert IndicatorLayout.objects.count() == 2
