"""Which assessment year a page shows, so that the page and the navbar's year picker agree.

A page whose URL names its year (a sheet, the scheme, the demonstration list) shows that year,
and picking another year in the navbar moves to the same page of that year
(``follow_picker``). Other pages show ``?year=`` if valid, else the year under work: the newest
year still open for the user's municipality. Each year carries ``settings``: that
municipality's state and entry window (None for an administrator, who spans every
municipality)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

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
    """The year in ``?year=``; by default the newest year still open for the user's
    municipality (the campaign under way), or the latest year when none is open."""
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
        chosen = open_years[0] if open_years else (years[0] if years else None)
    request._selected_year = chosen
    return chosen


def page_year(request: HttpRequest, year: int):
    """The year a page's URL names, made the page's selected year (404 if there is none)."""
    chosen = next((y for y in all_years(request) if y.year == year), None)
    if chosen is None:
        raise Http404("No such assessment year.")
    request._selected_year = chosen
    return chosen


def follow_picker(request: HttpRequest, year: int) -> HttpResponse | None:
    """On a page whose URL names its year, the picker's ``?year=`` moves to the same page of the
    picked year (a redirect); None when nothing else was picked."""
    raw = request.GET.get("year", "")
    if request.method != "GET" or not raw.isdigit() or int(raw) == year:
        return None
    if int(raw) not in {y.year for y in all_years(request)}:
        return None
    segment = f"/{year}/"
    if segment not in request.path:
        return None
    return redirect(request.path.replace(segment, f"/{int(raw)}/", 1))
