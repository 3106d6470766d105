"""Reads of the hierarchy for the browse pages, each a bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from wuqiang.accounts.scope import Scope
from wuqiang.regions.models import (
    County,
    Level,
    Municipality,
    MunicipalYear,
    Township,
    Village,
    default_entry_window,
)


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


def year_settings(*, year: int, municipality_id: int | None = None, county_id: int | None = None) -> MunicipalYear:
    """A municipality's settings for a year (state, entry window), by the municipality or by one of
    its counties; created with the defaults when the hierarchy was loaded without them (the
    rows are normally made when the year or the municipality is created)."""
    if municipality_id is None:
        found = MunicipalYear.objects.filter(year_id=year, municipality__counties=county_id).first()
        if found is not None:
            return found
        municipality_id = County.objects.values_list("municipality_id", flat=True).get(pk=county_id)
    opens, closes = default_entry_window(year)
    settings, _created = MunicipalYear.objects.get_or_create(
        municipality_id=municipality_id, year_id=year, defaults={"entry_opens": opens, "entry_closes": closes})
    return settings


def settings_of(year: Any, municipality_id: int) -> MunicipalYear:
    """The municipality's settings of ``year`` (an AssessmentYear), reusing those the page's
    selected year already carries (``core.years``) when they are this municipality's."""
    carried = getattr(year, "settings", None)
    if carried is not None and carried.municipality_id == municipality_id:
        return carried
    return year_settings(year=year.year, municipality_id=municipality_id)


def municipality_of(unit: Any) -> Municipality:
    """The municipality a unit belongs to (uses the relations already selected on the unit)."""
    return unit if isinstance(unit, Municipality) else unit.ancestors()[0]


# From a municipality down to each level's units: which municipality a scope lies in.
_MUNICIPALITY_CONTAINS = {
    Level.MUNICIPALITY: "pk",
    Level.COUNTY: "counties",
    Level.TOWNSHIP: "counties__townships",
    Level.VILLAGE: "counties__villages",
}


def home_municipality_or_404(user: Any, code: str) -> Municipality:
    """The municipality ``code`` if the user works inside it — its staff, or a reviewer or clerk
    of one of its units, or an admin — for what a whole city shares (its scheme, its
    demonstration list); 404 otherwise, like any unit outside the user's scope."""
    scope = Scope.of(user)
    queryset = Municipality.objects.filter(code=code)
    if not scope.everything:
        if scope.nothing:
            raise Http404("No municipality matches the given query.")
        queryset = queryset.filter(**{_MUNICIPALITY_CONTAINS[scope.level]: scope.unit_id})
    municipality = queryset.first()
    if municipality is None:
        raise Http404("No municipality matches the given query.")
    return municipality


# The longest search text taken; a division code has 12 digits, a name rarely 20 characters.
SEARCH_MAX = 40


def search_villages(user: Any, text: str) -> QuerySet[Village]:
    """Villages inside the user's scope whose name or township's name contains ``text`` or
    whose code starts with it, in code order (one query per page)."""
    text = text.strip()[:SEARCH_MAX]
    if not text:
        return Village.objects.none()
    match = Q(name__contains=text) | Q(township__name__contains=text)
    if text.isdigit():
        match |= Q(code__startswith=text)
    return (Village.objects.visible_to(user).filter(match)
            .select_related("township", "county").order_by("code"))
