"""Data quality beyond validation (SPEC §6): values far from the village's previous year.

Such a value is saved but flagged, and the entry cannot be submitted without a short
explanation that the reviewer reads beside the flags. Each pillar declares the fields it
watches (``PillarSheet.watched``); the comparison lives here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from wuqiang.entries.models import Entry
from wuqiang.entries.snapshots import display_value, field_label


@dataclass(frozen=True)
class Watch:
    """A profile field that should stay within [low × last year, high × last year]."""

    field: str
    low: Decimal
    high: Decimal


def watch(field: str, *, low: str, high: str) -> Watch:
    return Watch(field, Decimal(low), Decimal(high))


def quality_flags(entry: Entry, sheet) -> list[dict[str, Any]]:
    """The watched fields whose value left the band around the previous year's (one query).

    A previous year that was never entered, or a value missing on either side, flags nothing.
    """
    if not sheet.watched or not entry.village_id:
        return []
    names = [w.field for w in sheet.watched]
    current = sheet.profile_model.objects.filter(entry=entry).values(*names).first()
    previous = sheet.profile_model.objects.filter(
        entry__village_id=entry.village_id, entry__pillar=entry.pillar, entry__year_id=entry.year_id - 1,
    ).values(*names).first()
    if not current or not previous:
        return []
    flags = []
    for rule in sheet.watched:
        now, before = current[rule.field], previous[rule.field]
        if now is None or before is None or before == 0:
            continue
        ratio = Decimal(now) / Decimal(before)
        if ratio < rule.low or ratio > rule.high:
            flags.append({"field": rule.field, "previous": str(before), "current": str(now)})
    return flags


def describe_flags(entry: Entry, sheet) -> list[str]:
    """One readable line per flag, e.g. "Operating income: 12.00 last year, 48.00 now"."""
    model = sheet.profile_model
    return [
        _("%(field)s: %(previous)s last year, %(current)s now") % {
            "field": field_label(model, flag["field"]),
            "previous": display_value(model, flag["field"], flag["previous"]),
            "current": display_value(model, flag["field"], flag["current"]),
        }
        for flag in entry.quality_flags or []
    ]
