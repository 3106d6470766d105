"""Filters over the hierarchy by division codes (django-filter), for the API's lists and any
page that lists units."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from wuqiang.regions.models import County, Township, Village


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
