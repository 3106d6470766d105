"""The 治理能力强 indicators G1–G7 and the major-incident veto.

Scores read approved entries only (see ``wuqiang.scoring.indicators``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.choices import COUNCIL_FIELDS, TOOL_FIELDS
from wuqiang.entries.models import Pillar
from wuqiang.scoring.indicators import (
    HOUSEHOLDS,
    Kind,
    approved_entries,
    flag,
    indicator,
    one_if,
    share,
    veto,
    village_entry,
)

P = Pillar.GOVERNANCE
PROFILE = "governance_governanceprofile"


def _approved(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id")


def _share_of(fields: tuple[str, ...]) -> dict:
    total = one_if(f"{PROFILE}__{fields[0]}")
    for name in fields[1:]:
        total = total + one_if(f"{PROFILE}__{name}")
    return share(total, len(fields))


@indicator("G1", pillar=P, kind=Kind.FLAG, description=_("Village rules revised and filed"))
def rules_revised(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__rules_revised_filed"))


@indicator("G2", pillar=P, description=_("Councils set up / 3"), unit=pgettext_lazy("counting unit", "councils"))
def councils(year: int) -> QuerySet:
    return _approved(year).annotate(**_share_of(COUNCIL_FIELDS))


@indicator("G3", pillar=P, description=_("Households visited / households"), unit=HOUSEHOLDS)
def households_visited(year: int) -> QuerySet:
    # The household count is the one entered (and approved) under organizations.
    households = "organizations__organizations_branchprofile__households"
    return (approved_entries(year, P).alias(organizations=village_entry(year, Pillar.ORGANIZATIONS))
            .values("village_id").annotate(**share(f"{PROFILE}__households_visited", households)))


@indicator("G4", pillar=P, description=_("Disputes resolved within the village / disputes"),
           unit=pgettext_lazy("counting unit", "disputes"))
def disputes_resolved(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__disputes_resolved", f"{PROFILE}__disputes"))


@indicator("G5", pillar=P, description=_("Micro-governance tools in use / 3"),
           unit=pgettext_lazy("counting unit", "tools"))
def micro_governance(year: int) -> QuerySet:
    return _approved(year).annotate(**_share_of(TOOL_FIELDS))


@indicator("G6", pillar=P, kind=Kind.FLAG, description=_("One-stop service with the five systems"))
def one_stop_service(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__one_stop_service"))


@indicator("G7", pillar=P, kind=Kind.FLAG, description=_("Model citizens or best families selected"))
def model_selection(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__model_selection_held"))


@veto("major_incident")
def major_incident(year: int) -> QuerySet:
    return approved_entries(year, P).filter(**{f"{PROFILE}__major_incident": True}).values("village_id")
