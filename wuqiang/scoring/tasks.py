"""Celery tasks of the scoring app: thin wrappers that take ids and call the roll-up."""

from __future__ import annotations

import logging
from functools import partial

from celery import chord, shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from wuqiang.regions.models import AssessmentYear, County, Municipality, MunicipalYear, YearState
from wuqiang.scoring.models import RollupRun, RunState
from wuqiang.scoring.rollup import (
    RollupRefused,
    prepare_fan_out,
    rollup_county_part,
    rollup_upper_part,
    rollup_year,
)
from wuqiang.scoring.services import pending_key

logger = logging.getLogger(__name__)


def progress_key(run_id: int) -> str:
    return f"rollup:progress:{run_id}"


def parts_done_key(run_id: int) -> str:
    return f"rollup:parts-done:{run_id}"


def _report_progress(run_id: int, percent: int, step: str) -> None:
    # To the cache: the roll-up's own transaction hides its writes until commit.
    cache.set(progress_key(run_id), {"progress": percent, "message": step}, timeout=3600)


def _finish(run_id: int, state: str, **fields) -> None:
    RollupRun.objects.filter(pk=run_id).update(state=state, finished_at=timezone.now(), **fields)


@shared_task(name="wuqiang.scoring.tasks.rollup_year_task")
def rollup_year_task(year: int, county_code: str | None = None, run_id: int | None = None,
                     municipality_code: str | None = None) -> dict:
    """Recompute a municipality's (or a county's) scorecards for a year. Safe to run twice
    (acks_late may redeliver): the roll-up replaces the scope's rows in one transaction."""
    county = County.objects.select_related("municipality").filter(code=county_code).first() if county_code else None
    if county is None and not county_code and not municipality_code:
        # A whole year: each municipality is its own run, with its own scheme.
        codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
        if len(codes) != 1:
            for code in codes:
                rollup_year_task.delay(year, municipality_code=code)
            return {"year": year, "municipalities": codes}
        municipality_code = codes[0]
    municipality = (county.municipality if county else
                    Municipality.objects.filter(code=municipality_code).first() if municipality_code else None)
    # Decisions made from now on need a new run: this one may already have read their data.
    cache.delete(pending_key(year, county.pk if county else None))
    if (not AssessmentYear.objects.filter(pk=year).exists() or (county_code and county is None)
            or municipality is None):
        logger.warning("Roll-up of %s (county %s, municipality %s) skipped: no such year or unit", year,
                       county_code, municipality_code)
        return {"year": year, "county": county_code, "skipped": True}
    run = RollupRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        run = RollupRun.objects.create(year_id=year, municipality=municipality, county=county)
    RollupRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, started_at=timezone.now(), progress=0,
                                               message="")

    try:
        if county is None and settings.ROLLUP_FAN_OUT > 1:
            groups = prepare_fan_out(year, municipality_code=municipality.code, parts=settings.ROLLUP_FAN_OUT)
            if len(groups) > 1:
                # The parts follow this task to its queue (a deployment may route roll-ups apart).
                queue = (rollup_year_task.request.delivery_info or {}).get("routing_key")
                _fan_out(run.pk, year, municipality.code, groups, queue)
                return {"year": year, "municipality": municipality.code, "parts": groups}
        result = rollup_year(year, municipality_code=municipality.code, county_code=county_code,
                             progress=partial(_report_progress, run.pk))
    except RollupRefused as refused:
        _finish(run.pk, RunState.FAILED, message=str(refused))
        return {"year": year, "county": county_code, "refused": str(refused)}
    except Exception as error:
        _finish(run.pk, RunState.FAILED, message=repr(error)[:1000])
        logger.exception("Roll-up of %s (county %s) failed", year, county_code)
        raise
    finally:
        cache.delete(progress_key(run.pk))
    _finish(run.pk, RunState.DONE, progress=100, villages=result.villages, statements=result.statements,
            seconds=result.seconds)
    return {"year": year, "county": county_code, "villages": result.villages, "seconds": result.seconds}


def _fan_out(run_id: int, year: int, municipality_code: str, groups: list[list[str]], queue: str | None) -> None:
    """One task per group of counties, then the counties and the municipality once every group
    has committed (a chord). The run stays RUNNING until the last task finishes it."""
    options = {"queue": queue} if queue else {}
    cache.set(parts_done_key(run_id), 0, timeout=24 * 3600)
    chord(rollup_county_task.si(year, codes, run_id, len(groups)).set(**options) for codes in groups)(
        rollup_upper_task.s(year, municipality_code, run_id).set(**options))


