"""``benchmark_rollup`` builds its synthetic city (set-based SQL on PostgreSQL), times the
roll-up against the reference query over interleaved rounds, and removes what it built."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection

from organizations.models import Meeting
from tests.factories import ReviewerFactory
from wuqiang.entries.models import Entry
from wuqiang.regions.models import County, Municipality, Township, Village
from wuqiang.scoring.management.commands._reference_sql import run_reference
from wuqiang.scoring.models import VillageScorecard

pytestmark = pytest.mark.django_db(transaction=True)


def run(**options) -> str:
    out = io.StringIO()
    call_command("benchmark_rollup", stdout=out, **options)
    return out.getvalue()


def test_it_prints_each_round_with_the_ratio_and_removes_the_city():
    output = run(villages=40, rounds=2)

    rounds = re.findall(r"round \d: roll-up ([\d.]+) s \((\d+) roll-up statements.*reference ([\d.]+) s "
                        r"\((\d+) villages.*ratio ([\d.]+|inf)", output)
    assert len(rounds) == 2, output
    assert all(int(statements) > 0 and villages == "40" for _s, statements, _r, villages, _ratio in rounds)
    assert "median ratio to the reference" in output
    assert not Municipality.objects.filter(code="990000").exists()
    assert not Village.objects.exists() and not Entry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based build is PostgreSQL's")
def test_the_set_based_city_has_the_shape_of_the_orm_one():
    from wuqiang.scoring.management.commands import _synthetic_sql

    output = run(villages=1520, rounds=1, keep=True)
    try:
        assert "set-based SQL" in output
        city = Municipality.objects.get(code="990000")
        assert County.objects.filter(municipality=city).count() == 2
        assert Township.objects.filter(county__municipality=city).count() == 102
        villages = Village.objects.filter(county__municipality=city)
        assert villages.count() == 1520
        assert villages.values("code").distinct().count() == 1520
        assert all(v.code.startswith(v.township.code) for v in villages.select_related("township")[:50])
        # five pillars this year, economy last year, one township sheet per township
        assert Entry.objects.filter(year_id=2090, village__isnull=False).count() == 5 * 1520
        assert Entry.objects.filter(year_id=2089).count() == 1520
        assert Entry.objects.filter(year_id=2090, village__isnull=True).count() == 102
        assert 6 * 1520 <= Meeting.objects.filter(entry__year_id=2090).count() <= 14 * 1520
        # two sent-down cadres per village, two of first secretary, team member ×2, tech commissioner
        with connection.cursor() as cursor:
            cursor.execute("SELECT string_agg(kind, ',' ORDER BY kind), count(*) FROM talent_sentdown "
                           "GROUP BY entry_id")
            pairs = {kinds for kinds, n in cursor.fetchall() if n == 2}
            cursor.execute("SELECT count(DISTINCT entry_id), count(*) FROM talent_sentdown")
            assert cursor.fetchone() == (1520, 2 * 1520)
        assert pairs <= {"first_secretary,team_member", "first_secretary,tech_commissioner",
                         "team_member,team_member", "team_member,tech_commissioner"}
        assert len(pairs) == 4
        assert VillageScorecard.objects.filter(year_id=2090).count() == 1520
        with connection.cursor() as cursor:
            assert run_reference(cursor, 2090, city.pk) == 1520
        assert _synthetic_sql.VILLAGES_PER_TOWNSHIP == 15
    finally:
        run(villages=1, rounds=0)  # removes the kept city, then its own


BACKEND = re.compile(r"peak Python [\d.]+ MiB, peak backend (\d+ MiB|n/a) \((\d+ MiB|n/a) before, work_mem (\S+)\)")


def test_each_round_prints_the_backends_peak_memory_and_work_mem(settings):
    settings.ROLLUP_WORK_MEM = "40MB"
    output = run(villages=30, rounds=2)

    figures = BACKEND.findall(output)
    assert len(figures) == 2, output
    if connection.vendor != "postgresql":
        assert figures == [("n/a", "n/a", "n/a")] * 2
        return
    from wuqiang.scoring.management.commands.benchmark_rollup import _backend_peak

    readable = _backend_peak() is not None  # the database on this machine, /proc readable
    for peak, before, work_mem in figures:
        assert work_mem == "40MB", work_mem
        if readable:
            assert peak.endswith("MiB") and before.endswith("MiB")
            assert int(peak.split()[0]) >= int(before.split()[0])
        else:
            assert (peak, before) == ("n/a", "n/a")


def test_build_only_prints_the_build_and_removes_the_city():
    output = run(villages=20, build_only=True)

    assert re.search(r"Built 20 villages with data in [\d.]+ s", output), output
    assert "round" not in output
    assert not Municipality.objects.filter(code="990000").exists()


def _schema(tables: list[str]) -> tuple[set, set]:
    """The indexes (name, definition) and constraints (table, name, definition, validated,
    deferrable, deferred) of ``tables``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = set(cursor.fetchall())
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated, "
                       "condeferrable, condeferred FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                       [tables])
        constraints = set(cursor.fetchall())
    return indexes, constraints


