"""What-if scheme previews (issue 18 item 1): what the edited, unsaved scheme would do to the
year, computed with the very expressions the roll-up computes the real scorecards with.

``scheme_preview_request`` checks the actor and the proposal and queues a run;
``scheme_preview_run`` (the Celery task's body) takes the municipality's year lock — the same
``select_for_update`` every roll-up takes, so previews and roll-ups of one municipality's year
run one after the other on PostgreSQL (SQLite serialises writers anyway) — then:

* when the veto items stay as they are (nearly every proposal), it reads the stored results
  once: the changed indicators' points recomputed from their stored values by the roll-up's
  rule expression (``rollup.points_sql``), the pillars and totals moved by the difference, the
  grades by the roll-up's grade CASE (``rollup.grade_sql``). Tests check it against the whole
  roll-up;
* when a veto item is switched on or off (whose hits are not stored when it is off), it writes
  the proposal into the scheme inside a savepoint, runs ``rollup_year``, reads the new grades
  and rolls everything back.

Either way stored scorecards, paths and the scheme end byte-identical; only the preview's own
rows (the counts and the villages that change grade) are kept, for PREVIEW_RETENTION_DAYS.
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
    SchemeIndicator,
    SchemePreview,
    SchemePreviewChange,
    VillageScorecard,
)
from wuqiang.scoring.services import THRESHOLD_FIELDS, scheme_apply, scheme_check

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


def previews_purge(*, now=None) -> int:
    """Delete previews requested more than PREVIEW_RETENTION_DAYS ago, with their changed
    villages; returns how many previews went. A preview is a moment's answer, not a record."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.PREVIEW_RETENTION_DAYS)
    old = SchemePreview.objects.filter(created_at__lt=cutoff)
    SchemePreviewChange.objects.filter(preview__in=old.values("pk")).delete()
    deleted, _by_model = old.delete()
    return deleted


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


def _edited(scheme: Scheme, proposal: dict) -> tuple[Scheme, list[SchemeIndicator]]:
    """The proposal's grade lines as an unsaved scheme, and its indicators whose points or
    parameters differ from the stored ones (unsaved copies: nothing is written)."""
    lines = proposal.get("thresholds", {})
    edited = Scheme(**{f: Decimal(str(lines.get(f, getattr(scheme, f)))) for f in THRESHOLD_FIELDS})
    changes = proposal.get("indicators", {})
    rescored = []
    for row in scheme.indicators.all():
        change = changes.get(row.code, {})
        points, params = change.get("points", row.points), change.get("params", row.params) or {}
        if _norm(points) != _norm(row.points) or _norm(params) != _norm(row.params or {}):
            rescored.append(SchemeIndicator(code=row.code, pillar=row.pillar, rule=row.rule,
                                            points=Decimal(str(points)), params=params))
    return edited, rescored


def _rescored(edited: Scheme, rescored: list[SchemeIndicator], year: int, municipality_id: int) -> list[tuple]:
    """(village, county, stored total, stored grade, new total, new grade) of every stored
    village scorecard, with the rescored indicators' points recomputed from their
    stored values by the roll-up's own rule (``rollup.points_sql``) and graded by the roll-up's
    own CASE (``rollup.grade_sql``) — one read. A village's pillar and total change by exactly
    the difference of the changed indicators' points, as the roll-up sums them."""
    from django.db import connection

    from wuqiang.entries.models import Pillar
    from wuqiang.regions.models import Village
    from wuqiang.scoring.models import VillageIndicatorScore
    from wuqiang.scoring.rollup import grade_sql, points_sql
    from wuqiang.scoring.sql import table, text

    cards, scores = table(VillageScorecard), table(VillageIndicatorScore)
    pillars = Pillar.values
    if rescored:
        new_points = " ".join(f"WHEN {text(i.code)} THEN {points_sql(i, 's.value')}" for i in rescored)
        delta = f"(CASE s.code {new_points} END - s.points)"
        codes = ", ".join(text(i.code) for i in rescored)
        sums = ", ".join([f"SUM({delta}) AS total",
                          *(f"SUM(CASE WHEN s.pillar = {text(p)} THEN {delta} ELSE 0 END) AS {p}" for p in pillars)])
        villages = (f"SELECT v.id FROM {table(Village)} v INNER JOIN "
                    f"{table(County)} c ON c.id = v.county_id WHERE c.municipality_id = %s")
        join = (f"LEFT JOIN (SELECT s.village_id, {sums} FROM {scores} s WHERE s.year_id = %s "
                f"AND s.code IN ({codes}) AND s.village_id IN ({villages}) GROUP BY s.village_id) d "
                f"ON d.village_id = sc.village_id")
        params: list = [year, municipality_id]
        moved = {c: f"ROUND(sc.{c} + COALESCE(d.{c}, 0), 2)" for c in ("total", *pillars)}
    else:
        join, params, moved = "", [], {c: f"sc.{c}" for c in ("total", *pillars)}
    columns = ", ".join(f"{expression} AS {column}" for column, expression in moved.items())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT x.village_id, x.county_id, x.old_total, x.old_grade, x.total, "
                       f"{grade_sql(edited, 'x.')} FROM ("
                       f"SELECT sc.village_id, sc.county_id, sc.vetoes, sc.total AS old_total, sc.grade AS old_grade, "
                       f"{columns} FROM {cards} sc {join} "
                       f"WHERE sc.year_id = %s AND sc.municipality_id = %s) x",
                       [*params, year, municipality_id])
        cent = Decimal("0.01")
        return [(v, c, Decimal(str(ot)).quantize(cent), og, Decimal(str(t)).quantize(cent), g)
                for v, c, ot, og, t, g in cursor.fetchall()]


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


def vetoes_unchanged(scheme: Scheme, proposal: dict) -> bool:
    """Whether the proposal leaves every veto item as it is: then the stored vetoes stand and the
    preview can be computed from the stored results (a veto switched on has no stored rows)."""
    enabled = {v.code: v.enabled for v in scheme.vetoes.all()}
    return all(bool(on) == enabled.get(code, False) for code, on in proposal.get("vetoes", {}).items())


def scheme_preview_run(preview: SchemePreview, *, full: bool = False) -> SchemePreview:
    """Compute a queued preview (idempotent: a rerun replaces its rows). A proposal that keeps
    the veto items as they are is computed from the stored results with the roll-up's own rule
    and grade expressions in one read ("grades" when only the lines move, "points" when
    indicators' points or parameters change too); one that switches a veto item runs the whole
    roll-up in a rolled-back savepoint ("rollup"; ``full`` forces that)."""
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
            edited, rescored = _edited(scheme, proposal)
            method = ("rollup" if full or not vetoes_unchanged(scheme, proposal)
                      else "points" if rescored else "grades")
            after: list[tuple] = []
            if method != "rollup":
                both = _rescored(edited, rescored, preview.year_id, municipality.pk)
                before = [(v, c, old_total, old_grade) for v, c, old_total, old_grade, _t, _g in both]
                after = [(v, c, total, grade) for v, c, _ot, _og, total, grade in both]
            else:
                before = cards()
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
                      "changed": len(changes), "villages": len(after), "method": method}
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
