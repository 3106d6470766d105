"""Filters over the counties' reference incomes (django-filter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from support.models import CountyIncome
from wuqiang.regions.filtersets import year_filter


class CountyIncomeFilter(django_filters.FilterSet):
    year = year_filter()
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    municipality = django_filters.CharFilter(field_name="county__municipality__code", label=_("Municipality code"))

    class Meta:
        model = CountyIncome
        fields = ["year", "county", "municipality"]
