"""Excel exports: asked for from a dashboard or the demonstration page, followed on a progress
page, downloaded only by the user who asked (anyone else gets 404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from wuqiang.regions.models import AssessmentYear, Municipality
from wuqiang.reports import selectors, services
from wuqiang.reports.forms import ExportForm
from wuqiang.reports.models import ExportState, ReportExport
from wuqiang.reports.workbook import export_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_SHOWN = 50


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return redirect(target if target and safe else reverse("home"))


def _own_export_or_404(request: HttpRequest, pk: int) -> ReportExport:
    """An export only its requester may see: for anyone else it does not exist."""
    return get_object_or_404(ReportExport.objects.select_related("year"), pk=pk, requested_by=request.user)


def _only_municipality(request: HttpRequest) -> Municipality:
    municipalities = list(Municipality.objects.visible_to(request.user)[:2])
    if len(municipalities) != 1:
        raise Http404("Choose the unit to export.")
    return municipalities[0]


@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    data = form.cleaned_data
    if data["scope"]:
        unit = selectors.visible_unit_or_404(request.user, data["scope"], form.level_value)
    else:  # the demonstration list of the user's own unit (an admin's: the one municipality)
        unit = request.user.home_unit or _only_municipality(request)
    year = get_object_or_404(AssessmentYear, pk=data["year"])
    try:
        result = services.export_request(actor=request.user, unit=unit, year=year.year, kind=data["kind"],
                                         language=translation.get_language(), status=data["status"] or "")
    except services.ExportRefused as refused:
        messages.error(request, str(refused))
        return _back(request)
    if isinstance(result, services.DirectExport):
        response = FileResponse(result.file, as_attachment=True, filename=result.filename, content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response
    return redirect("reports:export", pk=result.pk)


def _status(export: ReportExport) -> dict:
    from django.core.cache import cache

    live = cache.get(services.progress_key(export.pk)) if export.state == ExportState.RUNNING else None
    return {
        "id": export.pk, "state": export.state, "state_label": str(export.get_state_display()),
        "progress": (live or {}).get("progress", export.progress),
        "message": (live or {}).get("message", export.message),
        "done": export.is_finished,
        "download_url": reverse("reports:download", args=[export.pk]) if export.state == ExportState.DONE else None,
    }


@require_GET
@never_cache
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export_or_404(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_status(export))
    return render(request, "reports/export.html", {"export": export, "status": _status(export),
                                                   "retention_hours": settings.REPORT_RETENTION_HOURS})


@require_GET
@never_cache
def export_list(request: HttpRequest) -> HttpResponse:
    exports = ReportExport.objects.filter(requested_by=request.user).select_related("year")[:LIST_SHOWN]
    return render(request, "reports/exports.html", {"exports": exports,
                                                    "retention_hours": settings.REPORT_RETENTION_HOURS})


@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export_or_404(request, pk)
    if export.state != ExportState.DONE or not export.file or not default_storage.exists(export.file.name):
        raise Http404("This export has no file (not finished, or removed after the retention period).")
    # The requester must still see the unit: their role may have changed since.
    unit = selectors.visible_unit_or_404(request.user, export.scope_code, export.scope_level)
    with translation.override(export.language):
        filename = export_filename(export.kind, unit, export.year_id)
    response = FileResponse(default_storage.open(export.file.name, "rb"), as_attachment=True, filename=filename,
                            content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response

