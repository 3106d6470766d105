"""Demo entries for every village, pillar and year, left as the entry services leave them.

Each pillar app generates its values from the villages' persistent profiles
(``<app>/demo.py``: ``plan`` once for all years, ``rows`` for one year); this module gives every
sheet its entry and writes everything in bulk — going through ``entry_save`` for 26,520 entries
and ~300,000 records would take far too long — but leaves what the services leave:

* the review state and its history (``entries.Change`` rows for each submission, return,
  reopening and approval, by the township's clerk and the county's reviewer, spread over weeks:
  see ``workflow.py``), with the version the services would have counted;
* ``quality_flags`` computed with the same rule as ``entries.quality`` on the same values, and
  the clerk's explanation wherever a flagged entry was submitted;
* ``approved_snapshot`` (the values at approval, in ``entries.snapshots``' shape) on every entry
  that was ever approved.

Seeded history rows are marked ``source = system``: the audit trail must never claim a web
request that did not happen, and the demo's steps were written by ``seed_demo``.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from wuqiang.accounts.models import User
from wuqiang.core.demo import bulk
from wuqiang.core.demo.anomalies import plan_anomalies
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.life import DemoWorld, build_lives
from wuqiang.core.demo.users import clerk_username, reviewer_username
from wuqiang.core.demo.workflow import CALENDARS, Story, batches, county_lag, story, township_pace
from wuqiang.entries.models import Change, ChangeSource, Entry, Pillar, entry_sort_code
from wuqiang.entries.quality import compare
from wuqiang.entries.registry import PillarSheet, get_sheet
from wuqiang.entries.snapshots import stored_values
from wuqiang.regions.models import Level

# Talent first: the other pillars read the year's 一肩挑 fact, 两委 size and secretary's pay
# from its roster.
PILLAR_ORDER = [Pillar.TALENT, Pillar.ORGANIZATIONS, Pillar.ECONOMY, Pillar.GOVERNANCE, Pillar.SUPPORT]

# The clerk's note on a flag nobody planned (a value that drifted out of its band by chance).
GENERIC_EXPLANATIONS = {
    "households": "户数与周边村或上年差异较大，系分户、迁入迁出所致，已经乡镇核实。",
    "operating_income": "村集体经营性收入结构与周边村不同，已附收支明细，经乡镇审核无误。",
    "total_income": "总收入含上级补助资金，与周边村差异较大，已经乡镇审核无误。",
}


@dataclass
class SheetRows:
    """One sheet's values for one year: profile fields by unit id (village or township), and
    each record list's rows by unit id."""

    pillar: str
    level: Level = Level.VILLAGE
    profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[type[models.Model], dict[int, list[dict[str, Any]]]] = field(default_factory=dict)

    def records_of(self, model: type[models.Model]) -> dict[int, list[dict[str, Any]]]:
        return self.records.setdefault(model, {})

    @property
    def sheet(self) -> PillarSheet:
        return get_sheet(self.pillar if self.level == Level.VILLAGE else f"{self.pillar}-township")


def _generator(pillar: str):
    return importlib.import_module(f"{pillar}.demo")


def build_world(city: DemoCity, seed: int, years: list[int]) -> DemoWorld:
    """The villages' lives and each pillar's plan across ``years``."""
    anomalies = plan_anomalies(city, seed, years)
    lives, townships = build_lives(city, seed, years, anomalies)
    world = DemoWorld(city=city, seed=seed, years=sorted(years), villages=lives, townships=townships,
                      anomalies=anomalies)
    for pillar in PILLAR_ORDER:
        world.plans[pillar] = _generator(pillar).plan(world)
    return world


def years_with_entries(city: DemoCity, years: tuple[int, ...]) -> set[int]:
    """The demo years that already hold the city's pillar data (kept when the seeder runs again)."""
    return set(Entry.objects.filter(county__municipality=city.municipality, year_id__in=years)
               .values_list("year_id", flat=True).distinct())


def delete_entries(city: DemoCity, years: tuple[int, ...]) -> None:
    """Remove the city's pillar data of ``years`` (records and history go with their entries)."""
    Entry.objects.filter(county__municipality=city.municipality, year_id__in=years).delete()


def build_entries(world: DemoWorld, *, write_years: set[int]) -> int:
    """Generate every demo year (each follows from the one before) and write those in
    ``write_years``; returns how many entries were written."""
    users = dict(User.objects.filter(role__in=["clerk", "reviewer"]).values_list("username", "pk"))
    previous: dict[str, dict[int, dict[str, Any]]] = {}
    written = 0
    for year in world.years:
        sheets = [rows for pillar in PILLAR_ORDER for rows in _generator(pillar).rows(world, year)]
        flags = {rows.sheet.slug: _flags(world, rows, previous.get(rows.sheet.slug, {})) for rows in sheets}
        if year in write_years:
            written += _write_year(world, year, sheets, flags, users)
        previous = {rows.sheet.slug: rows.profiles for rows in sheets}
    return written


