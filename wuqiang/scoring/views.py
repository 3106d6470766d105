"""Dashboards (municipal, county, township, village) read from the stored scorecards; the
scheme page, roll-up runs and demonstration nominations for municipal staff."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.mixins import breadcrumbs
from wuqiang.core.years import follow_picker, page_year, selected_year
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village
from wuqiang.regions.selectors import home_municipality_or_404, municipality_of, settings_of, year_settings
from wuqiang.scoring import selectors, services
from wuqiang.scoring.forms import SchemeIndicatorForm, SchemeIndicatorFormSet, SchemeSettingsForm
from wuqiang.scoring.indicators import describe_rule
from wuqiang.scoring.models import (
    DemonstrationNomination,
    FailKind,
    NominationStatus,
    RollupRun,
    RunState,
    Scheme,
    SchemeIndicator,
    TownshipScorecard,
)
from wuqiang.scoring.rollup import describe_step, evaluate_points

LEAGUE_PAGE = 50
FAILING_SHOWN = 10  # on a dashboard; the failing list page shows them all, page by page
FAILING_PAGE = 50
# The levels whose dashboards have a failing list, as they appear in its URL.
FAILING_LEVELS = {"municipalities": (Municipality, "municipality"), "counties": (County, "county"),
                  "townships": (Township, "township")}


INSIGHT_LEVEL = {Municipality: "municipalities", County: "counties", Township: "townships", Village: "villages"}


def _year_or_404(request: HttpRequest) -> AssessmentYear:
    year = selected_year(request)
    if year is None:
        raise Http404("No assessment year.")
    return year


def _dashboard(request: HttpRequest, unit: Any, template: str, extra: dict | None = None) -> HttpResponse:
    year = _year_or_404(request)
    card = selectors.unit_scorecard(unit, year.year)
    municipality = municipality_of(unit)
    settings = settings_of(year, municipality.pk)
    context: dict[str, Any] = {
        "unit": unit, "card": card, "breadcrumbs": breadcrumbs(unit, request.user),
        "municipality": municipality, "year_settings": settings,
        "last_run": selectors.last_run(municipality.pk, year.year),
        "insight_url": reverse("scoring:insight", args=[INSIGHT_LEVEL[type(unit)], unit.code]) + f"?year={year.year}",
        "screen_url": (reverse("scoring:screen", args=[unit.code]) + f"?year={year.year}"
                       if isinstance(unit, (Municipality, County)) else None),
    }
    if not isinstance(unit, Village):
        league = Paginator(selectors.child_scorecards(unit, year.year, request.user), LEAGUE_PAGE)
        failing = selectors.failing_villages(unit, year.year, request.user)
        townships = None
        if isinstance(unit, (Municipality, County)):
            level_filter = {"municipality": unit} if isinstance(unit, Municipality) else {"county": unit}
            townships = TownshipScorecard.objects.filter(year_id=year.year, **level_filter).count()
        page = league.get_page(request.GET.get("page"))
        child_level = {Municipality: "county", County: "township", Township: "village"}[type(unit)]
        context.update({
            "page_obj": page,
            "league": [{"card": c, "unit": c.unit, "url": reverse(f"scoring:{child_level}", args=[c.unit.code])}
                       for c in page],
            "failing": list(failing[:FAILING_SHOWN]),
            "failing_count": card.n_fail if card else 0,
            "failing_kinds": (_kinds_with_counts(selectors.failing_counts(unit, year.year, request.user))
                              if card else []),
            "failing_level": {Municipality: "municipalities", County: "counties", Township: "townships"}[type(unit)],
            "figures": selectors.headline_figures(card, townships),
            "progress": selectors.pending_entries(unit, year.year, request.user, card.villages) if card else None,
            "charts": {
                "grades": selectors.grade_chart(card),
                "pillars": selectors.pillar_chart(
                    [(label, value) for _, label, value in card.pillar_means()] if card else [], Decimal(20)),
            },
        })
    context.update(extra or {})
    return render(request, template, context)


@require_GET
def municipality_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Municipality.objects.all(), request.user, code=code)
    return _dashboard(request, unit, "scoring/municipality_dashboard.html")


@require_GET
def county_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)
    return _dashboard(request, unit, "scoring/county_dashboard.html")


@require_GET
def township_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Township.objects.select_related("county__municipality"), request.user, code=code)
    return _dashboard(request, unit, "scoring/township_dashboard.html")


@require_GET
def village_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Village.objects.select_related("township__county__municipality"), request.user,
                              code=code)
    year = _year_or_404(request)
    card = selectors.unit_scorecard(unit, year.year)
    scheme = Scheme.objects.filter(municipality=municipality_of(unit), year=year).first()
    lines = selectors.village_indicator_lines(card, scheme)
    labels = selectors.pillar_labels()
    groups = [{"pillar": p, "label": labels[p], "score": getattr(card, p) if card else None,
               "lines": [line for line in lines if line.pillar == p]} for p in Pillar.values]
    chart = selectors.pillar_chart([(labels[p], getattr(card, p)) for p in Pillar.values] if card else [],
                                   Decimal(20))
    return _dashboard(request, unit, "scoring/village_dashboard.html",
                      {"groups": groups, "charts": {"pillars": chart},
                       "grade_path": selectors.village_path(card, scheme)})


def _kinds_with_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, label, counts[value]) for value, label in FailKind.choices]


@require_GET
def failing_list(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Every 未达标 village of a unit, page by page, one kind at a time or all of them."""
    if level not in FAILING_LEVELS:
        raise Http404("No such level.")
    model, route = FAILING_LEVELS[level]
    unit = get_visible_or_404(model.objects.all(), request.user, code=code)
    year = _year_or_404(request)
    kind = request.GET.get("kind", "")
    if kind not in FailKind.values:
        kind = ""
    rows = selectors.failing_villages(unit, year.year, request.user, kind or None)
    page = Paginator(rows, FAILING_PAGE).get_page(request.GET.get("page"))
    counts = selectors.failing_counts(unit, year.year, request.user)
    return render(request, "scoring/failing_list.html", {
        "unit": unit, "page_obj": page, "kind": kind, "kinds": _kinds_with_counts(counts),
        "total": sum(counts.values()), "dashboard_url": reverse(f"scoring:{route}", args=[unit.code]),
        "breadcrumbs": breadcrumbs(unit, request.user), "level": level,
    })


