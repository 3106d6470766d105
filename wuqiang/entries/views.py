"""The shared entry pages: a village's pillar sheet, the workflow actions, the township's work
board, the county's review queue and a village's history. Thin: they parse input, call the
services, and render what the selectors return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.mixins import breadcrumbs
from wuqiang.core.validators import date_or_none
from wuqiang.core.years import follow_picker, page_year
from wuqiang.entries import selectors, services
from wuqiang.entries.filtersets import ChangeFilter, ReviewQueueFilter
from wuqiang.entries.forms import EntryForms
from wuqiang.entries.models import Entry, EntryState
from wuqiang.entries.quality import describe_flags, watch_bounds
from wuqiang.entries.registry import get_sheet
from wuqiang.entries.validation import SheetErrors
from wuqiang.regions.models import AssessmentYear, County, Level, Township, Village
from wuqiang.regions.selectors import municipality_of, settings_of


def _sheet_or_404(slug: str, level: Level):
    sheet = get_sheet(slug)
    if sheet is None or sheet.level != level:
        raise Http404("No such pillar sheet.")
    return sheet


@require_http_methods(["GET", "POST"])
def village_sheet(request: HttpRequest, code: str, year: int, sheet: str) -> HttpResponse:
    unit = get_visible_or_404(Village.objects.select_related("township__county__municipality"),
                              request.user, code=code)
    return _sheet_page(request, unit, year, _sheet_or_404(sheet, Level.VILLAGE))


@require_http_methods(["GET", "POST"])
def township_sheet(request: HttpRequest, code: str, year: int, sheet: str) -> HttpResponse:
    unit = get_visible_or_404(Township.objects.select_related("county__municipality"), request.user, code=code)
    return _sheet_page(request, unit, year, _sheet_or_404(sheet, Level.TOWNSHIP))


def _sheet_page(request: HttpRequest, unit, year: int, sheet) -> HttpResponse:
    if switched := follow_picker(request, year):
        return switched
    assessment_year = page_year(request, year)
    if isinstance(unit, Village):  # the entry and its siblings' states for the pillar tabs: one query
        siblings = selectors.village_entries(village=unit, year=assessment_year)
        entry = siblings.get(sheet.pillar)
    else:
        siblings, entry = None, selectors.entry_for(unit=unit, year=assessment_year, sheet=sheet)
    if entry is None:
        entry = services.new_entry(unit=unit, year=assessment_year, sheet=sheet)
        if siblings is not None:
            siblings[sheet.pillar] = entry  # its tab shows the new draft
    entry._year_settings = settings_of(assessment_year, municipality_of(unit).pk)
    refusal = permissions.edit_refusal(request.user, entry)
    stale_message = None

    if request.method == "POST":
        version = _int(request.POST.get("version"))
        if refusal or version is None:
            messages.error(request, refusal or _("The form is incomplete; reload the page and try again."))
            return redirect(request.path)
        forms = EntryForms(sheet, entry, request.POST, editable=True)
        data = forms.sheet_input(flag_explanation=request.POST.get("flag_explanation"))
        try:
            services.entry_save(entry=entry, actor=request.user, expected_version=version, data=data)
        except services.StaleEntry as stale:
            stale_message = str(stale)
            forms.show_errors(SheetErrors())
        except services.InvalidSheet as invalid:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
            for message in forms.show_errors(invalid.errors):
                messages.error(request, message)
        except services.NotAllowed as refused:
            messages.error(request, str(refused))
            return redirect(request.path)
        else:
            if request.POST.get("then") == "submit":
                return _submit_after_save(request, entry)
            messages.success(request, _("Saved."))
            return redirect(request.path)
    else:
        forms = EntryForms(sheet, entry, editable=refusal is None)
    if refusal is None:
        forms.watch(watch_bounds(entry, sheet))

    context = {
        "unit": unit,
        "entry": entry,
        "sheet": sheet,
        "forms": forms,
        "year": entry.year,
        "year_settings": permissions.year_of(entry),
        "extension": permissions.active_extension(entry),
        "breadcrumbs": breadcrumbs(unit, request.user),
        # A page re-drawn after a refused save reads the states afresh (another clerk's save may
        # be why it was refused); a plain GET has them from loading the entry.
        "pillar_tabs": selectors.pillar_tabs(unit, entry.year, {p: e.state for p, e in siblings.items()}
                                             if request.method == "GET" else None)
        if siblings is not None else None,
        "can_edit": refusal is None,
        "edit_refusal": refusal,
        "stale_message": stale_message,
        "quality_flags": describe_flags(entry, sheet),
        "flag_explanation": request.POST.get("flag_explanation", entry.flag_explanation)
        if request.method == "POST" else entry.flag_explanation,
        "review_diff": selectors.changes_since_review(entry, sheet)
        if entry.pk and entry.state == EntryState.SUBMITTED else None,
    }
    if entry.pk is not None:
        context.update({
            "can_approve": permissions.approve_refusal(request.user, entry) is None,
            "can_return": permissions.return_refusal(request.user, entry) is None,
            "can_reopen": permissions.reopen_refusal(request.user, entry) is None,
            "can_extend": permissions.extension_refusal(request.user, entry) is None,
            "review_refusal": _reviewer_note(request.user, entry),
        })
    return render(request, "entries/sheet.html", context, status=409 if stale_message else 200)


def _reviewer_note(user, entry: Entry) -> str | None:
    """Why the county's reviewer cannot return or reopen the entry now, for them to read."""
    if not permissions.is_reviewer_of(user, entry.county_id):
        return None
    if entry.state == EntryState.SUBMITTED:
        return permissions.return_refusal(user, entry)
    if entry.state == EntryState.APPROVED:
        return permissions.reopen_refusal(user, entry)
    return None


