"""Data quality beyond validation (SPEC §6): values far from the village's previous year or
from the rest of its township.

Such a value is saved but flagged, and the entry cannot be submitted without a short
explanation that the reviewer reads beside the flags. Each pillar declares the fields it
watches (``PillarSheet.watched``); the comparison lives here once.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from wuqiang.entries.models import Entry
from wuqiang.entries.snapshots import display_value, field_label

# The township comparison needs this many other villages to be meaningful.
MIN_PEERS = 4


@dataclass(frozen=True)
class Watch:
    """A profile field that should stay within [low × last year, high × last year] and within
    [median ÷ spread, median × spread] of the other villages of its township."""

    field: str
    low: Decimal
    high: Decimal
    spread: Decimal


def watch(field: str, *, low: str, high: str, spread: str = "3") -> Watch:
    return Watch(field, Decimal(low), Decimal(high), Decimal(spread))


def _comparison_values(entry: Entry, sheet) -> tuple[dict, list[dict]]:
    """The village's previous-year values of the watched fields and its township peers' values
    this year (one query: the two sets of rows cannot overlap, their years differ)."""
    names = [w.field for w in sheet.watched]
    previous_year = Q(entry__village_id=entry.village_id, entry__year_id=entry.year_id - 1)
    peers_this_year = Q(entry__township_id=entry.township_id, entry__year_id=entry.year_id,
                        entry__village__isnull=False)
    if entry.pk is not None:
        peers_this_year &= ~Q(entry=entry)
    previous: dict = {}
    peers: list[dict] = []
    rows = (sheet.profile_model.objects.filter(entry__pillar=entry.pillar)
            .filter(previous_year | peers_this_year).values(*names, "entry__year_id"))
    for row in rows:
        if row.pop("entry__year_id") == entry.year_id:
            peers.append(row)
        else:
            previous = row  # one at most: one entry per village, year and pillar
    return previous, peers


def _median(values: list) -> Decimal | None:
    values = [v for v in values if v is not None]
    return Decimal(statistics.median(values)) if len(values) >= MIN_PEERS else None


def watch_bounds(entry: Entry, sheet) -> dict[str, dict[str, str]]:
    """For each watched field, the band a value must stay in not to be flagged, so the sheet can
    warn while the clerk types (the server still decides, with quality_flags): from the previous
    year's value and from the township's median, where each exists."""
    if not sheet.watched or not entry.village_id:
        return {}
    previous, peers = _comparison_values(entry, sheet)
    bounds: dict[str, dict[str, str]] = {}
    for rule in sheet.watched:
        band: dict[str, str] = {}
        before = previous.get(rule.field)
        if before:
            band.update(previous=str(before), low=str(Decimal(before) * rule.low),
                        high=str(Decimal(before) * rule.high))
        median = _median([p[rule.field] for p in peers])
        if median:
            band.update(median=str(median), median_low=str(median / rule.spread),
                        median_high=str(median * rule.spread))
        if band:
            bounds[rule.field] = band
    return bounds


def quality_flags(entry: Entry, sheet) -> list[dict[str, Any]]:
    """The watched fields whose value left its band around the previous year's value or the
    township's median (two queries; a township has at most a few dozen villages).

    A missing previous year, a value missing on either side, or a township with fewer than
    MIN_PEERS other villages flags nothing for that comparison.
    """
    if not sheet.watched or not entry.village_id:
        return []
    names = [w.field for w in sheet.watched]
    current = sheet.profile_model.objects.filter(entry=entry).values(*names).first()
    if not current:
        return []
    previous, peers = _comparison_values(entry, sheet)
    return compare(sheet.watched, current, previous, peers)


def compare(watched, current: dict[str, Any], previous: dict[str, Any],
            peers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flags for one entry's ``current`` profile values, given the same village's values of
    the previous year (empty if none) and those of the other villages of its township in the
    same year: the rule itself, for callers that already hold the values (the demo seeder)."""
    flags = []
    for rule in watched:
        now, before = current[rule.field], previous.get(rule.field)
        if now is None:
            continue
        if before and not rule.low <= Decimal(now) / Decimal(before) <= rule.high:
            flags.append({"field": rule.field, "kind": "previous_year", "previous": str(before), "current": str(now)})
        median = _median([p[rule.field] for p in peers])
        if median and not median / rule.spread <= Decimal(now) <= median * rule.spread:
            flags.append({"field": rule.field, "kind": "township", "median": str(median), "current": str(now)})
    return flags


def describe_flags(entry: Entry, sheet) -> list[str]:
    """One readable line per flag, e.g. "Operating income: 12.00 last year, 48.00 now"."""
    model = sheet.profile_model
    lines = []
    for flag in entry.quality_flags or []:
        values = {"field": field_label(model, flag["field"]),
                  "current": display_value(model, flag["field"], flag["current"])}
        if flag.get("kind") == "township":
            values["median"] = display_value(model, flag["field"], flag["median"])
            lines.append(_("%(field)s: %(current)s, far from the township's median of %(median)s") % values)
        else:
            values["previous"] = display_value(model, flag["field"], flag["previous"])
            lines.append(_("%(field)s: %(previous)s last year, %(current)s now") % values)
    return lines
