"""Reads of the hierarchy for the browse pages, each a bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from wuqiang.regions.models import County, Municipality, Township, Village


def _count_of(model: Any, fk: str) -> Coalesce:
    """A correlated COUNT(*) of ``model`` rows pointing at the outer row through ``fk``."""
    counted = (
        model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def counties_of(municipality: Municipality, user: Any) -> QuerySet[County]:
    return (
        County.objects.visible_to(user)
        .filter(municipality=municipality)
        .annotate(n_townships=_count_of(Township, "county"), n_villages=_count_of(Village, "county"))
    )


def townships_of(county: County, user: Any) -> QuerySet[Township]:
    return (
        Township.objects.visible_to(user)
        .filter(county=county)
        .annotate(n_villages=_count_of(Village, "township"))
    )


def villages_of(township: Township, user: Any) -> QuerySet[Village]:
    return Village.objects.visible_to(user).filter(township=township)


def municipalities_for(user: Any) -> QuerySet[Municipality]:
    return Municipality.objects.visible_to(user).annotate(n_counties=_count_of(County, "municipality"))
