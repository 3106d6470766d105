"""Sign-in events from Django's auth signals and django-axes, into the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record


def _account(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.LOGIN, actor=user, request=request, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def _sign_in_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    detail: dict[str, Any] = {"stage": credentials.get("stage", "password")}
    if getattr(request, "axes_locked_out", False):
        detail["while_locked_out"] = True
    record(EventKind.LOGIN_FAILED, request=request, obj=_account(username), username=username, **detail)


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "logout_reason", "") or "signed out"
    record(EventKind.LOGOUT, actor=user, request=request, obj=user, reason=reason)


@receiver(user_locked_out, dispatch_uid="audit_user_locked_out")
def _locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    # Axes signals again on every try while the lockout lasts; those are failed sign-ins,
    # already recorded. Only the try that started the lockout has its failures counted.
    counts = getattr(request, "lockout_counts", None)
    if counts is None:
        return
    record(EventKind.LOCKOUT, request=request, obj=_account(username), username=username or "", **counts)
