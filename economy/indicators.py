"""The 集体经济强 indicators E1–E5, the low-income veto and the pillar's key figures.

Scores and figures read approved entries only (see ``wuqiang.scoring.indicators``). Money is in 万元.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuqiang.entries.models import Pillar
from wuqiang.scoring.indicators import (
    Kind,
    approved_entries,
    as_float,
    figures,
    flag,
    indicator,
    one_if,
    share,
    veto,
    village_entry,
)

P = Pillar.ECONOMY
PROFILE = "economy_economyprofile"
INCOME = f"{PROFILE}__operating_income"
# 万元: the veto line (SPEC §5) and the §7 "rich village" line.
LOW_INCOME = Decimal(10)
HIGH_INCOME = Decimal(50)


def _approved(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id")


@indicator("E1", pillar=P, kind=Kind.MONEY, description=_("Operating income (10,000 yuan)"))
def operating_income(year: int) -> QuerySet:
    return _approved(year).annotate(value=as_float(INCOME))


@indicator("E2", pillar=P, kind=Kind.FLAG, description=_("Collective economic organisation registered"))
def organisation_registered(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__organisation_registered"))


@indicator("E3", pillar=P, kind=Kind.FLAG, description=_("Supervisory board in place"))
def supervisory_board(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__supervisory_board"))


@indicator("E4", pillar=P, description=_("Quarters with financial disclosure / 4"),
           unit=pgettext_lazy("counting unit", "quarters"))
def disclosure(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__disclosure_quarters", 4))


# The base is last year's income: value × denominator is the growth in 万元.
@indicator("E5", pillar=P, description=_("Operating income growth against last year"), unit=_("10,000 yuan"),
           money=True)
def income_growth(year: int) -> QuerySet:
    # Last year's approved figure for the same village; none (or zero) leaves the growth NULL.
    previous = f"last_year__{INCOME}"
    return (approved_entries(year, P).alias(last_year=village_entry(year - 1, P)).values("village_id")
            .annotate(**share(F(INCOME) - F(previous), previous)))


@veto("income_below_10")
def income_below_10(year: int) -> QuerySet:
    return approved_entries(year, P).filter(**{f"{INCOME}__lt": LOW_INCOME}).values("village_id")


@figures("economy", pillar=P, columns=("demonstration_bases", "operating_income", "income_above_50",
                                       "income_below_10"))
def economy_figures(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id").annotate(
        demonstration_bases=one_if(f"{PROFILE}__demonstration_base"),
        operating_income=F(INCOME),
        income_above_50=one_if(Q(**{f"{INCOME}__gt": HIGH_INCOME})),
        income_below_10=one_if(Q(**{f"{INCOME}__lt": LOW_INCOME})),
    )
