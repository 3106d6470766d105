"""Browse pages: municipality → county → township → village, each scoped to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView, ListView

from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.mixins import ScopedObjectMixin, breadcrumbs
from wuqiang.core.validators import date_or_none
from wuqiang.regions import selectors, services
from wuqiang.regions.models import (
    YEAR_TRANSITIONS,
    County,
    Municipality,
    MunicipalYear,
    Township,
    Village,
    YearState,
    YearStateChange,
)


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


@require_http_methods(["GET", "POST"])
def municipality_years(request: HttpRequest, code: str) -> HttpResponse:
    """A municipality's assessment years: state, entry window, the extensions running and the
    record of state changes. Only its staff (and admins) see it; they change it here."""
    from wuqiang.entries.models import EntryExtension

    municipality = get_visible_or_404(Municipality.objects.all(), request.user, code=code)
    years = list(MunicipalYear.objects.visible_to(request.user).filter(municipality=municipality)
                 .select_related("year").order_by("-year_id"))
    if request.method == "POST":
        year = next((y for y in years if str(y.year_id) == request.POST.get("year", "")), None)
        if year is None:
            raise Http404("No such year.")
        try:
            if request.POST.get("action") == "window":
                services.year_set_window(year=year, actor=request.user,
                                         entry_opens=date_or_none(request.POST.get("entry_opens")),
                                         entry_closes=date_or_none(request.POST.get("entry_closes")))
                messages.success(request, _("The entry window of %(year)s is saved.") % {"year": year.year_id})
            else:
                changed = services.year_set_state(year=year, actor=request.user,
                                                  to_state=request.POST.get("state", ""),
                                                  note=request.POST.get("note", ""))
                messages.success(request, _("%(year)s is now %(state)s.") % {
                    "year": changed.year_id, "state": changed.get_state_display()})
        except permissions.NotAllowed as refused:
            messages.error(request, str(refused))
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)
        return redirect("regions:years", code=code)
    rows = [{"year": y, "moves": [(state, dict(YearState.choices)[state]) for state in YEAR_TRANSITIONS[y.state]],
             "can_manage": permissions.year_manage_refusal(request.user, y) is None} for y in years]
    extensions = (EntryExtension.objects.visible_to(request.user).active()
                  .filter(entry__county__municipality=municipality)
                  .select_related("entry__village", "entry__township", "granted_by").order_by("until")[:200])
    changes = (YearStateChange.objects.visible_to(request.user).filter(municipal_year__municipality=municipality)
               .select_related("municipal_year", "actor")[:50])
    return render(request, "regions/municipality_years.html", {
        "unit": municipality, "breadcrumbs": breadcrumbs(municipality, request.user), "rows": rows,
        "extensions": extensions, "changes": changes,
    })


@require_GET
def village_search(request: HttpRequest) -> HttpResponse:
    """Find a village by name, code or township, among those the user may see."""
    from django.core.paginator import Paginator

    text = request.GET.get("q", "").strip()[:selectors.SEARCH_MAX]
    page = Paginator(selectors.search_villages(request.user, text), 50).get_page(request.GET.get("page"))
    return render(request, "regions/search.html", {"q": text, "page_obj": page})