# --- Roll-up runs -------------------------------------------------------------------------------


def _back_or_home(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else reverse("home"))


@require_POST
def rollup_start(request: HttpRequest) -> HttpResponse:
    municipality = get_visible_or_404(Municipality.objects.all(), request.user,
                                      code=request.POST.get("municipality", ""))
    raw = request.POST.get("year", "")
    if not raw.isdigit():
        raise Http404("No assessment year.")
    year = get_object_or_404(AssessmentYear, pk=int(raw))
    try:
        run = services.rollup_request(year=year_settings(year=year.year, municipality_id=municipality.pk),
                                      actor=request.user)
    except permissions.NotAllowed as refused:
        messages.error(request, str(refused))
        return _back_or_home(request)
    messages.info(request, _("The %(year)s scorecards are being recomputed.") % {"year": year.year})
    return redirect("scoring:rollup-run", pk=run.pk)


def _run_status(run: RollupRun) -> dict:
    from django.core.cache import cache

    from wuqiang.scoring.tasks import progress_key

    live = cache.get(progress_key(run.pk)) if run.state == RunState.RUNNING else None
    return {
        "id": run.pk, "year": run.year_id, "state": run.state, "state_label": str(run.get_state_display()),
        "progress": (live or {}).get("progress", run.progress),
        "message": describe_step(live["message"]) if live else run.outcome,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "done": run.state in (RunState.DONE, RunState.FAILED),
    }


