"""Read-only API of issue 18 (docs/api.md "adding an endpoint"): each village's stored path to
the next grade, and the heat map of mean points lost of a city (county × indicator) or a county
(township × indicator). Scoped like the web pages; nothing is computed beyond reading the roll-up."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.api.base import PortalAPIMixin, ScopedReadOnlyViewSet
from wuqiang.api.serializers import FastModelSerializer, code_field
from wuqiang.api.views import YEAR, key, pk_of
from wuqiang.regions.filtersets import year_filter
from wuqiang.regions.models import County, Municipality, Village
from wuqiang.scoring import insight
from wuqiang.scoring.indicators import indicator_def
from wuqiang.scoring.models import Grade, Scheme, VillagePath, VillagePathStep
from wuqiang.scoring.selectors import step_action, step_terms


class PathStepSerializer(serializers.ModelSerializer):
    # The step in the village's own terms, where the indicator is a ratio with a base: the count
    # now (value × denominator), how many more reach the target, and their unit.
    count = serializers.SerializerMethodField()
    more = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    # What the village page says the step asks for, in the request's language.
    action = serializers.SerializerMethodField()

    class Meta:
        model = VillagePathStep
        fields = ["kind", "code", "pillar", "value", "denominator", "target", "points", "gain", "available", "basis",
                  "reference", "count", "more", "unit", "action"]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_count(self, obj: VillagePathStep) -> float | None:
        terms = step_terms(obj, indicator_def(obj.code))
        return None if terms is None else round(terms.now, 6)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_more(self, obj: VillagePathStep) -> float | None:
        terms = step_terms(obj, indicator_def(obj.code))
        return None if terms is None else terms.more

    @extend_schema_field(serializers.CharField())
    def get_unit(self, obj: VillagePathStep) -> str:
        terms = step_terms(obj, indicator_def(obj.code))
        return "" if terms is None else terms.unit

    def get_action(self, obj: VillagePathStep) -> str:
        return step_action(obj)


class VillagePathSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    village = code_field()
    township = code_field()
    county = code_field()
    pillars_short = serializers.SerializerMethodField()
    # A grade code ("exemplary", "pass", "basic"), or "" when the village has the best grade.
    next_grade = serializers.CharField(read_only=True)

    class Meta:
        model = VillagePath
        fields = ["year", "village", "township", "county", "next_grade", "points_needed", "pillars_short"]

    def get_pillars_short(self, obj: VillagePath) -> list[str]:
        return [p for p in obj.pillars_short.split(",") if p]


class VillagePathDetailSerializer(VillagePathSerializer):
    steps = serializers.SerializerMethodField()

    class Meta(VillagePathSerializer.Meta):
        fields = [*VillagePathSerializer.Meta.fields, "steps"]

    @extend_schema_field(PathStepSerializer(many=True))
    def get_steps(self, obj: VillagePath):
        order = {"veto": 0}
        steps = sorted(VillagePathStep.objects.filter(year_id=obj.year_id, village_id=obj.village_id),
                       key=lambda s: (order.get(s.kind, 1), -(s.gain or 0), s.code))
        return PathStepSerializer(steps, many=True).data


class VillagePathFilter(django_filters.FilterSet):
    year = year_filter()
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    township = django_filters.CharFilter(field_name="township__code", label=_("Township code"))
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    next_grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Next grade"))

    class Meta:
        model = VillagePath
        fields = ["year", "county", "township", "village", "next_grade"]


class VillagePathViewSet(ScopedReadOnlyViewSet):
    """Each village's path to the next grade (stored by the roll-up); one path also lists its
    steps, vetoes first, then by points gained. Key: /<village code>/<year>/."""

    queryset = VillagePath.objects.select_related("village", "township", "county")
    serializer_class = VillagePathSerializer
    filterset_class = VillagePathFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{12}", YEAR)
    ordering_fields = ["points_needed", "village__code", "year"]
    ordering = ["year_id", "village__code"]

    def get_serializer_class(self):
        return VillagePathDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def get_object(self):
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  village_id=pk_of(Village, self.kwargs["code"]), year_id=int(self.kwargs["year"]))


class HeatMapRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    villages = serializers.IntegerField()
    lost = serializers.ListField(child=serializers.DecimalField(max_digits=6, decimal_places=2))


class HeatMapSerializer(serializers.Serializer):
    unit = serializers.CharField()
    year = serializers.IntegerField()
    indicators = serializers.ListField(child=serializers.CharField())
    rows = HeatMapRowSerializer(many=True)


class HeatMapViewSet(PortalAPIMixin, viewsets.ViewSet):
    """Mean points lost per indicator for the units one level down: a city's counties or a
    county's townships. Key: /<city or county code>/<year>/; outside the caller's scope, 404."""

    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{6}", YEAR)

    @extend_schema(responses=HeatMapSerializer)
    def retrieve(self, request, code: str, year: str) -> Response:
        if Municipality.objects.filter(code=code).exists():
            unit = get_visible_or_404(Municipality.objects.all(), request.user, code=code)
        else:
            unit = get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)
        municipality_id = unit.pk if isinstance(unit, Municipality) else unit.municipality_id
        scheme = Scheme.objects.filter(municipality_id=municipality_id, year_id=int(year)).first()
        heat = insight.heat_map(unit, int(year), request.user, scheme)
        if heat is None:
            raise Http404("No scheme for this year.")
        return Response(HeatMapSerializer({
            "unit": unit.code, "year": int(year), "indicators": [c.code for c in heat.columns],
            "rows": [{"code": r.code, "name": r.name, "villages": heat.villages[i], "lost": heat.cells[i]}
                     for i, r in enumerate(heat.rows)],
        }).data)


def register() -> None:
    from wuqiang.api.routers import router

    registered = {prefix for prefix, _viewset, _basename in router.registry}
    if "paths" not in registered:
        router.register("paths", VillagePathViewSet, basename="village-path")
    if "heatmaps" not in registered:
        router.register("heatmaps", HeatMapViewSet, basename="heatmap")
