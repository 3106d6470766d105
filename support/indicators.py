"""The 要素保障强 indicators S1–S6.

Scores read approved entries only (see ``wuqiang.scoring.indicators``). S6 comes from the
township's approved facilities sheet and is inherited by every village of the township.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support.choices import FACILITY_FIELDS
from support.rules import DIRECTOR_PAY_FLOOR, PAY_FLOOR, PAY_MULTIPLE
from talent.choices import CadrePost
from talent.models import Cadre
from wuqiang.entries.models import EntryState, Pillar
from wuqiang.scoring.indicators import MONTHS, Kind, approved_entries, flag, indicator, one_if, share, village_entry

P = Pillar.SUPPORT
PROFILE = "support_supportprofile"
VENUE_MIN_AREA = Decimal(200)


def _approved(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id")


# Which approved pillar stated the 一肩挑 fact S1 used (SPEC §5: a fact one indicator needs from
# another pillar comes from whichever approved pillar states it), or that none did.
DIRECTOR_SOURCES = {
    "org_yes": _("the approved organisation sheet says the secretary is also the director"),
    "talent_yes": _("the approved talent sheet lists a secretary who is also the director"),
    "org_no": _("the approved organisation sheet says the secretary is not the director"),
    "talent_no": _("the approved talent sheet lists a separate secretary"),
    "unknown": _("no approved sheet states whether the secretary is also the director, so the "
                 "50,000 yuan floor for one person in both posts was not applied"),
}
INCOME_SOURCES = {
    "income": _("three times the county's income of the previous year"),
    "floor": _("no county income for the previous year, so the 40,000 yuan floor"),
}


def explain_pay_standard(basis: str, reference) -> str:
    """S1's "why": the standard compared with and where its parts came from."""
    director, _sep, income = basis.partition("-")
    return _("standard %(standard)s yuan: %(income)s; %(director)s") % {
        "standard": f"{int(reference):,}" if reference is not None else "—",
        "income": INCOME_SOURCES.get(income, income), "director": DIRECTOR_SOURCES.get(director, director)}


@indicator("S1", pillar=P, kind=Kind.FLAG, description=_("Secretary's pay at least the standard"),
           explain=explain_pay_standard)
def secretary_pay(year: int) -> QuerySet:
    """support.rules.secretary_pay_standard, in SQL: max(3 × county income of Y−1, 40,000), and
    at least 50,000 where an approved sheet says the secretary is also the director — the
    organisation sheet's flag or a 书记兼主任 on the talent sheet, whichever is approved (either
    saying yes is enough). Rows carry the standard and the facts it rests on."""
    # Joined, not correlated subqueries: the standard names the income and the flag several times.
    income = FilteredRelation("county__incomes", condition=Q(county__incomes__year_id=year - 1))
    org_flag = F("organizations__organizations_branchprofile__secretary_is_director")
    cadres = Cadre.objects.filter(entry__village_id=OuterRef("village_id"), entry__year_id=year,
                                  entry__pillar=Pillar.TALENT, entry__state=EntryState.APPROVED)
    source = Case(
        When(org_flag=True, then=Value("org_yes")),
        When(talent_combined=True, then=Value("talent_yes")),
        When(org_flag=False, then=Value("org_no")),
        When(talent_separate=True, then=Value("talent_no")),
        default=Value("unknown"), output_field=CharField(),
    )
    base = Greatest(Value(PAY_MULTIPLE) * Coalesce(F("county_income"), Value(0)), Value(PAY_FLOOR))
    standard = Case(When(Q(org_flag=True) | Q(talent_combined=True), then=Greatest(base, Value(DIRECTOR_PAY_FLOOR))),
                    default=base)
    pay = F(f"{PROFILE}__secretary_annual_pay")
    return (approved_entries(year, P)
            .alias(organizations=village_entry(year, Pillar.ORGANIZATIONS), income=income)
            .annotate(county_income=F("income__rural_income_per_capita"), org_flag=org_flag,
                      talent_combined=Exists(cadres.filter(post=CadrePost.SECRETARY_DIRECTOR)),
                      talent_separate=Exists(cadres.filter(post=CadrePost.SECRETARY)))
            .values("village_id")
            .annotate(value=Case(When(GreaterThanOrEqual(pay, standard), then=Value(1.0)),
                                 When(**{f"{PROFILE}__secretary_annual_pay__isnull": False}, then=Value(0.0)),
                                 default=None, output_field=FloatField()),
                      basis=Concat(source, Value("-"),
                                   Case(When(county_income__isnull=True, then=Value("floor")), default=Value("income"),
                                        output_field=CharField())),
                      reference=standard))


@indicator("S2", pillar=P, description=_("Months paid in full and on time / 12"), unit=MONTHS)
def pay_on_time(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__months_paid_on_time", 12))


@indicator("S3", pillar=P, kind=Kind.FLAG, description=_("Venue standardised and at least 200 m²"))
def venue(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(Q(**{f"{PROFILE}__venue_standardised": True,
                                                     f"{PROFILE}__venue_area__gte": VENUE_MIN_AREA})))


@indicator("S4", pillar=P, kind=Kind.FLAG, description=_("Paid annual leave carried out"))
def paid_leave(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__paid_leave"))


@indicator("S5", pillar=P, kind=Kind.FLAG, description=_("Health check-up carried out"))
def health_checkup(year: int) -> QuerySet:
    return _approved(year).annotate(value=flag(f"{PROFILE}__health_checkup"))


@indicator("S6", pillar=P,
           description=_("Township facilities and turnover housing in place / 6, from the township"),
           unit=pgettext_lazy("counting unit", "facilities"))
def township_facilities(year: int) -> QuerySet:
    # The township's approved sheet, joined (at most one: entry_unique_per_township_sheet); none
    # leaves the value NULL. The base is the six facilities whether or not the sheet is approved.
    sheet = FilteredRelation("township__entries", condition=Q(
        township__entries__village__isnull=True, township__entries__year_id=year, township__entries__pillar=P,
        township__entries__state=EntryState.APPROVED))
    facilities = "sheet__support_townshipfacilities"
    in_place = one_if(f"{facilities}__{FACILITY_FIELDS[0]}")
    for name in FACILITY_FIELDS[1:]:
        in_place = in_place + one_if(f"{facilities}__{name}")
    columns = share(in_place, len(FACILITY_FIELDS))
    township_share = Case(When(**{f"{facilities}__entry__isnull": True}, then=None), default=columns["value"],
                          output_field=FloatField())
    return (approved_entries(year, P).alias(sheet=sheet).values("village_id")
            .annotate(value=township_share, denominator=columns["denominator"]))


