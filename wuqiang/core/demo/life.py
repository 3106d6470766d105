"""Each demo village as one persistent profile that lives through the years.

A village is drawn once — its county's and township's character, its own strength, size and
membership — and every year's sheets are read off that profile with small, plausible drift:
households and party members move by a few per cent, yes/no facts persist (a standardised
venue stays standardised) and improve slowly as the campaign goes on. 2021 is the anchor
year (SPEC §7 calibrates it); 2020 is derived backwards from it and 2022 forwards.

Every draw comes from generators seeded by the demo seed and a name, so the city is the same
on every run whatever order the pieces are built in.
"""

from __future__ import annotations

import hashlib
import random
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.regions.models import Township, Village

if TYPE_CHECKING:
    from wuqiang.core.demo.anomalies import Anomaly

# The year SPEC §7 reports on: its figures are exact, the other years drift from it.
ANCHOR_YEAR = 2021
# SPEC §7: the city's rural party members (the seed's 11万) in 2021.
PARTY_MEMBERS_2021 = 110_000


@dataclass(frozen=True)
class CountyTraits:
    """What sets a county apart: how well its villages are run (0–1), how much their collective
    economy earns against the city's typical village, rural per-capita disposable income in
    2019 (yuan), and how its cadres are paid against the city's mean."""

    strength: float
    income: float
    rural_income_2019: int
    pay: float


# Zunyi's urban districts, 仁怀 (Moutai) and 湄潭 (tea) are well off; the mountain counties of
# the north-east (正安, 道真, 务川) are the poorest. The strengths make county means differ by
# well over ten points, as a real campaign shows.
COUNTY_TRAITS: dict[str, CountyTraits] = {
    "520302": CountyTraits(0.76, 1.70, 16_900, 1.07),  # 红花岗区
    "520303": CountyTraits(0.72, 1.55, 16_500, 1.06),  # 汇川区
    "520304": CountyTraits(0.60, 1.15, 14_900, 1.02),  # 播州区
    "520322": CountyTraits(0.44, 0.78, 12_700, 0.98),  # 桐梓县
    "520323": CountyTraits(0.48, 0.80, 12_800, 0.98),  # 绥阳县
    "520324": CountyTraits(0.20, 0.55, 11_500, 0.93),  # 正安县
    "520325": CountyTraits(0.14, 0.50, 11_100, 0.92),  # 道真仡佬族苗族自治县
    "520326": CountyTraits(0.18, 0.52, 11_300, 0.92),  # 务川仡佬族苗族自治县
    "520327": CountyTraits(0.46, 0.82, 12_900, 0.98),  # 凤冈县
    "520328": CountyTraits(0.68, 1.35, 14_600, 1.03),  # 湄潭县
    "520329": CountyTraits(0.58, 1.00, 13_500, 1.00),  # 余庆县
    "520330": CountyTraits(0.38, 0.76, 12_400, 0.97),  # 习水县
    "520381": CountyTraits(0.62, 1.05, 13_900, 1.01),  # 赤水市
    "520382": CountyTraits(0.80, 1.90, 16_700, 1.08),  # 仁怀市
}
DEFAULT_TRAITS = CountyTraits(0.5, 1.0, 13_500, 1.0)

# How much better run the villages get each year of the campaign.
YEARLY_IMPROVEMENT = 0.025


class Traits:
    """Stable uniform draws in [0, 1) by name: the same village and name always give the same
    number, so a yes/no fact that depends on it persists from year to year."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._cache: dict[str, float] = {}

    def u(self, name: str) -> float:
        value = self._cache.get(name)
        if value is None:
            digest = hashlib.blake2b(f"{self.key}:{name}".encode(), digest_size=8).digest()
            value = self._cache[name] = int.from_bytes(digest, "big") / 2**64
        return value


def clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


@dataclass
class TownshipLife:
    """A township's character: its offset on the county's strength and its villages' typical
    size and earnings."""

    township: Township
    strength: float
    households: float
    income: float
    traits: Traits


@dataclass
class VillageLife:
    """One village through the demo years: how well it is run and the sizes every pillar shares
    (households, party members, grids and party groups)."""

    village: Village
    township: TownshipLife
    county: CountyTraits
    traits: Traits
    base_strength: float
    households: dict[int, int] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    grids: dict[int, int] = field(default_factory=dict)
    party_groups: dict[int, int] = field(default_factory=dict)
    # Facts other pillars hand over within a year (set by the pillar plans).
    facts: dict[str, Any] = field(default_factory=dict)
    _strength: dict[int, float] = field(default_factory=dict, repr=False)

    @property
    def pk(self) -> int:
        return self.village.pk

    @property
    def code(self) -> str:
        return self.village.code

    def strength(self, year: int) -> float:
        """How well the village is run in ``year``, 0–1: slowly better as the campaign goes on."""
        value = self._strength.get(year)
        if value is None:
            wobble = (self.traits.u(f"wobble-{year}") - 0.5) * 0.06
            value = self._strength[year] = clip(
                self.base_strength + YEARLY_IMPROVEMENT * (year - ANCHOR_YEAR) + wobble, 0.0, 1.0)
        return value

    def yes(self, name: str, year: int, low: float, high: float) -> bool:
        """A yes/no fact whose chance runs from ``low`` (weakest village) to ``high`` (strongest).
        The village's draw is fixed, so the answer persists and only flips as strength moves."""
        return self.traits.u(name) < low + (high - low) * self.strength(year)

    def share(self, name: str, year: int, low: float, high: float, noise: float = 0.05) -> float:
        """A share in [0, 1] that grows with strength, with a little yearly noise."""
        base = low + (high - low) * self.strength(year)
        return clip(base + (self.traits.u(f"{name}-{year}") - 0.5) * 2 * noise, 0.0, 1.0)


