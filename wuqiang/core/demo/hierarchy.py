"""Zunyi's 14 county-level units (real codes), 200 townships and 1728 villages (synthetic)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from wuqiang.regions.models import County, Municipality, Township, Village

MUNICIPALITY = ("520300", "遵义市")

# (code, name, townships). The township counts are synthetic but sum to the city's 200.
COUNTIES: list[tuple[str, str, int]] = [
    ("520302", "红花岗区", 10),
    ("520303", "汇川区", 11),
    ("520304", "播州区", 20),
    ("520322", "桐梓县", 20),
    ("520323", "绥阳县", 15),
    ("520324", "正安县", 18),
    ("520325", "道真仡佬族苗族自治县", 13),
    ("520326", "务川仡佬族苗族自治县", 14),
    ("520327", "凤冈县", 13),
    ("520328", "湄潭县", 14),
    ("520329", "余庆县", 10),
    ("520330", "习水县", 20),
    ("520381", "赤水市", 12),
    ("520382", "仁怀市", 10),
]
VILLAGE_TOTAL = 1728
VILLAGES_PER_TOWNSHIP = (5, 20)

# Characters that make plausible Guizhou place names when paired.
_FIRST = "青石龙凤新桃花白沙水马鞍金竹茶园团结红星平安高坪双河木杉梅岭枫香永兴长岗松林黄泥太和"
_SECOND = "坪山沟河坝岩溪湾寨场桥田坡岭江坎塘庄林关口堡垭台"

# Urban districts have more sub-districts (街道); counties mostly towns (镇) and a few 乡.
_STREETS = {"520302": 6, "520303": 5}


@dataclass
class DemoCity:
    municipality: Municipality
    counties: list[County]
    townships: list[Township]
    villages: list[Village]


def _unique_name(rng: random.Random, taken: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _village_counts(rng: random.Random, townships: int) -> list[int]:
    low, high = VILLAGES_PER_TOWNSHIP
    counts = [low] * townships
    extra = VILLAGE_TOTAL - low * townships
    while extra:
        i = rng.randrange(townships)
        if counts[i] < high:
            counts[i] += 1
            extra -= 1
    return counts


def _upsert(model, rows: list, fields: list[str]) -> list:
    """Insert or update by code, then read back with ids (bulk_create does not return them on
    every backend when updating conflicts)."""
    model.objects.bulk_create(rows, update_conflicts=True, unique_fields=["code"], update_fields=fields, batch_size=500)
    by_code = {u.code: u for u in model.objects.filter(code__in=[r.code for r in rows])}
    return [by_code[r.code] for r in rows]


def build_hierarchy(rng: random.Random) -> DemoCity:
    code, name = MUNICIPALITY
    municipality, _ = Municipality.objects.update_or_create(code=code, defaults={"name": name})

    counties = _upsert(
        County,
        [County(code=c, name=n, municipality=municipality) for c, n, _ in COUNTIES],
        ["name", "municipality"],
    )

    township_rows: list[Township] = []
    for county, (_, _, n_townships) in zip(counties, COUNTIES, strict=True):
        taken: set[str] = set()
        streets = _STREETS.get(county.code, 1)
        xiang = 2 if n_townships >= 13 else 0
        for i in range(n_townships):
            if i < streets:
                suffix, serial = "街道", 1 + i
            elif i < n_townships - xiang:
                suffix, serial = "镇", 100 + i - streets
            else:
                suffix, serial = "乡", 200 + i - (n_townships - xiang)
            township_rows.append(
                Township(code=f"{county.code}{serial:03d}", name=_unique_name(rng, taken, suffix), county=county)
            )
    townships = _upsert(Township, township_rows, ["name", "county"])

    village_rows: list[Village] = []
    for township, n_villages in zip(townships, _village_counts(rng, len(townships)), strict=True):
        taken = set()
        for i in range(n_villages):
            village_rows.append(
                Village(
                    code=f"{township.code}{200 + i:03d}",
                    name=_unique_name(rng, taken, "村"),
                    township=township,
                    county_id=township.county_id,
                )
            )
    villages = _upsert(Village, village_rows, ["name", "township", "county"])
    return DemoCity(municipality, counties, townships, villages)
