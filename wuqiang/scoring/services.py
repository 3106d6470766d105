"""Writes of the scoring app: schemes, roll-up requests and demonstration nominations."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuqiang.accounts import permissions
from wuqiang.core.validators import SHORT_TEXT, finite_decimal, plain_text
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import County, Municipality, MunicipalYear, Village
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring.defaults import DEFAULT_INDICATORS, DEFAULT_THRESHOLDS, DEFAULT_VETOES
from wuqiang.scoring.models import (
    DemonstrationNomination,
    Grade,
    NominationStatus,
    RollupRun,
    Rule,
    RunState,
    Scheme,
    SchemeIndicator,
    SchemeVeto,
    VillageScorecard,
)

logger = logging.getLogger(__name__)

THRESHOLD_FIELDS = ("exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")
# How long review decisions are gathered before one roll-up recomputes their county.
COALESCE_SECONDS = 60
PENDING_TIMEOUT = 120


class SchemeError(ValidationError):
    """A scheme edit that cannot be saved; ``messages`` says why, in the user's language."""


# --- Schemes --------------------------------------------------------------------------------


def scheme_for(*, municipality_id: int, year: int) -> Scheme:
    """The municipality's scheme for the year, created on first use as a copy of its latest
    earlier year's scheme (or of SPEC §5's default when there is none)."""
    scheme = Scheme.objects.filter(municipality_id=municipality_id, year_id=year).first()
    if scheme is not None:
        return scheme
    source = (Scheme.objects.filter(municipality_id=municipality_id, year_id__lt=year)
              .order_by("-year_id").first())
    try:
        with transaction.atomic():
            return _scheme_create(municipality_id, year, source)
    except IntegrityError:  # created meanwhile by a concurrent request
        return Scheme.objects.get(municipality_id=municipality_id, year_id=year)


def _scheme_create(municipality_id: int, year: int, source: Scheme | None) -> Scheme:
    if source is None:
        scheme = Scheme.objects.create(municipality_id=municipality_id, year_id=year, **DEFAULT_THRESHOLDS)
        SchemeIndicator.objects.bulk_create([
            SchemeIndicator(scheme=scheme, code=code, pillar=pillar, name=name, rule=rule, params=params,
                            points=Decimal(str(points)), position=i)
            for i, (code, pillar, name, rule, params, points) in enumerate(DEFAULT_INDICATORS)
        ])
        SchemeVeto.objects.bulk_create([SchemeVeto(scheme=scheme, code=code, enabled=True) for code in DEFAULT_VETOES])
        return scheme
    scheme = Scheme.objects.create(municipality_id=municipality_id, year_id=year, copied_from=source,
                                   **{f: getattr(source, f) for f in THRESHOLD_FIELDS})
    SchemeIndicator.objects.bulk_create([
        SchemeIndicator(scheme=scheme, code=i.code, pillar=i.pillar, name=i.name, rule=i.rule, params=i.params,
                        points=i.points, position=i.position)
        for i in source.indicators.all()
    ])
    SchemeVeto.objects.bulk_create([SchemeVeto(scheme=scheme, code=v.code, enabled=v.enabled)
                                    for v in source.vetoes.all()])
    return scheme


# Bounds of every number a scheme holds: points and grade lines, and the values rules compare.
MAX_POINTS = Decimal(100)
MAX_PARAMETER = Decimal(10) ** 9


def _decimal(value: Any, limit: Decimal = MAX_PARAMETER) -> Decimal | None:
    """A finite number within ±limit, else None (NaN, infinities and 1e400 are not numbers here)."""
    return finite_decimal(value, low=-limit, high=limit)


