"""Celery tasks of the scoring app: thin wrappers that take ids and call the roll-up."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from wuqiang.regions.models import AssessmentYear, County, Municipality, MunicipalYear, YearState
from wuqiang.scoring.models import RollupRun, RunState
from wuqiang.scoring.rollup import RollupRefused, rollup_year
from wuqiang.scoring.services import pending_key

logger = logging.getLogger(__name__)


def progress_key(run_id: int) -> str:
    return f"rollup:progress:{run_id}"


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

    # Progress goes to the cache: the roll-up's own transaction hides its writes until commit.
    def progress(percent: int, message: str) -> None:
        cache.set(progress_key(run.pk), {"progress": percent, "message": message}, timeout=3600)

    try:
        result = rollup_year(year, municipality_code=municipality.code, county_code=county_code, progress=progress)
    except RollupRefused as refused:
        RollupRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, message=str(refused),
                                                   finished_at=timezone.now())
        return {"year": year, "county": county_code, "refused": str(refused)}
    except Exception as error:
        RollupRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, message=repr(error)[:1000],
                                                   finished_at=timezone.now())
        logger.exception("Roll-up of %s (county %s) failed", year, county_code)
        raise
    finally:
        cache.delete(progress_key(run.pk))
    RollupRun.objects.filter(pk=run.pk).update(
        state=RunState.DONE, progress=100, finished_at=timezone.now(),
        villages=result.villages, statements=result.statements, seconds=result.seconds,
    )
    return {"year": year, "county": county_code, "villages": result.villages, "seconds": result.seconds}


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