@dataclass
class DemoWorld:
    """Everything the pillar generators share: the city, each village's and township's life,
    the deliberate anomalies, and each pillar's plan across the years."""

    city: DemoCity
    seed: int
    years: list[int]
    villages: list[VillageLife]
    townships: dict[int, TownshipLife]
    anomalies: list[Anomaly]
    plans: dict[str, Any] = field(default_factory=dict)

    def rng(self, *parts: object) -> random.Random:
        return random.Random("-".join(str(p) for p in (self.seed, *parts)))

    def anomaly(self, year: int, village_id: int, pillar: str, field_name: str | None = None) -> Anomaly | None:
        for item in self.anomalies:
            if (item.year == year and item.village_id == village_id and item.pillar == pillar
                    and (field_name is None or item.field == field_name)):
                return item
        return None

    def story(self, story: str) -> Anomaly | None:
        return next((a for a in self.anomalies if a.story == story), None)


def build_lives(city: DemoCity, seed: int, years: list[int],
                anomalies: list[Anomaly]) -> tuple[list[VillageLife], dict[int, TownshipLife]]:
    """Draw every township's and village's character, then their sizes in every year."""
    rng = random.Random(f"{seed}-lives")
    county_code = {c.pk: c.code for c in city.counties}
    townships = {}
    for township in city.townships:
        townships[township.pk] = TownshipLife(
            township=township,
            strength=rng.gauss(0, 0.09),
            households=700 * rng.lognormvariate(0, 0.22),
            income=rng.lognormvariate(0, 0.22),
            traits=Traits(f"{seed}:{township.code}"),
        )
    lives = []
    for village in city.villages:
        county = COUNTY_TRAITS.get(county_code[village.county_id], DEFAULT_TRAITS)
        township = townships[village.township_id]
        lives.append(VillageLife(
            village=village, township=township, county=county, traits=Traits(f"{seed}:{village.code}"),
            base_strength=clip(county.strength + township.strength + rng.gauss(0, 0.15), 0.02, 0.98),
        ))
    _sizes(lives, rng, years, {a.story: a.village_id for a in anomalies})
    return lives, townships


# A resettlement village houses several villages' worth of families; a merger adds a neighbour.
RESETTLEMENT_FACTOR = 3.8
MERGER_FACTOR = 1.5


def _sizes(lives: list[VillageLife], rng: random.Random, years: list[int], stories: dict[str, int]) -> None:
    """Households, party members, grids and party groups: drawn for the anchor year, then
    drifted a few per cent a year back and forth from it."""
    raw_members = []
    for life in lives:
        households = round(clip(life.township.households * rng.lognormvariate(0, 0.2)
                                * clip(rng.lognormvariate(0, 0.1), 0.8, 1.25), 220, 2400))
        life.households[ANCHOR_YEAR] = households
    for life in lives:
        if life.pk == stories.get("resettlement"):
            neighbours = [other.households[ANCHOR_YEAR] for other in lives
                          if other.township is life.township and other is not life]
            life.households[ANCHOR_YEAR] = round(statistics.median(neighbours) * RESETTLEMENT_FACTOR)
        raw_members.append(life.households[ANCHOR_YEAR] * 0.082 * rng.lognormvariate(0, 0.18))
    # SPEC §7: exactly 110,000 members in 2021, each village keeping its drawn share.
    scale = PARTY_MEMBERS_2021 / sum(raw_members)
    members = [max(18, round(m * scale)) for m in raw_members]
    gap = PARTY_MEMBERS_2021 - sum(members)
    order = list(range(len(lives)))
    rng.shuffle(order)
    for i in order:
        if gap == 0:
            break
        step = 1 if gap > 0 else -1
        if members[i] + step >= 18:
            members[i] += step
            gap -= step
    for life, count in zip(lives, members, strict=True):
        life.members[ANCHOR_YEAR] = count

    for life in lives:
        h, m = life.households[ANCHOR_YEAR], life.members[ANCHOR_YEAR]
        grids = int(clip(round(h / rng.uniform(55, 90)), 4, 30))
        for year in sorted(years):
            if year == ANCHOR_YEAR:
                continue
            steps = year - ANCHOR_YEAR
            # A village grows or shrinks by under 2 % a year (migration to the towns mostly).
            life.households[year] = round(h * (1 + rng.gauss(0.004, 0.008)) ** steps)
            # New members join and old ones die: a few each year.
            life.members[year] = max(15, m + steps * rng.randint(-1, 3) if steps > 0 else m - rng.randint(-1, 3))
        if life.pk == stories.get("merger") and ANCHOR_YEAR - 1 in years:
            # Before the merger the village was two thirds of its present size.
            life.households[ANCHOR_YEAR - 1] = round(h / MERGER_FACTOR)
            life.members[ANCHOR_YEAR - 1] = round(m / MERGER_FACTOR)
        for year in years:
            life.grids[year] = grids if year >= ANCHOR_YEAR or life.pk != stories.get("merger") else round(
                grids / MERGER_FACTOR)
            # Weak branches leave a few grids without a party group; they close the gap over time.
            missing = round((1 - life.share("party-groups", year, 0.55, 1.0, noise=0.03)) * grids)
            life.party_groups[year] = max(1, grids - missing)