def scheme_validate(*, indicators: list[dict[str, Any]], thresholds: dict[str, Any],
                    pillar_total: Decimal = Decimal(20), check_totals: bool = True) -> list[str]:
    """Why a scheme cannot be used (empty when it can).

    ``indicators`` are dicts with code, pillar, rule, params and points. Each pillar's points
    must add up to the pillar total, a band may not give more than the indicator's points,
    a linear rule needs low < high, and the grade lines must be in order (``check_totals``
    False: only each indicator's own rule is checked)."""
    errors: list[str] = []
    sums = {p: Decimal(0) for p in Pillar.values}
    for item in indicators:
        code, points, params = item["code"], _decimal(item.get("points"), MAX_POINTS), item.get("params") or {}
        if points is None or points < 0:
            errors.append(_("%(code)s: points must be a number from 0 to %(max)s.") % {"code": code, "max": MAX_POINTS})
            continue
        if not isinstance(params, dict):
            errors.append(_("%(code)s: the rule's parameters are not in the expected form.") % {"code": code})
            continue
        sums[item["pillar"]] = sums.get(item["pillar"], Decimal(0)) + points
        if item["rule"] == Rule.LINEAR:
            low, high = _decimal(params.get("low", 0)), _decimal(params.get("high", 1))
            if low is None or high is None or low >= high:
                errors.append(_("%(code)s: the lower bound of a linear rule must be below the upper bound.")
                              % {"code": code})
        elif item["rule"] == Rule.BANDS:
            bands = params.get("bands") or []
            if not bands or not isinstance(bands, list):
                errors.append(_("%(code)s: give at least one band.") % {"code": code})
                bands = []
            for band in bands:
                threshold, band_points = ((_decimal(band[0]), _decimal(band[1], MAX_POINTS))
                                          if isinstance(band, (list, tuple)) and len(band) == 2 else (None, None))
                if threshold is None or band_points is None:
                    errors.append(_("%(code)s: each band is a threshold and its points.") % {"code": code})
                elif band_points > points or band_points < 0:
                    errors.append(_("%(code)s: a band gives %(band)s points, more than the indicator's %(points)s.")
                                  % {"code": code, "band": band_points, "points": points})
    if not check_totals:  # one indicator on its own (the editor's preview): its rule only
        return errors
    for pillar in Pillar:
        if sums.get(pillar.value, Decimal(0)) != pillar_total:
            errors.append(_("%(pillar)s: the points add up to %(sum)s, not %(total)s.")
                          % {"pillar": pillar.label, "sum": sums.get(pillar.value, Decimal(0)),
                             "total": pillar_total})
    values = {f: _decimal(thresholds.get(f), MAX_POINTS) for f in THRESHOLD_FIELDS}
    if any(v is None for v in values.values()):
        errors.append(_("Every grade line must be a number from 0 to %(max)s.") % {"max": MAX_POINTS})
    elif not (values["exemplary_total"] >= values["pass_total"] >= values["basic_total"] >= 0):
        errors.append(_("The grade lines must fall from exemplary to up to standard to basically up to standard."))
    elif values["exemplary_pillar_min"] > pillar_total:
        errors.append(_("The exemplary line for each pillar cannot exceed the pillar's points."))
    return errors


def scheme_update(*, scheme: Scheme, actor, indicators: dict[str, dict[str, Any]],
                  vetoes: dict[str, bool], thresholds: dict[str, Any]) -> Scheme:
    """Change a municipality's scheme for a year: points and rule parameters by indicator code,
    which vetoes apply, and the grade lines. Refused for someone else than the municipality's
    staff, a published year or an inconsistent scheme (SchemeError, nothing changed); on success
    the municipality's scorecards are recomputed."""
    with transaction.atomic():
        year = MunicipalYear.objects.select_for_update().get(
            pk=year_settings(year=scheme.year_id, municipality_id=scheme.municipality_id).pk)
        permissions.require(permissions.scheme_edit_refusal(actor, year))
        scheme_apply(scheme=scheme, indicators=indicators, vetoes=vetoes, thresholds=thresholds)
        scheme.updated_by = actor
        scheme.save()
        rollup_request(year=year, actor=actor)
    return scheme


def scheme_check(*, scheme: Scheme, indicators: dict[str, dict[str, Any]], thresholds: dict[str, Any]) -> None:
    """Raise SchemeError when the scheme with these changes could not be used."""
    proposed = []
    for row in scheme.indicators.all():
        change = indicators.get(row.code, {})
        proposed.append({"code": row.code, "pillar": row.pillar, "rule": row.rule,
                         "points": change.get("points", row.points), "params": change.get("params", row.params)})
    errors = scheme_validate(indicators=proposed, thresholds=thresholds, pillar_total=scheme.pillar_total)
    if errors:
        raise SchemeError(errors)


def scheme_apply(*, scheme: Scheme, indicators: dict[str, dict[str, Any]], vetoes: dict[str, bool],
                 thresholds: dict[str, Any]) -> None:
    """Write checked changes into the scheme's rows (the caller holds the year's lock and
    decides whether the transaction commits: the what-if preview rolls it back)."""
    scheme_check(scheme=scheme, indicators=indicators, thresholds=thresholds)
    current = {i.code: i for i in scheme.indicators.all()}
    for code, row in current.items():
        change = indicators.get(code, {})
        row.points = Decimal(str(change.get("points", row.points)))
        row.params = change.get("params", row.params)
    SchemeIndicator.objects.bulk_update(list(current.values()), ["points", "params"])
    for veto in scheme.vetoes.all():
        if veto.code in vetoes and veto.enabled != bool(vetoes[veto.code]):
            veto.enabled = bool(vetoes[veto.code])
            veto.save(update_fields=["enabled"])
    for field in THRESHOLD_FIELDS:
        setattr(scheme, field, Decimal(str(thresholds[field])))
    scheme.save()


