"""A municipality's roll-up fanned out over several workers (issue 17): one Celery task per
county writes its villages and townships, then one task the counties and the municipality
(a chord). Its results are the one-process roll-up's, row for row."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.factories import set_year_state
from tests.scoring.conftest import YEAR, make_village_data, rows, wait_for_run
from wuqiang.regions.models import YearState
from wuqiang.scoring import rollup, tasks
from wuqiang.scoring.models import (
    CountyScorecard,
    MunicipalScorecard,
    PathRule,
    RollupRun,
    RunState,
    TownshipScorecard,
    VillageIndicatorScore,
    VillagePath,
    VillagePathStep,
    VillageScorecard,
    VillageVeto,
)

pytestmark = pytest.mark.django_db

STORED = (VillageIndicatorScore, VillageVeto, VillageScorecard, TownshipScorecard, CountyScorecard,
          MunicipalScorecard, VillagePath, VillagePathStep, PathRule)


def stored() -> dict:
    return {model: rows(model) for model in STORED}


def clear() -> None:
    for model in (VillageScorecard, TownshipScorecard, CountyScorecard, MunicipalScorecard, VillagePath, PathRule):
        model.objects.all().delete()
    rollup.VillageIndicators.objects.all().delete()
    VillageVeto.objects.all().delete()


@pytest.fixture
def fan_out(settings, eager_celery):
    settings.ROLLUP_FAN_OUT = 4  # more parts than the place has counties: one part per county


@pytest.fixture
def parts(monkeypatch) -> list[list[str]]:
    """The county groups whose part ran, in order."""
    ran: list[list[str]] = []
    real = tasks.rollup_county_part

    def spy(year, *, county_codes, **kwargs):
        ran.append(county_codes)
        return real(year, county_codes=county_codes, **kwargs)

    monkeypatch.setattr(tasks, "rollup_county_part", spy)
    return ran


def test_a_fanned_out_run_writes_what_one_process_writes(township_world, fan_out, parts):
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    tasks.rollup_year_task(YEAR, run_id=run.pk)

    assert parts == [["520302"], ["520303"]]
    run.refresh_from_db()
    assert (run.state, run.progress, run.villages) == (RunState.DONE, 100, 5)
    assert run.statements > 0 and run.seconds >= 0
    fanned_out = stored()
    assert len(fanned_out[VillageIndicatorScore]) == 4 * 34
    assert MunicipalScorecard.objects.get(year_id=YEAR).villages == 5
    assert [c.rank for c in CountyScorecard.objects.filter(year_id=YEAR).order_by("county__code")] == [2, 1]

    clear()
    rollup.rollup_year(YEAR)

    assert stored() == fanned_out


@pytest.mark.parametrize("fan_out_setting", [0, 1])
def test_with_one_worker_the_run_is_one_task(township_world, settings, eager_celery, parts, fan_out_setting):
    settings.ROLLUP_FAN_OUT = fan_out_setting
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    tasks.rollup_year_task(YEAR, run_id=run.pk)

    assert parts == []
    run.refresh_from_db()
    assert (run.state, run.villages) == (RunState.DONE, 5)


def test_a_county_run_is_never_fanned_out(township_world, fan_out, parts):
    tasks.rollup_year_task(YEAR, county_code="520303")

    assert parts == []
    assert VillageScorecard.objects.filter(year_id=YEAR).count() == 1


def test_a_failing_county_fails_the_run_and_leaves_its_own_and_the_upper_rows(township_world, fan_out,
                                                                              monkeypatch):
    rollup.rollup_year(YEAR)
    counties, municipal, y_villages = rows(CountyScorecard), rows(MunicipalScorecard), [
        r for r in rows(VillageScorecard) if r["county"] == township_world.county_y.pk]
    make_village_data(township_world.a3)  # county X: A3 now scores
    make_village_data(township_world.township_c.villages.create(code="520303100202", name="新村"))  # county Y
    real = tasks.rollup_county_part

    def fails_in_y(year, *, county_codes, **kwargs):
        if "520303" in county_codes:
            raise RuntimeError("disk full")
        return real(year, county_codes=county_codes, **kwargs)

    monkeypatch.setattr(tasks, "rollup_county_part", fails_in_y)
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    with pytest.raises(RuntimeError):
        tasks.rollup_year_task(YEAR, run_id=run.pk)

    run.refresh_from_db()
    assert run.state == RunState.FAILED and "disk full" in run.message
    # County X's part committed; county Y's rolled back; the upper part never ran.
    assert VillageScorecard.objects.get(year_id=YEAR, village=township_world.a3).total == 100
    assert [r for r in rows(VillageScorecard) if r["county"] == township_world.county_y.pk] == y_villages
    assert not VillageScorecard.objects.filter(village__code="520303100202").exists()
    assert (rows(CountyScorecard), rows(MunicipalScorecard)) == (counties, municipal)


def test_a_published_year_is_refused_before_any_county_runs(township_world, fan_out, parts):
    rollup.rollup_year(YEAR)
    set_year_state(YEAR, YearState.PUBLISHED, municipality=township_world.municipality)
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    result = tasks.rollup_year_task(YEAR, run_id=run.pk)

    assert "published" in result["refused"] and parts == []
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "frozen" in run.message


def test_a_county_part_refused_by_a_publication_meanwhile_fails_the_last_part(township_world, fan_out,
                                                                            monkeypatch):
    rollup.rollup_year(YEAR)
    municipal = rows(MunicipalScorecard)

    def published_meanwhile(year, *, county_codes, **kwargs):
        raise rollup.RollupRefused(f"The {year} assessment of 520300 is published; its scores are frozen.")

    monkeypatch.setattr(tasks, "rollup_county_part", published_meanwhile)
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    tasks.rollup_year_task(YEAR, run_id=run.pk)

    run.refresh_from_db()
    assert run.state == RunState.FAILED and "frozen" in run.message
    assert rows(MunicipalScorecard) == municipal


def test_the_progress_of_a_fanned_out_run_counts_the_parts():
    assert rollup.describe_step("parts:3/4") == "Villages and townships, parts finished: 3/4"
    with translation.override("zh-hans"):
        assert "3/4" in rollup.describe_step("parts:3/4")
        assert rollup.describe_step("parts:3/4") != "Villages and townships, parts finished: 3/4"


@pytest.mark.parametrize(("sizes", "parts", "groups"), [
    ({"a": 10, "b": 10, "c": 10, "d": 10}, 2, [["a", "c"], ["b", "d"]]),
    ({"big": 100, "s1": 30, "s2": 30, "s3": 30, "s4": 10}, 2, [["big"], ["s1", "s2", "s3", "s4"]]),
    ({"a": 5, "b": 7}, 8, [["b"], ["a"]]),  # never more parts than counties
    ({"a": 5, "b": 7, "c": 1}, 1, [["a", "b", "c"]]),
])
def test_counties_are_grouped_into_parts_of_about_as_many_villages(sizes, parts, groups):
    assert rollup.county_groups(sizes, parts) == groups


def test_a_part_of_several_counties_writes_what_one_process_writes(township_world):
    rollup.rollup_year(YEAR)
    expected = stored()
    clear()

    rollup.prepare_fan_out(YEAR, municipality_code="520300", parts=1)
    rollup.rollup_county_part(YEAR, county_codes=["520303", "520302"])
    rollup.rollup_upper_part(YEAR, municipality_code="520300")

    assert stored() == expected


def test_a_part_refuses_counties_of_two_municipalities(township_world):
    from wuqiang.regions.models import County, Municipality

    other = County.objects.create(code="520402", municipality=Municipality.objects.create(code="520400", name="安顺市"),
                                  name="西秀区")
    with pytest.raises(ValueError):
        rollup.rollup_county_part(YEAR, county_codes=["520302", other.code])


@pytest.mark.postgres
def test_a_real_worker_runs_the_counties_as_a_chord_then_the_upper_levels(township_world, real_worker):
    # Two processes, as a deployment with several workers: the counties' parts may run side by side.
    worker = real_worker("--pool=prefork", "--concurrency=2", ROLLUP_FAN_OUT="2").start()
    run = RollupRun.objects.create(year_id=YEAR, municipality=township_world.municipality)

    tasks.rollup_year_task.apply_async(args=[YEAR], kwargs={"run_id": run.pk}, queue=worker.queue)
    wait_for_run(run, seconds=90)

    log = worker.output()
    assert run.state == RunState.DONE, log[-3000:]
    assert run.villages == 5
    # One task per county, then the last part, each on the worker's own queue.
    assert len(re.findall(r"Task wuqiang\.scoring\.tasks\.rollup_county_task\[[^\]]+\] succeeded", log)) == 2, log
    assert len(re.findall(r"Task wuqiang\.scoring\.tasks\.rollup_upper_task\[[^\]]+\] succeeded", log)) == 1, log
    fanned_out = stored()
    assert len(fanned_out[VillageIndicatorScore]) == 4 * 34

    clear()
    rollup.rollup_year(YEAR)

    assert stored() == fanned_out


@pytest.mark.postgres
def test_county_parts_share_the_years_lock_and_a_whole_run_waits_for_them(transactional_db, township_world):
    """The locks a part takes, probed from a second connection: another county's part gets in
    beside it, a second part of the same county and a whole run do not."""
    import threading

    from django.db import OperationalError, connection, connections, transaction

    from wuqiang.regions.selectors import year_settings

    if connection.vendor != "postgresql":
        pytest.skip("row and advisory locks are PostgreSQL's (SQLite serialises writers)")
    w = township_world
    settings_row = year_settings(year=YEAR, municipality_id=w.municipality.pk)
    holding, release = threading.Event(), threading.Event()

    def hold_a_county_part() -> None:
        try:
            with transaction.atomic():
                rollup._lock(settings_row, [w.county_x], rollup.COUNTY_PART)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_a_county_part)
    holder.start()
    assert holding.wait(30)

    def gets_in(counties, part) -> bool:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout TO '500ms'")
                rollup._lock(settings_row, counties, part)
            return True
        except OperationalError:
            return False

    try:
        assert gets_in([w.county_y], rollup.COUNTY_PART) is True
        assert gets_in([w.county_x], rollup.COUNTY_PART) is False
        assert gets_in([w.county_y, w.county_x], rollup.COUNTY_PART) is False
        assert gets_in(None, rollup.WHOLE) is False
        assert gets_in(None, rollup.UPPER_PART) is False
    finally:
        release.set()
        holder.join()
    assert gets_in(None, rollup.WHOLE) is True
