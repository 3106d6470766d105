"""Refused access into the audit log, and the request lent to ``audit.record`` meanwhile."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from wuqiang.audit.context import bind_request, unbind_request
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record

# Browsers ask for these on their own; a miss says nothing about the user.
_UNINTERESTING_PATHS = frozenset({"/favicon.ico", "/robots.txt", "/apple-touch-icon.png"})


class AuditMiddleware:
    """Records every 403 and 404 answered to a signed-in user: the scope rule answers 404 outside a
    user's scope, so these are the probes (URL guessing) an auditor wants to see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bind_request(request)
        try:
            response = self.get_response(request)
        finally:
            unbind_request(token)
        if response.status_code in (403, 404) and request.path not in _UNINTERESTING_PATHS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                match = getattr(request, "resolver_match", None)
                record(
                    EventKind.ACCESS_DENIED, request=request, status=response.status_code,
                    method=request.method, view=match.view_name if match else "",
                    reason=getattr(request, "audit_refusal", ""),
                )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404 | PermissionDenied):
            request.audit_refusal = str(exception)[:200]
        return None