def _flags(world: DemoWorld, rows: SheetRows, previous: dict[int, dict[str, Any]]) -> dict[int, list[dict]]:
    """``entries.quality``'s flags for every village of the sheet, from the values in hand."""
    sheet = rows.sheet
    if not sheet.watched or rows.level != Level.VILLAGE:
        return {}
    names = [w.field for w in sheet.watched]
    by_township: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for village in world.city.villages:
        by_township[village.township_id].append((village.pk, {n: rows.profiles[village.pk][n] for n in names}))
    result = {}
    for neighbours in by_township.values():
        for village_id, current in neighbours:
            peers = [values for other, values in neighbours if other != village_id]
            result[village_id] = compare(sheet.watched, current, previous.get(village_id, {}), peers)
    return result


def _write_year(world: DemoWorld, year: int, sheets: list[SheetRows], flags: dict[str, dict[int, list]],
                users: dict[str, int]) -> int:
    """One year's entries with their values, states, history, flags and snapshots, in bulk."""
    city = world.city
    calendar = CALENDARS[year]
    rng = world.rng("workflow", year)
    running = calendar.closed is None
    county_code = {c.pk: c.code for c in city.counties}
    lags = {c.pk: county_lag(rng, running) for c in city.counties}
    paces = {t.pk: township_pace(rng, calendar, lags[t.county_id], running) for t in city.townships}
    slugs = [rows.sheet.slug for rows in sheets]
    plans = {t.pk: batches(rng, paces[t.pk], slugs) for t in city.townships}
    townships = {t.pk: t for t in city.townships}

    planned: list[tuple[SheetRows, Any, Story, list[dict], str]] = []
    for rows in sheets:
        village_level = rows.level == Level.VILLAGE
        for unit in city.villages if village_level else city.townships:
            township = townships[unit.township_id] if village_level else unit
            anomaly = world.anomaly(year, unit.pk, rows.pillar) if village_level else None
            path = story(rng, paces[township.pk], calendar, rows.pillar, plans[township.pk][rows.sheet.slug],
                         township_sheet=not village_level,
                         forced=anomaly.state if anomaly else None,
                         return_comment=anomaly.return_comment if anomaly else "")
            unit_flags = flags.get(rows.sheet.slug, {}).get(unit.pk, [])
            explanation = ""
            if unit_flags and path.was_submitted:
                # Submitting needs a word on every flag (permissions.submit_refusal).
                explanation = (anomaly.explanation if anomaly and anomaly.explanation
                               else " ".join(dict.fromkeys(GENERIC_EXPLANATIONS[f["field"]] for f in unit_flags)))
            planned.append((rows, unit, path, unit_flags, explanation))

    entry_ids = bulk.reserve_ids(Entry, len(planned))
    record_ids = {model: iter(bulk.reserve_ids(model, sum(len(r) for r in by_unit.values())))
                  for rows in sheets for model, by_unit in rows.records.items()}
    entries, changes = [], []
    profiles: dict[type[models.Model], list[dict]] = defaultdict(list)
    records: dict[type[models.Model], list[dict]] = defaultdict(list)
    for entry_id, (rows, unit, path, unit_flags, explanation) in zip(entry_ids, planned, strict=True):
        sheet = rows.sheet
        village_level = rows.level == Level.VILLAGE
        township = townships[unit.township_id] if village_level else unit
        clerk = users.get(clerk_username(township.code))
        reviewer = users.get(reviewer_username(county_code[township.county_id]))
        profile = rows.profiles[unit.pk]
        profiles[sheet.profile_model].append({**profile, "entry": entry_id})
        snapshot_records: dict[str, dict[str, Any]] = {}
        for record_sheet in sheet.records:
            listed = snapshot_records[record_sheet.object_type] = {}
            for values in rows.records.get(record_sheet.model, {}).get(unit.pk, []):
                record_id = next(record_ids[record_sheet.model])
                records[record_sheet.model].append({**values, "id": record_id, "entry": entry_id})
                if path.approved:
                    listed[str(record_id)] = stored_values(record_sheet.model, values)
        entries.append({
            "id": entry_id, "year": year, "pillar": rows.pillar, "village": unit.pk if village_level else None,
            "township": township.pk, "county": township.county_id,
            "sort_code": entry_sort_code(township.code, unit.code if village_level else None),
            "state": path.state, "version": path.version, "is_complete": True, "review_comment": path.review_comment,
            "quality_flags": unit_flags, "flag_explanation": explanation,
            "updated_at": path.updated_at, "updated_by": clerk,
            "submitted_at": path.submitted_at, "submitted_by": clerk if path.was_submitted else None,
            "reviewed_at": path.reviewed_at, "reviewed_by": reviewer if path.reviewed_at else None,
            "approved_snapshot": bulk.RawJson(bulk.dump_json(
                {"profile": stored_values(sheet.profile_model, profile), "records": snapshot_records}))
            if path.approved else None,
        })
        changes += [{"entry": entry_id, "at": step.at, "actor": reviewer if step.by_reviewer else clerk,
                     "action": step.action, "comment": step.comment, "source": ChangeSource.SYSTEM}
                    for step in path.steps]
    bulk.insert(Entry, entries)
    for model, values in profiles.items():
        bulk.insert(model, values)
    for model, values in records.items():
        bulk.insert(model, values)
    bulk.insert(Change, changes)
    return len(entries)