def _submit_after_save(request: HttpRequest, entry: Entry) -> HttpResponse:
    try:
        # The version just saved: anyone else's save in between stops the submission.
        services.entry_submit(entry=entry, actor=request.user, expected_version=entry.version)
    except (services.NotAllowed, services.StaleEntry) as refused:
        messages.warning(request, _("Saved, but not submitted: %(reason)s") % {"reason": refused})
    else:
        messages.success(request, _("Saved and submitted for review."))
    return redirect(request.path)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None




def _entry_or_404(request: HttpRequest, pk: int) -> Entry:
    return get_visible_or_404(
        Entry.objects.select_related("year", "village", "township", "updated_by"), request.user, pk=pk)


def _back(request: HttpRequest, entry: Entry) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = selectors.entry_url(entry)
    return redirect(target)


@require_POST
def entry_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """submit / approve / return / reopen / extend one entry."""
    entry = _entry_or_404(request, pk)
    text = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.entry_submit(entry=entry, actor=request.user,
                                  expected_version=_int(request.POST.get("version")))
            messages.success(request, _("Submitted for review."))
        elif action == "approve":
            services.entry_approve(entry=entry, actor=request.user, comment=text)
            messages.success(request, _("Approved."))
        elif action == "return":
            services.entry_return(entry=entry, actor=request.user, comment=text)
            messages.success(request, _("Returned to the township with your comment."))
        elif action == "reopen":
            services.entry_reopen(entry=entry, actor=request.user, reason=text)
            messages.success(request, _("Reopened: the township can change the entry again."))
        elif action == "extend":
            until = date_or_none(request.POST.get("until"))
            services.entry_extend(entry=entry, actor=request.user, until=until, reason=text)
            messages.success(request, _("Extension granted until %(date)s.") % {"date": until})
        else:
            raise Http404("Unknown action.")
    except (services.NotAllowed, services.StaleEntry) as refused:
        messages.error(request, str(refused))
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    return _back(request, entry)


@require_GET
def work_board(request: HttpRequest, code: str) -> HttpResponse:
    township = get_visible_or_404(Township.objects.select_related("county__municipality"), request.user, code=code)
    year = _selected_year_or_404(request)
    settings = settings_of(year, township.county.municipality_id)
    context = {
        "unit": township,
        "year": year,
        "year_settings": settings,
        "breadcrumbs": breadcrumbs(township, request.user),
        "board": selectors.work_board(township=township, year=year, user=request.user, settings=settings),
        # Excel templates and uploads, for the township's clerk (wuqiang.imports).
        "can_import": permissions.import_refusal(request.user, township) is None,
    }
    return render(request, "entries/work_board.html", context)


@require_GET
def review_queue(request: HttpRequest, code: str) -> HttpResponse:
    county = get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)
    year = _selected_year_or_404(request)
    queryset = selectors.review_queue(county=county, year=year, user=request.user)
    filterset = ReviewQueueFilter(request.GET, queryset=queryset, county=county)
    page = selectors.review_queue_page(filterset.qs, request.GET.get("page"))
    context = {
        "unit": county,
        "year": year,
        "breadcrumbs": breadcrumbs(county, request.user),
        "filter": filterset,
        "page_obj": page,
        "waiting": selectors.townships_waiting(county=county, year=year, user=request.user),
        "is_reviewer": permissions.is_reviewer_of(request.user, county.pk),
    }
    return render(request, "entries/review_queue.html", context)


@require_http_methods(["GET", "POST"])
def approve_township(request: HttpRequest, code: str) -> HttpResponse:
    """"Approve all unflagged" of one township: GET shows what is included and what is held back
    for individual review; POST approves exactly the entries that were shown as included."""
    county = get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)
    data = request.POST if request.method == "POST" else request.GET
    township = get_visible_or_404(Township.objects.filter(county=county).select_related("county__municipality"),
                                  request.user, code=data.get("township", ""))
    year = get_object_or_404(AssessmentYear, pk=_int(data.get("year")) or 0)
    queue = f"{reverse('entries:review-queue', args=[county.code])}?year={year.pk}"
    if request.method == "POST":
        shown = [pk for pk in (_int(v) for v in request.POST.getlist("entry")) if pk is not None]
        try:
            count = services.entries_approve_submitted(township=township, year=year, actor=request.user,
                                                        unflagged_only=True, entry_ids=shown)
        except services.NotAllowed as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Approved %(count)d entries of %(township)s.") % {
                "count": count, "township": township.name})
        return redirect(queue)
    settings = settings_of(year, county.municipality_id)
    return render(request, "entries/approve_township.html", {
        "unit": county, "township": township, "year": year, "queue_url": queue,
        "breadcrumbs": breadcrumbs(county, request.user),
        "approval": selectors.township_approval(township=township, year=year),
        "refusal": permissions.bulk_approve_refusal(request.user, township, settings),
    })


@require_GET
def village_history(request: HttpRequest, code: str) -> HttpResponse:
    village = get_visible_or_404(Village.objects.select_related("township__county__municipality"),
                                 request.user, code=code)
    changes = selectors.village_changes(village=village, user=request.user)
    filterset = ChangeFilter(request.GET, queryset=changes)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    context = {
        "unit": village,
        "breadcrumbs": breadcrumbs(village, request.user),
        "filter": filterset,
        "page_obj": page,
        "lines": selectors.history_lines(page.object_list),
    }
    return render(request, "entries/history.html", context)


def _selected_year_or_404(request: HttpRequest) -> AssessmentYear:
    from wuqiang.core.years import selected_year

    year = selected_year(request)
    if year is None:
        raise Http404("No assessment year yet.")
    return year
