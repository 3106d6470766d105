"""The 组织功能强 indicators O1–O8, the weak-and-lax veto and the pillar's key figures.

Scores and figures read approved entries only (see ``wuqiang.scoring.indicators``).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.choices import (
    REQUIRED_MEETINGS,
    REQUIRED_MEETINGS_TOTAL,
    REQUIRED_THEME_DAY_MONTHS,
    MeetingKind,
    WeakCaseStatus,
)
from wuqiang.entries.models import Pillar
from wuqiang.scoring.indicators import (
    HOUSEHOLDS,
    MONTHS,
    Kind,
    approved_entries,
    figures,
    flag,
    indicator,
    one_if,
    share,
    veto,
)

P = Pillar.ORGANIZATIONS
PROFILE = "organizations_branchprofile"
MEETINGS = "organizations_meeting_set"
MATTERS = "organizations_majormatter_set"
CASES = "organizations_weakcase_set"
UNRECTIFIED = [status for status in WeakCaseStatus.values if status != WeakCaseStatus.RECTIFIED]


def _approved(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id")


@indicator("O1", pillar=P, kind=Kind.FLAG, description=_("Secretary is also the village committee director"))
def secretary_is_director(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__secretary_is_director"))


@indicator("O2", pillar=P, description=_("Grids with a party group / grids"),
           unit=pgettext_lazy("counting unit", "grids"))
def grids_with_party_group(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__grids_with_party_group", f"{PROFILE}__grids"))


@indicator("O3", pillar=P, description=_("Households linked to a party member / households"), unit=HOUSEHOLDS)
def linked_households(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__linked_households", f"{PROFILE}__households"))


@indicator("O4", pillar=P,
           description=_("Branch meetings and Party lectures held, each kind counted up to its requirement / 32"),
           unit=pgettext_lazy("counting unit", "meetings"))
def meetings_held(year: int) -> QuerySet:
    # Each kind counts only up to its requirement: twelve party lectures do not make up for
    # missing committee meetings.
    held = [
        Least(Count(MEETINGS, filter=Q(**{f"{MEETINGS}__kind": kind, f"{MEETINGS}__date__year": year})),
              Value(required))
        for kind, required in REQUIRED_MEETINGS.items()
    ]
    total = held[0]
    for part in held[1:]:
        total = total + part
    return _approved(year).annotate(**share(total, REQUIRED_MEETINGS_TOTAL))


@indicator("O5", pillar=P, description=_("Months with a theme party day / 12"), unit=MONTHS)
def theme_day_months(year: int) -> QuerySet:
    # A month counts once however many theme days it had: one "was there one this month?" per
    # month, not COUNT(DISTINCT month), which PostgreSQL can only compute by sorting every
    # meeting of the year (4.9 million rows, 4 s at 490,000 villages) where these hash.
    months = None
    for month in range(1, 13):
        start = datetime.date(year, month, 1)
        end = datetime.date(year + month // 12, month % 12 + 1, 1)
        held = Coalesce(Max(Value(1), filter=Q(**{f"{MEETINGS}__kind": MeetingKind.THEME_DAY,
                                                  f"{MEETINGS}__date__gte": start, f"{MEETINGS}__date__lt": end})),
                        Value(0))
        months = held if months is None else months + held
    return _approved(year).annotate(**share(months, REQUIRED_THEME_DAY_MONTHS))


@indicator("O6", pillar=P,
           description=_("Major matters through the four deliberations and two disclosures / major matters"),
           unit=pgettext_lazy("counting unit", "major matters"))
def major_matters_deliberated(year: int) -> QuerySet:
    good = Count(MATTERS, filter=Q(**{f"{MATTERS}__four_deliberations": True, f"{MATTERS}__made_public": True}))
    return _approved(year).annotate(**share(good, Count(MATTERS)))


@indicator("O7", pillar=P, kind=Kind.FLAG, description=_("Standardisation review passed"))
def standardisation_passed(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__standardisation_passed"))


@indicator("O8", pillar=P, kind=Kind.FLAG, description=_("Party-member points system in use"))
def points_system(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__points_system"))


@veto("weak_unrectified")
def weak_unrectified(year: int) -> QuerySet:
    """Listed as weak and lax in the year and not rectified by year end."""
    return (approved_entries(year, P)
            .filter(**{f"{CASES}__status__in": UNRECTIFIED})
            .values("village_id").distinct())


@figures("organizations", pillar=P, columns=("combined", "competition"))
def organization_figures(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id").annotate(
        combined=one_if(f"{PROFILE}__secretary_is_director"),
        competition=one_if(f"{PROFILE}__competition_participated"),
    )