@require_GET
def rollup_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A roll-up's progress, for the municipality's staff (scoped: another city's run is 404)."""
    run = get_visible_or_404(RollupRun.objects.select_related("year", "county", "triggered_by"), request.user, pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_run_status(run))
    return render(request, "scoring/rollup_run.html", {"run": run, "status": _run_status(run)})


# --- Scheme -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def scheme_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A municipality's scheme for a year: read by everyone working in the municipality, edited by
    its staff until the year is published."""
    if switched := follow_picker(request, year):
        return switched
    municipality = home_municipality_or_404(request.user, code)
    assessment_year = page_year(request, year)
    settings = settings_of(assessment_year, municipality.pk)
    scheme = services.scheme_for(municipality_id=municipality.pk, year=year)
    can_edit = permissions.can_manage_scheme(request.user, settings)
    indicators = scheme.indicators.all()
    if request.method == "POST":
        settings_form = SchemeSettingsForm(request.POST, scheme=scheme)
        formset = SchemeIndicatorFormSet(request.POST, queryset=indicators, prefix="ind")
        if settings_form.is_valid() and formset.is_valid():
            try:
                services.scheme_update(
                    scheme=scheme, actor=request.user,
                    indicators={f.instance.code: f.scheme_change() for f in formset.forms},
                    vetoes=settings_form.vetoes(), thresholds=settings_form.thresholds(),
                )
            except permissions.NotAllowed as refused:
                raise PermissionDenied(str(refused)) from None
            except services.SchemeError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The scheme is saved; the scorecards are being recomputed."))
                return redirect("scoring:scheme", code=code, year=year)
        elif not can_edit:
            raise PermissionDenied(_("This scheme cannot be changed."))
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    else:
        settings_form = SchemeSettingsForm(scheme=scheme)
        formset = SchemeIndicatorFormSet(queryset=indicators, prefix="ind")
    labels = selectors.pillar_labels()
    rows = [(form, labels.get(form.instance.pillar, form.instance.pillar),
             describe_rule(form.instance.rule, form.instance.params, form.instance.points)) for form in formset.forms]
    return render(request, "scoring/scheme.html", {
        "scheme": scheme, "assessment_year": assessment_year, "municipality": municipality,
        "year_settings": settings, "can_edit": can_edit, "form": settings_form, "formset": formset, "rows": rows,
    })


@require_GET
def scheme_preview(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The points one indicator's rule, as edited but not yet saved, gives a sample value
    (the scheme page asks while the rule is edited)."""
    municipality = home_municipality_or_404(request.user, code)
    scheme = services.scheme_for(municipality_id=municipality.pk, year=page_year(request, year).year)
    indicator = get_object_or_404(scheme.indicators, code=request.GET.get("indicator", ""))
    prefix = request.GET.get("prefix", "")
    if not re.fullmatch(r"ind-\d{1,3}", prefix):
        raise Http404("No such row.")
    form = SchemeIndicatorForm(request.GET, instance=indicator, prefix=prefix)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(m for messages in form.errors.values() for m in messages)})
    change = form.scheme_change()
    edited = SchemeIndicator(code=indicator.code, rule=indicator.rule, points=change["points"],
                             params=change["params"])
    errors = services.scheme_validate(indicators=[{"code": edited.code, "pillar": indicator.pillar,
                                                   "rule": edited.rule, "points": edited.points,
                                                   "params": edited.params}],
                                      thresholds={}, check_totals=False)
    if errors:
        return JsonResponse({"error": " ".join(errors)})
    value = form.sample_value(request.GET.get("sample", ""))
    return JsonResponse({"points": str(evaluate_points(edited, value)),
                         "value": request.GET.get("sample", "") if value is not None else None})


# --- Demonstration villages -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def demonstration(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if switched := follow_picker(request, year):
        return switched
    municipality = home_municipality_or_404(request.user, code)
    assessment_year = page_year(request, year)
    settings = settings_of(assessment_year, municipality.pk)
    can_decide = permissions.can_decide_nomination(request.user, settings)
    if request.method == "POST":
        try:
            added = services.nominations_propose(year=settings, actor=request.user)
        except permissions.NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        messages.info(request, _("%(n)s villages newly proposed.") % {"n": added})
        return redirect("scoring:demonstration", code=code, year=year)
    nominations = (DemonstrationNomination.objects.visible_to(request.user)
                   .filter(year=assessment_year, village__county__municipality=municipality)
                   .select_related("village__township", "village__county", "decided_by"))
    status = request.GET.get("status", "")
    if status in NominationStatus.values:
        nominations = nominations.filter(status=status)
    page = Paginator(nominations, 100).get_page(request.GET.get("page"))
    scheme = Scheme.objects.filter(municipality=municipality, year=assessment_year).first()
    return render(request, "scoring/demonstration.html", {
        "assessment_year": assessment_year, "municipality": municipality, "page_obj": page,
        "rows": selectors.nomination_rows(page.object_list, assessment_year.year, scheme),
        "can_decide": can_decide, "status": status, "statuses": NominationStatus.choices,
    })


