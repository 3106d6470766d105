"""Which assessment year a page shows: ``?year=`` if valid, else the year under work.

Each year carries ``settings``: the user's municipality's state and entry window for it (None
for an administrator, who spans every municipality)."""

from __future__ import annotations

from django.http import HttpRequest

from wuqiang.regions.models import AssessmentYear, MunicipalYear, YearState


def all_years(request: HttpRequest) -> list[AssessmentYear]:
    if not hasattr(request, "_assessment_years"):
        municipality_id = getattr(request.user, "home_municipality_id", None)
        if municipality_id is None:
            years = list(AssessmentYear.objects.order_by("-year"))
            for year in years:
                year.settings = None
        else:
            # Every year has settings for every municipality: one query brings both.
            years = []
            for settings in (MunicipalYear.objects.filter(municipality_id=municipality_id)
                             .select_related("year").order_by("-year_id")):
                settings.year.settings = settings
                years.append(settings.year)
        request._assessment_years = years
    return request._assessment_years


def selected_year(request: HttpRequest) -> AssessmentYear | None:
    """The year in ``?year=``; by default the oldest year still open for the user's
    municipality (the one being entered and reviewed), or the latest year when none is open."""
    if hasattr(request, "_selected_year"):
        return request._selected_year
    years = all_years(request)
    by_number = {y.year: y for y in years}
    chosen = None
    raw = request.GET.get("year", "")
    if raw.isdigit():
        chosen = by_number.get(int(raw))
    if chosen is None:
        if any(y.settings for y in years):
            open_years = [y for y in years if y.settings and y.settings.state == YearState.OPEN]
        else:
            open_ids = set(MunicipalYear.objects.filter(state=YearState.OPEN).values_list("year_id", flat=True))
            open_years = [y for y in years if y.year in open_ids]
        chosen = open_years[-1] if open_years else (years[0] if years else None)
    request._selected_year = chosen
    return chosen
