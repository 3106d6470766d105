"""The portal's admin site: Django's, plus a second factor where required and audited changes."""

from __future__ import annotations

import types
from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class AuditedModelAdmin:
    """Mixed into every ModelAdmin registered with the portal's site: each addition, change and
    deletion Django's admin logs also goes to the audit log (with the address; bulk deletions
    included, which LogEntry's signals would miss)."""

    def _audit(self, request: HttpRequest, obj: Any, action: str, changes: Any = None) -> None:
        from wuqiang.audit.models import EventKind
        from wuqiang.audit.services import record

        record(EventKind.ADMIN_CHANGE, request=request, obj=obj, action=action,
               model=obj._meta.label_lower, changes=changes or [])

    def log_addition(self, request: HttpRequest, obj: Any, message: Any):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "add", message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "change", message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any):
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        for obj in objects:
            self._audit(request, obj, "delete")
        return entries


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        audited = base if issubclass(base, AuditedModelAdmin) else types.new_class(
            base.__name__, (AuditedModelAdmin, base), exec_body=lambda ns: ns.update({"__module__": base.__module__}))
        super().register(model_or_iterable, audited, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        from wuqiang.security.mfa import second_factor_satisfied

        return super().has_permission(request) and second_factor_satisfied(request.user)
