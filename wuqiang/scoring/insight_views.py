"""Insight pages (issue 18): where points are lost (heat maps), trends over the years, and the
big screen. Every page reads the stored roll-up, scoped by the one rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.mixins import breadcrumbs
from wuqiang.regions.models import County, Municipality, Township, Village
from wuqiang.regions.selectors import municipality_of
from wuqiang.scoring import insight
from wuqiang.scoring.models import Scheme
from wuqiang.scoring.views import _year_or_404

LEVELS = {"municipalities": Municipality, "counties": County, "townships": Township, "villages": Village}
LEVEL_OF = {model: level for level, model in LEVELS.items()}
CELL_PAGE = 50


def _cents(value: Any) -> str:
    return str(Decimal(str(value)).quantize(insight.CENT))


def _unit(request: HttpRequest, level: str, code: str) -> Any:
    if level not in LEVELS:
        raise Http404("No such level.")
    return get_visible_or_404(LEVELS[level].objects.all(), request.user, code=code)


@require_GET
def insight_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """A unit's trends over every year with scorecards and, for a municipality or a county, the
    heat map of mean points lost per unit one level down and indicator."""
    unit = _unit(request, level, code)
    year = _year_or_404(request)
    scheme = Scheme.objects.filter(municipality=municipality_of(unit), year=year).first()
    heat = insight.heat_map(unit, year.year, request.user, scheme)

    def cell_url(row: Any, item: Any) -> str:
        return reverse("scoring:insight-cell", args=[level, code, row.code, item.code]) + f"?year={year.year}"

    rows = []
    if heat is not None:
        rows = [{"unit": row, "villages": heat.villages[i],
                 "cells": [(item, value, cell_url(row, item)) for item, value in zip(heat.columns, heat.cells[i],
                                                                                    strict=True)]}
                for i, row in enumerate(heat.rows)]
    return render(request, "scoring/insight.html", {
        "unit": unit, "level": level, "heat": heat, "heat_rows": rows,
        "charts": {"heat": insight.heat_map_chart(heat, cell_url), "trends": insight.trends(unit)},
        "trend_rows": insight.trends(unit)["rows"], "breadcrumbs": breadcrumbs(unit, request.user),
    })


@require_GET
def insight_cell(request: HttpRequest, level: str, code: str, child: str, indicator: str) -> HttpResponse:
    """The villages behind one heat-map cell, page by page, most points lost first."""
    unit = _unit(request, level, code)
    if type(unit) not in insight.HEAT_ROWS:
        raise Http404("No heat map at this level.")
    child_model, column = insight.HEAT_ROWS[type(unit)]
    parent = "municipality" if isinstance(unit, Municipality) else "county"
    child_unit = get_visible_or_404(child_model.objects.filter(**{parent: unit}), request.user, code=child)
    year = _year_or_404(request)
    scheme = Scheme.objects.filter(municipality=municipality_of(unit), year=year).first()
    if scheme is None or not scheme.indicators.filter(code=indicator).exists():
        raise Http404("No such indicator.")
    item = scheme.indicators.get(code=indicator)
    rows = insight.cell_villages(child_unit, year.year, request.user, scheme, indicator)
    page = Paginator(rows, CELL_PAGE).get_page(request.GET.get("page"))
    if request.GET.get("format") == "json":
        return JsonResponse({"count": page.paginator.count, "page": page.number, "villages": [
            {"code": c.village.code, "name": c.village.name, "value": c.value, "points": _cents(c.points_on),
             "lost": _cents(c.lost)} for c in page]})
    return render(request, "scoring/insight_cell.html", {
        "unit": unit, "child": child_unit, "item": item, "page_obj": page, "level": level,
        "breadcrumbs": breadcrumbs(child_unit, request.user),
        "back": reverse("scoring:insight", args=[level, code]) + f"?year={year.year}",
    })
