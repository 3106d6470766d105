"""Demo values for 集体经济强: each village's collective economy as one series over the years.

Earnings follow the county's and the township's economy (so a township's villages compare with
each other, as the data-quality check expects), grow a few per cent a year, and reproduce SPEC
§7 exactly in 2021: 68,000 万元 in all, 265 villages above 50 万元, none below 10 万元, 20
demonstration bases. The planned anomalies (a one-off sale, a collapse, a typo) are applied on
top of the series.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from economy.choices import DevelopmentModel
from wuqiang.core.demo.bulk import cents
from wuqiang.core.demo.life import ANCHOR_YEAR, DemoWorld, VillageLife, clip
from wuqiang.entries.models import Pillar

# SPEC §7, 2021 (万元).
TOTAL_INCOME_2021 = Decimal("68000.00")
ABOVE_50_2021 = 265
DEMONSTRATION_BASES_2021 = 20
HIGH, LOW = Decimal(50), Decimal(10)
# The city's typical village earns about this much (万元) before county and township effects;
# below the 265 richest, the mean of 2021's incomes.
TYPICAL_INCOME = 28.0
# A one-off sale multiplies a year's income; a closed quarry leaves a quarter of it; a typo ten times.
ONE_OFF_FACTOR = Decimal("4.2")
COLLAPSE_FACTOR = Decimal("0.24")
TYPO_FACTOR = 10


@dataclass
class VillageEconomy:
    """One village's collective economy: operating income by year (万元) and what persists."""

    income: dict[int, Decimal] = field(default_factory=dict)
    other_income: float = 0.0
    asset_multiple: float = 5.0
    debt_share: float = 0.1
    models: list[str] = field(default_factory=list)
    base_from: int | None = None


def _raw_incomes(rng: random.Random, lives: list[VillageLife]) -> list[float]:
    return [life.county.income * life.township.income * (0.75 + 0.5 * life.strength(ANCHOR_YEAR))
            * clip(rng.lognormvariate(0, 0.28), 0.55, 1.9) for life in lives]


def calibrate_2021(raw: list[float]) -> list[Decimal]:
    """Map the drawn incomes, keeping their order and proportions as far as possible, onto SPEC
    §7's 2021: exactly ``ABOVE_50_2021`` above 50 万元, none below 10, 68,000 万元 in all.

    Two power curves meet at 50 万元 between the 265th and 266th largest draws: below it
    ``10 + 40 × (x / pivot) ** b1`` (never below 10; ``b1`` sets the typical village's income),
    above it ``50 × (x / pivot) ** b2`` (``b2`` makes the sum right). Each exponent is found by
    bisection; the last cents go to villages well inside the bands."""
    order = sorted(range(len(raw)), key=lambda i: -raw[i])
    pivot = math.sqrt(raw[order[ABOVE_50_2021 - 1]] * raw[order[ABOVE_50_2021]])
    top, rest = order[:ABOVE_50_2021], order[ABOVE_50_2021:]

    def solve(curve, indexes: list[int], target: float, rising: bool) -> list[float]:
        """The curve's values with the exponent that makes their sum ``target``."""
        low, high = 0.0, 8.0
        for _ in range(60):
            middle = (low + high) / 2
            total = sum(curve(raw[i] / pivot, middle) for i in indexes)
            if (total < target) == rising:
                low = middle
            else:
                high = middle
        return [curve(raw[i] / pivot, high) for i in indexes]

    values = [Decimal(0)] * len(raw)
    below = solve(lambda r, b: 10 + 40 * r ** b, rest, TYPICAL_INCOME * len(rest), rising=False)
    for i, value in zip(rest, below, strict=True):
        values[i] = min(HIGH, cents(value))
    above = solve(lambda r, b: 50 * r ** b, top, float(TOTAL_INCOME_2021 - sum(values)), rising=True)
    for i, value in zip(top, above, strict=True):
        values[i] = max(HIGH + Decimal("0.01"), cents(value))
    gap = TOTAL_INCOME_2021 - sum(values)
    step = Decimal("0.01") if gap > 0 else Decimal("-0.01")
    middle_band = [i for i in order if Decimal(15) < values[i] < Decimal(45)]
    while gap:
        for i in middle_band:
            if not gap:
                break
            values[i] += step
            gap -= step
    return values