# --- Roll-up requests -----------------------------------------------------------------------


def pending_key(year: int, county_id: int | None) -> str:
    return f"rollup:pending:{year}:{county_id}"


def schedule_rollup(year: int, county_id: int | None) -> bool:
    """Recompute a county's scorecards soon, gathering a burst of review decisions into one
    run: the first decision queues a run 60 s ahead, later ones find it pending. Returns
    whether a run was queued."""
    if not cache.add(pending_key(year, county_id), 1, timeout=PENDING_TIMEOUT):
        return False
    county_code = County.objects.filter(pk=county_id).values_list("code", flat=True).first() if county_id else None

    def enqueue() -> None:
        from wuqiang.scoring.tasks import rollup_year_task

        try:
            rollup_year_task.apply_async(args=[year], kwargs={"county_code": county_code},
                                         countdown=COALESCE_SECONDS)
        except Exception:  # a failed roll-up must never undo or break the review that asked for it
            logger.exception("Could not run the roll-up of %s (county %s)", year, county_code)

    transaction.on_commit(enqueue)
    return True


def rollup_request(*, year: MunicipalYear, actor=None, county: County | None = None) -> RollupRun:
    """Queue a roll-up of a municipality's year (or one county of it) now, e.g. from the
    dashboard button; with an ``actor``, only if they may start one."""
    if actor is not None:
        permissions.require(permissions.rollup_refusal(actor, year))
    run = RollupRun.objects.create(year_id=year.year_id, municipality_id=year.municipality_id, county=county,
                                   triggered_by=actor)
    municipality_code = Municipality.objects.values_list("code", flat=True).get(pk=year.municipality_id)

    def enqueue() -> None:
        from wuqiang.scoring.tasks import rollup_year_task

        try:
            rollup_year_task.delay(year.year_id, county_code=county.code if county else None, run_id=run.pk,
                                   municipality_code=municipality_code)
        except Exception:
            logger.exception("Could not run the roll-up of %s", year)

    transaction.on_commit(enqueue)
    return run


def rollup_now(*, year: MunicipalYear, actor=None) -> RollupRun:
    """Recompute a municipality's year in the caller's transaction, recorded as a finished run
    (publishing a year does this, so the published scores are those of the data at that moment)."""
    from wuqiang.scoring.rollup import rollup_year

    started = timezone.now()
    code = Municipality.objects.values_list("code", flat=True).get(pk=year.municipality_id)
    result = rollup_year(year.year_id, municipality_code=code, force=True)
    return RollupRun.objects.create(
        year_id=year.year_id, municipality_id=year.municipality_id, triggered_by=actor, state=RunState.DONE,
        progress=100, started_at=started, finished_at=timezone.now(),
        villages=result.villages, statements=result.statements, seconds=result.seconds)


# --- Demonstration nominations ------------------------------------------------------------------


def nominations_propose(*, year: MunicipalYear, actor) -> int:
    """Propose every village of the municipality graded exemplary in the year's stored
    scorecards. Idempotent: villages already nominated keep their status and decision.
    Returns how many were added."""
    permissions.require(permissions.nomination_refusal(actor, year))
    exemplary = (VillageScorecard.objects.visible_to(actor)
                 .filter(year_id=year.year_id, municipality_id=year.municipality_id, grade=Grade.EXEMPLARY)
                 .values_list("village_id", flat=True))
    existing = set(DemonstrationNomination.objects.filter(year_id=year.year_id).values_list("village_id", flat=True))
    new = [DemonstrationNomination(year_id=year.year_id, village_id=v) for v in exemplary if v not in existing]
    DemonstrationNomination.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def nomination_decide(*, nomination: DemonstrationNomination, actor, confirm: bool,
                      note: str = "") -> DemonstrationNomination:
    """Confirm or reject one proposed village (municipal staff of its city, year not published)."""
    county_id = Village.objects.values_list("county_id", flat=True).get(pk=nomination.village_id)
    permissions.require(permissions.nomination_refusal(actor, year_settings(year=nomination.year_id,
                                                                            county_id=county_id)))
    nomination.note = plain_text(note, field="note", max_length=SHORT_TEXT, multiline_text=False)
    nomination.status = NominationStatus.CONFIRMED if confirm else NominationStatus.REJECTED
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return nomination
