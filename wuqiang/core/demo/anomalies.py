"""The demo's deliberate anomalies: a few values per year that the data-quality check must flag.

Real data has them — a village merged into another, a resettlement village far bigger than its
neighbours, a one-off sale, a collapse in income, a digit typed twice. Each is planned here
once (which village, year, sheet and field, the state its entry is left in, and the clerk's
explanation where the entry was submitted), applied by the generators, and checked by the
tests: each must carry a flag, and hardly anything else may.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.entries.models import EntryState, Pillar

# A village needs this many neighbours for the township comparison to flag it (quality.MIN_PEERS
# other villages, with a margin).
MIN_NEIGHBOURS = 6


@dataclass(frozen=True)
class Anomaly:
    """One planned odd value: where it is, what happened, and how far its entry got."""

    story: str
    year: int
    village_id: int
    village_code: str
    pillar: str
    field: str
    state: str
    # The clerk's note on the flag ("" while the entry is still a draft nobody explained).
    explanation: str = ""
    # The reviewer's comment, for an entry returned because of the value.
    return_comment: str = ""


# story → the years and sheets it shows in, the entry's state, the clerk's note, the reviewer's.
STORIES: list[tuple[str, list[tuple[int, str, str, str, str]], str]] = [
    # A resettlement village (易地扶贫搬迁安置点) has several times the households of its neighbours.
    ("resettlement", [
        (year, Pillar.ORGANIZATIONS, "households", EntryState.APPROVED, "") for year in (2020, 2021, 2022)
    ], "本村为易地扶贫搬迁安置点，集中安置搬迁群众，户数明显多于周边村，数据经乡镇核实无误。"),
    # A one-off timber sale lifts 2020's operating income; 2021 falls back to its usual level.
    ("one-off-sale", [
        (2020, Pillar.ECONOMY, "operating_income", EntryState.APPROVED, ""),
        (2021, Pillar.ECONOMY, "operating_income", EntryState.APPROVED, ""),
    ], "2020年村集体一次性出售集体林木，当年经营性收入远高于往年；2021年回落至正常水平。"),
    # Two villages merged in 2021 (合村并组): households and members jump once.
    ("merger", [(2021, Pillar.ORGANIZATIONS, "households", EntryState.APPROVED, "")],
     "2021年合村并组，相邻村整建制并入本村，户数和党员数相应增加。"),
    # A clerk typed a digit twice: ten times the households, still a draft.
    ("households-typo", [(2022, Pillar.ORGANIZATIONS, "households", EntryState.DRAFT, "")], ""),
    # Total income ten times last year's: the reviewer did not believe the explanation.
    ("total-income-typo", [(2022, Pillar.ECONOMY, "total_income", EntryState.RETURNED,
                            "总收入较上年增长近十倍，疑似多填一位，请核实后重新提交。")],
     "村集体新增资产收益。"),
    # The quarry the village had invested in was closed: operating income collapses.
    ("income-collapse", [(2022, Pillar.ECONOMY, "operating_income", EntryState.SUBMITTED, "")],
     "村集体入股的砂石场因环保整改关停，2022年经营性收入大幅下降，已附乡镇核实说明。"),
]


def plan_anomalies(city: DemoCity, seed: int, years: list[int]) -> list[Anomaly]:
    """Pick one village per story, each in a township big enough to compare it with."""
    rng = random.Random(f"{seed}-anomalies")
    sizes: dict[int, int] = {}
    for village in city.villages:
        sizes[village.township_id] = sizes.get(village.township_id, 0) + 1
    candidates = [v for v in city.villages if sizes[v.township_id] >= MIN_NEIGHBOURS]
    # One story per township, so no two anomalies move the same township's median.
    rng.shuffle(candidates)
    used_townships: set[int] = set()
    planned = []
    for story, appearances, explanation in STORIES:
        village = next(v for v in candidates if v.township_id not in used_townships)
        used_townships.add(village.township_id)
        for year, pillar, field_name, state, return_comment in appearances:
            if year not in years:
                continue
            planned.append(Anomaly(
                story=story, year=year, village_id=village.pk, village_code=village.code, pillar=pillar,
                field=field_name, state=state,
                explanation="" if state == EntryState.DRAFT else explanation, return_comment=return_comment,
            ))
    return planned
