"""Writes for the support pillar outside the entry workflow: the county reference income."""

from __future__ import annotations

from django.db import transaction

from support.models import CountyIncome
from wuqiang.accounts import permissions
from wuqiang.regions.models import AssessmentYear, County
from wuqiang.regions.selectors import year_settings


@transaction.atomic
def county_income_set(*, county: County, year: AssessmentYear, income: int, actor) -> CountyIncome:
    """Set a county's rural per-capita income for a year (reviewers of the county or municipal
    staff of its city, year not published). ValidationError for a value out of range."""
    permissions.require(permissions.county_income_refusal(
        actor, county, year_settings(year=year.pk, municipality_id=county.municipality_id)))
    record = CountyIncome(county=county, year=year, rural_income_per_capita=income, updated_by=actor)
    record.full_clean(exclude=["county", "year"], validate_unique=False)
    record, _created = CountyIncome.objects.update_or_create(
        county=county, year=year, defaults={"rural_income_per_capita": income, "updated_by": actor})
    return record
