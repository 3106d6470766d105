"""Filters over the hierarchy by division codes (django-filter), for the API's lists and any
page that lists units."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from wuqiang.regions.models import County, Township, Village


def year_filter(field_name: str = "year_id") -> django_filters.NumberFilter:
    """An assessment year: a whole number in the plausible range (anything else is a 400, not a
    database error)."""
    return django_filters.NumberFilter(field_name=field_name, label=_("Year"), min_value=2000, max_value=2100,
                                       decimal_places=0)


def score_filter(field_name: str, lookup_expr: str, label) -> django_filters.NumberFilter:
    """A bound on a score (points), within what a score can be."""
    return django_filters.NumberFilter(field_name=field_name, lookup_expr=lookup_expr, label=label,
                                       min_value=-1000, max_value=1000, max_digits=8, decimal_places=2)


class CountyFilter(django_filters.FilterSet):
    municipality = django_filters.CharFilter(field_name="municipality__code", label=_("Municipality code"))

    class Meta:
        model = County
        fields = ["municipality"]


class TownshipFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    municipality = django_filters.CharFilter(field_name="county__municipality__code", label=_("Municipality code"))

    class Meta:
        model = Township
        fields = ["county", "municipality"]


class VillageFilter(django_filters.FilterSet):
    township = django_filters.CharFilter(field_name="township__code", label=_("Township code"))
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    municipality = django_filters.CharFilter(field_name="county__municipality__code", label=_("Municipality code"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Village
        fields = ["township", "county", "municipality", "name"]