@require_POST
def nomination_decide(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_visible_or_404(DemonstrationNomination.objects.select_related("village__county__municipality"),
                                    request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        messages.error(request, _("Choose confirm or reject."))
    else:
        try:
            services.nomination_decide(nomination=nomination, actor=request.user, confirm=decision == "confirm",
                                       note=request.POST.get("note", ""))
        except permissions.NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)
    municipality = nomination.village.county.municipality
    return redirect(reverse("scoring:demonstration", args=[municipality.code, nomination.year_id])
                    + f"?{request.GET.urlencode()}")


# --- What-if scheme previews ------------------------------------------------------------------

PREVIEW_PAGE = 50


@require_POST
def scheme_whatif(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Preview the scheme as edited on the scheme page, without saving it: queue a what-if run
    and follow it on its own page."""
    from wuqiang.scoring.previews import scheme_preview_request

    municipality = home_municipality_or_404(request.user, code)
    page_year(request, year)
    scheme = services.scheme_for(municipality_id=municipality.pk, year=year)
    settings_form = SchemeSettingsForm(request.POST, scheme=scheme)
    formset = SchemeIndicatorFormSet(request.POST, queryset=scheme.indicators.all(), prefix="ind")
    if not (settings_form.is_valid() and formset.is_valid()):
        messages.error(request, _("Nothing was previewed: correct the fields marked on the scheme page."))
        return redirect("scoring:scheme", code=code, year=year)
    try:
        preview = scheme_preview_request(
            scheme=scheme, actor=request.user,
            indicators={f.instance.code: f.scheme_change() for f in formset.forms},
            vetoes=settings_form.vetoes(), thresholds=settings_form.thresholds())
    except permissions.NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    except services.SchemeError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("scoring:scheme", code=code, year=year)
    return redirect("scoring:whatif", pk=preview.pk)


def _preview_status(preview: Any) -> dict:
    from django.core.cache import cache

    from wuqiang.scoring.previews import progress_key

    live = cache.get(progress_key(preview.pk)) if preview.state == RunState.RUNNING else None
    return {
        "id": preview.pk, "state": preview.state, "state_label": str(preview.get_state_display()),
        "progress": (live or {}).get("progress", 100 if preview.state == RunState.DONE else 0),
        "message": describe_step(live["message"]) if live else preview.message,
        "done": preview.state in (RunState.DONE, RunState.FAILED),
    }


@require_GET
def whatif(request: HttpRequest, pk: int) -> HttpResponse:
    """A what-if preview: its progress, then the grade counts before → after, per county, and
    the villages that change grade, page by page. The municipality's staff only."""
    from wuqiang.scoring.models import Grade, SchemePreview

    preview = get_visible_or_404(SchemePreview.objects.select_related("municipality", "created_by"),
                                 request.user, pk=pk)
    if permissions.scheme_preview_refusal(request.user, year_settings(year=preview.year_id,
                                                                      municipality_id=preview.municipality_id)):
        raise Http404("No such preview.")
    status = _preview_status(preview)
    if request.GET.get("format") == "json":
        return JsonResponse(status)
    result = preview.result or {}
    grades = [(g.value, g.label) for g in Grade]

    def counts(block: dict) -> list[tuple[str, int, int]]:
        return [(label, block.get("before", {}).get(g, 0), block.get("after", {}).get(g, 0)) for g, label in grades]

    changes = (preview.changes.select_related("village", "county")
               .order_by("county__code", "village__code"))
    page = Paginator(changes, PREVIEW_PAGE).get_page(request.GET.get("page"))
    return render(request, "scoring/whatif.html", {
        "preview": preview, "status": status, "municipality": preview.municipality,
        "totals": counts(result) if result else [],
        "counties": [{"code": c["code"], "name": c["name"], "counts": counts(c)} for c in result.get("counties", [])],
        "page_obj": page, "grade_labels": dict(Grade.choices),
    })
