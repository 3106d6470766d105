"""Demo values for 要素保障强: the secretary's pay and conditions, the village venue, the
township's 五小 facilities, and the county incomes the pay standard rests on.

The secretary's annual pay is the monthly pay of the secretary listed on the talent sheet,
times twelve, so S1 compares what the two sheets agree on. County incomes start in 2019, so
2020's pay standard has its base too.
"""

from __future__ import annotations

from support.models import CountyIncome
from wuqiang.core.demo.bulk import cents
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.life import COUNTY_TRAITS, DEFAULT_TRAITS, DemoWorld, Traits
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import Level

# Growth of rural per-capita disposable income in Zunyi's counties, year on year.
INCOME_GROWTH = {2020: 1.082, 2021: 1.104, 2022: 1.064}
FACILITIES = ["canteen", "toilet", "bathhouse", "library", "activity_room", "turnover_housing"]


def plan(world: DemoWorld) -> None:
    return None


def county_incomes(city: DemoCity, seed: int, years: list[int]) -> list[CountyIncome]:
    """Each county's rural income from 2019 on: its 2019 level and the city's growth, a little
    faster or slower by county."""
    rows = []
    for county in city.counties:
        traits = COUNTY_TRAITS.get(county.code, DEFAULT_TRAITS)
        wobble = Traits(f"{seed}:{county.code}")
        income = float(traits.rural_income_2019)
        for year in sorted(years):
            if year in INCOME_GROWTH:
                income *= INCOME_GROWTH[year] + (wobble.u(f"growth-{year}") - 0.5) * 0.02
            rows.append(CountyIncome(county=county, year_id=year, rural_income_per_capita=round(income, -1)))
    return rows


def rows(world: DemoWorld, year: int) -> list:
    from wuqiang.core.demo.entries import SheetRows

    rng = world.rng(Pillar.SUPPORT, year)
    villages = SheetRows(Pillar.SUPPORT)
    for life in world.villages:
        area = 150 + 450 * life.traits.u("venue-area")
        if life.yes("venue-extension", year, 0.0, 0.4):
            area *= 1.35  # extended during the campaign
        villages.profiles[life.pk] = {
            "secretary_annual_pay": life.facts["secretary_pay"][year] * 12,
            "months_paid_on_time": 12 if life.yes(f"pay-on-time-{year}", year, 0.5, 1.1) else rng.randint(8, 11),
            "venue_area": cents(area, 1),
            "venue_standardised": life.yes("venue-standard", year, 0.45, 1.1),
            "paid_leave": life.yes("paid-leave", year, 0.35, 1.05),
            "health_checkup": life.yes("health-checkup", year, 0.5, 1.1),
        }
    townships = SheetRows(Pillar.SUPPORT, level=Level.TOWNSHIP)
    county_strength = {c.pk: COUNTY_TRAITS.get(c.code, DEFAULT_TRAITS).strength for c in world.city.counties}
    for township in world.city.townships:
        life = world.townships[township.pk]
        # The 五小 are built one by one: a better-run township has more of them, and keeps them.
        s = county_strength[township.county_id] + life.strength + 0.04 * (year - 2021)
        posts = 40 + int(50 * life.traits.u("posts"))
        townships.profiles[township.pk] = {
            **{name: life.traits.u(name) < 0.45 + 0.6 * s for name in FACILITIES},
            "civil_posts": posts,
            "civil_posts_filled": posts - rng.randint(0, 6),
        }
    return [villages, townships]
