"""Writes for the support pillar outside the entry workflow: the county reference income."""

from __future__ import annotations

from django.utils.translation import gettext as _

from support.models import CountyIncome
from wuqiang.accounts.models import Role
from wuqiang.entries.policy import NotAllowed
from wuqiang.regions.models import AssessmentYear, County


def county_income_refusal(user, county: County, year: AssessmentYear) -> str | None:
    """County reviewers and municipal staff of the county's city keep its reference income."""
    if not ((user.role == Role.REVIEWER and user.county_id == county.pk)
            or (user.role == Role.MUNICIPAL and user.municipality_id == county.municipality_id)):
        return _("Only the county's reviewers or municipal staff enter the county's income.")
    if year.is_published:
        return _("The %(year)s assessment is published; its figures are frozen.") % {"year": year.pk}
    return None


def county_income_set(*, county: County, year: AssessmentYear, income: int, actor) -> CountyIncome:
    refusal = county_income_refusal(actor, county, year)
    if refusal:
        raise NotAllowed(refusal)
    record = CountyIncome(county=county, year=year, rural_income_per_capita=income, updated_by=actor)
    record.full_clean(exclude=["county", "year"], validate_unique=False)
    record, _created = CountyIncome.objects.update_or_create(
        county=county, year=year, defaults={"rural_income_per_capita": income, "updated_by": actor})
    return record
