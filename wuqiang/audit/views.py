"""The audit log for administrators: a filterable page and the same selection as CSV."""

from __future__ import annotations

import csv
import json

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wuqiang.accounts.permissions import can_read_audit_log
from wuqiang.audit.filtersets import AuditEventFilter
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.audit.services import record
from wuqiang.core.files import spreadsheet_safe

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> AuditEventFilter:
    if not can_read_audit_log(request.user):
        raise PermissionDenied("Only administrators may read the audit log.")
    return AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.select_related("actor"))


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = _filtered(request)
    page = Paginator(events.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"filter": events, "page_obj": page})


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


@require_GET
def event_export(request: HttpRequest) -> StreamingHttpResponse:
    events = _filtered(request)
    filters = {k: v for k, v in request.GET.items() if v and k != "page"}
    record(EventKind.EXPORT, request=request, what="audit log", format="csv", filters=filters)

    header = [_("Time"), _("Event"), _("Username"), _("Address"), _("Object type"), _("Object id"),
              _("Object"), _("Path"), _("Detail")]
    kinds = dict(EventKind.choices)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so Excel reads the file as UTF-8 and shows the Chinese
        yield writer.writerow(header)
        for event in events.qs.iterator(chunk_size=2000):
            yield writer.writerow([spreadsheet_safe(v) for v in (
                timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                str(kinds.get(event.kind, event.kind)), event.actor_username, event.ip_address or "",
                event.object_type, event.object_id, event.object_repr, event.path,
                json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
            )])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
