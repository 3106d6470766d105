"""Browse pages: municipality → county → township → village, each scoped to the user."""

from __future__ import annotations

from typing import Any

from django.views.generic import DetailView, ListView

from wuqiang.core.mixins import ScopedObjectMixin, breadcrumbs
from wuqiang.regions import selectors
from wuqiang.regions.models import County, Municipality, Township, Village


class MunicipalityListView(ListView):
    template_name = "regions/municipality_list.html"
    context_object_name = "municipalities"

    def get_queryset(self):
        return selectors.municipalities_for(self.request.user)


class UnitDetailView(ScopedObjectMixin, DetailView):
    """One unit and a page of the units one level down."""

    context_object_name = "unit"
    paginate_children_by = 50

    def children(self, unit: Any):
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.core.paginator import Paginator

        context = super().get_context_data(**kwargs)
        unit = context["unit"]
        context["breadcrumbs"] = breadcrumbs(unit, self.request.user)
        children = self.children(unit)
        if children is not None:
            context["page_obj"] = Paginator(children, self.paginate_children_by).get_page(self.request.GET.get("page"))
        return context


class MunicipalityDetailView(UnitDetailView):
    model = Municipality
    template_name = "regions/municipality_detail.html"

    def children(self, unit):
        return selectors.counties_of(unit, self.request.user)


class CountyDetailView(UnitDetailView):
    model = County
    template_name = "regions/county_detail.html"

    def get_queryset(self):
        return County.objects.select_related("municipality")

    def children(self, unit):
        return selectors.townships_of(unit, self.request.user)


class TownshipDetailView(UnitDetailView):
    model = Township
    template_name = "regions/township_detail.html"

    def get_queryset(self):
        return Township.objects.select_related("county__municipality")

    def children(self, unit):
        return selectors.villages_of(unit, self.request.user)


class VillageDetailView(UnitDetailView):
    model = Village
    template_name = "regions/village_detail.html"

    def get_queryset(self):
        # Breadcrumbs walk village → township → county → municipality.
        return Village.objects.select_related("township__county__municipality")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from wuqiang.core.years import selected_year
        from wuqiang.entries.selectors import pillar_tabs

        context = super().get_context_data(**kwargs)
        year = selected_year(self.request)
        context["pillar_tabs"] = pillar_tabs(self.object, year) if year else None
        return context