@shared_task(name="wuqiang.scoring.tasks.rollup_county_task")
def rollup_county_task(year: int, county_codes: list[str], run_id: int, parts: int) -> dict:
    """A fanned-out roll-up's part for a group of counties, in its own transaction: safe to run
    twice (acks_late may redeliver), as it replaces the counties' rows. A failure fails the run
    at once (the chord then never runs its last part): the parts done so far keep their new
    rows, the others and the upper levels their previous ones, until the next run."""
    counties = ", ".join(county_codes)
    try:
        result = rollup_county_part(year, county_codes=county_codes)
    except RollupRefused as refused:
        # The year was published while the run waited: the last part reports it.
        return {"counties": county_codes, "refused": str(refused)}
    except Exception as error:
        _finish(run_id, RunState.FAILED, message=f"{counties}: {error!r}"[:1000])
        cache.delete(progress_key(run_id))
        logger.exception("Roll-up of %s, counties %s (run %s) failed", year, counties, run_id)
        raise
    try:
        done = cache.incr(parts_done_key(run_id))
    except ValueError:  # the counter expired or the cache was flushed: progress is only a hint
        done = 0
    _report_progress(run_id, 5 + round(80 * done / parts), f"parts:{done}/{parts}")
    return {"counties": county_codes, "villages": result.villages, "statements": result.statements}


@shared_task(name="wuqiang.scoring.tasks.rollup_upper_task")
def rollup_upper_task(parts: list[dict], year: int, municipality_code: str, run_id: int) -> dict:
    """A fanned-out roll-up's last part: the counties and the municipality, from the village
    scorecards every county part has committed; then the run is done."""
    cache.delete(parts_done_key(run_id))
    refused = [part["refused"] for part in parts if "refused" in part]
    try:
        if refused:
            raise RollupRefused(refused[0])
        result = rollup_upper_part(year, municipality_code=municipality_code)
    except RollupRefused as refusal:
        _finish(run_id, RunState.FAILED, message=str(refusal))
        return {"year": year, "municipality": municipality_code, "refused": str(refusal)}
    except Exception as error:
        _finish(run_id, RunState.FAILED, message=repr(error)[:1000])
        logger.exception("Roll-up of %s, upper levels of %s (run %s) failed", year, municipality_code, run_id)
        raise
    finally:
        cache.delete(progress_key(run_id))
    run = RollupRun.objects.get(pk=run_id)
    villages = sum(part["villages"] for part in parts)
    seconds = (timezone.now() - run.started_at).total_seconds() if run.started_at else result.seconds
    _finish(run_id, RunState.DONE, progress=100, villages=villages, seconds=seconds,
            statements=result.statements + sum(part["statements"] for part in parts))
    return {"year": year, "municipality": municipality_code, "villages": villages, "counties": len(parts)}


@shared_task(name="wuqiang.scoring.tasks.rollup_open_years")
def rollup_open_years() -> list[tuple[str, int]]:
    """Nightly: recompute every municipality's years not yet published, whatever was missed
    during the day."""
    pending = list(MunicipalYear.objects.exclude(state=YearState.PUBLISHED)
                   .order_by("municipality__code", "year_id").values_list("municipality__code", "year_id"))
    for municipality_code, year in pending:
        rollup_year_task.delay(year, municipality_code=municipality_code)
    return pending


@shared_task(name="wuqiang.scoring.tasks.scheme_preview_task")
def scheme_preview_task(preview_id: int) -> dict:
    """Run one what-if scheme preview (its roll-up is rolled back; only the preview is kept)."""
    from wuqiang.scoring.models import SchemePreview
    from wuqiang.scoring.previews import scheme_preview_run

    preview = SchemePreview.objects.filter(pk=preview_id).first()
    if preview is None:
        return {"preview": preview_id, "skipped": True}
    preview = scheme_preview_run(preview)
    return {"preview": preview.pk, "state": preview.state, "seconds": preview.seconds}


@shared_task(name="wuqiang.scoring.tasks.purge_scheme_previews")
def purge_scheme_previews() -> int:
    """Nightly (beat): delete what-if previews older than PREVIEW_RETENTION_DAYS."""
    from wuqiang.scoring.previews import previews_purge

    return previews_purge()
