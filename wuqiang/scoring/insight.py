"""Where points are lost and how units move over the years (issue 18 item 3): reads of the
stored scores only, a fixed number of queries whatever the number of villages.

Points lost by a village on an indicator are the indicator's points in the scheme less the
points the roll-up stored; a village whose pillar is not approved has no score row and so loses
them all. A cell of the heat map is the mean over the unit's scored villages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from wuqiang.entries.models import Pillar
from wuqiang.regions.models import County, Municipality, Township, Village
from wuqiang.scoring.models import (
    CountyScorecard,
    MunicipalScorecard,
    Scheme,
    TownshipScorecard,
    VillageIndicatorScore,
    VillageScorecard,
)

CENT = Decimal("0.01")
# A heat map's rows are the units one level down: (child model, village scorecard column).
HEAT_ROWS = {Municipality: (County, "county"), County: (Township, "township")}


@dataclass
class HeatMap:
    rows: list[Any]  # child units, by code
    columns: list[Any]  # scheme indicators, in scheme order
    # cells[row index][column index]: mean points lost, or None when the unit has no scored village
    cells: list[list[Decimal | None]]
    villages: list[int]


def heat_map(unit: Municipality | County, year: int, user: Any, scheme: Scheme | None) -> HeatMap | None:
    """Mean points lost per (child unit, indicator), from the stored scores (two grouped queries)."""
    if scheme is None or type(unit) not in HEAT_ROWS:
        return None
    child_model, column = HEAT_ROWS[type(unit)]
    parent = "municipality" if isinstance(unit, Municipality) else "county"
    cards = VillageScorecard.objects.visible_to(user).filter(year_id=year, **{parent: unit})
    counts = dict(cards.values_list(f"{column}_id").annotate(n=Count("id")).values_list(f"{column}_id", "n"))
    sums: dict[tuple[int, str], Decimal] = {}
    scores = (VillageIndicatorScore.objects.visible_to(user)
              .filter(year_id=year, village_id__in=cards.values("village_id"))
              .values(child=F(f"village__{column}_id"), indicator=F("code")).annotate(s=Sum("points")).order_by())
    for row in scores:
        sums[(row["child"], row["indicator"])] = row["s"] or Decimal(0)
    rows = list(child_model.objects.filter(pk__in=list(counts)).order_by("code"))
    columns = list(scheme.indicators.all())
    cells = []
    for child in rows:
        n = counts[child.pk]
        cells.append([(item.points - sums.get((child.pk, item.code), Decimal(0)) / n).quantize(CENT, ROUND_HALF_UP)
                      for item in columns])
    return HeatMap(rows=rows, columns=columns, cells=cells, villages=[counts[c.pk] for c in rows])


def heat_map_chart(heat: HeatMap | None, cell_url: Any) -> dict:
    """The heat map as the chart script reads it; ``cell_url(row, column)`` links each cell."""
    if heat is None or not heat.rows:
        return {"rows": [], "columns": [], "cells": []}
    cells = [[j, i, float(value), cell_url(row, item)]
             for i, row in enumerate(heat.rows) for j, (item, value) in enumerate(zip(heat.columns, heat.cells[i],
                                                                                       strict=True))]
    return {"rows": [r.name for r in heat.rows], "columns": [c.code for c in heat.columns],
            "names": [c.name for c in heat.columns], "cells": cells,
            "max": max((float(c.points) for c in heat.columns), default=1.0)}


def cell_villages(child: County | Township, year: int, user: Any, scheme: Scheme, code: str) -> QuerySet:
    """The scored villages of one heat-map row, with their value and points on ``code`` and the
    points lost, most lost first."""
    column = "county" if isinstance(child, County) else "township"
    item = scheme.indicators.get(code=code)
    score = VillageIndicatorScore.objects.filter(year_id=year, village_id=OuterRef("village_id"), code=code)
    return (VillageScorecard.objects.visible_to(user).filter(year_id=year, **{column: child})
            .select_related("village", "township")
            .annotate(value=Subquery(score.values("value")[:1]),
                      points_on=Coalesce(Subquery(score.values("points")[:1]), Value(Decimal(0))))
            .annotate(lost=Value(item.points) - F("points_on"))
            .order_by("-lost", "village__code"))


TREND_OF = {Municipality: (MunicipalScorecard, "municipality"), County: (CountyScorecard, "county"),
            Township: (TownshipScorecard, "township"), Village: (VillageScorecard, "village")}


def trends(unit: Any) -> dict:
    """The unit's total and pillar scores in every year with a scorecard (one query): means for
    a unit, the village's own scores for a village."""
    model, field = TREND_OF[type(unit)]
    prefix = "" if model is VillageScorecard else "mean_"
    names = [f"{prefix}total", *(f"{prefix}{p}" for p in Pillar.values)]
    rows = list(model.objects.filter(**{field: unit}).order_by("year_id").values_list("year_id", *names))
    labels = [str(p.label) for p in Pillar]
    return {
        "years": [r[0] for r in rows],
        "series": [{"key": "total", "label": _("Total"), "values": [float(r[1]) for r in rows]},
                   *({"key": p, "label": labels[i], "values": [float(r[2 + i]) for r in rows]}
                     for i, p in enumerate(Pillar.values))],
        "rows": [{"year": r[0], "values": list(r[1:])} for r in rows],
    }
