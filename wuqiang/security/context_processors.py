"""What the layout needs for the security menu items and the idle-session warning."""

from django.conf import settings
from django.http import HttpRequest

from wuqiang.accounts.permissions import can_read_audit_log, can_unlock


def security(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_unlock_accounts": can_unlock(user),
        "can_read_audit_log": can_read_audit_log(user),
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "session_warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
    }
