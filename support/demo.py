"""Demo values for 要素保障强: village support, township 五小 facilities, county incomes."""

from __future__ import annotations

from decimal import Decimal

from support.models import CountyIncome, SupportProfile, TownshipFacilities

# Rural per-capita disposable income (yuan) of a typical Zunyi county in 2020; grows ~9 % a year.
INCOME_2020 = 13_200


def generate(ctx) -> None:
    rng = ctx.rng
    secretary_pay = ctx.shared.get("secretary_pay", {})
    profiles = []
    for village in ctx.villages:
        entry_id = ctx.entries.get(village.pk)
        if entry_id is None:
            continue
        monthly = secretary_pay.get(village.pk, 4500)
        profiles.append(SupportProfile(
            entry_id=entry_id,
            secretary_annual_pay=monthly * 12,
            months_paid_on_time=12 if rng.random() < 0.85 else rng.randint(9, 11),
            venue_area=Decimal(rng.randint(1500, 6000)) / 10,
            venue_standardised=rng.random() < 0.9,
            paid_leave=rng.random() < 0.85,
            health_checkup=rng.random() < 0.9,
        ))
    SupportProfile.objects.bulk_create(profiles, batch_size=2000)

    facilities = []
    for township in ctx.townships:
        entry_id = ctx.township_entries.get(township.pk)
        if entry_id is None:
            continue
        posts = rng.randint(40, 90)
        facilities.append(TownshipFacilities(
            entry_id=entry_id,
            **{name: rng.random() < share for name, share in [
                ("canteen", 0.95), ("toilet", 0.95), ("bathhouse", 0.8), ("library", 0.9),
                ("activity_room", 0.88), ("turnover_housing", 0.75)]},
            civil_posts=posts,
            civil_posts_filled=posts - rng.randint(0, 6),
        ))
    TownshipFacilities.objects.bulk_create(facilities, batch_size=2000)

    county_ids = sorted({t.county_id for t in ctx.townships})
    growth = 1.09 ** (ctx.year - 2020)
    CountyIncome.objects.bulk_create(
        [CountyIncome(county_id=c, year_id=ctx.year, rural_income_per_capita=round(INCOME_2020 * growth
                                                                                   * rng.uniform(0.9, 1.12)))
         for c in county_ids],
        update_conflicts=True, unique_fields=["county", "year"], update_fields=["rural_income_per_capita"],
    )
