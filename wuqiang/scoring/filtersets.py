"""Filters over stored scorecards and nominations (django-filter), by year, place (division
codes), grade, total score range and veto items."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from wuqiang.regions.filtersets import score_filter, year_filter
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    Grade,
    MunicipalScorecard,
    NominationStatus,
    Scheme,
    TownshipScorecard,
    VetoCode,
    VillageScorecard,
)


class VillageScorecardFilter(django_filters.FilterSet):
    year = year_filter()
    municipality = django_filters.CharFilter(field_name="municipality__code", label=_("Municipality code"))
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    township = django_filters.CharFilter(field_name="township__code", label=_("Township code"))
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    total_min = score_filter("total", "gte", _("Total at least"))
    total_max = score_filter("total", "lte", _("Total at most"))
    veto = django_filters.BooleanFilter(method="filter_veto", label=_("Has a veto item"))
    veto_code = django_filters.ChoiceFilter(choices=VetoCode.choices, method="filter_veto_code",
                                            label=_("Veto item"))

    class Meta:
        model = VillageScorecard
        fields = ["year", "municipality", "county", "township", "village", "grade", "total_min", "total_max",
                  "veto", "veto_code"]

    def filter_veto(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(vetoes="") if value else queryset.filter(vetoes="")

    def filter_veto_code(self, queryset, name, value):
        return queryset.filter(vetoes__contains=value) if value else queryset


class _UnitScorecardFilter(django_filters.FilterSet):
    year = year_filter()
    municipality = django_filters.CharFilter(field_name="municipality__code", label=_("Municipality code"))
    total_min = score_filter("mean_total", "gte", _("Mean total at least"))
    total_max = score_filter("mean_total", "lte", _("Mean total at most"))
    veto = django_filters.BooleanFilter(method="filter_veto", label=_("Has villages with a veto item"))

    def filter_veto(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(veto_villages__gt=0) if value else queryset.filter(veto_villages=0)


class TownshipScorecardFilter(_UnitScorecardFilter):
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    township = django_filters.CharFilter(field_name="township__code", label=_("Township code"))

    class Meta:
        model = TownshipScorecard
        fields = ["year", "municipality", "county", "township", "total_min", "total_max", "veto"]


class CountyScorecardFilter(_UnitScorecardFilter):
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))

    class Meta:
        model = CountyScorecard
        fields = ["year", "municipality", "county", "total_min", "total_max", "veto"]


class MunicipalScorecardFilter(_UnitScorecardFilter):
    class Meta:
        model = MunicipalScorecard
        fields = ["year", "municipality", "total_min", "total_max", "veto"]


class SchemeFilter(django_filters.FilterSet):
    year = year_filter()
    municipality = django_filters.CharFilter(field_name="municipality__code", label=_("Municipality code"))

    class Meta:
        model = Scheme
        fields = ["year", "municipality"]


class NominationFilter(django_filters.FilterSet):
    year = year_filter()
    county = django_filters.CharFilter(field_name="village__county__code", label=_("County code"))
    township = django_filters.CharFilter(field_name="village__township__code", label=_("Township code"))
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    status = django_filters.ChoiceFilter(choices=NominationStatus.choices, label=_("Status"))

    class Meta:
        model = DemonstrationNomination
        fields = ["year", "county", "township", "village", "status"]
