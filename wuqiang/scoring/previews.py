"""What-if scheme previews (issue 18 item 1): the edited, unsaved scheme run through the very
roll-up that computes the real scorecards, inside a savepoint that is rolled back.

``scheme_preview_request`` checks the actor and the proposal and queues a run;
``scheme_preview_run`` (the Celery task's body) takes the municipality's year lock — the same
``select_for_update`` every roll-up takes, so previews and roll-ups of one municipality's year
run one after the other on PostgreSQL (SQLite serialises writers anyway) — then, in a savepoint:
writes the proposal into the scheme, runs ``rollup_year``, reads the new grades, and rolls
everything back. Stored scorecards, paths and the scheme itself end byte-identical; only the
preview's own rows (the counts and the villages that change grade) are kept.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from wuqiang.accounts import permissions
from wuqiang.regions.models import County, Municipality, MunicipalYear
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring.models import (
    Grade,
    RunState,
    Scheme,
    SchemePreview,
    SchemePreviewChange,
    VillageScorecard,
)
from wuqiang.scoring.services import scheme_apply, scheme_check

logger = logging.getLogger(__name__)


def progress_key(preview_id: int) -> str:
    return f"scheme-preview:progress:{preview_id}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def scheme_preview_request(*, scheme: Scheme, actor, indicators: dict[str, dict[str, Any]],
                           vetoes: dict[str, bool], thresholds: dict[str, Any]) -> SchemePreview:
    """Queue a what-if run of ``scheme`` with these changes (municipal staff of its city only;
    an inconsistent proposal is refused with SchemeError, nothing queued)."""
    year = year_settings(year=scheme.year_id, municipality_id=scheme.municipality_id)
    permissions.require(permissions.scheme_preview_refusal(actor, year))
    scheme_check(scheme=scheme, indicators=indicators, thresholds=thresholds)
    preview = SchemePreview.objects.create(
        municipality_id=scheme.municipality_id, year_id=scheme.year_id, created_by=actor,
        proposal=_jsonable({"indicators": indicators, "vetoes": vetoes, "thresholds": thresholds}))

    def enqueue() -> None:
        from wuqiang.scoring.tasks import scheme_preview_task

        try:
            scheme_preview_task.delay(preview.pk)
        except Exception:
            logger.exception("Could not queue the scheme preview %s", preview.pk)

    transaction.on_commit(enqueue)
    return preview


def _regraded(scheme: Scheme, proposal: dict, year: int, municipality_id: int) -> list[tuple]:
    """The stored village scorecards graded by the proposal's lines, with the roll-up's own CASE."""
    from django.db import connection

    from wuqiang.scoring.rollup import grade_sql

    lines = proposal.get("thresholds", {})
    edited = Scheme(**{f: Decimal(str(lines.get(f, getattr(scheme, f)))) for f in
                       ("exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")})
    table = connection.ops.quote_name(VillageScorecard._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT village_id, county_id, total, {grade_sql(edited)} FROM {table} "
                       f"WHERE year_id = %s AND municipality_id = %s", [year, municipality_id])
        return [(v, c, Decimal(str(t)).quantize(Decimal("0.01")), g) for v, c, t, g in cursor.fetchall()]


class _Discard(Exception):
    """Raised to roll the savepoint back once the preview has read what it needs."""


def _grade_counts(rows: list[tuple]) -> dict[str, int]:
    counted = Counter(row[3] for row in rows)
    return {g: counted.get(g, 0) for g in Grade.values}


def _norm(value: Any) -> Any:
    """Numbers as Decimals, recursively, so "10", 10 and 10.0 compare equal."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        try:
            return Decimal(value).normalize()
        except ArithmeticError:
            return value
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return value


def only_grade_lines(scheme: Scheme, proposal: dict) -> bool:
    """Whether the proposal changes nothing but the grade lines: then the stored points and
    vetoes stand and only the roll-up's grade CASE (``rollup.grade_sql``) needs evaluating."""
    changes = proposal.get("indicators", {})
    for row in scheme.indicators.all():
        change = changes.get(row.code, {})
        if _norm(change.get("points", row.points)) != _norm(row.points):
            return False
        if _norm(change.get("params", row.params) or {}) != _norm(row.params or {}):
            return False
    enabled = {v.code: v.enabled for v in scheme.vetoes.all()}
    return all(bool(on) == enabled.get(code, False) for code, on in proposal.get("vetoes", {}).items())


