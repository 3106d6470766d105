"""Demo values for 集体经济强. For 2021 the operating incomes reproduce SPEC §7 exactly:
68,000 万元 in all, 265 villages above 50 万元, none below 10 万元, 20 demonstration bases."""

from __future__ import annotations

from decimal import Decimal

from economy.choices import DevelopmentModel
from economy.models import EconomyProfile
from wuqiang.core.demo.names import fix_sum

TOTAL_CENTS_2021 = 68_000_00  # 万元 × 100
ABOVE_50_2021 = 265
DEMONSTRATION_BASES_2021 = 20
LOW, MIDDLE, CAP = 10_00, 50_00, 600_00  # in 万元 cents


def _incomes_2021(rng, count: int) -> list[int]:
    """Operating income per village in 万元 cents, hitting the §7 figures exactly."""
    upper = set(rng.sample(range(count), ABOVE_50_2021))
    lower_values = {i: round(rng.triangular(LOW, MIDDLE, 18_00)) for i in range(count) if i not in upper}
    remaining = TOTAL_CENTS_2021 - sum(lower_values.values())
    raw = {i: rng.lognormvariate(0, 0.6) for i in upper}
    scale = remaining / sum(raw.values())
    upper_values = dict(zip(raw, fix_sum([max(MIDDLE + 1, round(v * scale)) for v in raw.values()],
                                         remaining, MIDDLE + 1, CAP), strict=True))
    return [lower_values.get(i, upper_values.get(i)) for i in range(count)]


def _incomes_other(rng, count: int, memory: dict, village_ids: list[int], year: int) -> list[int]:
    base = memory.get("income", {})
    values = []
    for village_id in village_ids:
        last = base.get(village_id)
        if last is None:  # 2020: a little poorer than 2021, a few villages still below 10 万元
            values.append(round(rng.triangular(6_00, 90_00, 15_00)))
        else:
            values.append(round(last * rng.uniform(0.95, 1.3)))
    return values


def _wan(cents: int) -> Decimal:
    return Decimal(cents) / 100


def generate(ctx) -> None:
    rng = ctx.rng
    village_ids = [v.pk for v in ctx.villages if v.pk in ctx.entries]
    if ctx.calibrate:
        incomes = _incomes_2021(rng, len(village_ids))
    else:
        incomes = _incomes_other(rng, len(village_ids), ctx.memory, village_ids, ctx.year)
    ctx.memory["income"] = dict(zip(village_ids, incomes, strict=True))

    richest = sorted(range(len(village_ids)), key=lambda i: -incomes[i])
    base_count = DEMONSTRATION_BASES_2021 if ctx.calibrate else rng.randint(14, 26)
    bases = set(rng.sample(richest[:120], base_count))
    profiles = []
    for i, (village_id, income) in enumerate(zip(village_ids, incomes, strict=True)):
        total = income + round(rng.uniform(3_00, 60_00))
        assets = round(total * rng.uniform(3, 10))
        head_changed = rng.random() < 0.1
        profiles.append(EconomyProfile(
            entry_id=ctx.entries[village_id],
            organisation_registered=rng.random() < 0.97,
            property_reform_done=rng.random() < 0.95,
            operating_income=_wan(income),
            total_income=_wan(total),
            assets=_wan(assets),
            liabilities=_wan(round(assets * rng.uniform(0, 0.3))),
            development_models=sorted(rng.sample(DevelopmentModel.values, rng.randint(1, 3))),
            supervisory_board=rng.random() < 0.95,
            disclosure_quarters=4 if rng.random() < 0.8 else rng.randint(2, 3),
            township_managed_finance=rng.random() < 0.9,
            head_changed=head_changed,
            departure_audit_done=head_changed and rng.random() < 0.85,
            demonstration_base=i in bases,
        ))
    EconomyProfile.objects.bulk_create(profiles, batch_size=2000)