def _filled_tables() -> list[str]:
    from wuqiang.scoring.management.commands.benchmark_rollup import PROFILES, RECORDS

    return [m._meta.db_table for m in (County, Township, Village, Entry, *RECORDS, *PROFILES)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load is PostgreSQL's")
def test_the_bulk_load_leaves_the_same_indexes_and_keys_as_before():
    tables = _filled_tables()
    indexes, constraints = _schema(tables)
    assert any(name == "entry_unique_per_village" for name, _ in indexes)
    assert any(definition.startswith("FOREIGN KEY") for _t, _n, definition, *_ in constraints)

    output = run(villages=300, build_only=True, keep=True)
    try:
        assert "Built 300 villages" in output
        assert Village.objects.filter(county__municipality__code="990000").count() == 300
        assert _schema(tables) == (indexes, constraints)
        with connection.cursor() as cursor:  # every key validated, none left NOT VALID
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE NOT convalidated")
            assert cursor.fetchone()[0] == 0
    finally:
        run(villages=1, rounds=0)
    assert _schema(tables) == (indexes, constraints)


def _foreign_keys() -> set[tuple]:
    """Every foreign key of the database: (table, name, definition, validated, deferrable, deferred)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated, "
                       "condeferrable, condeferred FROM pg_constraint WHERE contype = 'f'")
        return set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk removal is PostgreSQL's")
def test_removing_the_city_recreates_every_foreign_key_that_points_at_it():
    keys = _foreign_keys()
    assert any(definition.startswith("FOREIGN KEY (county_id) REFERENCES regions_county")
               for table, _n, definition, *_ in keys if table == "accounts_user")
    run(villages=30, build_only=True, keep=True)
    assert Entry.objects.filter(county__municipality__code="990000").exists()

    run(villages=1, rounds=0)  # removes the kept city first, then builds and removes one village

    assert not Municipality.objects.filter(code="990000").exists()
    assert not Entry.objects.filter(year_id=2090).exists()
    assert _foreign_keys() == keys  # the same keys, each validated and deferred as before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk removal is PostgreSQL's")
def test_a_reference_from_outside_the_city_stops_its_removal_and_keeps_it_whole():
    run(villages=15, build_only=True, keep=True)
    county = County.objects.get(municipality__code="990000")
    reviewer = ReviewerFactory(username="r_outside", county=county)  # someone else's account points at it
    keys = _foreign_keys()

    with pytest.raises(IntegrityError, match="regions_county"):
        run(villages=1, rounds=0)

    assert Village.objects.filter(county=county).count() == 15
    assert Entry.objects.filter(county=county).exists()
    assert _foreign_keys() == keys
    reviewer.delete()
    run(villages=1, rounds=0)
    assert not Municipality.objects.filter(code="990000").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load is PostgreSQL's")
def test_a_failed_build_rolls_the_dropped_indexes_back(monkeypatch):
    from wuqiang.scoring.management.commands import _synthetic_sql

    tables = _filled_tables()
    schema = _schema(tables)
    real = _synthetic_sql.insert_select

    def failing(cursor, model, *args, **kwargs):
        if model is Meeting:
            raise RuntimeError("disk full")
        return real(cursor, model, *args, **kwargs)

    monkeypatch.setattr(_synthetic_sql, "insert_select", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run(villages=50, build_only=True)

    assert _schema(tables) == schema
    assert not Municipality.objects.filter(code="990000").exists()


def test_reuse_times_the_kept_city_and_vacuums_between_rounds_where_autovacuum_is_off():
    run(villages=30, rounds=1, keep=True)
    try:
        output = run(rounds=2, reuse=True)
    finally:
        run(villages=1, build_only=True)  # removes the kept city (and the one it builds)

    assert "Reusing the synthetic city of 30 villages." in output
    assert len(re.findall(r"round \d: roll-up", output)) == 2
    autovacuum_off = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            autovacuum_off = cursor.fetchone()[0] == "off"
    assert ("vacuumed the result tables between rounds" in output) is autovacuum_off


def test_reuse_without_a_kept_city_says_what_to_do():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--keep"):
        run(reuse=True)