def scheme_preview_run(preview: SchemePreview, *, full: bool = False) -> SchemePreview:
    """Compute a queued preview (idempotent: a rerun replaces its rows). A proposal that only
    moves grade lines is graded by the roll-up's own grade CASE over the stored scorecards (one
    read); any other runs the whole roll-up in a rolled-back savepoint (``full`` forces that)."""
    started = time.perf_counter()
    SchemePreview.objects.filter(pk=preview.pk).update(state=RunState.RUNNING, message="")
    municipality = Municipality.objects.get(pk=preview.municipality_id)

    def progress(percent: int, step: str) -> None:
        cache.set(progress_key(preview.pk), {"progress": percent, "message": step}, timeout=3600)

    def cards() -> list[tuple]:
        return list(VillageScorecard.objects.filter(year_id=preview.year_id, municipality_id=municipality.pk)
                    .order_by().values_list("village_id", "county_id", "total", "grade"))

    from wuqiang.scoring.rollup import rollup_year

    proposal = preview.proposal or {}
    try:
        with transaction.atomic():
            settings = year_settings(year=preview.year_id, municipality_id=municipality.pk)
            # The year lock every roll-up of this municipality takes: one at a time.
            MunicipalYear.objects.select_for_update().get(pk=settings.pk)
            scheme = Scheme.objects.get(municipality=municipality, year_id=preview.year_id)
            fast = not full and only_grade_lines(scheme, proposal)
            before = cards()
            after: list[tuple] = []
            if fast:
                after = _regraded(scheme, proposal, preview.year_id, municipality.pk)
            else:
                try:
                    with transaction.atomic():
                        scheme_apply(scheme=scheme, indicators=proposal.get("indicators", {}),
                                     vetoes=proposal.get("vetoes", {}), thresholds=proposal.get("thresholds", {}))
                        rollup_year(preview.year_id, municipality_code=municipality.code, progress=progress,
                                    force=True)
                        after = cards()
                        raise _Discard
                except _Discard:
                    pass
            old = {row[0]: row for row in before}
            changes = [
                SchemePreviewChange(preview_id=preview.pk, village_id=row[0], county_id=row[1],
                                    old_grade=old[row[0]][3] if row[0] in old else Grade.FAIL, new_grade=row[3],
                                    old_total=old[row[0]][2] if row[0] in old else Decimal(0), new_total=row[2])
                for row in after if row[0] not in old or old[row[0]][3] != row[3]
            ]
            SchemePreviewChange.objects.filter(preview_id=preview.pk).delete()
            SchemePreviewChange.objects.bulk_create(changes, batch_size=2000)
            counties = {c.pk: c for c in County.objects.filter(municipality=municipality).order_by("code")}
            was, now = Counter((r[1], r[3]) for r in before), Counter((r[1], r[3]) for r in after)
            by_county = [
                {"code": c.code, "name": c.name, "before": {g: was.get((pk, g), 0) for g in Grade.values},
                 "after": {g: now.get((pk, g), 0) for g in Grade.values}}
                for pk, c in counties.items()
            ]
            result = {"before": _grade_counts(before), "after": _grade_counts(after), "counties": by_county,
                      "changed": len(changes), "villages": len(after), "method": "grades" if fast else "rollup"}
            SchemePreview.objects.filter(pk=preview.pk).update(
                state=RunState.DONE, result=result, finished_at=timezone.now(),
                seconds=time.perf_counter() - started)
    except Exception as error:
        SchemePreview.objects.filter(pk=preview.pk).update(state=RunState.FAILED, message=str(error)[:1000],
                                                           finished_at=timezone.now())
        logger.exception("Scheme preview %s failed", preview.pk)
        raise
    finally:
        cache.delete(progress_key(preview.pk))
    preview.refresh_from_db()
    return preview
