"""Which assessment year a page shows: ``?year=`` if valid, else the year under work."""

from __future__ import annotations

from django.http import HttpRequest

from wuqiang.regions.models import AssessmentYear, YearState


def all_years(request: HttpRequest) -> list[AssessmentYear]:
    if not hasattr(request, "_assessment_years"):
        request._assessment_years = list(AssessmentYear.objects.order_by("-year"))
    return request._assessment_years


def selected_year(request: HttpRequest) -> AssessmentYear | None:
    """The year in ``?year=``; by default the oldest year still open (the one being entered
    and reviewed), or the latest year when none is open."""
    if hasattr(request, "_selected_year"):
        return request._selected_year
    years = all_years(request)
    by_number = {y.year: y for y in years}
    chosen = None
    raw = request.GET.get("year", "")
    if raw.isdigit():
        chosen = by_number.get(int(raw))
    if chosen is None:
        open_years = [y for y in years if y.state == YearState.OPEN]
        chosen = open_years[-1] if open_years else (years[0] if years else None)
    request._selected_year = chosen
    return chosen
