"""One JSON error body for every refusal: ``{"detail": ..., "code": ..., "errors": {field: [..]}}``.

``errors`` is present for invalid input, keyed like the input (``profile.<field>``,
``records.<list>.<row>.<field>``, or a top-level field); ``detail`` is a sentence for a person,
in the request's language. No HTML error page is ever answered under /api/.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from wuqiang.accounts.permissions import NotAllowed
from wuqiang.entries.services import StaleEntry
from wuqiang.entries.validation import InvalidSheet

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "if_match_required"


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.b.0.c": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key in ("__all__", "non_field_errors") and not prefix else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            return {prefix or "non_field_errors": [str(v) for v in detail]}
        out = {}
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def sheet_errors(invalid: InvalidSheet) -> dict[str, list[str]]:
    errors = invalid.errors
    flat: dict[str, list[str]] = {}
    for name, messages in errors.profile.items():
        flat[f"profile.{name}"] = list(messages)
    for prefix, rows in errors.records.items():
        for index, fields in rows.items():
            for name, messages in fields.items():
                flat[f"records.{prefix}.{index}.{name}"] = list(messages)
    if errors.general:
        flat["non_field_errors"] = list(errors.general)
    return flat


def body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"detail": str(detail), "code": code}
    if errors:
        data["errors"] = errors
    return data


def api_exception_handler(exc: Exception, context: dict) -> Response:
    request = context.get("request")
    if request is not None and isinstance(exc, Http404 | PermissionDenied):
        # The audit middleware records the refusal with its reason.
        request._request.audit_refusal = str(exc)[:200]
    if isinstance(exc, InvalidSheet):
        return Response(body(str(exc), "invalid", sheet_errors(exc)), status=400)
    if isinstance(exc, StaleEntry):
        return Response(body(str(exc), "stale"), status=412)
    if isinstance(exc, NotAllowed):
        return Response(body(str(exc), "not_allowed"), status=403)
    if isinstance(exc, ValidationError):
        errors = ({k if k != "__all__" else "non_field_errors": list(v) for k, v in exc.message_dict.items()}
                  if hasattr(exc, "error_dict") else {"non_field_errors": list(exc.messages)})
        return Response(body(_("Nothing was saved: correct the fields marked."), "invalid", errors), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API request failed", exc_info=exc)
        return Response(body(_("The server failed to answer; the error was logged."), "server_error"), status=500)
    if isinstance(exc, exceptions.ValidationError):
        response.data = body(_("Nothing was saved: correct the fields marked."), "invalid", _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = body(detail if isinstance(detail, str) else str(detail),
                             code if isinstance(code, str) else "error")
    return response


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that names no endpoint."""
    return JsonResponse(body(_("No API endpoint at this address."), "not_found"), status=404)