def plan(world: DemoWorld) -> dict[int, VillageEconomy]:
    rng = world.rng(Pillar.ECONOMY)
    lives = world.villages
    incomes = calibrate_2021(_raw_incomes(rng, lives))
    economies: dict[int, VillageEconomy] = {}
    for life, income in zip(lives, incomes, strict=True):
        economy = VillageEconomy(
            other_income=rng.uniform(6, 40) * (0.7 + 0.6 * life.county.income / 1.9),
            asset_multiple=rng.uniform(3, 9), debt_share=rng.uniform(0, 0.3),
            models=sorted(rng.sample(DevelopmentModel.values, rng.randint(1, 3))),
        )
        economy.income[ANCHOR_YEAR] = income
        s = life.strength(ANCHOR_YEAR)
        for year in world.years:
            if year < ANCHOR_YEAR:
                # A little poorer before: growth of 3–15 % a year, faster in better-run villages.
                economy.income[year] = cents(float(income) / (1 + rng.uniform(0.03, 0.1) + 0.05 * s))
            elif year > ANCHOR_YEAR:
                economy.income[year] = cents(float(economy.income[year - 1]) * (1 + rng.uniform(0.0, 0.1) + 0.05 * s))
        economies[life.pk] = economy
    one_off = world.story("one-off-sale")
    if one_off and ANCHOR_YEAR - 1 in world.years:
        # Several times last year's and the neighbours' incomes.
        year = ANCHOR_YEAR - 1
        village = next(life for life in lives if life.pk == one_off.village_id)
        neighbours = [economies[life.pk].income[year] for life in lives
                      if life.village.township_id == village.village.township_id and life.pk != village.pk]
        series = economies[one_off.village_id].income
        series[year] = cents(max(series[ANCHOR_YEAR] * ONE_OFF_FACTOR, statistics.median(neighbours) * 4))
    collapse = world.story("income-collapse")
    if collapse:
        series = economies[collapse.village_id].income
        series[collapse.year] = cents(series[collapse.year - 1] * COLLAPSE_FACTOR)
    _bases(rng, lives, economies, world.years)
    return economies


def _bases(rng: random.Random, lives: list[VillageLife], economies: dict[int, VillageEconomy],
           years: list[int]) -> None:
    """Demonstration bases are named among the richest, best-run villages and keep the title:
    15 by 2020, SPEC §7's 20 in 2021, a few more in 2022."""
    richest = sorted(lives, key=lambda life: -economies[life.pk].income[ANCHOR_YEAR])[:150]
    named = rng.sample(richest, DEMONSTRATION_BASES_2021 + 6)
    for i, life in enumerate(named):
        economies[life.pk].base_from = ANCHOR_YEAR - 1 if i < 15 else ANCHOR_YEAR if i < 20 else ANCHOR_YEAR + 1


def rows(world: DemoWorld, year: int) -> list:
    from wuqiang.core.demo.entries import SheetRows

    economies: dict[int, VillageEconomy] = world.plans[Pillar.ECONOMY]
    rng = world.rng(Pillar.ECONOMY, year)
    sheet = SheetRows(Pillar.ECONOMY)
    typo = world.story("total-income-typo")
    for life in world.villages:
        economy = economies[life.pk]
        income = economy.income[year]
        total = cents(float(income) + economy.other_income * (1 + 0.06 * (year - ANCHOR_YEAR)))
        if typo and (typo.year, typo.village_id) == (year, life.pk):
            total *= TYPO_FACTOR
        assets = cents(float(total) * economy.asset_multiple)
        # The 2021 election changed many collectives' heads; other years few.
        head_changed = life.traits.u(f"head-{year}") < (0.3 if year == ANCHOR_YEAR else 0.04)
        sheet.profiles[life.pk] = {
            "organisation_registered": life.yes("registered", year, 0.75, 1.1),
            "property_reform_done": life.yes("reform", year, 0.8, 1.1),
            "operating_income": income,
            "total_income": total,
            "assets": assets,
            "liabilities": cents(float(assets) * economy.debt_share),
            "development_models": economy.models,
            "supervisory_board": life.yes("board", year, 0.7, 1.1),
            "disclosure_quarters": 4 if life.yes(f"disclosure-{year}", year, 0.4, 1.05) else rng.randint(1, 3),
            "township_managed_finance": life.yes("township-finance", year, 0.8, 1.0),
            "head_changed": head_changed,
            "departure_audit_done": head_changed and life.yes("audit", year, 0.6, 1.05),
            "demonstration_base": economy.base_from is not None and economy.base_from <= year,
        }
    return [sheet]
