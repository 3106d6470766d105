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


# --- Big screen (大屏) ------------------------------------------------------------------------

SCREEN_REFRESH_SECONDS = 180
SCREEN_LEAGUE = 20


def _screen_unit(request: HttpRequest, code: str) -> Municipality | County:
    """The city or one county, by division code, inside the user's scope (404 otherwise)."""
    if len(code) == 6 and Municipality.objects.filter(code=code).exists():
        return get_visible_or_404(Municipality.objects.all(), request.user, code=code)
    return get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)


def overdue_tickets(unit: Any, user: Any) -> int | None:
    """Overdue inspection tickets of the unit, from the tickets app's stored tallies (its
    dashboard panel, which recounts when the nightly job has not yet run today); None when the
    tickets app is not installed."""
    from django.apps import apps

    if not apps.is_installed("wuqiang.tickets"):
        return None
    from wuqiang.tickets.selectors import dashboard_panel

    return dashboard_panel(unit, user).overdue_count


def screen_data(unit: Any, year: int, user: Any) -> dict:
    """Everything the big screen shows, as JSON (a handful of queries, all stored results)."""
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    from wuqiang.scoring import selectors

    card = selectors.unit_scorecard(unit, year)
    league = list(selectors.child_scorecards(unit, year, user)[:SCREEN_LEAGUE])
    headline = []
    if card is not None:
        income = card.operating_income
        headline = [
            {"key": "villages", "label": _("Villages"), "value": f"{card.villages:,}"},
            {"key": "mean_total", "label": _("Mean total"), "value": str(card.mean_total)},
            {"key": "exemplary", "label": _("Five-strong exemplary"), "value": f"{card.n_exemplary:,}"},
            {"key": "pass", "label": _("Up to standard or better"), "value": f"{card.n_exemplary + card.n_pass:,}"},
            {"key": "fail", "label": _("Not up to standard"), "value": f"{card.n_fail:,}"},
            {"key": "veto", "label": _("Villages with a veto item"), "value": f"{card.veto_villages:,}"},
            {"key": "completeness", "label": _("Completeness (%)"), "value": str(card.mean_completeness)},
            {"key": "income", "label": _("Operating income (100 million yuan)"),
             "value": f"{income / 10000:.2f}" if income is not None else "—"},
        ]
    tickets = overdue_tickets(unit, user)
    if tickets is not None:
        headline.append({"key": "overdue", "label": _("Overdue inspection tickets"), "value": f"{tickets:,}"})
    return {
        "unit": unit.name, "year": year,
        "updated": formats.date_format(timezone.localtime(), "Y-m-d H:i"),
        "computed": formats.date_format(timezone.localtime(card.computed_at), "Y-m-d H:i") if card else "",
        "headline": headline,
        "grades": selectors.grade_chart(card),
        "pillars": selectors.pillar_chart([(label, v) for _k, label, v in card.pillar_means()] if card else [],
                                          Decimal(20)),
        "league": {"labels": [c.unit.name for c in league], "values": [float(c.mean_total) for c in league]},
        "trends": insight.trends(unit),
        "refresh": SCREEN_REFRESH_SECONDS,
    }


@require_GET
def big_screen(request: HttpRequest, code: str) -> HttpResponse:
    """The meeting-room screen of the city or a county: dark, full-screen, refreshing its figures
    every few minutes by fetching JSON (no page reload)."""
    unit = _screen_unit(request, code)
    year = _year_or_404(request)
    data = screen_data(unit, year.year, request.user)
    raw = request.GET.get("refresh", "")
    if raw.isdigit():  # seconds between refreshes, e.g. a faster one for a rehearsal
        data["refresh"] = min(max(int(raw), 5), 3600)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "scoring/screen.html", {
        "unit": unit, "data": data, "year": year,
        "data_url": reverse("scoring:screen", args=[code]) + f"?year={year.year}&refresh={data['refresh']}&format=json",
    })
