"""Excel import pages: the template download, the upload form, an upload's check result with
its preview and confirmation, and the clerk's recent uploads. Thin: they parse the request
and call the services; only the clerk who uploaded a file sees it (anyone else gets 404)."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.files import CONTENT_TYPES, FileKind, attachment_response, safe_filename
from wuqiang.core.mixins import breadcrumbs
from wuqiang.entries.models import Entry
from wuqiang.entries.quality import describe_flags
from wuqiang.entries.registry import get_sheet, sheet_for_entry
from wuqiang.entries.selectors import sheet_url
from wuqiang.imports import services
from wuqiang.imports.models import BatchState, ImportBatch
from wuqiang.regions.models import AssessmentYear, Level, Township

LIST_SHOWN = 50


def _target(request: HttpRequest, code: str, year: int, slug: str):
    township = get_visible_or_404(Township.objects.select_related("county__municipality"), request.user, code=code)
    sheet = get_sheet(slug)
    if sheet is None:
        raise Http404("No such pillar sheet.")
    assessment_year = get_object_or_404(AssessmentYear, pk=year)
    refusal = permissions.import_refusal(request.user, township)
    if refusal:
        raise PermissionDenied(refusal)
    return township, assessment_year, sheet


@require_GET
def template_download(request: HttpRequest, code: str, year: int, sheet: str) -> HttpResponse:
    township, assessment_year, pillar_sheet = _target(request, code, year, sheet)
    output = BytesIO()
    services.template_build(actor=request.user, township=township, year=assessment_year, sheet=pillar_sheet,
                            output=output)
    output.seek(0)
    response = attachment_response(output, filename=services.template_filename(township, year, pillar_sheet),
                                   kind=FileKind.XLSX)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, code: str, year: int, sheet: str) -> HttpResponse:
    township, assessment_year, pillar_sheet = _target(request, code, year, sheet)
    error = None
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            error = _("Choose the filled-in template to upload.")
        else:
            try:
                batch = services.batch_upload(actor=request.user, township=township, year=assessment_year,
                                              sheet=pillar_sheet, upload=upload_file,
                                              language=translation.get_language())
            except services.UploadRefused as refused:
                error = str(refused)
            else:
                if services.goes_to_worker(batch):
                    services.enqueue(batch)
                else:
                    services.batch_check(batch_id=batch.pk)
                return redirect("imports:batch", pk=batch.pk)
    context = {
        "unit": township, "year": assessment_year, "sheet": pillar_sheet, "error": error,
        "breadcrumbs": breadcrumbs(township, request.user),
        "template_url": reverse("imports:template", args=[township.code, assessment_year.pk, pillar_sheet.slug]),
        "max_mb": f"{settings.UPLOAD_MAX_BYTES / 1048576:g}", "max_rows": settings.IMPORT_MAX_ROWS,
    }
    return render(request, "imports/upload.html", context, status=400 if error else 200)


def _own_batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    """An upload only its clerk may see: for anyone else it does not exist."""
    return get_object_or_404(ImportBatch.objects.select_related("year", "township"), pk=pk,
                             uploaded_by=request.user)


def _status(batch: ImportBatch) -> dict:
    live = cache.get(services.progress_key(batch.pk)) if not batch.is_finished else None
    return {
        "id": batch.pk, "state": batch.state, "state_label": str(batch.get_state_display()),
        "progress": (live or {}).get("progress", batch.progress),
        "message": (live or {}).get("message", batch.message),
        "done": batch.state in (BatchState.REFUSED, BatchState.READY, BatchState.APPLIED, BatchState.FAILED),
        "url": reverse("imports:batch", args=[batch.pk]),
    }


def _flagged(batch: ImportBatch, sheet) -> list[dict]:
    """The applied villages whose sheets now carry quality flags, as a form save shows them."""
    codes = [unit["code"] for unit in batch.preview if unit.get("changes")]
    lookup = {"township__code__in": codes, "village__isnull": True} if sheet.level == Level.TOWNSHIP else {
        "village__code__in": codes}
    entries = (Entry.objects.visible_to(batch.uploaded_by)
               .filter(township=batch.township, year=batch.year, pillar=sheet.pillar, **lookup)
               .exclude(quality_flags=[]).select_related("village", "township", "year"))
    return [{"unit": e.unit, "url": sheet_url(e.unit, e.year_id, sheet_for_entry(e)),
             "flags": describe_flags(e, sheet)} for e in entries]


@require_GET
@never_cache
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch_or_404(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(_status(batch))
    sheet = get_sheet(batch.sheet)
    township = batch.township
    units = [{**unit, "url": _unit_url(unit["code"], batch.year_id, sheet),
              "profile_changes": [c for c in unit["changes"] if not c.get("list")],
              "record_changes": [c for c in unit["changes"] if c.get("list")],
              "summary": services.summary(unit["changes"])} for unit in batch.preview]
    context = {
        "batch": batch, "status": _status(batch), "sheet": sheet, "unit": township,
        "changed": [u for u in units if u["changes"]],
        "unchanged": [u for u in units if not u["changes"]],
        "flagged": _flagged(batch, sheet) if batch.state == BatchState.APPLIED else [],
        "upload_url": reverse("imports:upload", args=[township.code, batch.year_id, batch.sheet]),
        "board_url": f"{reverse('entries:work-board', args=[township.code])}?year={batch.year_id}",
    }
    return render(request, "imports/batch.html", context)


def _unit_url(code: str, year: int, sheet) -> str:
    name = "entries:township-sheet" if sheet.level == Level.TOWNSHIP else "entries:village-sheet"
    return reverse(name, args=[code, year, sheet.slug])


@require_POST
def batch_apply(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch_or_404(request, pk)
    try:
        batch = services.batch_confirm(batch=batch, actor=request.user)
    except (services.AlreadyHandled, permissions.NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        if batch.state == BatchState.APPLIED:
            messages.success(request, batch.message)
        elif batch.state == BatchState.FAILED:
            messages.error(request, batch.message)
    return redirect("imports:batch", pk=batch.pk)


@require_GET
def error_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch_or_404(request, pk)
    if batch.state != BatchState.REFUSED or not batch.errors or not batch.file:
        raise Http404("This upload has no error workbook.")
    output = services.batch_error_workbook(batch)
    name = safe_filename(batch.filename).rsplit(".", 1)[0]
    filename = _("%(name)s-errors") % {"name": name}
    response = FileResponse(output, as_attachment=True, filename=f"{filename}.xlsx",
                            content_type=CONTENT_TYPES[FileKind.XLSX])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@never_cache
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = ImportBatch.objects.filter(uploaded_by=request.user).select_related("year", "township")[:LIST_SHOWN]
    rows = [{"batch": b, "sheet": get_sheet(b.sheet)} for b in batches]
    return render(request, "imports/list.html", {"rows": rows})
