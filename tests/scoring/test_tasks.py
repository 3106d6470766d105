"""The Celery side: the task, coalescing review decisions, the nightly beat, a real worker."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache

from tests.factories import set_year_state
from tests.scoring.conftest import YEAR, get_year, make_facilities, make_village_data, wait_for_run
from wuqiang.entries.models import Entry, Pillar
from wuqiang.entries.signals import entry_reviewed
from wuqiang.regions.models import Municipality, YearState
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring import tasks
from wuqiang.scoring.models import MunicipalScorecard, RollupRun, RunState, VillageScorecard
from wuqiang.scoring.services import pending_key, rollup_request, schedule_rollup


@pytest.fixture
def clean_pending(place):
    for county in (place.county_x.pk, place.county_y.pk, None):
        cache.delete(pending_key(YEAR, county))
    yield
    for county in (place.county_x.pk, place.county_y.pk, None):
        cache.delete(pending_key(YEAR, county))


@pytest.fixture
def sent(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(tasks.rollup_year_task, "apply_async",
                        lambda args=(), kwargs=None, **options: calls.append((args, kwargs, options)))
    monkeypatch.setattr(tasks.rollup_year_task, "delay", lambda *args, **kwargs: calls.append((args, kwargs, {})))
    return calls


@pytest.mark.django_db
def test_the_task_computes_the_scorecards_and_records_the_run(place):
    make_facilities(place.township_a)
    make_village_data(place.a1)

    result = tasks.rollup_year_task(YEAR)

    run = RollupRun.objects.get()
    assert (run.state, run.progress, run.year_id) == (RunState.DONE, 100, YEAR)
    assert run.started_at <= run.finished_at
    assert result["villages"] == 5
    assert VillageScorecard.objects.get(village=place.a1).total == 100


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_raises(place, monkeypatch):
    get_year(YEAR)
    monkeypatch.setattr(tasks, "rollup_year", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    run = RollupRun.objects.create(year_id=YEAR, municipality=place.municipality)

    with pytest.raises(RuntimeError):
        tasks.rollup_year_task(YEAR, run_id=run.pk)

    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "boom" in run.message


@pytest.mark.django_db
def test_review_decisions_in_a_burst_queue_one_run_per_county(place, clean_pending, sent,
                                                                django_capture_on_commit_callbacks):
    entries = make_village_data(place.a1)
    other = make_village_data(place.a2)
    in_y = make_village_data(place.c1)

    with django_capture_on_commit_callbacks(execute=True):
        for entry in (entries[Pillar.ORGANIZATIONS], entries[Pillar.TALENT], other[Pillar.ECONOMY],
                      in_y[Pillar.SUPPORT]):
            entry_reviewed.send(sender=Entry, entry=entry)

    assert sorted(kwargs["county_code"] for _, kwargs, _ in sent) == ["520302", "520303"]
    assert {options["countdown"] for _, _, options in sent} == {60}


@pytest.mark.django_db
def test_the_task_clears_the_pending_mark_so_later_decisions_queue_again(place, clean_pending, sent):
    get_year(YEAR)
    assert schedule_rollup(YEAR, place.county_x.pk) is True
    assert schedule_rollup(YEAR, place.county_x.pk) is False

    tasks.rollup_year_task(YEAR, county_code="520302")

    assert schedule_rollup(YEAR, place.county_x.pk) is True


@pytest.mark.django_db
def test_an_on_demand_request_queues_the_run_after_commit(place, sent, django_capture_on_commit_callbacks):
    get_year(YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        run = rollup_request(year=year_settings(year=YEAR, municipality_id=place.municipality.pk))

    assert (run.state, run.municipality) == (RunState.QUEUED, place.municipality)
    assert sent == [((YEAR,), {"county_code": None, "run_id": run.pk, "municipality_code": "520300"}, {})]


@pytest.mark.django_db
def test_the_nightly_run_covers_every_unpublished_year(place, sent):
    get_year(2020, state=YearState.PUBLISHED)
    get_year(2021, state=YearState.CLOSED)
    get_year(2022)

    assert sorted(tasks.rollup_open_years()) == [("520300", 2021), ("520300", 2022)]
    assert sorted((args[0], kwargs["municipality_code"]) for args, kwargs, _ in sent) == [
        (2021, "520300"), (2022, "520300")]


@pytest.mark.django_db
def test_the_nightly_run_follows_each_municipalitys_own_state(place, sent):
    other = Municipality.objects.create(code="520400", name="安顺市")
    get_year(2021)
    set_year_state(2021, YearState.PUBLISHED, municipality=place.municipality)

    assert tasks.rollup_open_years() == [("520400", 2021)]
    assert [kwargs["municipality_code"] for _, kwargs, _ in sent] == [other.code]


def test_the_beat_schedule_runs_the_nightly_rollup_at_two():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-rollup"]

    assert entry["task"] == "wuqiang.scoring.tasks.rollup_open_years"
    assert entry["schedule"] == crontab(hour=2, minute=0)


@pytest.mark.postgres
def test_a_real_worker_computes_the_scorecards(place, real_worker):
    make_facilities(place.township_a)
    make_village_data(place.a1)
    worker = real_worker().start()
    run = RollupRun.objects.create(year_id=YEAR, municipality=place.municipality)
    tasks.rollup_year_task.apply_async(args=[YEAR], kwargs={"run_id": run.pk, "municipality_code": "520300"},
                                       queue=worker.queue)
    wait_for_run(run)

    assert run.state == RunState.DONE, worker.output()[-3000:]
    assert MunicipalScorecard.objects.get(year_id=YEAR).villages == 5
    assert VillageScorecard.objects.get(year_id=YEAR, village=place.a1).total == 100


@pytest.mark.django_db
def test_a_task_for_a_year_that_no_longer_exists_is_skipped(place):
    assert tasks.rollup_year_task(1999)["skipped"] is True
    assert not RollupRun.objects.exists()


@pytest.mark.django_db
def test_approving_an_entry_recomputes_its_county(place, clean_pending, eager_celery,
                                                   django_capture_on_commit_callbacks):
    from tests import factories
    from wuqiang.entries.models import EntryState
    from wuqiang.entries.services import entry_approve

    make_facilities(place.township_a)
    entries = make_village_data(place.a1, states={Pillar.ECONOMY: EntryState.SUBMITTED})
    reviewer = factories.ReviewerFactory(username="reviewer_x", county=place.county_x)
    tasks.rollup_year_task(YEAR)
    assert VillageScorecard.objects.get(village=place.a1).economy == 0

    with django_capture_on_commit_callbacks(execute=True):
        entry_approve(entry=Entry.objects.get(pk=entries[Pillar.ECONOMY].pk), actor=reviewer)

    assert VillageScorecard.objects.get(village=place.a1).economy == 20
    assert RollupRun.objects.filter(county=place.county_x, state=RunState.DONE).exists()
