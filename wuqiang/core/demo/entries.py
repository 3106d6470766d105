"""Demo entries for every village, pillar and year, in the states a real campaign shows.

2020 is published and fully approved; 2021 (the year SPEC §7 reports) is mostly approved with
some entries still submitted, returned or in draft; 2022 is being entered. Each pillar app
fills its own values through ``<app>/demo.py``; this module owns only the shared entry rows.
"""

from __future__ import annotations

import datetime
import importlib
import random
from dataclasses import dataclass

from django.utils import timezone

from wuqiang.accounts.models import User
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.users import clerk_username, reviewer_username
from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.entries.registry import township_sheets, village_sheets
from wuqiang.regions.models import AssessmentYear, Township, Village
from wuqiang.regions.selectors import year_settings

# Share of 2021/2022 village entries in each state (the rest approved / draft).
STATE_MIX = {
    2021: [(EntryState.SUBMITTED, 0.05), (EntryState.RETURNED, 0.02), (EntryState.DRAFT, 0.02)],
    2022: [(EntryState.APPROVED, 0.25), (EntryState.SUBMITTED, 0.25), (EntryState.RETURNED, 0.05)],
}
RETURN_COMMENTS = [
    "请核对党员户数与网格数，附上网格划分说明。",
    "会议记录缺少主题，请补充后重新提交。",
    "经营性收入与上年差异较大，请说明原因。",
    "两委成员学历信息不完整，请补录。",
]


@dataclass
class PillarDemoContext:
    """What a pillar app's demo generator needs to fill one year."""

    rng: random.Random
    year: int
    villages: list[Village]
    townships: list[Township]
    # village id → entry id for this pillar and year (villages without an entry are absent)
    entries: dict[int, int]
    # township id → entry id of the pillar's township-level sheet, if the pillar has one
    township_entries: dict[int, int]
    # True for 2021: the generator must reproduce SPEC §7 exactly
    calibrate: bool
    # this pillar's values from the previous year, to stay plausibly close to them
    memory: dict
    # values one pillar hands to another in the same year (households, the secretary's pay…)
    shared: dict


# SPEC §7: in 2021, 1706 of the 1728 secretaries are also the committee director (一肩挑).
SEPARATE_SECRETARY_2021 = 22


def separate_secretary_villages(villages: list[Village], year: int) -> set[int]:
    """Villages whose secretary is not also the director; both organizations and talent use it."""
    rng = random.Random(f"separate-secretary-{year}")
    count = SEPARATE_SECRETARY_2021 if year == 2021 else rng.randint(25, 45)
    return {v.pk for v in rng.sample(villages, count)}


def _state_for(rng: random.Random, year: AssessmentYear, published: bool) -> str:
    if published:
        return EntryState.APPROVED
    draw = rng.random()
    for state, share in STATE_MIX.get(year.year, []):
        if draw < share:
            return state
        draw -= share
    return EntryState.APPROVED if year.year <= 2021 else EntryState.DRAFT


def build_entries(city: DemoCity, years: list[AssessmentYear], seed: int, *, reset: bool) -> int:
    """Create entries and pillar values for every year that has none yet (all, with reset).

    Each year draws from its own generator, so a year's data is the same whichever years
    already existed when the command ran."""
    if reset:
        Entry.objects.filter(year__in=years).delete()
    users = {u.username: u.pk for u in User.objects.filter(role__in=["clerk", "reviewer"]).only("username")}
    built = 0
    memory: dict = {}
    for year in sorted(years, key=lambda y: y.year):
        if Entry.objects.filter(year=year).exists():
            continue
        built += _build_year(city, year, random.Random(f"{seed}-{year.year}"), users, memory)
    return built


def _build_year(city: DemoCity, year: AssessmentYear, rng: random.Random, users: dict[str, int], memory: dict) -> int:
    submitted_at = timezone.make_aware(datetime.datetime(min(year.year + 1, 2026), 1, 15, 10))
    reviewed_at = submitted_at + datetime.timedelta(days=10)
    township_by_id = {t.pk: t for t in city.townships}
    county_code = {c.pk: c.code for c in city.counties}
    published = year_settings(year=year.year, municipality_id=city.municipality.pk).is_published
    rows: list[Entry] = []
    for sheet in village_sheets():
        for village in city.villages:
            state = _state_for(rng, year, published)
            township = township_by_id[village.township_id]
            clerk = users.get(clerk_username(township.code))
            reviewer = users.get(reviewer_username(county_code[village.county_id]))
            rows.append(_entry(year, sheet.pillar, village, township, state, clerk, reviewer,
                               submitted_at, reviewed_at, rng))
    for sheet in township_sheets():
        for township in city.townships:
            clerk = users.get(clerk_username(township.code))
            reviewer = users.get(reviewer_username(county_code[township.county_id]))
            state = EntryState.APPROVED if year.year <= 2021 else EntryState.DRAFT
            rows.append(_entry(year, sheet.pillar, None, township, state, clerk, reviewer,
                               submitted_at, reviewed_at, rng))
    Entry.objects.bulk_create(rows, batch_size=2000)

    ids = Entry.objects.filter(year=year).values_list("pk", "pillar", "village_id", "township_id")
    by_pillar: dict[str, dict[int, int]] = {p: {} for p in Pillar.values}
    township_by_pillar: dict[str, dict[int, int]] = {p: {} for p in Pillar.values}
    for pk, pillar, village_id, township_id in ids:
        if village_id:
            by_pillar[pillar][village_id] = pk
        else:
            township_by_pillar[pillar][township_id] = pk
    shared: dict = {"separate_secretary": separate_secretary_villages(city.villages, year.year)}
    for pillar in Pillar.values:
        generator = importlib.import_module(f"{pillar}.demo")
        generator.generate(PillarDemoContext(
            rng=rng, year=year.year, villages=city.villages, townships=city.townships,
            entries=by_pillar[pillar], township_entries=township_by_pillar[pillar],
            calibrate=year.year == 2021, memory=memory.setdefault(pillar, {}), shared=shared,
        ))
    # Every generated entry is complete: the demo's clerks filled in what scoring needs.
    Entry.objects.filter(year=year).update(is_complete=True, version=1)
    return len(rows)


def _entry(year, pillar, village, township, state, clerk, reviewer, submitted_at, reviewed_at, rng) -> Entry:
    submitted = state in (EntryState.SUBMITTED, EntryState.APPROVED, EntryState.RETURNED)
    reviewed = state in (EntryState.APPROVED, EntryState.RETURNED)
    return Entry(
        year=year, pillar=pillar, village=village, township=township, county_id=township.county_id,
        state=state, updated_at=submitted_at, updated_by_id=clerk,
        submitted_at=submitted_at if submitted else None, submitted_by_id=clerk if submitted else None,
        reviewed_at=reviewed_at if reviewed else None, reviewed_by_id=reviewer if reviewed else None,
        review_comment=rng.choice(RETURN_COMMENTS) if state == EntryState.RETURNED else "",
    )
